// CDash integration: key figures as <CTestMeasurement> lines (CTest copies
// them from a test's output into the dashboard, see ctest(1) "Additional Test
// Measurements") and the artefact paths for ATTACHED_FILES_ON_FAIL.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "base/telemetry.hpp"
#include "host/verdict/outcome.hpp"

namespace ktstr::verdict {

// `<CTestMeasurement type="numeric/double" name="NAME">VALUE</CTestMeasurement>`
// with NAME XML-escaped, no trailing newline.
std::string cdash_measurement(std::string_view name, double value);

// One line per key figure: run-wide (workers, migrations, worst spread/gap,
// duration, violations) and the per-cgroup metrics of metrics_of(). Undefined
// figures are left out rather than printed as 0.
std::string cdash_measurements(const RunTelemetry& t, const Verdict& v);

// The files a failing variant leaves behind: its sidecar, its full kernel
// console log (<stem>.console.log next to the sidecar) and its timeline
// picture (<stem>.svg).
struct Artefacts {
  std::filesystem::path sidecar;
  std::filesystem::path console_log;
  std::filesystem::path svg;
};
Artefacts artefact_paths(const std::filesystem::path& build_dir, const std::string& kernel_key,
                         const std::string& project_commit, const std::string& variant);

// "SIDECAR;CONSOLE;SVG" for set_tests_properties(... ATTACHED_FILES_ON_FAIL ...).
std::string attached_files_on_fail(const Artefacts& a);

}  // namespace ktstr::verdict
