#include "host/fetch/release_index.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>

#include <nlohmann/json.hpp>

namespace ktstr::fetch {
namespace {

std::optional<int> parse_number(std::string_view s) {
  if (s.empty() || s.size() > 6 || (s.size() > 1 && s.front() == '0')) return std::nullopt;
  int v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return v;
}

bool is_hex64(std::string_view s) {
  return s.size() == 64 && std::all_of(s.begin(), s.end(), [](char c) { return std::isxdigit(static_cast<unsigned char>(c)); });
}

}  // namespace

std::optional<KernelVersion> KernelVersion::parse(std::string_view text) {
  std::vector<std::string_view> parts;
  while (true) {
    size_t dot = text.find('.');
    parts.push_back(text.substr(0, dot));
    if (dot == std::string_view::npos) break;
    text.remove_prefix(dot + 1);
  }
  if (parts.size() < 2 || parts.size() > 3) return std::nullopt;
  auto major = parse_number(parts[0]);
  auto minor = parse_number(parts[1]);
  if (!major || !minor) return std::nullopt;
  KernelVersion v{*major, *minor, std::nullopt};
  if (parts.size() == 3) {
    v.patch = parse_number(parts[2]);
    if (!v.patch) return std::nullopt;
  }
  return v;
}

std::string KernelVersion::to_string() const {
  return patch ? fmt::format("{}.{}.{}", major, minor, *patch) : fmt::format("{}.{}", major, minor);
}

std::string KernelVersion::tarball_name() const {
  // kernel.org names the base release without ".0".
  return patch && *patch != 0 ? fmt::format("linux-{}.{}.{}.tar.xz", major, minor, *patch)
                              : fmt::format("linux-{}.{}.tar.xz", major, minor);
}

std::string KernelVersion::series_dir() const { return fmt::format("v{}.x", major); }

std::strong_ordering operator<=>(const KernelVersion& a, const KernelVersion& b) {
  if (auto c = a.major <=> b.major; c != 0) return c;
  if (auto c = a.minor <=> b.minor; c != 0) return c;
  return a.patch.value_or(0) <=> b.patch.value_or(0);
}

Result<std::vector<KernelVersion>> parse_releases_json(std::string_view json) {
  auto doc = nlohmann::json::parse(json, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded() || !doc.is_object()) return fail("releases list is not a JSON object");
  auto it = doc.find("releases");
  if (it == doc.end() || !it->is_array()) return fail("releases list has no \"releases\" array");
  std::vector<KernelVersion> out;
  for (const auto& rel : *it) {
    if (!rel.is_object() || !rel.contains("version") || !rel["version"].is_string()) continue;
    if (auto v = KernelVersion::parse(rel["version"].get<std::string>())) out.push_back(*v);
  }
  return out;
}

std::vector<KernelVersion> parse_listing(std::string_view html) {
  constexpr std::string_view kHref = "href=\"";
  constexpr std::string_view kPrefix = "linux-";
  constexpr std::string_view kSuffix = ".tar.xz";
  std::vector<KernelVersion> out;
  for (size_t pos = html.find(kHref); pos != std::string_view::npos; pos = html.find(kHref, pos)) {
    pos += kHref.size();
    size_t end = html.find('"', pos);
    if (end == std::string_view::npos) break;
    std::string_view target = html.substr(pos, end - pos);
    target.remove_prefix(std::min(target.size(), target.rfind('/') + 1));  // basename; npos+1 == 0
    if (target.starts_with(kPrefix) && target.ends_with(kSuffix)) {
      target.remove_prefix(kPrefix.size());
      target.remove_suffix(kSuffix.size());
      if (auto v = KernelVersion::parse(target)) out.push_back(*v);
    }
    pos = end;
  }
  return out;
}

std::optional<std::string> find_sha256(std::string_view sums, std::string_view file_name) {
  while (!sums.empty()) {
    size_t nl = sums.find('\n');
    std::string_view line = sums.substr(0, nl);
    sums.remove_prefix(nl == std::string_view::npos ? sums.size() : nl + 1);
    if (line.ends_with('\r')) line.remove_suffix(1);
    size_t space = line.find_first_of(" \t");
    if (space == std::string_view::npos || !is_hex64(line.substr(0, space))) continue;
    // "*" marks binary mode in sha256sum(1) output.
    size_t name_start = line.find_first_not_of(" \t*", space);
    if (name_start == std::string_view::npos || line.substr(name_start) != file_name) continue;
    std::string hash(line.substr(0, space));
    std::transform(hash.begin(), hash.end(), hash.begin(), [](unsigned char c) { return std::tolower(c); });
    return hash;
  }
  return std::nullopt;
}

std::optional<KernelVersion> newest_in_series(const std::vector<KernelVersion>& candidates,
                                              const KernelVersion& want) {
  std::optional<KernelVersion> best;
  for (const auto& v : candidates)
    if (v.same_series(want) && (!best || v > *best)) best = v;
  return best;
}

std::string join_versions(const std::vector<KernelVersion>& versions, size_t limit) {
  std::string out;
  for (size_t i = 0; i < versions.size() && i < limit; ++i) out += (i ? ", " : "") + versions[i].to_string();
  if (versions.size() > limit) out += fmt::format(", ... ({} in all)", versions.size());
  return out.empty() ? "none" : out;
}

}  // namespace ktstr::fetch
