#include "host/kernel/build.hpp"

#include "host/fetch/fetch.hpp"
#include "host/kernel/cache.hpp"
#include "host/kernel/digest.hpp"
#include "host/kernel/interrupt.hpp"
#include "host/kernel/pipeline.hpp"

namespace ktstr::kernel {

namespace fs = std::filesystem;

namespace {

fs::path cache_of(const BuildOptions& o) { return o.cache_dir.empty() ? default_cache_dir() : o.cache_dir; }

fetch::DownloadOptions download_options(const BuildOptions& o) {
  return {.mirror = o.mirror, .progress = o.progress.tty && !o.progress.quiet, .cancelled = [] { return interrupted(); }};
}

// Offline fallback for a version request: an entry built earlier from
// kernel.org with the same fragment whose version matches ("6.12" matches 6.12.N).
std::optional<BuildOnceResult> cached_release(const fs::path& cache, const std::string& version,
                                              const KconfigSpec& kconfig) {
  std::string fh = kconfig.hash();
  for (auto& e : list_entries(cache)) {
    const Manifest& m = e.manifest;
    bool match = m.version == version || m.version.starts_with(version + ".");
    if (!match || m.fragment_hash != fh || !m.source.starts_with("kernel.org ")) continue;
    if (auto hit = lookup_entry(cache, m.key)) return std::move(*hit);
  }
  return std::nullopt;
}

struct Plan {
  std::string key;
  PipelineInput input;
  std::optional<fetch::KernelRelease> release;  // download before building
};

Result<Plan> plan_build(const SourceSpec& spec, const BuildOptions& opts) {
  fs::path cache = cache_of(opts);
  Plan plan;
  plan.input.progress = opts.progress;
  plan.input.jobs = opts.jobs;
  plan.input.kconfig = opts.kconfig;
  const std::string fh = opts.kconfig.hash();
  switch (spec.kind) {
    case SourceKind::kTarball: {
      plan.input.tarball = spec.path;
      plan.input.source_label = spec.path.string();
      plan.input.source_digest = KTSTR_TRY(tarball_digest(spec.path, cache));
      plan.key = make_cache_key(version_from_filename(spec.path), plan.input.source_digest, fh);
      break;
    }
    case SourceKind::kSourceDir: {
      std::string version = KTSTR_TRY(check_sched_ext_tree(spec.path));
      plan.input.source_dir = spec.path;
      plan.input.reuse_build = opts.reuse_build;
      plan.input.source_label = spec.path.string();
      plan.input.source_digest = KTSTR_TRY(source_dir_digest(spec.path, version));
      plan.key = make_cache_key(version, plan.input.source_digest, fh);
      break;
    }
    case SourceKind::kVersion: {
      auto release = KTSTR_TRY(fetch::resolve_version(spec.text, download_options(opts)));
      plan.input.source_label = "kernel.org " + release.version;
      plan.input.source_digest = release.sha256;
      plan.key = make_cache_key(release.version, release.sha256, fh);
      plan.release = std::move(release);
      break;
    }
    case SourceKind::kCacheKey:
      plan.key = spec.text;
      break;
    case SourceKind::kBuiltKernel:
      return fail("{} is an already built kernel; `ktstr kernel build` needs a version, tarball or source tree",
                  spec.path.string());
  }
  if (!opts.reuse_build.empty() && spec.kind != SourceKind::kSourceDir)
    return fail("--reuse-build works only with a kernel source tree (its objects embed the source path)");
  plan.input.failed_log = cache / (plan.key + ".failed.log");
  return plan;
}

}  // namespace

Result<std::string> cache_key_for(const SourceSpec& spec, const BuildOptions& opts) {
  return KTSTR_TRY(plan_build(spec, opts)).key;
}

Result<BuildOnceResult> build_kernel(const SourceSpec& spec, const BuildOptions& opts) {
  fs::path cache = cache_of(opts);
  auto plan = plan_build(spec, opts);
  if (!plan && spec.kind == SourceKind::kVersion) {
    if (auto hit = cached_release(cache, spec.text, opts.kconfig)) return std::move(*hit);
  }
  if (!plan) return std::unexpected(std::move(plan).error());
  if (spec.kind == SourceKind::kCacheKey) {
    if (opts.force) return fail("--force needs a source to rebuild from, not the cache key {}", spec.text);
    return lookup_entry(cache, plan->key);
  }
  BuildOnceOptions bo{.force = opts.force, .note = [&](const std::string& n) {
                        if (!opts.progress.quiet) fmt::print(opts.progress.out, "{}\n", n);
                      }};
  auto step = [&](const fs::path& temp) -> Result<Manifest> {
    PipelineInput input = plan->input;
    if (plan->release) {
      // Downloads stay in the cache (resumable, reusable as a local tarball).
      input.tarball = KTSTR_TRY(fetch::download_release(*plan->release, cache / "downloads", download_options(opts)));
    }
    return run_pipeline(input, temp);
  };
  return build_once(cache, plan->key, step, bo);
}

}  // namespace ktstr::kernel
