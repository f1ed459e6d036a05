#include "initramfs/layout.hpp"

#include <sys/stat.h>

#include <map>

#include "base/fd.hpp"
#include "initramfs/closure.hpp"

namespace ktstr::initramfs {
namespace {

namespace fs = std::filesystem;

constexpr const char* kGuestLdCache = "/etc/ld.so.cache";

const char* kind_name(EntryKind k) {
  switch (k) {
    case EntryKind::kFile: return "file";
    case EntryKind::kDir: return "directory";
    case EntryKind::kSymlink: return "symlink";
    case EntryKind::kCharDevice: return "char device";
  }
  return "?";
}

std::string describe(const Entry& e) {
  switch (e.kind) {
    case EntryKind::kFile:
      return e.source.empty() ? fmt::format("{} bytes of inline content, mode {:o}", e.data.size(), e.mode)
                              : fmt::format("{} (mode {:o})", e.source.string(), e.mode);
    case EntryKind::kDir: return fmt::format("directory mode {:o}", e.mode);
    case EntryKind::kSymlink: return fmt::format("symlink to {}", e.data);
    case EntryKind::kCharDevice: return fmt::format("char device {}:{}", e.major, e.minor);
  }
  return "?";
}

// Regular file at src, with mode -1 meaning "src's permission bits".
Result<Entry> file_entry(const fs::path& src, int mode, const char* what) {
  struct stat st;
  if (::stat(src.c_str(), &st) != 0) {
    if (errno == ENOENT) return fail("missing {} {}", what, src.string());
    return fail_errno(fmt::format("stat {}", src.string()));
  }
  if (!S_ISREG(st.st_mode)) return fail("{} {} is not a regular file", what, src.string());
  return Entry{.kind = EntryKind::kFile,
               .mode = mode < 0 ? static_cast<int>(st.st_mode & 07777) : (mode & 07777),
               .source = src,
               .size = static_cast<uint64_t>(st.st_size),
               .mtime_ns = st.st_mtim.tv_sec * 1'000'000'000LL + st.st_mtim.tv_nsec};
}

// A binary or library: a file entry whose debug info build() may strip.
Result<Entry> program_entry(const fs::path& src, const char* what) {
  Entry e = KTSTR_TRY(file_entry(src, -1, what));
  e.program = true;
  return e;
}

// Whether two file entries have the same bytes (only evaluated on a clash).
Result<bool> same_content(const Entry& a, const Entry& b) {
  if (!a.source.empty() && !b.source.empty()) {
    std::error_code ec;
    if (fs::equivalent(a.source, b.source, ec)) return true;
  }
  std::string da = a.source.empty() ? a.data : KTSTR_TRY(read_file(a.source));
  std::string db = b.source.empty() ? b.data : KTSTR_TRY(read_file(b.source));
  return da == db;
}

class Layout {
 public:
  // Adds e at dst; identical duplicates merge, anything else is a collision.
  Result<void> put(const std::string& dst, Entry e) {
    e.path = KTSTR_TRY(normalize_destination(dst));
    auto [it, inserted] = entries_.try_emplace(e.path, e);
    if (inserted) return {};
    Entry& old = it->second;
    if (old.kind == EntryKind::kDir && e.kind == EntryKind::kDir &&
        (old.implicit || e.implicit || old.mode == e.mode)) {
      if (old.implicit) old = e;  // an explicit mode beats the default
      return {};
    }
    bool same = old.kind == e.kind && old.mode == e.mode && old.data == e.data &&
                old.major == e.major && old.minor == e.minor;
    if (same && e.kind == EntryKind::kFile) same = KTSTR_TRY(same_content(old, e));
    if (same) return {};
    return fail("destination /{} collides: {} vs {}", e.path, describe(old), describe(e));
  }

  // Adds implicit parent directories and checks none of them is a non-directory.
  Result<std::vector<Entry>> finish() {
    std::vector<std::string> paths;
    for (const auto& [path, e] : entries_) paths.push_back(path);
    for (const auto& path : paths) {
      for (fs::path p = fs::path(path).parent_path(); !p.empty(); p = p.parent_path()) {
        auto it = entries_.find(p.string());
        if (it == entries_.end()) {
          entries_.emplace(p.string(), Entry{.path = p.string(), .kind = EntryKind::kDir,
                                             .mode = 0755, .implicit = true});
        } else if (it->second.kind != EntryKind::kDir) {
          return fail("/{} is a {} in the spec but /{} needs it to be a directory", p.string(),
                      kind_name(it->second.kind), path);
        }
      }
    }
    std::vector<Entry> out;
    out.reserve(entries_.size());
    for (auto& [path, e] : entries_) out.push_back(std::move(e));
    return out;  // std::map order: byte-wise sorted, parents before children
  }

 private:
  std::map<std::string, Entry> entries_;
};

}  // namespace

Result<std::string> normalize_destination(const std::string& dst) {
  // lexically_normal() clamps "/.." to "/"; a destination that tries to climb
  // out is more likely a bug in the caller, so reject it instead.
  int depth = 0;
  for (const auto& part : fs::path(dst).relative_path()) {
    if (part == "..") --depth;
    else if (part != "." && !part.empty()) ++depth;
    if (depth < 0) return fail("destination {} climbs above the guest root", dst);
  }
  std::string s = fs::path("/" + dst).lexically_normal().string();
  while (s.size() > 1 && s.back() == '/') s.pop_back();
  if (s == "/" || s.empty()) return fail("destination '{}' names the guest root itself", dst);
  return s.substr(1);
}

Result<std::vector<Entry>> resolve_layout(const Spec& spec) {
  Layout layout;
  std::optional<LoaderConfig> config;  // loaded once, only if a binary needs it
  for (const auto& item : spec.items()) {
    const auto& r = item.request;
    if (auto* b = std::get_if<BinaryRequest>(&r)) {
      if (!config) config = KTSTR_TRY(load_loader_config());
      auto guest = "/" + KTSTR_TRY(normalize_destination(item.dst));
      auto libs = KTSTR_TRY(resolve_closure(b->src, guest, *config));
      KTSTR_TRY_VOID(layout.put(item.dst, KTSTR_TRY(program_entry(b->src, "binary"))));
      for (const auto& lib : libs) {
        KTSTR_TRY_VOID(layout.put(lib.guest, KTSTR_TRY(program_entry(lib.host, "library"))));
        // The guest loader finds a library outside its default dirs only
        // through the cache; entries for absent files fall through to the
        // default dirs (glibc dl-load.c), so the host's cache is safe to ship.
        if (lib.needs_ld_cache)
          KTSTR_TRY_VOID(layout.put(kGuestLdCache, KTSTR_TRY(file_entry(kGuestLdCache, -1, "file"))));
      }
    } else if (auto* f = std::get_if<FileRequest>(&r)) {
      KTSTR_TRY_VOID(layout.put(item.dst, KTSTR_TRY(file_entry(f->src, f->mode, "file"))));
    } else if (auto* by = std::get_if<BytesRequest>(&r)) {
      KTSTR_TRY_VOID(layout.put(item.dst, Entry{.kind = EntryKind::kFile, .mode = by->mode & 07777,
                                                .data = by->content, .size = by->content.size()}));
    } else if (auto* d = std::get_if<DirRequest>(&r)) {
      KTSTR_TRY_VOID(layout.put(item.dst, Entry{.kind = EntryKind::kDir, .mode = d->mode & 07777}));
    } else if (auto* s = std::get_if<SymlinkRequest>(&r)) {
      KTSTR_TRY_VOID(layout.put(item.dst, Entry{.kind = EntryKind::kSymlink, .mode = 0777, .data = s->target}));
    } else if (auto* c = std::get_if<CharDeviceRequest>(&r)) {
      KTSTR_TRY_VOID(layout.put(item.dst, Entry{.kind = EntryKind::kCharDevice, .mode = c->mode & 07777,
                                                .major = c->major, .minor = c->minor}));
    }
  }
  return layout.finish();
}

}  // namespace ktstr::initramfs
