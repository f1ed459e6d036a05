// Pure parsers for what a kernel.org-style mirror serves: version strings,
// releases.json, sha256sums.asc and the HTML index of a v6.x/ directory.
// No I/O here, so every rule is unit-testable.
#pragma once

#include <compare>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.hpp"

namespace ktstr::fetch {

// A stable kernel version; a missing patch level means "any" in a request
// and ".0" (the base release, tarball linux-6.12.tar.xz) in a listing.
struct KernelVersion {
  int major = 0;
  int minor = 0;
  std::optional<int> patch;

  // "6.12" or "6.12.3"; nullopt for anything else ("6.13-rc1", "next-2025...").
  static std::optional<KernelVersion> parse(std::string_view text);
  [[nodiscard]] std::string to_string() const;
  // Tarball name on kernel.org: linux-6.12.tar.xz, linux-6.12.3.tar.xz.
  [[nodiscard]] std::string tarball_name() const;
  // Directory of the series on kernel.org: "v6.x".
  [[nodiscard]] std::string series_dir() const;
  // Same major.minor.
  [[nodiscard]] bool same_series(const KernelVersion& o) const { return major == o.major && minor == o.minor; }
  // Orders by (major, minor, patch) with a missing patch as 0.
  friend std::strong_ordering operator<=>(const KernelVersion& a, const KernelVersion& b);
  friend bool operator==(const KernelVersion& a, const KernelVersion& b) { return (a <=> b) == 0; }
};

// sched_ext (SCHED_CLASS_EXT) was merged in Linux 6.12.
inline constexpr KernelVersion kMinSchedExtVersion{6, 12, std::nullopt};

// Every parseable "version" of releases.json's "releases" array, in file order.
Result<std::vector<KernelVersion>> parse_releases_json(std::string_view json);

// Versions of every linux-X.Y[.Z].tar.xz linked (href="...") from an HTML index.
std::vector<KernelVersion> parse_listing(std::string_view html);

// The sha256 (lower-case hex) listed for file_name in a sha256sums.asc body
// (lines "<64 hex>  <name>" inside a PGP clear-signed message), if any.
std::optional<std::string> find_sha256(std::string_view sums, std::string_view file_name);

// Newest version in candidates from the series of want; nullopt if none.
std::optional<KernelVersion> newest_in_series(const std::vector<KernelVersion>& candidates,
                                              const KernelVersion& want);

// "6.12.3, 6.17.1, ..." for error messages (at most `limit` entries).
std::string join_versions(const std::vector<KernelVersion>& versions, size_t limit = 12);

}  // namespace ktstr::fetch
