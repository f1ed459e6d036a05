#include <doctest/doctest.h>

#include "guest/timing.hpp"

using namespace ktstr::guest;

TEST_CASE("durations parse with units") {
  CHECK(*parse_duration("4s") == 4'000'000'000ull);
  CHECK(*parse_duration("500ms") == 500'000'000ull);
  CHECK(*parse_duration("1.5s") == 1'500'000'000ull);
  CHECK(*parse_duration("250us") == 250'000ull);
  CHECK(*parse_duration("7ns") == 7ull);
  CHECK(*parse_duration("2m") == 120'000'000'000ull);
  CHECK(*parse_duration("3") == 3'000'000'000ull);
  CHECK(!parse_duration("s"));
  CHECK(!parse_duration("4h"));
  CHECK(!parse_duration(""));
}

TEST_CASE("holds resolve as fixed times or fractions of the test") {
  CHECK(Hold::fixed(123).resolve(1'000'000) == 123);
  CHECK(Hold::frac(0.25).resolve(4'000'000'000ull) == 1'000'000'000ull);
  CHECK(Hold::frac(1.0 / 3).resolve(3'000'000'000ull) == 1'000'000'000ull);
}

TEST_CASE("steps are laid end to end") {
  std::vector<Hold> holds{Hold::frac(0.5), Hold::fixed(100), Hold::frac(0.25)};
  auto w = plan_steps(holds, 1000);
  REQUIRE(w);
  REQUIRE(w->size() == 3);
  CHECK((*w)[0].start_ns == 0);
  CHECK((*w)[0].end_ns == 500);
  CHECK((*w)[1].start_ns == 500);
  CHECK((*w)[1].end_ns == 600);
  CHECK((*w)[2].start_ns == 600);
  CHECK((*w)[2].end_ns == 850);
}

TEST_CASE("bad holds are rejected") {
  std::vector<Hold> neg{Hold::frac(-0.1)};
  CHECK(!plan_steps(neg, 1000));
  std::vector<Hold> big{Hold::frac(1.5)};
  CHECK(!plan_steps(big, 1000));
  std::vector<Hold> zero{Hold::fixed(0)};
  CHECK(!plan_steps(zero, 1000));
  std::vector<Hold> empty;
  CHECK(plan_steps(empty, 1000)->empty());
}
