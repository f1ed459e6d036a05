// resolve_version: version request -> concrete release with URL and sha256,
// using the mirror's releases.json, then its directory listing.
#include <cstdlib>

#include "host/fetch/curl_easy.hpp"
#include "host/fetch/fetch.hpp"
#include "host/fetch/release_index.hpp"

namespace ktstr::fetch {
namespace {

constexpr std::string_view kDefaultMirror = "https://cdn.kernel.org/pub/linux/kernel";
// kernel.org publishes the releases list on www, not on the CDN tree.
constexpr std::string_view kDefaultReleasesUrl = "https://www.kernel.org/releases.json";

std::string strip_slashes(std::string s) {
  while (s.ends_with('/')) s.pop_back();
  return s;
}

// The configured mirror, or "" when the built-in kernel.org default applies.
std::string configured_mirror(const DownloadOptions& opts) {
  if (!opts.mirror.empty()) return strip_slashes(opts.mirror);
  const char* env = std::getenv("KTSTR_KERNEL_MIRROR");
  return env != nullptr && *env != '\0' ? strip_slashes(env) : std::string();
}

struct Mirror {
  std::string base;
  std::string releases_url;
};

Mirror mirror_for(const DownloadOptions& opts) {
  std::string m = configured_mirror(opts);
  if (m.empty()) return {std::string(kDefaultMirror), std::string(kDefaultReleasesUrl)};
  return {m, m + "/releases.json"};
}

// Newest release of want's series: releases.json first (it names only the
// current stable and longterm kernels), then the series directory listing.
Result<KernelVersion> newest_release(const KernelVersion& want, const Mirror& mirror) {
  std::string from_json = "nothing (not found)";
  // A network failure here is final: falling back would only add timeouts.
  if (auto body = KTSTR_TRY(http_get_if_exists(mirror.releases_url))) {
    auto versions = parse_releases_json(*body);
    if (versions) {
      if (auto v = newest_in_series(*versions, want)) return *v;
      from_json = join_versions(*versions);
    } else {
      from_json = versions.error().message;
    }
  }
  std::string listing_url = fmt::format("{}/{}/", mirror.base, want.series_dir());
  std::string from_listing = "nothing (not found)";
  if (auto html = KTSTR_TRY(http_get_if_exists(listing_url))) {
    auto versions = parse_listing(*html);
    if (auto v = newest_in_series(versions, want)) return *v;
    from_listing = join_versions(versions);
  }
  return fail("unknown kernel version {}: no {}.N release found ({} lists {}; {} lists {})", want.to_string(),
              want.to_string(), mirror.releases_url, from_json, listing_url, from_listing);
}

}  // namespace

Result<KernelRelease> resolve_version(std::string_view text, const DownloadOptions& opts) {
  auto parsed = KernelVersion::parse(text);
  if (!parsed) return fail("'{}' is not a kernel version (expected MAJOR.MINOR or MAJOR.MINOR.PATCH, e.g. 6.12 or 6.12.3)", text);
  if (*parsed < kMinSchedExtVersion)
    return fail("Linux {} is too old: sched_ext needs Linux >= {}", text, kMinSchedExtVersion.to_string());
  Mirror mirror = mirror_for(opts);
  KernelVersion version = parsed->patch ? *parsed : KTSTR_TRY(newest_release(*parsed, mirror));

  std::string dir_url = fmt::format("{}/{}", mirror.base, version.series_dir());
  std::string sums_url = dir_url + "/sha256sums.asc";
  std::string sums = KTSTR_TRY(http_get_text(sums_url));
  std::string name = version.tarball_name();
  auto sha = find_sha256(sums, name);
  if (!sha) return fail("unknown kernel version {}: {} is not listed in {}", version.to_string(), name, sums_url);
  return KernelRelease{.version = version.to_string(), .url = fmt::format("{}/{}", dir_url, name), .sha256 = *sha};
}

}  // namespace ktstr::fetch
