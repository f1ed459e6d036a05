#include "initramfs/closure.hpp"

#include <elf.h>

#include <algorithm>
#include <optional>
#include <set>
#include <unordered_set>

#include <fmt/ranges.h>

#include "initramfs/elf_file.hpp"
#include "initramfs/initramfs.hpp"

namespace ktstr::initramfs {
namespace {

namespace fs = std::filesystem;

struct LoadedObject {
  PlacedObject place;
  ElfInfo info;
  int loader = -1;  // index of the object whose DT_NEEDED pulled this one in
  // $ORIGIN on the host: the directory of the path ld.so opened for a library,
  // but of the symlink-resolved path for the executable (glibc takes it from
  // /proc/self/exe, _dl_get_origin).
  std::string host_origin;
};

// A search directory on both sides: $ORIGIN expands to the requesting
// object's directory on the host and in the guest respectively.
struct SearchDir {
  std::string host;
  std::string guest;
};

std::string replace_origin(std::string dir, const std::string& origin) {
  for (std::string_view token : {"${ORIGIN}", "$ORIGIN"}) {
    for (size_t at; (at = dir.find(token)) != std::string::npos;)
      dir.replace(at, token.size(), origin);
  }
  return dir;
}

SearchDir expand(const std::string& dir, const LoadedObject& obj) {
  return {replace_origin(dir, obj.host_origin),
          replace_origin(dir, fs::path(obj.place.guest).parent_path().string())};
}

std::string normal(const std::string& p) { return fs::path(p).lexically_normal().string(); }

// The directories searched for a DT_NEEDED of objects[index], in ld.so order
// up to (not including) the cache.
std::vector<SearchDir> path_dirs(const std::vector<LoadedObject>& objects, int index) {
  std::vector<SearchDir> dirs;
  const LoadedObject& obj = objects[index];
  if (!obj.info.has_runpath) {
    for (int i = index; i >= 0; i = objects[i].loader) {
      if (objects[i].info.has_runpath) continue;  // its DT_RPATH is ignored
      for (const auto& d : objects[i].info.rpath) dirs.push_back(expand(d, objects[i]));
    }
  }
  for (const auto& d : obj.info.runpath) dirs.push_back(expand(d, obj));
  return dirs;
}

// Reads a candidate; nullopt when it is absent or not a compatible ELF object.
Result<std::optional<ElfInfo>> probe(const fs::path& candidate, const ElfInfo& requester) {
  std::error_code ec;
  if (!fs::is_regular_file(candidate, ec)) return std::optional<ElfInfo>{};
  auto info = KTSTR_TRY(read_elf_info(candidate));
  if (!info || !info->compatible_with(requester)) return std::optional<ElfInfo>{};
  return info;
}

struct Found {
  PlacedObject place;
  ElfInfo info;
};

Result<std::optional<Found>> search(const std::string& name, const std::vector<LoadedObject>& objects,
                                    int index, const LoaderConfig& config,
                                    std::vector<std::string>& searched) {
  const ElfInfo& req = objects[index].info;
  if (name.find('/') != std::string::npos) {
    // A DT_NEEDED with a slash is opened as a path, no search (ld.so(8)).
    auto info = KTSTR_TRY(probe(name, req));
    searched.push_back(name);
    if (info) return std::optional<Found>{Found{{name, normal(name)}, std::move(*info)}};
    return std::optional<Found>{};
  }
  auto try_dir = [&](const SearchDir& dir) -> Result<std::optional<Found>> {
    searched.push_back(dir.host);
    auto host = fs::path(normal(dir.host + "/" + name));
    auto info = KTSTR_TRY(probe(host, req));
    if (!info) return std::optional<Found>{};
    return std::optional<Found>{Found{{host, normal(dir.guest + "/" + name)}, std::move(*info)}};
  };
  for (const auto& dir : path_dirs(objects, index)) {
    if (auto f = KTSTR_TRY(try_dir(dir))) return f;
  }
  auto outside_defaults = [&](const fs::path& p) {
    const auto& d = config.default_dirs;
    return std::find(d.begin(), d.end(), p.parent_path().string()) == d.end();
  };
  if (req.elf_class == ELFCLASS64 && req.machine == EM_X86_64) {
    searched.push_back("ld.so.cache");
    if (auto hit = config.cache_lookup(name)) {
      if (auto info = KTSTR_TRY(probe(*hit, req)))
        return std::optional<Found>{
            Found{{*hit, normal(*hit), outside_defaults(*hit)}, std::move(*info)}};
    }
  }
  for (const auto* list : {&config.conf_dirs, &config.default_dirs}) {
    for (const auto& d : *list) {
      if (auto f = KTSTR_TRY(try_dir({d, d}))) {
        f->place.needs_ld_cache = outside_defaults(f->place.host);
        return f;
      }
    }
  }
  return std::optional<Found>{};
}

}  // namespace

Result<std::vector<PlacedObject>> resolve_closure(const fs::path& elf, const std::string& guest_path,
                                                  const LoaderConfig& config) {
  std::error_code ec;
  if (!fs::exists(elf, ec)) return fail("missing binary {}", elf.string());
  auto root = KTSTR_TRY(read_elf_info(elf));
  if (!root || (root->type != ET_EXEC && root->type != ET_DYN))
    return fail("{} is not an ELF executable", elf.string());

  std::vector<LoadedObject> objects;
  std::error_code canon_ec;
  fs::path real = fs::canonical(elf, canon_ec);
  if (canon_ec) real = elf;
  objects.push_back({{elf, normal(guest_path)}, std::move(*root), -1, real.parent_path().string()});
  std::unordered_set<std::string> loaded_names;
  std::vector<PlacedObject> out;
  auto add = [&](Found f, int loader, const std::string& name) {
    loaded_names.insert(name);
    loaded_names.insert(fs::path(f.place.host).filename().string());
    if (!f.info.soname.empty()) loaded_names.insert(f.info.soname);
    out.push_back(f.place);
    std::string origin = f.place.host.parent_path().string();
    objects.push_back({std::move(f.place), std::move(f.info), loader, std::move(origin)});
  };

  // The interpreter is mapped first and answers to its own soname, so
  // libc's DT_NEEDED on ld-linux-x86-64.so.2 reuses it (glibc rtld.c).
  if (const std::string interp = objects[0].info.interpreter; !interp.empty()) {
    auto info = KTSTR_TRY(probe(interp, objects[0].info));
    if (!info) return fail("interpreter {} of {} not found", interp, elf.string());
    add(Found{{interp, normal(interp)}, std::move(*info)}, 0, interp);
  }
  // Breadth-first, like _dl_map_object_deps.
  for (size_t index = 0; index < objects.size(); ++index) {
    if (index == 1 && !objects[0].info.interpreter.empty()) continue;  // ld.so has no deps to map
    const std::vector<std::string> needed = objects[index].info.needed;
    for (const auto& name : needed) {
      if (loaded_names.contains(name)) continue;
      std::vector<std::string> searched;
      auto found = KTSTR_TRY(search(name, objects, static_cast<int>(index), config, searched));
      if (!found) {
        std::vector<std::string> unique;  // conf and default dirs overlap
        for (auto& d : searched)
          if (std::find(unique.begin(), unique.end(), d) == unique.end()) unique.push_back(d);
        return fail("{} needed by {} not found in {}", name, objects[index].place.host.string(),
                    fmt::join(unique, ":"));
      }
      add(std::move(*found), static_cast<int>(index), name);
    }
  }
  return out;
}

Result<std::vector<fs::path>> library_closure(const fs::path& elf) {
  auto config = KTSTR_TRY(load_loader_config());
  auto abs = fs::absolute(elf).lexically_normal();
  auto placed = KTSTR_TRY(resolve_closure(abs, abs.string(), config));
  std::set<fs::path> unique;
  for (auto& p : placed) unique.insert(p.host);
  return std::vector<fs::path>(unique.begin(), unique.end());
}

}  // namespace ktstr::initramfs
