// `ktstr shard --count K --index I [--test-dir B] [-L L] [-R R] [-E E]`: the
// `ctest -R` regex that selects shard I of K of a build's CTest entries,
// balanced by cost (lib/host/ci/shard.hpp). `--summary` prints every shard's
// size and cost instead.
#include <filesystem>
#include <memory>

#include "base/fd.hpp"
#include "base/process.hpp"
#include "host/ci/shard.hpp"
#include "tools/ktstr/commands.hpp"

namespace ktstr::cli {

namespace {

namespace fs = std::filesystem;

struct ShardArgs {
  int count = 0;
  int index = -1;
  std::string test_dir = ".";
  std::string label, regex, exclude;
  std::string cost_data;  // empty: <test-dir>/Testing/Temporary/CTestCostData.txt when present
  bool no_cost_data = false;
  bool summary = false;
  std::string ctest = "ctest";
};

Result<std::vector<ci::CtestEntry>> list_entries(const ShardArgs& a) {
  if (!fs::exists(fs::path(a.test_dir) / "CTestTestfile.cmake"))
    return fail("{} is not a CTest build directory (no CTestTestfile.cmake): pass --test-dir", a.test_dir);
  std::vector<std::string> argv = {a.ctest, "--test-dir", a.test_dir, "--show-only=json-v1"};
  for (const auto& [flag, value] : {std::pair{"-L", a.label}, {"-R", a.regex}, {"-E", a.exclude}})
    if (!value.empty()) argv.insert(argv.end(), {flag, value});
  auto out = KTSTR_TRY_CTX(run_capture(argv), "running {} (CMake >= 3.20; or pass --ctest)", a.ctest);
  if (!out.status.success())
    return fail("`{} --show-only=json-v1` in {} failed: {}", a.ctest, a.test_dir, out.output.substr(0, 400));
  auto entries = KTSTR_TRY(ci::parse_ctest_listing(out.output));
  if (entries.empty()) return fail("no CTest entries selected in {} (check -L/-R/-E)", a.test_dir);
  return entries;
}

Result<std::map<std::string, double>> measured_costs(const ShardArgs& a) {
  if (a.no_cost_data) return std::map<std::string, double>{};
  fs::path file = a.cost_data;
  if (file.empty()) {
    file = fs::path(a.test_dir) / "Testing" / "Temporary" / "CTestCostData.txt";
    if (!fs::exists(file)) return std::map<std::string, double>{};
  }
  return ci::parse_cost_data(KTSTR_TRY_CTX(read_file(file), "reading CTest cost data"));
}

void print_summary(const std::vector<ci::Shard>& shards, const std::vector<ci::EntryCost>& costs) {
  std::map<std::string, int> bases;
  double total = 0;
  for (const auto& c : costs) ++bases[c.basis], total += c.cost;
  for (size_t i = 0; i < shards.size(); ++i)
    fmt::print("shard {}: {:>5} entries, cost {:>10.1f} CPU-s ({:.1f} %)\n", i, shards[i].names.size(),
               shards[i].cost, total > 0 ? 100 * shards[i].cost / total : 0.0);
  fmt::print("imbalance (dearest / cheapest - 1): {:.1f} %; costs:", 100 * ci::imbalance(shards));
  for (const auto& [basis, n] : bases) fmt::print(" {} {}", n, basis);
  fmt::print("\n");
}

CommandResult cmd_shard(const ShardArgs& a) {
  if (!a.summary && (a.index < 0 || a.index >= a.count))
    return fail("--index {} is outside 0..{} (shards are numbered from 0)", a.index, a.count - 1);
  const auto entries = KTSTR_TRY(list_entries(a));
  const auto measured = KTSTR_TRY(measured_costs(a));
  std::vector<ci::EntryCost> costs;
  for (const auto& e : entries) costs.push_back(ci::entry_cost(e, measured));
  // Measured times change with every ctest run: runners that read different
  // files compute different partitions, and entries run twice or never.
  if (!measured.empty() && !a.summary)
    fmt::print(stderr, "ktstr shard: using measured times ({} entries); every runner must read the same file\n",
               measured.size());
  const auto shards = ci::partition(costs, a.count);
  if (a.summary) {
    print_summary(shards, costs);
    return 0;
  }
  const std::string rx = ci::selection_regex(shards[static_cast<size_t>(a.index)].names);
  if (rx.size() > ci::kMaxRegexBytes)
    return fail("shard {}'s regex is {} bytes, over the 128 KiB a command-line argument may hold: raise --count",
                a.index, rx.size());
  fmt::print("{}\n", rx);
  return 0;
}

}  // namespace

void add_shard_commands(CLI::App& app) {
  auto a = std::make_shared<ShardArgs>();
  auto* c = app.add_subcommand("shard", "Print the ctest -R regex of one cost-balanced shard of a CTest suite");
  c->add_option("--count", a->count, "Number of shards (CI runners)")->required()->check(CLI::Range(1, 10000));
  c->add_option("--index", a->index, "This shard, 0..count-1");
  c->add_option("--test-dir", a->test_dir, "CTest build directory")->capture_default_str();
  c->add_option("-L,--label-regex", a->label, "Only entries with a label matching this (ctest -L)");
  c->add_option("-R,--tests-regex", a->regex, "Only entries whose name matches this (ctest -R)");
  c->add_option("-E,--exclude-regex", a->exclude, "Leave out entries whose name matches this (ctest -E)");
  c->add_option("--cost-data", a->cost_data,
                "CTestCostData.txt with measured times (default: the test dir's, when present)");
  c->add_flag("--no-cost-data", a->no_cost_data, "Ignore measured times: cost = CPUs x declared duration");
  c->add_flag("--summary", a->summary, "Print every shard's entries and cost instead of a regex");
  c->add_option("--ctest", a->ctest, "The ctest program")->capture_default_str();
  c->callback([a] { command_result() = cmd_shard(*a); });
}

}  // namespace ktstr::cli
