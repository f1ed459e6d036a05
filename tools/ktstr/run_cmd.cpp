// `ktstr run` and `ktstr shell`: any program (or an interactive busybox shell)
// as the guest payload, optionally under a sched_ext scheduler.
#include <unistd.h>

#include <cstdio>

#include "tools/ktstr/commands.hpp"
#include "host/kernel/resolve.hpp"
#include "tools/ktstr/payload_run.hpp"

namespace ktstr::cli {
namespace {

namespace fs = std::filesystem;

struct RunArgs {
  std::string kernel;
  std::string topology = "1n1l2c1t";
  uint64_t memory_mib = 0;
  int timeout_s = 600;
  std::string engine = "auto";
  std::string scheduler;
  std::vector<std::string> sched_args;
  int sched_timeout_s = 60;
  std::vector<std::string> files;
  std::vector<std::string> program;
  std::string out_dir;
  bool console = false;
  std::string cmdline;
  bool verbose = false;
};

Result<payload::RunRequest> make_request(const RunArgs& a) {
  kernel::ResolveOptions ro{.kernel = a.kernel,
                            .progress = {.out = stderr, .tty = ::isatty(2) != 0, .quiet = false}};
  auto k = KTSTR_TRY(kernel::resolve_kernel(ro));
  payload::RunRequest req{
      .kernel = k.bzimage,
      .topology = KTSTR_TRY(Topology::parse(a.topology)),
      .memory_mib = a.memory_mib,
      .timeout = std::chrono::seconds(a.timeout_s),
      .engine = KTSTR_TRY(vmm::parse_engine(a.engine)),
      .sched_args = a.sched_args,
      .sched_enable_timeout = std::chrono::seconds(a.sched_timeout_s),
      .argv = a.program,
      .out_dir = a.out_dir,
      .echo_console = a.console,
      .extra_cmdline = a.cmdline,
      .verbose = a.verbose,
  };
  if (!a.scheduler.empty()) {
    if (!fs::exists(a.scheduler)) return fail("--scheduler {}: no such file", a.scheduler);
    req.scheduler = fs::absolute(a.scheduler);
  }
  for (const auto& f : a.files) {
    auto colon = f.find(':');
    if (colon == std::string::npos || colon == 0 || colon + 1 == f.size())
      return fail("--file {}: expected SRC:DST (e.g. ./data.bin:/data.bin)", f);
    fs::path src = f.substr(0, colon);
    if (!fs::exists(src)) return fail("--file {}: {} does not exist", f, src.string());
    req.files.emplace_back(src, f.substr(colon + 1));
  }
  return req;
}

void add_vm_options(CLI::App* c, RunArgs& a) {
  c->add_option("--kernel", a.kernel, "Kernel: version, tarball, source dir, cache key or bzImage (default: resolution chain)");
  c->add_option("--topology", a.topology, "Guest topology NnLlCcTt, or an uneven shape such as 1n2l3_1c1t (README \"Topology strings\")")->capture_default_str();
  c->add_option("--memory", a.memory_mib, "Guest memory in MiB (default: sized from the initramfs)");
  c->add_option("--timeout", a.timeout_s, "Kill the VM after this many seconds")->capture_default_str();
  c->add_option("--engine", a.engine, "auto|qemu|kvm")->capture_default_str();
  c->add_option("--scheduler", a.scheduler, "sched_ext scheduler binary started and attached before the program");
  c->add_option("--sched-args", a.sched_args, "Arguments for the scheduler (repeatable)")->allow_extra_args(false);
  c->add_option("--sched-timeout", a.sched_timeout_s, "Seconds to wait for the scheduler to attach")->capture_default_str();
  c->add_option("--file", a.files, "Extra file SRC:DST in the guest (repeatable)")->allow_extra_args(false);
  c->add_option("--out-dir", a.out_dir, "Keep the console log here");
  c->add_flag("--console", a.console, "Echo the guest kernel console to stderr");
  c->add_option("--cmdline", a.cmdline, "Extra kernel command line");
  c->add_flag("-v,--verbose", a.verbose, "Print where the time went (payload archive, boot, kernel init, ...)");
}

}  // namespace

void add_run_commands(CLI::App& app) {
  auto args = std::make_shared<RunArgs>();
  auto* run = app.add_subcommand("run", "Run PROGRAM [ARGS] as the guest payload; its output and exit code pass through");
  add_vm_options(run, *args);
  run->add_option("program", args->program, "-- PROGRAM [ARGS...]")->required();
  run->callback([args] {
    command_result() = [&]() -> CommandResult {
      auto req = KTSTR_TRY(make_request(*args));
      return payload::run_payload(req);
    }();
  });

  auto sargs = std::make_shared<RunArgs>();
  sargs->timeout_s = 3600;
  auto* shell = app.add_subcommand("shell", "Interactive busybox shell in the guest (on this terminal)");
  add_vm_options(shell, *sargs);
  shell->callback([sargs] {
    command_result() = [&]() -> CommandResult {
      auto req = KTSTR_TRY(make_request(*sargs));
      req.argv.clear();
      req.interactive = true;
      return payload::run_payload(req);
    }();
  });
}

}  // namespace ktstr::cli
