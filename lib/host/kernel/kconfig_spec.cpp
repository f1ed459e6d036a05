#include "host/kernel/kconfig_spec.hpp"

#include "base/fd.hpp"
#include "host/kernel/fragment.hpp"
#include "base/sha256.hpp"
#include "kconfig/fragment.hpp"

namespace ktstr::kernel {

namespace fs = std::filesystem;

namespace {

// A line Kconfig acts on: an assignment or an explicit "is not set".
bool is_setting(std::string_view line) {
  if (line.starts_with("CONFIG_")) return true;
  return line.starts_with("# CONFIG_") && line.ends_with(" is not set");
}

}  // namespace

std::string KconfigSpec::hash() const {
  std::string settings;
  std::string_view rest = text;
  while (!rest.empty()) {
    const auto nl = rest.find('\n');
    const std::string_view line = trim_blanks(rest.substr(0, nl));
    rest = nl == std::string_view::npos ? std::string_view{} : rest.substr(nl + 1);
    if (is_setting(line)) settings.append(line).push_back('\n');
  }
  return sha256_hex(settings);
}

KconfigSpec base_kconfig() { return {.text = std::string(kKtstrKconfigFragment), .extras = ""}; }

namespace {

void append(KconfigSpec& spec, std::string_view text, const std::string& label) {
  spec.text += "\n";
  spec.text += text;
  spec.extras += (spec.extras.empty() ? "" : " + ") + label;
}

}  // namespace

Result<KconfigSpec> compose_kconfig(bool debug, const std::vector<fs::path>& fragment_files) {
  KconfigSpec spec = base_kconfig();
  if (debug) append(spec, kKtstrDebugKconfigFragment, "debug");
  for (const auto& file : fragment_files) {
    fs::path abs = fs::absolute(file);
    auto text = KTSTR_TRY_CTX(read_file(abs), "kconfig fragment");
    KTSTR_TRY_CTX(parse_kconfig(text), "kconfig fragment {}", abs.string());
    append(spec, text, abs.string());
  }
  return spec;
}

}  // namespace ktstr::kernel
