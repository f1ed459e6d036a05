// ktstr-vm --test: the CTest entry mode. Boots the VM like plain ktstr-vm,
// collects the guest's telemetry from the channel, judges it with the verdict
// library (thresholds merged built-in -> scheduler -> test), prints the report
// and CTest measurements, writes the sidecar, and returns the exit code CTest
// sees (0 pass, 1 fail, 77 skip, 70+ infrastructure).
#pragma once

#include <filesystem>
#include <string>

#include <CLI/CLI.hpp>

#include "vmm/vm.hpp"

namespace ktstr::vmm {

struct TestModeOptions {
  std::string test;             // CTest name of this variant, e.g. "wvt_tests/ktstr/steady"
  std::string thresholds_json;  // {"scheduler": {...}, "test": {...}} from --ktstr-list
  std::string expect_fail;      // regex: the run must fail with a violation matching it
  std::filesystem::path build_dir;  // sidecars go under <build_dir>/ktstr/...
  std::string project_commit;  // empty: verdict::project_commit(test source) ($KTSTR_COMMIT, git HEAD, "local")
};

// Registers --test, --thresholds, --expect-fail, --build-dir on the launcher CLI.
void add_test_mode_options(CLI::App& app, TestModeOptions& opt);

// Runs cfg as test opt.test. Never throws; launch errors become an
// infrastructure exit code with the reason printed.
int run_test_mode(const VmConfig& cfg, const TestModeOptions& opt);

// With --expect-fail: maps the verdict exit code and violation lines to the
// code that makes CTest's WILL_FAIL report the truth (1 only for the expected
// failure; 0 — "unexpectedly passed" under WILL_FAIL — for a pass, a different
// failure or an infrastructure error; 77 stays a skip). why gets one line.
int expected_failure_exit(int verdict_exit, const std::string& violations, const std::string& regex, std::string& why);

}  // namespace ktstr::vmm
