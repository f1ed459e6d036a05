// One packed CTest run for resource_pack_test: pack_sample's entries from
// the real discovery script, each wrapped by a recorder, under
// `ctest -j 8 --resource-spec-file` with a spec from `ktstr resources`.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "base/error.hpp"

namespace ktstr::packtest {

struct PackOptions {
  int host_cpus = 0;       // discovery's HOST_NPROC
  bool synthetic = false;  // spec from `ktstr resources --cpus host_cpus`; entries sleep instead of booting
  int sleep_s = 2;         // synthetic entries' length
  bool use_spec = true;    // false: plain `ctest -j 8` (the control)
  std::string exclude;     // ctest -E (empty: none)
  std::filesystem::path kernel;  // vm runs: the bzImage
};

// What the recorder logged for one entry.
struct Record {
  std::string name;          // the pack_sample test
  double start = 0, end = 0; // CLOCK_REALTIME seconds around the launcher
  std::vector<int> ids;      // CPU ids of CTEST_RESOURCE_GROUP_<i>_CPUS
};

// Runs the suite in a fresh work directory (under the test's build dir, kept
// for inspection) and returns one record per entry that ran, by start time. Errors carry
// the failing step's output.
Result<std::vector<Record>> run_packed(const PackOptions& options);

}  // namespace ktstr::packtest
