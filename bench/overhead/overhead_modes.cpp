// The subjects: ktstr-vm on the busybox archive, `ktstr run -- /bin/true`,
// and a real CTest entry of a 1 s scenario run by ctest.
#include "overhead_modes.hpp"

#include <unistd.h>

#include "base/exit_codes.hpp"
#include "bench.hpp"
#include "ctest_dir.hpp"
#include "host/ci/ctest_listing.hpp"

namespace fs = std::filesystem;

namespace ktstr::bench {

namespace {

// A run whose exit status is not the expected one ends the bench with its output.
Result<double> expect_exit(Result<Timed> t, int code, std::string_view what) {
  if (!t) return std::unexpected(t.error());
  if (!t->status.exited || t->status.code != code)
    return fail("{}: {} (expected exit {}):\n{}", what, t->status.describe(), code, t->output);
  return t->seconds;
}

Result<TimedStep> prepare_boot(const Inputs& in) {
  const std::vector<std::string> argv = {KTSTR_VM_BIN, "--kernel", in.kernel.string(), "--initramfs",
                                         in.busybox_cpio.string(), "--topology", std::string(kTopology),
                                         "--memory", std::to_string(kMemoryMib), "--timeout", "120"};
  // busybox's `reboot -f` sends no exit frame: ktstr-vm ends with 73 after the VM stopped.
  return TimedStep([argv] { return expect_exit(time_command(argv), kExitNoResult, "ktstr-vm"); });
}

Result<TimedStep> prepare_run(const Inputs& in) {
  const std::vector<std::string> argv = {KTSTR_BIN, "run", "--kernel", in.kernel.string(), "--topology",
                                         std::string(kTopology), "--memory", std::to_string(kMemoryMib),
                                         "--", "/bin/true"};
  return TimedStep([argv] { return expect_exit(time_command(argv), 0, "ktstr run -- /bin/true"); });
}

// The fixture's declared scenario duration, from the entry ctest lists.
Result<double> declared_duration(const fs::path& dir, const std::string& regex) {
  auto out = KTSTR_TRY(time_command({CTEST_COMMAND, "--test-dir", dir.string(), "--show-only=json-v1", "-R", regex}));
  auto entries = KTSTR_TRY(ci::parse_ctest_listing(out.output));
  if (entries.size() != 1 || !entries[0].duration_s)
    return fail("{}: expected one ktstr entry with a --duration, got {} entries", dir.string(), entries.size());
  return *entries[0].duration_s;
}

Result<TimedStep> prepare_test(const Inputs& in) {
  const fs::path dir = in.work / "ctest";
  KTSTR_TRY_VOID(testsupport::write_ctest_dir(
      {.dir = dir, .target = "bench", .test_exe = SHORT_SCENARIO_EXE, .initramfs = SHORT_SCENARIO_CPIO,
       .kernel = in.kernel, .launcher = KTSTR_VM_BIN, .host_cpus = static_cast<int>(::sysconf(_SC_NPROCESSORS_ONLN))}));
  const std::string regex = "^bench/ktstr/short_steady$";
  const double duration = KTSTR_TRY(declared_duration(dir, regex));
  const std::vector<std::string> argv = {CTEST_COMMAND, "--test-dir", dir.string(), "-R", regex, "--output-on-failure"};
  return TimedStep([argv, duration]() -> Result<double> {
    auto t = KTSTR_TRY(time_command(argv));
    if (!t.status.success() || t.output.find("0 tests failed out of 1") == std::string::npos ||
        t.output.find("Skipped") != std::string::npos)
      return fail("the CTest entry did not pass:\n{}", t.output);
    return t.seconds - duration;
  });
}

}  // namespace

Result<Subject> subject_for(std::string_view mode) {
  if (mode == "boot")
    return Subject{"plain QEMU boot -> exit vs ktstr-vm, same kernel and busybox cpio", "ktstr-vm, same kernel and cpio",
                   "ktstr-vm / plain QEMU", 1.05, prepare_boot};
  if (mode == "run")
    return Subject{"plain QEMU boot -> exit vs `ktstr run -- /bin/true`", "ktstr run -- /bin/true",
                   "ktstr run / plain QEMU", 1.15, prepare_run};
  if (mode == "test")
    return Subject{"per-test overhead: CTest entry wall time - scenario duration, vs plain QEMU",
                   "ctest entry - 1 s scenario (short_steady)", "per-test overhead / plain QEMU", 1.30, prepare_test};
  return fail("usage: overhead_bench boot|run|test [ROUNDS=15] (got '{}')", mode);
}

}  // namespace ktstr::bench
