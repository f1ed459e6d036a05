// The three subjects of overhead_bench, each timed against the same plain
// QEMU reference: ktstr-vm (boot), `ktstr run` (run), a CTest entry (test).
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <string_view>

#include "base/error.hpp"

namespace ktstr::bench {

// The guest shape of every run: 2 vCPUs, 256 MiB (the CTest entry sizes its
// own memory from its initramfs, as every entry does).
inline constexpr std::string_view kTopology = "1n1l2c1t";
inline constexpr uint64_t kMemoryMib = 256;

struct Inputs {
  std::filesystem::path kernel;
  std::filesystem::path busybox_cpio;
  std::filesystem::path work;  // scratch directory of this bench
};

// One timed run: the seconds the table compares, or why the run failed.
using TimedStep = std::function<Result<double>()>;

struct Subject {
  std::string title;          // one line: what is compared
  std::string subject_label;  // the subject's row
  std::string ratio_label;    // "<subject> / plain QEMU"
  double goal = 1.0;          // the ratio must not exceed this
  // Readies the mode once (the test mode writes its CTest directory).
  std::function<Result<TimedStep>(const Inputs&)> prepare;
};

// "boot", "run" or "test"; an error names the modes.
Result<Subject> subject_for(std::string_view mode);

}  // namespace ktstr::bench
