// `ktstr shard` against this build's own CTest entries (hundreds of unit and
// VM entries): for K = 2, 3, 5 the K regexes, fed back to
// `ctest --show-only=json-v1 -R`, select every entry exactly once; the
// summary's imbalance stays within 20 % with the declared costs.
#include <doctest/doctest.h>

#include <map>
#include <regex>
#include <set>
#include <sstream>

#include "base/process.hpp"
#include "host/ci/ctest_listing.hpp"

namespace {

std::string run_ok(const std::vector<std::string>& argv) {
  auto r = ktstr::run_capture(argv);
  REQUIRE(r);
  INFO(r->output);
  REQUIRE(r->status.success());
  return r->output;
}

std::vector<std::string> listed(const std::vector<std::string>& extra) {
  std::vector<std::string> argv = {CTEST_COMMAND, "--test-dir", BUILD_DIR, "--show-only=json-v1"};
  argv.insert(argv.end(), extra.begin(), extra.end());
  auto entries = ktstr::ci::parse_ctest_listing(run_ok(argv));
  REQUIRE(entries);
  std::vector<std::string> names;
  for (const auto& e : *entries) names.push_back(e.name);
  return names;
}

// costs: {} (the build's CTestCostData.txt when present) or {"--no-cost-data"}.
std::string shard_regex(int count, int index, const std::vector<std::string>& costs) {
  std::vector<std::string> argv = {KTSTR_BIN, "shard", "--count", std::to_string(count),
                                   "--index", std::to_string(index), "--test-dir", BUILD_DIR};
  argv.insert(argv.end(), costs.begin(), costs.end());
  // The regex is the line starting with '^' (run_capture also collects the
  // note on stderr that measured times are in use).
  std::istringstream out(run_ok(argv));
  for (std::string line; std::getline(out, line);)
    if (line.starts_with('^')) return line;
  FAIL("no regex in ktstr shard's output");
  return {};
}

double summary_imbalance(int count, const std::string& costs) {
  const std::string out =
      run_ok({KTSTR_BIN, "shard", "--count", std::to_string(count), "--summary", "--test-dir", BUILD_DIR, costs});
  MESSAGE(out);
  std::smatch m;
  REQUIRE(std::regex_search(out, m, std::regex(R"(imbalance[^:]*: ([0-9.]+) %)")));
  return std::stod(m[1]) / 100;
}

}  // namespace

TEST_CASE("shards of this build's entries cover each entry exactly once") {
  const auto all = listed({});
  REQUIRE(all.size() > 50);
  for (const std::vector<std::string>& costs : {std::vector<std::string>{}, {"--no-cost-data"}}) {
    for (int k : {2, 3, 5}) {
      std::map<std::string, int> times;
      for (int i = 0; i < k; ++i)
        for (const auto& n : listed({"-R", shard_regex(k, i, costs)})) ++times[n];
      INFO("k " << k << (costs.empty() ? " measured costs" : " declared costs"));
      CHECK(times.size() == all.size());
      for (const auto& n : all) CHECK_MESSAGE(times[n] == 1, n);
    }
  }
}

TEST_CASE("declared costs of this build balance within 20 %") {
  for (int k : {2, 3, 5}) CHECK(summary_imbalance(k, "--no-cost-data") <= 0.20);
}

TEST_CASE("bad input: an index outside the shards, a directory without tests") {
  auto r = ktstr::run_capture({KTSTR_BIN, "shard", "--count", "2", "--index", "2", "--test-dir", BUILD_DIR});
  REQUIRE(r);
  CHECK_FALSE(r->status.success());
  CHECK(r->output.find("outside 0..1") != std::string::npos);
  r = ktstr::run_capture({KTSTR_BIN, "shard", "--count", "2", "--index", "0", "--test-dir", "/"});
  REQUIRE(r);
  CHECK_FALSE(r->status.success());
  CHECK(r->output.find("not a CTest build directory") != std::string::npos);
}
