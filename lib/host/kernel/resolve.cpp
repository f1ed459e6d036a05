#include "host/kernel/resolve.hpp"

#include <algorithm>
#include <cstdlib>

#include "host/kernel/cache.hpp"
#include "host/kernel/digest.hpp"

namespace ktstr::kernel {

namespace fs = std::filesystem;

std::string KernelEntry::describe() const {
  std::string what = key.empty() ? bzimage.string() : fmt::format("{} ({})", key, dir.string());
  std::string how = key.empty() ? "prebuilt, not cached" : cache_hit ? "cache hit" : "built now";
  std::string with = extras.empty() ? "" : fmt::format(" [+{}]", extras);
  return fmt::format("ktstr: kernel {}{}{} via {}: {}", version.empty() ? "" : version + " ", what, with, origin, how);
}

KernelEntry entry_from_cache(const BuildOnceResult& r, std::string origin) {
  return {
      .dir = r.dir,
      .bzimage = r.dir / "bzImage",
      .vmlinux = r.dir / "vmlinux",
      .config = r.dir / ".config",
      .key = r.manifest.key,
      .version = r.manifest.version,
      .origin = std::move(origin),
      .extras = r.manifest.extra_fragments,
      .cache_hit = r.cache_hit,
      .bpftool = r.dir / "bin/bpftool",
      .libbpf = r.dir / "lib/libbpf.a",
      .include_dir = r.dir / "include",
      .schedulers_dir = r.dir / "schedulers",
  };
}

namespace {

KernelEntry external_kernel(const fs::path& p, std::string origin) {
  fs::path dir = fs::is_directory(p) ? p : p.parent_path();
  fs::path bz = !fs::is_directory(p) ? p : fs::exists(p / "bzImage") ? p / "bzImage" : p / "arch/x86/boot/bzImage";
  KernelEntry e{.dir = dir, .bzimage = bz, .origin = std::move(origin), .cache_hit = true};
  if (fs::exists(dir / "vmlinux")) e.vmlinux = dir / "vmlinux";
  if (fs::exists(dir / ".config")) e.config = dir / ".config";
  return e;
}

Result<KernelEntry> from_spec(const std::string& text, const std::string& origin, const ResolveOptions& opts,
                              const fs::path& cache, const BuildOptions& bo) {
  auto spec = KTSTR_TRY_CTX(classify_source(text, cache), "{}", origin);
  const std::string& extras = opts.kconfig.extras;
  if (spec.kind == SourceKind::kBuiltKernel) {
    if (!extras.empty())
      return fail("{} {} is an already built kernel: the extra fragments ({}) need a source to build", origin, text,
                  extras);
    return external_kernel(spec.path, origin);
  }
  if (spec.kind == SourceKind::kCacheKey) {
    if (opts.force) return fail("{}: --force needs a source to rebuild from, not the cache key {}", origin, text);
    auto hit = KTSTR_TRY(lookup_entry(cache, spec.text));
    if (hit.manifest.fragment_hash != opts.kconfig.hash() && !extras.empty())
      return fail("{}: cache entry {} was not built with {}", origin, text, extras);
    return entry_from_cache(hit, origin);
  }
  if (!opts.allow_build) {
    auto key = KTSTR_TRY(cache_key_for(spec, bo));
    auto hit = KTSTR_TRY_CTX(lookup_entry(cache, key), "{} {} is not built and building is disabled", origin, text);
    return entry_from_cache(hit, origin);
  }
  auto r = KTSTR_TRY((opts.builder ? opts.builder : build_kernel)(spec, bo));
  return entry_from_cache(r, origin);
}

// Newest valid entry built with the requested fragment (`current` true), or
// with another ktstr.kconfig and no extras (`current` false). Damaged entries
// are reported and removed so the next build replaces them.
std::optional<KernelEntry> newest_cached(const fs::path& cache, const ResolveOptions& opts, bool current) {
  const std::string fh = opts.kconfig.hash();
  for (const auto& e : list_entries(cache)) {
    bool same = e.manifest.fragment_hash == fh;
    if (current ? !same : same || !e.manifest.extra_fragments.empty()) continue;
    auto hit = lookup_entry(cache, e.manifest.key);
    if (hit)
      return entry_from_cache(*hit, current ? "newest cache entry"
                                            : "newest cache entry (built with an older kconfig fragment; "
                                              "`ktstr kernel build` rebuilds it)");
    if (!opts.progress.quiet)
      fmt::print(opts.progress.out, "ktstr: {}; removing it\n", hit.error().message);
    (void)remove_tree(e.dir);
  }
  return std::nullopt;
}

std::optional<fs::path> newest_debian_tarball(const fs::path& dir) {
  std::vector<fs::path> found;
  std::error_code ec;
  for (const auto& f : fs::directory_iterator(dir, ec)) {
    std::string name = f.path().filename().string();
    if (name.starts_with("linux-source-6.") && name.ends_with(".tar.xz")) found.push_back(f.path());
  }
  if (found.empty()) return std::nullopt;
  // Order by the minor version number, not lexically (6.9 < 6.12).
  auto minor = [](const fs::path& p) { return std::atoi(p.filename().string().c_str() + 15); };
  return *std::ranges::max_element(found, {}, minor);
}

fs::path cache_of(const ResolveOptions& opts) { return opts.cache_dir.empty() ? default_cache_dir() : opts.cache_dir; }

BuildOptions build_options(const ResolveOptions& opts) {
  return {.cache_dir = cache_of(opts), .force = opts.force, .progress = opts.progress, .mirror = opts.mirror,
          .jobs = 0, .reuse_build = opts.kernel.empty() ? fs::path() : opts.reuse_build, .kconfig = opts.kconfig};
}

Result<KernelEntry> resolve_chain(const ResolveOptions& opts) {
  auto choice = KTSTR_TRY(choose_kernel(opts));
  if (choice.entry) return std::move(*choice.entry);
  return from_spec(choice.spec, choice.origin, opts, cache_of(opts), build_options(opts));
}

}  // namespace

Result<KernelChoice> choose_kernel(const ResolveOptions& opts) {
  fs::path cache = cache_of(opts);
  if (!opts.kernel.empty()) return KernelChoice{opts.kernel, "--kernel", std::nullopt};
  if (!opts.reuse_build.empty()) return fail("--reuse-build needs --kernel SOURCE_DIR");
  if (const char* env = std::getenv("KTSTR_KERNEL"); opts.use_env && env && *env)
    return KernelChoice{env, "KTSTR_KERNEL", std::nullopt};
  if (!opts.force)
    if (auto hit = newest_cached(cache, opts, true)) return KernelChoice{"", hit->origin, std::move(hit)};
  // An entry built with an older fragment lacks whatever the fragment gained
  // since (a test needing it would fail obscurely), so a build from source
  // comes first; the stale entry is the fallback when nothing can be built.
  auto tarball = newest_debian_tarball(opts.debian_src_dir);
  if (tarball && opts.allow_build) return KernelChoice{tarball->string(), tarball->string(), std::nullopt};
  if (!opts.force && opts.kconfig.extras.empty())
    if (auto stale = newest_cached(cache, opts, false)) return KernelChoice{"", stale->origin, std::move(stale)};
  if (tarball)
    return fail("no kernel in {}; building {} is disabled here: run `ktstr kernel build`", cache.string(),
                tarball->string());
  return fail(
      "no kernel found: nothing in --kernel or KTSTR_KERNEL, no entry in {}, no {}/linux-source-6.*.tar.xz. "
      "Install Debian's linux-source-6.12 (apt-get install linux-source-6.12), or run "
      "`ktstr kernel build --kernel 6.12` (downloads from kernel.org), or set KTSTR_KERNEL to a built kernel",
      cache.string(), opts.debian_src_dir.string());
}

Result<KernelEntry> resolve_kernel(const ResolveOptions& opts) {
  auto e = KTSTR_TRY(resolve_chain(opts));
  if (opts.announce && !opts.progress.quiet) {
    fmt::print(opts.progress.out, "{}\n", e.describe());
    std::fflush(opts.progress.out);
  }
  return e;
}

}  // namespace ktstr::kernel
