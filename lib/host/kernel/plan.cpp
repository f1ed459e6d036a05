#include "host/kernel/plan.hpp"

#include "host/kernel/cache.hpp"

namespace ktstr::kernel {

namespace fs = std::filesystem;

std::string KernelPlan::describe() const {
  std::string with = extras.empty() ? "" : fmt::format(" [+{}]", extras);
  std::string what = key.empty() ? source : source.empty() ? key : fmt::format("{} from {}", key, source);
  std::string via = origin == source ? "" : " via " + origin;
  std::string state;
  if (prebuilt) state = "prebuilt, used as is";
  else if (hit) state = fmt::format("cache hit ({})", hit->dir.string());
  else if (key.empty()) state = "resolved, downloaded and built at build time unless a matching entry is cached";
  else state = "not cached: built at build time (about 10 min on 2 cores)";
  return fmt::format("{}{}{}: {}", what, with, via, state);
}

namespace {

KernelPlan plan_of_entry(const KernelEntry& e, std::string origin) {
  return {.source = "", .origin = std::move(origin), .key = e.key, .extras = e.extras, .hit = e};
}

// A source the chain would build: its key offline (tarballs and trees are
// hashed; versions need kernel.org) and whether that entry is cached.
Result<KernelPlan> plan_of_source(const KernelChoice& c, const ResolveOptions& opts, const fs::path& cache) {
  auto spec = KTSTR_TRY_CTX(classify_source(c.spec, cache), "{}", c.origin);
  KernelPlan p{.source = c.spec, .origin = c.origin, .key = "", .extras = opts.kconfig.extras, .hit = std::nullopt};
  switch (spec.kind) {
    case SourceKind::kBuiltKernel:
      p.prebuilt = true;
      return p;
    case SourceKind::kVersion:
      p.source = "kernel.org " + spec.text;
      return p;
    case SourceKind::kCacheKey:
      p.key = spec.text;
      p.hit = entry_from_cache(KTSTR_TRY(lookup_entry(cache, spec.text)), c.origin);
      return p;
    case SourceKind::kTarball:
    case SourceKind::kSourceDir: break;
  }
  BuildOptions bo{.cache_dir = cache, .kconfig = opts.kconfig};
  p.key = KTSTR_TRY(cache_key_for(spec, bo));
  if (auto found = lookup_entry(cache, p.key)) p.hit = entry_from_cache(*found, c.origin);
  return p;
}

}  // namespace

Result<KernelPlan> plan_kernel(const ResolveOptions& opts) {
  ResolveOptions o = opts;
  o.allow_build = true;
  auto choice = KTSTR_TRY(choose_kernel(o));
  if (choice.entry) return plan_of_entry(*choice.entry, choice.origin);
  return plan_of_source(choice, o, o.cache_dir.empty() ? default_cache_dir() : o.cache_dir);
}

}  // namespace ktstr::kernel
