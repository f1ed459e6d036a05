// Cost model, partition and selection regex of `ktstr shard`.
#include <doctest/doctest.h>

#include <cmath>
#include <map>
#include <random>
#include <regex>
#include <set>

#include "host/ci/shard.hpp"

namespace ci = ktstr::ci;

namespace {

// Every name in exactly one shard, and each shard's cost the sum of its entries'.
void check_exact_cover(const std::vector<ci::EntryCost>& entries, const std::vector<ci::Shard>& shards) {
  std::map<std::string, double> cost_of;
  for (const auto& e : entries) cost_of[e.name] = e.cost;
  std::multiset<std::string> seen;
  for (const auto& s : shards) {
    double sum = 0;
    for (const auto& n : s.names) seen.insert(n), sum += cost_of.at(n);
    CHECK(s.cost == doctest::Approx(sum));
  }
  CHECK(seen.size() == entries.size());
  for (const auto& e : entries) CHECK(seen.count(e.name) == 1);
}

// A gauntlet-like suite: n entries, 1-4 vCPUs, declared 1-20 s + boot.
std::vector<ci::EntryCost> synthetic_suite(int n, unsigned seed) {
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int> cpus(1, 4), secs(1, 20);
  std::vector<ci::EntryCost> out;
  for (int i = 0; i < n; ++i) {
    ci::CtestEntry e{.name = "t/gauntlet/case" + std::to_string(i), .cpus = cpus(rng),
                     .duration_s = static_cast<double>(secs(rng))};
    out.push_back(ci::entry_cost(e, {}));
  }
  return out;
}

}  // namespace

TEST_CASE("entry cost: CPUs times measured, else declared + VM overhead, else COST, else unknown") {
  const ci::CtestEntry vm{.name = "vm", .cpus = 2, .duration_s = 5.0, .cost_property = 100.0};
  const ci::CtestEntry costed{.name = "c", .cpus = 3, .cost_property = 4.0};
  const ci::CtestEntry bare{.name = "b"};
  const auto measured = ci::entry_cost(vm, {{"vm", 7.5}});
  CHECK(measured.cost == doctest::Approx(15.0));
  CHECK(measured.basis == "measured");
  const auto declared = ci::entry_cost(vm, {{"other", 1.0}});
  CHECK(declared.cost == doctest::Approx(2 * (5.0 + ci::kVmOverheadS)));
  CHECK(declared.basis == "declared");
  CHECK(ci::entry_cost(costed, {}).cost == doctest::Approx(12.0));
  CHECK(ci::entry_cost(costed, {}).basis == "COST");
  CHECK(ci::entry_cost(bare, {}).cost == doctest::Approx(ci::kUnknownS));
  CHECK(ci::entry_cost(bare, {}).basis == "unknown");
}

TEST_CASE("partition: K shards cover every entry exactly once, for many suites and K") {
  for (unsigned seed = 1; seed <= 20; ++seed)
    for (int k : {1, 2, 3, 4, 7}) {
      const auto suite = synthetic_suite(static_cast<int>(5 + seed * 7), seed);
      const auto shards = ci::partition(suite, k);
      REQUIRE(shards.size() == static_cast<size_t>(k));
      check_exact_cover(suite, shards);
    }
}

TEST_CASE("partition: gauntlet-like suites of 40+ entries balance within 20 % for 2-8 shards") {
  for (unsigned seed = 1; seed <= 20; ++seed)
    for (int k = 2; k <= 8; ++k) {
      const auto suite = synthetic_suite(40 + static_cast<int>(seed) * 10, seed);
      const double imb = ci::imbalance(ci::partition(suite, k));
      INFO("seed " << seed << " k " << k << " imbalance " << imb);
      CHECK(imb <= 0.20);
    }
}

TEST_CASE("partition: deterministic and independent of input order") {
  auto suite = synthetic_suite(60, 7);
  const auto a = ci::partition(suite, 4);
  std::reverse(suite.begin(), suite.end());
  const auto b = ci::partition(suite, 4);
  for (size_t i = 0; i < a.size(); ++i) CHECK(a[i].names == b[i].names);
}

TEST_CASE("partition: longest first - the textbook LPT case gives 7/6 of the optimum") {
  // Costs 3,3,2,2,2 on 2 shards: LPT gives {3,2,2}=7 and {3,2}=5 (optimum 6/6).
  std::vector<ci::EntryCost> e = {{"a", 3, ""}, {"b", 3, ""}, {"c", 2, ""}, {"d", 2, ""}, {"e", 2, ""}};
  const auto shards = ci::partition(e, 2);
  CHECK(shards[0].cost == doctest::Approx(7));
  CHECK(shards[1].cost == doctest::Approx(5));
  CHECK(shards[0].names == std::vector<std::string>{"a", "c", "e"});
}

TEST_CASE("imbalance: reported truthfully when one entry dominates or a shard is empty") {
  std::vector<ci::EntryCost> e = {{"big", 100, ""}, {"s1", 1, ""}, {"s2", 1, ""}};
  CHECK(ci::imbalance(ci::partition(e, 2)) == doctest::Approx(100.0 / 2 - 1));
  CHECK(std::isinf(ci::imbalance(ci::partition(e, 4))));
  CHECK(ci::imbalance(ci::partition(e, 1)) == 0);
}

TEST_CASE("selection regex matches exactly its names, metacharacters escaped") {
  const std::vector<std::string> names = {"a/ktstr/x.y", "t/gauntlet/c+d/1n1l2c1t", "p(q)[r]{s}*?|$^\\"};
  const std::regex rx(ci::selection_regex(names), std::regex::extended);
  for (const auto& n : names) CHECK(std::regex_search(n, rx));
  for (const std::string other : {"a/ktstr/xzy", "a/ktstr/x.y2", "za/ktstr/x.y", "t/gauntlet/cd/1n1l2c1t",
                                  "t/gauntlet/c+d/1n1l2c1", "p(q)[r]{s}*?|$^"})
    CHECK_FALSE(std::regex_search(other, rx));
}

TEST_CASE("selection regex of an empty shard matches no name") {
  const std::regex rx(ci::selection_regex({}), std::regex::extended);
  CHECK(ci::selection_regex({}) == "^$");
  CHECK_FALSE(std::regex_search(std::string("anything"), rx));
}
