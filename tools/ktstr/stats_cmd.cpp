// `ktstr stats list [DIR]` and `ktstr stats compare A B [--abs ...] [--rel ...] [--alpha P]`:
// recorded runs and a per-metric regression gate usable in CI (exit 1 when a
// gate trips). Gate semantics: lib/host/verdict/compare.hpp and README.
#include <fmt/format.h>

#include "base/exit_codes.hpp"
#include "tools/ktstr/commands.hpp"
#include "host/verdict/compare.hpp"
#include "host/verdict/replay.hpp"

namespace ktstr::cli {

namespace {

struct CompareArgs {
  std::string a, b;  // each: sidecars and/or directories, comma-separated
  std::vector<std::string> abs, rel;
  std::string alpha;
};

// "x,y,z" -> {x, y, z}: one side of a comparison given as several paths.
std::vector<std::string> split_paths(std::string_view text) {
  std::vector<std::string> out;
  for (size_t start = 0;;) {
    auto comma = text.find(',', start);
    auto part = text.substr(start, comma == std::string_view::npos ? std::string_view::npos : comma - start);
    if (!part.empty()) out.emplace_back(part);
    if (comma == std::string_view::npos) return out;
    start = comma + 1;
  }
}

CommandResult cmd_stats_list(const std::string& dir) {
  fmt::print("{}", KTSTR_TRY(verdict::list_runs(dir)));
  return kExitPass;
}

CommandResult cmd_stats_compare(const CompareArgs& args) {
  verdict::GateConfig gates;
  for (const auto& spec : args.abs) KTSTR_TRY_VOID(verdict::parse_gate_option(gates, true, spec));
  for (const auto& spec : args.rel) KTSTR_TRY_VOID(verdict::parse_gate_option(gates, false, spec));
  if (!args.alpha.empty()) KTSTR_TRY_VOID(verdict::parse_alpha_option(gates, args.alpha));
  auto a = KTSTR_TRY(verdict::load_runs(split_paths(args.a)));
  auto b = KTSTR_TRY(verdict::load_runs(split_paths(args.b)));
  auto result = verdict::compare_runs(a, b, gates);
  fmt::print("{}", verdict::format_compare(result));
  return result.tripped() ? kExitFail : kExitPass;
}

}  // namespace

void add_stats_commands(CLI::App& app) {
  auto* stats = app.add_subcommand("stats", "Recorded runs (sidecars): list them, compare two sets");
  stats->require_subcommand(1);

  auto dir = std::make_shared<std::string>("build/ktstr");
  auto* list = stats->add_subcommand("list", "One line per recorded run found under DIR");
  list->add_option("dir", *dir, "Directory searched recursively for sidecars")->capture_default_str();
  list->callback([dir] { command_result() = cmd_stats_list(*dir); });

  auto args = std::make_shared<CompareArgs>();
  auto* compare = stats->add_subcommand(
      "compare",
      "Per-metric change from A (baseline) to B; exits 1 when a regression exceeds both its absolute and "
      "its relative gate (zero baseline: absolute gate only). With several runs of a variant per side (a "
      "directory holding several, or PATH,PATH,...) the means are compared and a regression must also be "
      "significant: Welch's one-sided t-test, p < --alpha");
  compare->add_option("a", args->a, "Baseline: sidecars or directories of sidecars, comma-separated")->required();
  compare->add_option("b", args->b, "Candidate: sidecars or directories of sidecars, comma-separated")->required();
  compare->add_option("--alpha", args->alpha,
                      fmt::format("Significance level of the Welch test with several runs per side (default {:g})",
                                  verdict::kDefaultAlpha));
  compare->add_option("--abs", args->abs,
                      "Absolute gate, in the metric's unit: VALUE for every metric or KIND=VALUE "
                      "(iter_rate, spread_pp, gap_ms, p99_wake_us, migrations_per_cpu_s); repeatable");
  compare->add_option("--rel", args->rel, "Relative gate in percent of the baseline: VALUE or KIND=VALUE; repeatable");
  compare->callback([args] { command_result() = cmd_stats_compare(*args); });
}

}  // namespace ktstr::cli
