// `ktstr run` as a user runs it (label vm): the payload init (lib/guest/payload)
// ends the run when the program ends, stops what it left behind and passes its
// exit code through; a scheduler that fails during the run fails the run with
// kExitSchedulerFailed and the kernel's reason, whatever the program returned
// (and without starting the program when the scheduler never attached).
// Each case exits 77 with a one-line reason when no kernel (or no scx_qmap in
// the kernel cache entry) is available.
#include <doctest/doctest.h>

#include <chrono>

#include <fmt/format.h>

#include "base/exit_codes.hpp"
#include "base/process.hpp"
#include "test_env.hpp"

using namespace ktstr;
namespace fs = std::filesystem;

namespace {

fs::path require_kernel() {
  auto k = vmmtest::find_kernel();
  if (!k) vmmtest::skip("no kernel: set KTSTR_KERNEL or build one with `ktstr kernel build`");
  return *k;
}

struct Run {
  RunOutput out;
  double wall_s = 0;
};

// `ktstr run --kernel K --topology 1n1l2c1t ARGS...`, stdout and stderr together.
Run ktstr_run(const fs::path& kernel, std::vector<std::string> args) {
  std::vector<std::string> argv{(vmmtest::self_dir() / "ktstr").string(), "run", "--kernel", kernel.string(),
                                "--topology", "1n1l2c1t"};
  argv.insert(argv.end(), args.begin(), args.end());
  const auto t0 = std::chrono::steady_clock::now();
  auto out = run_capture(argv);
  REQUIRE_MESSAGE(out, out.error().message);
  return {*out, std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count()};
}

}  // namespace

TEST_CASE("ktstr run ends when the program ends: leftovers are stopped, the exit code passes through") {
  const auto kernel = require_kernel();
  const Run plain = ktstr_run(kernel, {"--", "/bin/true"});
  REQUIRE_MESSAGE(plain.out.status.code == 0, plain.out.output);
  // A background child in its own subshell, and one that left the program's
  // process group: both hold the output pipe open.
  const Run left = ktstr_run(kernel, {"--timeout", "90", "--", "/bin/sh", "-c",
                                      "(sleep 1000 &); setsid sleep 1000 & echo done; exit 5"});
  INFO(left.out.output);
  MESSAGE(fmt::format("wall: ktstr run -- /bin/true {:.1f} s; with leftover children {:.1f} s (timeout 90 s)",
                      plain.wall_s, left.wall_s));
  CHECK(left.out.status.exited);
  CHECK(left.out.status.code == 5);
  CHECK(left.out.output.find("done\n") != std::string::npos);
  CHECK(left.out.output.find("timeout") == std::string::npos);
  // Close to a plain run: the boot dominates both; the leftovers cost at most a
  // few seconds of host noise, never the 90 s timeout.
  CHECK(left.wall_s < plain.wall_s + 10);
}

TEST_CASE("a scheduler ejected mid-run fails the run with the kernel's reason although the program exits 0") {
  const auto kernel = require_kernel();
  const fs::path qmap = kernel.parent_path() / "schedulers" / "scx_qmap";
  if (!fs::exists(qmap)) vmmtest::skip("no scx_qmap in the kernel cache entry (" + qmap.string() + ")");
  // scx_qmap -e COUNT: scx_bpf_error() after COUNT enqueues (tools/sched_ext/scx_qmap.c).
  const Run r = ktstr_run(kernel, {"--timeout", "240", "--scheduler", qmap.string(), "--sched-args", "-e 100", "--",
                                   "/bin/sh", "-c", "sleep 6; exit 0"});
  INFO(r.out.output);
  MESSAGE(fmt::format("exit {} after {:.1f} s", r.out.status.code, r.wall_s));
  CHECK(r.out.status.exited);
  CHECK(r.out.status.code == kExitSchedulerFailed);
  CHECK(r.out.output.find("ktstr: scheduler scx_qmap attached") != std::string::npos);
  CHECK(r.out.output.find(fmt::format("ktstr: exit {}: the scheduler under test failed during the run (the program "
                                      "exited 0): scheduler scx_qmap ejected by the kernel (scx_bpf_error): "
                                      "sched_ext: BPF scheduler \"qmap\" disabled (scx_bpf_error)",
                                      kExitSchedulerFailed)) != std::string::npos);
}

TEST_CASE("a scheduler that dies before it attaches fails the run and the program never starts") {
  const auto kernel = require_kernel();
  // /bin/false exits 1 at once: the scheduler's failure, not an infrastructure error.
  const Run r = ktstr_run(kernel, {"--timeout", "120", "--scheduler", "/bin/false", "--", "/bin/sh", "-c",
                                   "echo program-ran; exit 0"});
  INFO(r.out.output);
  CHECK(r.out.status.exited);
  CHECK(r.out.status.code == kExitSchedulerFailed);
  CHECK(r.out.output.find(fmt::format("ktstr: exit {}: the scheduler under test did not attach (the program was not "
                                      "started): scheduler false exited with code 1",
                                      kExitSchedulerFailed)) != std::string::npos);
  CHECK(r.out.output.find("program-ran") == std::string::npos);
}
