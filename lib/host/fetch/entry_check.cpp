#include "host/fetch/entry_check.hpp"

namespace ktstr::fetch {
namespace {

// Calls fn(component) for every non-empty component of a '/'-separated path.
template <class Fn>
void for_each_component(std::string_view path, Fn&& fn) {
  while (!path.empty()) {
    size_t slash = path.find('/');
    std::string_view part = path.substr(0, slash);
    if (!part.empty()) fn(part);
    if (slash == std::string_view::npos) break;
    path.remove_prefix(slash + 1);
  }
}

}  // namespace

Result<std::string> safe_relative_path(std::string_view name) {
  if (name.empty()) return fail("entry with an empty name");
  if (name.front() == '/') return fail("entry '{}' has an absolute path", name);
  std::string out;
  out.reserve(name.size());
  bool dotdot = false;
  for_each_component(name, [&](std::string_view part) {
    if (part == ".") return;
    if (part == "..") dotdot = true;
    if (!out.empty()) out += '/';
    out += part;
  });
  if (dotdot) return fail("entry '{}' contains a '..' component", name);
  return out;
}

Result<void> check_symlink_target(std::string_view entry, std::string_view target) {
  if (target.empty()) return fail("symlink '{}' has an empty target", entry);
  if (target.front() == '/') return fail("symlink '{}' points to absolute path '{}'", entry, target);
  // Depth of the directory holding the link, counted from the destination root.
  long depth = 0;
  size_t last_slash = entry.rfind('/');
  if (last_slash != std::string_view::npos) for_each_component(entry.substr(0, last_slash), [&](auto) { ++depth; });
  bool escapes = false;
  for_each_component(target, [&](std::string_view part) {
    if (part == ".") return;
    depth += part == ".." ? -1 : 1;
    if (depth < 0) escapes = true;
  });
  if (escapes) return fail("symlink '{}' -> '{}' points outside the destination", entry, target);
  return {};
}

std::string_view top_component(std::string_view rel) { return rel.substr(0, rel.find('/')); }

}  // namespace ktstr::fetch
