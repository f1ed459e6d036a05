#include "tools/ktstr/payload_run.hpp"

#include <chrono>
#include <cstdio>

#include "base/temp_dir.hpp"
#include "host/verdict/phases.hpp"
#include "tools/ktstr/payload_spec.hpp"
#include "vmm/guest_output.hpp"

namespace ktstr::payload {

namespace fs = std::filesystem;

std::vector<std::string> guest_args(const RunRequest& req) {
  std::vector<std::string> a = {"--topology", req.topology.str()};
  if (req.scheduler) {
    a.insert(a.end(), {"--scheduler", scheduler_guest_path(*req.scheduler), "--sched-timeout",
                       fmt::format("{}", req.sched_enable_timeout.count())});
    for (const auto& s : req.sched_args) a.insert(a.end(), {"--sched-arg", s});
  }
  a.push_back("--");
  a.insert(a.end(), req.argv.begin(), req.argv.end());
  return a;
}

namespace {

double seconds_since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

// --verbose: where the run's time went, the payload archive first.
void print_phases(double archive_s, const vmm::VmOutcome& o) {
  std::vector<verdict::Phase> phases{{"payload_archive", archive_s}};
  auto rest = verdict::split_phases({.prepare_s = o.prepare_seconds,
                                     .first_frame_s = o.boot_seconds,
                                     .exit_frame_s = o.exit_seconds,
                                     .wall_s = o.wall_seconds,
                                     .hello_uptime_s = o.hello_uptime_seconds},
                                    nullptr);
  rest.pop_back();  // no verdict phase in a payload run
  phases.insert(phases.end(), rest.begin(), rest.end());
  fmt::print(stderr, "ktstr run: phases: {}\n", verdict::format_phases(phases));
}

}  // namespace

Result<int> run_payload(const RunRequest& req) {
  const auto t0 = std::chrono::steady_clock::now();
  PayloadInputs in{.guest_init = KTSTR_TRY(find_guest_init()), .scheduler = req.scheduler, .files = req.files};
  if (!req.argv.empty()) in.program = KTSTR_TRY(resolve_program(req.argv.front()));
  auto spec = KTSTR_TRY(payload_spec(in));

  auto tmp = KTSTR_TRY(TempDir::create("ktstr-run-"));
  fs::path cpio = tmp.path() / "payload.cpio";
  KTSTR_TRY(initramfs::build(spec, cpio, {.throwaway = true}));
  const double archive_s = seconds_since(t0);

  std::vector<std::string> argv = req.argv;
  if (in.program) argv.front() = guest_path(*in.program);
  RunRequest resolved = req;
  resolved.argv = argv;

  vmm::VmConfig cfg{
      .kernel = req.kernel,
      .initramfs = {cpio},
      .topology = req.topology,
      .memory_mib = req.memory_mib,
      .timeout = req.timeout,
      .engine = req.engine,
      .extra_cmdline = req.extra_cmdline,
      .guest_args = guest_args(resolved),
      .out_dir = req.out_dir,
      .echo_console = req.echo_console,
      .interactive = req.interactive,
  };
  auto print = [](proto::MsgType type, std::string_view payload) {
    vmm::print_guest_output(type, payload, vmm::OutputRoute::kPassThrough);
  };
  auto outcome = KTSTR_TRY(vmm::run_vm(cfg, print));
  if (req.verbose) print_phases(archive_s, outcome);
  if (outcome.kind == vmm::VmOutcome::Kind::kExited) return outcome.guest_exit_code;
  fmt::print(stderr, "ktstr run: {}\n", outcome.describe());
  return outcome.exit_code();
}

}  // namespace ktstr::payload
