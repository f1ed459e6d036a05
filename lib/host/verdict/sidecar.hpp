// The sidecar: one JSON file per test variant that keeps everything needed
// to re-judge a run offline (`ktstr replay`) and to compare runs
// (`ktstr stats compare`). Layout: <build>/ktstr/<kernel-key>-<commit>/<variant>.json.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/error.hpp"
#include "base/telemetry.hpp"
#include "host/verdict/outcome.hpp"
#include "host/verdict/phases.hpp"
#include "host/verdict/thresholds.hpp"

namespace ktstr::verdict {

inline constexpr int kSidecarSchema = 1;

struct KernelIdentity {
  std::string key;      // kernel cache key
  std::string version;  // e.g. "6.12.43"
};

struct SchedulerIdentity {
  std::string name;                // empty: EEVDF baseline
  std::string binary;              // path of the loader binary on the host
  std::vector<std::string> args;
};

// Host-measured wall times, seconds.
struct Timings {
  double boot_s = 0;   // launch until the guest runtime reported in
  double run_s = 0;    // test body
  double total_s = 0;  // launch until the verdict
  std::vector<Phase> phases;  // where total_s went, in order (split_phases)
};

struct Sidecar {
  int schema = kSidecarSchema;
  std::string test;            // test name
  std::string variant;         // test variant name (test x topology); the compare key
  std::string topology;
  std::string project_commit;
  std::string created_at;      // ISO 8601 UTC
  KernelIdentity kernel;
  SchedulerIdentity scheduler;
  Thresholds thresholds;       // the effective (merged) thresholds the run was judged with
  VmFacts facts;               // its monitor log is the sidecar's "monitor" key
  Verdict verdict;
  Timings timings;
  std::string console_log;     // path of the full kernel console log
  std::string rerun_command;
  RunTelemetry telemetry;      // raw, as the guest sent it
};

// <build_dir>/ktstr/<kernel_key>-<commit>/<variant>.json; characters of the
// variant outside [A-Za-z0-9._-] become '_' so a variant is one file name.
std::filesystem::path sidecar_path(const std::filesystem::path& build_dir, const std::string& kernel_key,
                                   const std::string& project_commit, const std::string& variant);

// The timeline files written next to a sidecar <dir>/<stem>.json
// (lib/host/verdict/timeline.hpp draws them).
inline constexpr std::string_view kTraceSuffix = ".trace.json";
struct TimelinePaths {
  std::filesystem::path trace;  // <dir>/<stem>.trace.json: Chrome/Perfetto trace events
  std::filesystem::path svg;    // <dir>/<stem>.svg: the picture
};
TimelinePaths timeline_paths(const std::filesystem::path& sidecar);

// The commit sidecars are grouped under: $KTSTR_COMMIT, else the short HEAD
// of the git checkout holding `source_file` (the test's source; "-dirty"
// appended when tracked files have uncommitted changes), else "local".
std::string project_commit(const std::filesystem::path& source_file);

// The variant as a file-name stem (the sanitising above).
std::string variant_file_stem(const std::string& variant);

// Serialises and writes atomically, creating the directory.
Result<void> write_sidecar(const std::filesystem::path& path, const Sidecar& s);

// Reads and parses; the error names the file and what was wrong.
Result<Sidecar> read_sidecar(const std::filesystem::path& path);

// Sidecars under dir (recursively), sorted by path: *.json files except
// the timeline traces (*.trace.json) written next to them.
Result<std::vector<std::filesystem::path>> find_sidecars(const std::filesystem::path& dir);

NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(KernelIdentity, key, version)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(SchedulerIdentity, name, binary, args)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(Timings, boot_s, run_s, total_s, phases)
void to_json(nlohmann::json& j, const Sidecar& s);
void from_json(const nlohmann::json& j, Sidecar& s);

}  // namespace ktstr::verdict
