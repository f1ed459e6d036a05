// `ktstr kernel build|plan|list|clean|path`: thin wrappers over ktstr_host_kernel.
#include <unistd.h>

#include <cstdio>
#include <memory>

#include "tools/ktstr/commands.hpp"
#include "host/kernel/build.hpp"
#include "host/kernel/cache.hpp"
#include "host/kernel/entry_link.hpp"
#include "host/kernel/interrupt.hpp"
#include "host/kernel/plan.hpp"
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
  bool debug = false;                  // append kconfig/debug.kconfig
  std::vector<std::string> fragments;  // extra fragment files, appended in order
  std::string link;                    // build: point this symlink at the entry
  std::string stamp;                   // build: rewritten when link changes ("" = LINK.stamp)
};

Result<k::ResolveOptions> resolve_options(const KernelArgs& a, k::Progress progress) {
  k::ResolveOptions ro{.kernel = a.kernel, .force = a.force, .progress = progress};
  ro.reuse_build = a.reuse_build;
  ro.kconfig = KTSTR_TRY(k::compose_kconfig(a.debug, {a.fragments.begin(), a.fragments.end()}));
  return ro;
}

// What --link points at: the entry (or kernel build) directory, or a bzImage
// file that is not at one of the places ktstr-vm looks in a directory.
std::filesystem::path link_target(const k::KernelEntry& e) {
  if (e.bzimage == e.dir / "bzImage" || e.bzimage == e.dir / "arch/x86/boot/bzImage") return e.dir;
  return e.bzimage;
}

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
  auto e = KTSTR_TRY(k::resolve_kernel(KTSTR_TRY(resolve_options(a, progress_on(stdout)))));
  if (!a.link.empty()) {
    std::filesystem::path link = std::filesystem::absolute(a.link);
    std::filesystem::path stamp = a.stamp.empty() ? link.string() + ".stamp" : a.stamp;
    if (KTSTR_TRY(k::point_entry_link(link, link_target(e), stamp)))
      fmt::print("ktstr: {} -> {}\n", link.string(), link_target(e).string());
    return 0;
  }
  fmt::print("{}\n", e.dir.string());
  return 0;
}

CommandResult cmd_plan(const KernelArgs& a) {
  auto ro = KTSTR_TRY(resolve_options(a, progress_on(stderr)));
  fmt::print("{}\n", KTSTR_TRY(k::plan_kernel(ro)).describe());
  return 0;
}

CommandResult cmd_list() {
  auto cache = k::default_cache_dir();
  auto entries = k::list_entries(cache);
  if (entries.empty()) {
    fmt::print("no kernels in {} (build one with `ktstr kernel build`)\n", cache.string());
    return 0;
  }
  constexpr auto kRow = "{:<22} {:<12} {:>6} {:<20} {:<9} {:<8} {}\n";
  fmt::print(kRow, "KEY", "VERSION", "SIZE", "DATE", "SCHED_EXT", "EXTRAS", "SOURCE");
  for (const auto& e : entries) {
    const auto& m = e.manifest;
    fmt::print(kRow, m.key, m.version, human_size(e.total_bytes), m.date, m.sched_ext ? "yes" : "no",
               m.extra_fragments.empty() ? "-" : m.extra_fragments, m.source);
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
  // Never builds: a source that is not cached yet is an error naming the build command.
  k::ResolveOptions ro{.allow_build = false, .announce = ::isatty(2) != 0, .progress = progress_on(stderr)};
  auto e = KTSTR_TRY(k::resolve_kernel(ro));
  fmt::print("{}\n", e.dir.string());
  return 0;
}

void add_fragment_options(CLI::App* cmd, KernelArgs& a) {
  cmd->add_flag("--debug", a.debug, "Debug kernel: append the built-in debug fragment (lockdep, atomic-sleep checks)");
  cmd->add_option("--fragment", a.fragments, "Append this kconfig fragment file (repeatable; part of the cache key)");
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
  add_fragment_options(build, *args);
  build->add_option("--link", args->link,
                    "Point this symlink at the entry (atomically) instead of printing its path; used by the CMake "
                    "kernel targets");
  build->add_option("--stamp", args->stamp, "With --link: file rewritten only when the link changes (default LINK.stamp)");
  build->callback([args] { command_result() = cmd_build(*args); });

  auto* plan = kernel->add_subcommand("plan", "Say which kernel `kernel build` would use and whether it is cached; "
                                              "never builds or downloads");
  plan->add_option("--kernel", args->kernel, "as for build");
  add_fragment_options(plan, *args);
  plan->callback([args] { command_result() = cmd_plan(*args); });

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
