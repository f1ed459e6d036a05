// Offline re-judging of a recorded run (`ktstr replay`) and the one-line
// listing of recorded runs (`ktstr stats list`). No VM is booted.
#pragma once

#include <filesystem>
#include <span>
#include <string>

#include "base/error.hpp"
#include "host/verdict/outcome.hpp"
#include "host/verdict/sidecar.hpp"

namespace ktstr::verdict {

struct ReplayResult {
  Verdict verdict;
  std::string text;  // report (fail/inconclusive or verbose) or summary line
  int exit_code = 0; // exit_code(verdict.outcome)
};

// Re-judges the sidecar's telemetry and VM facts with its recorded
// thresholds after applying each `check=value` in sets (in order). The
// kernel console tail is read from the sidecar's console_log when present.
Result<ReplayResult> replay_sidecar(const Sidecar& s, std::span<const std::string> sets, bool verbose);
Result<ReplayResult> replay_file(const std::filesystem::path& path, std::span<const std::string> sets, bool verbose);

// One line per run: outcome, variant, scheduler, topology, kernel, commit,
// duration, violation count, path. Non-sidecar JSON files are skipped.
Result<std::string> list_runs(const std::filesystem::path& dir);

}  // namespace ktstr::verdict
