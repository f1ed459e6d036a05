// `ktstr replay SIDECAR [--set check=value ...] [--verbose]`: re-judges a
// recorded run offline (no VM) and exits with the outcome's code, so a
// threshold change can be tried against real runs before it is committed.
#include <fmt/format.h>

#include "tools/ktstr/commands.hpp"
#include "host/verdict/replay.hpp"

namespace ktstr::cli {

namespace {

struct ReplayArgs {
  std::string sidecar;
  std::vector<std::string> sets;
  bool verbose = false;
};

CommandResult cmd_replay(const ReplayArgs& a) {
  auto r = KTSTR_TRY(verdict::replay_file(a.sidecar, a.sets, a.verbose));
  // The command's product is the report, so it goes to stdout (the launcher
  // prints the same text to stderr next to the test's own output).
  fmt::print("{}", r.text);
  return r.exit_code;
}

}  // namespace

void add_replay_commands(CLI::App& app) {
  auto args = std::make_shared<ReplayArgs>();
  auto* replay = app.add_subcommand("replay", "Re-judge a recorded run from its sidecar JSON, without booting");
  replay->add_option("sidecar", args->sidecar, "Sidecar JSON (<build>/ktstr/<kernel>-<commit>/<variant>.json)")
      ->required();
  replay->add_option("--set", args->sets,
                     "Override a threshold, check=value (e.g. max_gap_ms=500, isolation=on, "
                     "min_iteration_rate=none); repeatable, later wins");
  replay->add_flag("-v,--verbose", args->verbose, "Print the full report for passing runs too");
  replay->callback([args] { command_result() = cmd_replay(*args); });
}

}  // namespace ktstr::cli
