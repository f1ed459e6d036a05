#include "host/kernel/pipeline.hpp"

#include <fcntl.h>

#include <chrono>
#include <thread>

#include "base/fd.hpp"
#include "host/fetch/fetch.hpp"
#include "host/kernel/build_context.hpp"
#include "host/kernel/cache.hpp"
#include "host/kernel/digest.hpp"
#include "host/kernel/interrupt.hpp"
#include "host/kernel/source.hpp"

namespace ktstr::kernel {

namespace fs = std::filesystem;

namespace {

void say(const Progress& p, std::string_view what) {
  if (p.quiet) return;
  fmt::print(p.out, "{}\n", what);
  std::fflush(p.out);
}

Result<Manifest> build_steps(const PipelineInput& input, BuildContext& ctx) {
  if (!input.tarball.empty()) {
    say(ctx.progress, fmt::format("extracting {}", input.tarball.string()));
    KTSTR_TRY_VOID(make_dir(ctx.work));
    ctx.src = KTSTR_TRY(fetch::extract_archive(input.tarball, ctx.work / "src",
                                               fetch::ExtractOptions{.cancelled = [] { return interrupted(); }}));
  } else {
    ctx.src = input.source_dir;
  }
  Manifest m;
  m.version = KTSTR_TRY(check_sched_ext_tree(ctx.src));
  m.source = input.source_label;
  m.source_digest = input.source_digest;
  m.fragment_hash = input.kconfig.hash();
  m.extra_fragments = input.kconfig.extras;
  if (!input.reuse_build.empty()) {
    say(ctx.progress, fmt::format("copying the existing build {} (kbuild recompiles only what differs)",
                                  input.reuse_build.string()));
    KTSTR_TRY_VOID(make_dir(ctx.work));
    // cp -a keeps mtimes, which make's up-to-date checks depend on (std::filesystem::copy does not).
    KTSTR_TRY_VOID(run_logged({.label = "copy existing build",
                               .argv = {"cp", "-a", input.reuse_build.string(), ctx.kbuild.string()},
                               .cwd = "",
                               .extra_env = {}},
                              ctx.log_fd, ctx.progress));
    m.source += fmt::format(" (objects reused from {})", input.reuse_build.string());
  }
  say(ctx.progress, fmt::format("building Linux {} with the ktstr fragment{} (make -j{})", m.version,
                                input.kconfig.extras.empty() ? "" : " + " + input.kconfig.extras, ctx.jobs));
  m.sched_ext = KTSTR_TRY(configure_kernel(ctx));
  KTSTR_TRY_VOID(build_bzimage(ctx));
  KTSTR_TRY_VOID(install_headers(ctx));
  KTSTR_TRY_VOID(build_libbpf(ctx));
  KTSTR_TRY_VOID(build_bpftool(ctx));
  KTSTR_TRY_VOID(build_schedulers(ctx));
  // The extracted tree and object dirs are ~2 GB; the entry keeps only what
  // later steps need (vmlinux, bpftool, libbpf, headers).
  KTSTR_TRY_VOID(remove_tree(ctx.work));  // kbuild lives under work
  return m;
}

}  // namespace

Result<Manifest> run_pipeline(const PipelineInput& input, const fs::path& entry_dir) {
  fs::path log_path = entry_dir / "build.log";
  auto log = KTSTR_TRY(open_file(log_path, O_WRONLY | O_CREAT | O_APPEND));
  BuildContext ctx{
      .src = {},
      .entry = entry_dir,
      .kbuild = entry_dir / "work/kbuild",
      .work = entry_dir / "work",
      .log_fd = log.get(),
      .jobs = input.jobs > 0 ? input.jobs : static_cast<int>(std::max(1u, std::thread::hardware_concurrency())),
      .progress = input.progress,
      .fragment = input.kconfig.text,
  };
  auto m = build_steps(input, ctx);
  if (m) return m;
  Error err = std::move(m).error();
  std::string tail = log_tail(log_path, 25);
  std::error_code ec;
  if (!input.failed_log.empty()) fs::copy_file(log_path, input.failed_log, fs::copy_options::overwrite_existing, ec);
  bool disk_full = err.sys_errno == ENOSPC || err.message.find("No space left on device") != std::string::npos ||
                   tail.find("No space left on device") != std::string::npos;
  if (disk_full)
    err.message += fmt::format("\nthe disk holding {} is full: free space or point KTSTR_CACHE_DIR elsewhere, then retry",
                               entry_dir.parent_path().string());
  if (!tail.empty() && err.message.find("interrupted") == std::string::npos)
    err.message += fmt::format("\n--- last lines of the build log ---\n{}\n---", tail);
  if (!input.failed_log.empty() && !ec) err.message += fmt::format("\nfull log: {}", input.failed_log.string());
  return std::unexpected(std::move(err));
}

}  // namespace ktstr::kernel
