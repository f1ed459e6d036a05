// Kconfig fragment handling: parse `CONFIG_X=val` / `# CONFIG_X is not set`
// lines, append a fragment to a .config, and find the fragment options that
// Kconfig changed or dropped during olddefconfig.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.hpp"

namespace ktstr::kernel {

// Option name (with the CONFIG_ prefix) -> value as written in .config
// ("y", "m", "256", "\"str\"", or "n" for `# CONFIG_X is not set`).
using KconfigValues = std::map<std::string, std::string>;

// s without leading and trailing blanks (space, tab, CR): Kconfig lines as
// the kernel's and the fragment's files hold them.
std::string_view trim_blanks(std::string_view s);

// Parses fragment or .config text. Blank lines and other comments are
// ignored; a malformed assignment is an error naming its line number.
Result<KconfigValues> parse_kconfig(std::string_view text);

// One fragment option whose final value differs from the requested one.
struct DroppedOption {
  std::string name;
  std::string wanted;  // value in the fragment
  std::string got;     // value in the final .config ("n" when absent)
};

// Every fragment option whose value did not survive into final_config, in
// name order. Options absent from final_config count as "n" (Kconfig omits
// options whose dependencies are unmet).
std::vector<DroppedOption> find_dropped(const KconfigValues& fragment, const KconfigValues& final_config);

// Returns base_config with every fragment option appended (later assignments
// win in Kconfig, as with scripts/kconfig/merge_config.sh), after removing
// base lines that set the same options so the result has one line per option.
std::string merge_fragment(std::string_view base_config, const KconfigValues& fragment);

// Formats dropped options for an error message: "CONFIG_X (wanted y, got n), ...".
std::string describe_dropped(const std::vector<DroppedOption>& dropped);

}  // namespace ktstr::kernel
