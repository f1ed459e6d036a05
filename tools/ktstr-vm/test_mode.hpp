// ktstr-vm --test: the CTest entry mode. Boots the VM like plain ktstr-vm,
// collects the guest's telemetry from the channel, judges it with the verdict
// library (thresholds merged built-in -> scheduler -> test), prints the report
// and CTest measurements, writes the sidecar, and returns the exit code CTest
// sees (0 pass, 1 fail, 77 skip, 70+ infrastructure).
#pragma once

#include <filesystem>
#include <string>

#include <CLI/CLI.hpp>

#include "host/verdict/expectation.hpp"
#include "vmm/vm.hpp"

namespace ktstr::vmm {

struct TestModeOptions {
  std::string test;             // CTest name of this variant, e.g. "wvt_tests/ktstr/steady"
  std::string thresholds_json;  // {"scheduler": {...}, "test": {...}} from --ktstr-list
  std::string expect_fail;      // regex: the run must fail with a violation matching it
  std::filesystem::path build_dir;  // sidecars go under <build_dir>/ktstr/...
  bool verbose = false;         // full report and the phase split for passing runs too
  std::string project_commit;  // empty: verdict::project_commit(test source) ($KTSTR_COMMIT, git HEAD, "local")
  std::string adapter_version;  // ktstr version the test executable was built with ("" = unchecked)
};

// Registers --test, --thresholds, --expect-fail (needs --test), --build-dir,
// --commit on the launcher CLI.
void add_test_mode_options(CLI::App& app, TestModeOptions& opt);

// Runs cfg as test opt.test. Never throws; a launch error is a RunEnd without
// a verdict (infrastructure code, reason printed).
verdict::RunEnd run_test_mode(const VmConfig& cfg, const TestModeOptions& opt);

// An end before any verdict (bad option, missing kernel, QEMU that will not
// start): prints "ktstr-vm: MESSAGE" and carries the infrastructure code.
verdict::RunEnd launch_error(const std::string& message);

// After a command-line error: sets opt.expect_fail from the raw value CLI11
// read for --expect-fail, when an earlier option's conversion or check threw
// before CLI11 stored it (e.g. --timeout abc), so the expectation still
// applies to the parse error.
void recover_expect_fail(const CLI::App& app, TestModeOptions& opt);

// The launcher's exit code for how its run ended: end.exit_code, or with
// --expect-fail the expectation's (verdict::apply_expectation; its one line
// printed). main passes every end through here, so no early return (bad
// option, missing kernel, QEMU that will not start) escapes the expectation.
int conclude(const verdict::RunEnd& end, const TestModeOptions& opt);

}  // namespace ktstr::vmm
