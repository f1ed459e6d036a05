// Timed ops and periodic snapshots: where in a hold each one lands, and the
// ops that must not be timed.
#include <doctest/doctest.h>

#include "guest/timed_op.hpp"

using namespace ktstr::guest;

namespace {
std::vector<double> times(const std::vector<Mark>& marks) {
  std::vector<double> out;
  for (const auto& m : marks) out.push_back(m.at);
  return out;
}
}  // namespace

TEST_CASE("periodic snapshots: k/N of the hold, k = 1..N, and one at 0 in the first step") {
  Step st{.name = "steady"};
  auto first = plan_marks(st, "steady", 4, true);
  REQUIRE(first);
  CHECK(times(*first) == std::vector<double>{0, 0.25, 0.5, 0.75, 1});
  CHECK((*first)[0].snapshot == "steady@0/4");
  CHECK((*first)[4].snapshot == "steady@4/4");
  for (const auto& m : *first) CHECK(m.op == nullptr);
  auto later = plan_marks(st, "steady", 2, false);
  REQUIRE(later);
  CHECK(times(*later) == std::vector<double>{0.5, 1});
  auto none = plan_marks(st, "steady", 0, true);
  REQUIRE(none);
  CHECK(none->empty());
  CHECK(!plan_marks(st, "steady", -1, true));
}

TEST_CASE("timed ops and named snapshots join the periodic ones in time order") {
  Step st{.name = "w",
          .ops = {Op::set_weight("a", 800), Op::snapshot("late", 0.9), Op::set_weight("b", 50).timed(0.5),
                  Op::snapshot("start", 0)}};
  auto marks = plan_marks(st, "w", 2, false);
  REQUIRE(marks);
  CHECK(times(*marks) == std::vector<double>{0, 0.5, 0.5, 0.9, 1});
  CHECK((*marks)[0].op->name == "start");                  // a snapshot at 0 is still taken in the hold
  CHECK((*marks)[1].op->kind == Op::Kind::kSetWeight);     // ties: the step's ops first
  CHECK((*marks)[2].snapshot == "w@1/2");
  CHECK((*marks)[3].op->name == "late");
  CHECK(applies_before_hold(st.ops[0]));
  CHECK(!applies_before_hold(st.ops[1]));
  CHECK(!applies_before_hold(st.ops[2]));
  CHECK(!applies_before_hold(st.ops[3]));
}

TEST_CASE("ops that change the step's workers cannot be timed, at must be in [0, 1]") {
  for (const Op& op : {Op::spawn("a", 1).timed(0.5), Op::kill("a", 1).timed(0.5), Op::remove("a").timed(0.5),
                       Op::move("a", "b").timed(0.5), Op::add({.name = "c"}).timed(0.5)}) {
    auto r = plan_marks(Step{.ops = {op}}, "s1", 0, false);
    REQUIRE(!r);
    CHECK(r.error().message.find("cannot be timed") != std::string::npos);
  }
  for (double at : {-0.1, 1.5}) {
    auto r = plan_marks(Step{.ops = {Op::snapshot("x", at)}}, "s1", 0, false);
    REQUIRE(!r);
    CHECK(r.error().message.find("use a fraction in [0, 1]") != std::string::npos);
  }
  CHECK(plan_marks(Step{.ops = {Op::set_cpuset("a", "all").timed(1), Op::kill_scheduler().timed(0.3)}}, "s", 0, false));
}

TEST_CASE("describe() names a snapshot and its moment") {
  CHECK(Op::snapshot("mid").describe() == "snapshot mid at 50% of the hold");
  CHECK(Op::snapshot("end", 1).describe() == "snapshot end at 100% of the hold");
}
