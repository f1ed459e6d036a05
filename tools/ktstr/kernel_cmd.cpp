// `ktstr kernel build|list|clean|path`: thin wrappers over ktstr_host_kernel.
#include <unistd.h>

#include <cstdio>
#include <memory>

#include "tools/ktstr/commands.hpp"
#include "host/kernel/build.hpp"
#include "host/kernel/cache.hpp"
#include "host/kernel/interrupt.hpp"
#include "host/kernel/resolve.hpp"

namespace ktstr::cli {

namespace {

namespace k = ktstr::kernel;

struct KernelArgs {
  std::string kernel;
  bool force = false;
  int jobs = 0;
  std::size_t keep = 0;
  std::string key;
  std::string reuse_build;
};

k::Progress progress_on(std::FILE* out) {
  return {.out = out, .tty = ::isatty(::fileno(out)) != 0, .quiet = false, .report_every = std::chrono::seconds(30)};
}

std::string human_size(std::uint64_t bytes) {
  if (bytes >= (1ull << 30)) return fmt::format("{:.1f}G", bytes / double(1ull << 30));
  return fmt::format("{:.0f}M", bytes / double(1ull << 20));
}

CommandResult cmd_build(const KernelArgs& a) {
  k::install_interrupt_handlers();
  // Build output goes to stdout (the CMake `kernel` target shows it as progress).
  k::ResolveOptions ro{.kernel = a.kernel, .force = a.force, .progress = progress_on(stdout)};
  ro.reuse_build = a.reuse_build;
  auto e = KTSTR_TRY(k::resolve_kernel(ro));
  fmt::print("{}\n", e.dir.string());
  return 0;
}

CommandResult cmd_list() {
  auto cache = k::default_cache_dir();
  auto entries = k::list_entries(cache);
  if (entries.empty()) {
    fmt::print("no kernels in {} (build one with `ktstr kernel build`)\n", cache.string());
    return 0;
  }
  fmt::print("{:<22} {:<12} {:>6} {:<20} {:<9} {}\n", "KEY", "VERSION", "SIZE", "DATE", "SCHED_EXT", "SOURCE");
  for (const auto& e : entries) {
    const auto& m = e.manifest;
    fmt::print("{:<22} {:<12} {:>6} {:<20} {:<9} {}\n", m.key, m.version, human_size(e.total_bytes), m.date,
               m.sched_ext ? "yes" : "no", m.source);
  }
  return 0;
}

CommandResult cmd_clean(const KernelArgs& a) {
  auto cache = k::default_cache_dir();
  auto removed = KTSTR_TRY(k::clean_cache(cache, a.keep));
  for (const auto& key : removed) fmt::print("removed {}\n", key);
  fmt::print("{} entr{} removed, kept the newest {}\n", removed.size(), removed.size() == 1 ? "y" : "ies", a.keep);
  return 0;
}

CommandResult cmd_path(const KernelArgs& a) {
  if (!a.key.empty()) {
    auto hit = KTSTR_TRY(k::lookup_entry(k::default_cache_dir(), a.key));
    fmt::print("{}\n", hit.dir.string());
    return 0;
  }
  k::install_interrupt_handlers();
  // stdout carries only the path (scripts capture it); everything else on
  // stderr, and the "resolved ..." line only for a person at a terminal:
  // callers that capture both streams (tests, CMake) must get the path alone.
  k::ResolveOptions ro{.announce = ::isatty(2) != 0, .progress = progress_on(stderr)};
  auto e = KTSTR_TRY(k::resolve_kernel(ro));
  fmt::print("{}\n", e.dir.string());
  return 0;
}

}  // namespace

void add_kernel_commands(CLI::App& app) {
  auto args = std::make_shared<KernelArgs>();
  auto* kernel = app.add_subcommand("kernel", "Build, list, clean and locate cached test kernels");
  kernel->require_subcommand(1);

  auto* build = kernel->add_subcommand("build", "Build a kernel with the ktstr fragment, or reuse its cache entry");
  build->add_option("--kernel", args->kernel,
                    "VERSION (6.12, 6.12.3), TARBALL, SOURCE_DIR or cache KEY; default: the resolution chain");
  build->add_flag("--force", args->force, "Rebuild even if a valid cache entry exists");
  build->add_option("--reuse-build", args->reuse_build,
                    "With --kernel SOURCE_DIR: copy this existing O= build of that tree first (incremental)");
  build->callback([args] { command_result() = cmd_build(*args); });

  auto* list = kernel->add_subcommand("list", "List cached kernels");
  list->callback([] { command_result() = cmd_list(); });

  auto* clean = kernel->add_subcommand("clean", "Remove cached kernels");
  clean->add_option("--keep", args->keep, "Keep the newest N entries")->default_val(0);
  clean->callback([args] { command_result() = cmd_clean(*args); });

  auto* path = kernel->add_subcommand("path", "Print a kernel's cache directory (no KEY: the resolution chain)");
  path->add_option("KEY", args->key, "Cache key (see `ktstr kernel list`)");
  path->callback([args] { command_result() = cmd_path(*args); });
}

}  // namespace ktstr::cli
