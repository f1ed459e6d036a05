// The validator against documents that break one rule each, and against
// the format's own example shapes.
#include <doctest/doctest.h>

#include "host/trace/trace_check.hpp"

using namespace ktstr::trace;
using nlohmann::json;

namespace {
// The problems of a one-event object-form document.
std::vector<std::string> problems_of(json event) { return check_trace({{"traceEvents", json::array({event})}}); }
bool mentions(const std::vector<std::string>& p, const std::string& what) {
  for (const auto& s : p)
    if (s.find(what) != std::string::npos) return true;
  return false;
}
}  // namespace

TEST_CASE("valid documents in both forms pass") {
  json events = json::array({
      {{"ph", "M"}, {"name", "process_name"}, {"pid", 1}, {"args", {{"name", "p"}}}},
      {{"ph", "M"}, {"name", "thread_sort_index"}, {"pid", 1}, {"tid", 2}, {"args", {{"sort_index", 3}}}},
      {{"ph", "X"}, {"name", "outer"}, {"pid", 1}, {"tid", 2}, {"ts", 0}, {"dur", 100}},
      {{"ph", "X"}, {"name", "inner"}, {"pid", 1}, {"tid", 2}, {"ts", 10.5}, {"dur", 89.5}},
      {{"ph", "X"}, {"name", "next"}, {"pid", 1}, {"tid", 2}, {"ts", 100}, {"dur", 0}},
      {{"ph", "X"}, {"name", "other thread"}, {"pid", 1}, {"tid", 3}, {"ts", 50}, {"dur", 100}},
      {{"ph", "B"}, {"name", "b"}, {"pid", 1}, {"tid", 4}, {"ts", 1}},
      {{"ph", "E"}, {"pid", 1}, {"tid", 4}, {"ts", 2}},
      {{"ph", "i"}, {"name", "now"}, {"pid", 1}, {"tid", 2}, {"ts", 5}, {"s", "t"}},
      {{"ph", "I"}, {"name", "global"}, {"pid", 1}, {"ts", 5}, {"s", "g"}},
      {{"ph", "C"}, {"name", "ctr"}, {"pid", 1}, {"ts", 5}, {"args", {{"a", 1}, {"b", 2.5}}}},
  });
  CHECK(check_trace(events).empty());
  CHECK(check_trace({{"traceEvents", events}, {"displayTimeUnit", "ns"}}).empty());
}

TEST_CASE("document shape") {
  CHECK(mentions(check_trace(json::object()), "without a traceEvents array"));
  CHECK(mentions(check_trace(json(5)), "neither an array"));
  CHECK(mentions(check_trace({{"traceEvents", json::array()}, {"displayTimeUnit", "s"}}), "displayTimeUnit"));
}

TEST_CASE("fields every event needs") {
  CHECK(mentions(problems_of(json(1)), "not an object"));
  CHECK(mentions(problems_of({{"name", "x"}, {"pid", 1}}), "ph missing"));
  CHECK(mentions(problems_of({{"ph", "Q"}, {"name", "x"}, {"pid", 1}}), "unknown phase"));
  CHECK(mentions(problems_of({{"ph", "X"}, {"pid", 1}, {"tid", 1}, {"ts", 0}, {"dur", 1}}), "name missing"));
  CHECK(mentions(problems_of({{"ph", "X"}, {"name", "x"}, {"tid", 1}, {"ts", 0}, {"dur", 1}}), "pid missing"));
  CHECK(mentions(problems_of({{"ph", "X"}, {"name", "x"}, {"pid", "1"}, {"tid", 1}, {"ts", 0}, {"dur", 1}}),
                 "pid is not an integer"));
  CHECK(mentions(problems_of({{"ph", "X"}, {"name", "x"}, {"pid", 1}, {"tid", 1}, {"ts", 0}, {"dur", 1}, {"cat", 3}}),
                 "cat is not a string"));
  CHECK(mentions(problems_of({{"ph", "X"}, {"name", "x"}, {"pid", 1}, {"tid", 1}, {"ts", 0}, {"dur", 1}, {"args", 3}}),
                 "args is not an object"));
}

TEST_CASE("per-phase fields") {
  CHECK(mentions(problems_of({{"ph", "X"}, {"name", "x"}, {"pid", 1}, {"tid", 1}, {"dur", 1}}), "ts missing"));
  CHECK(mentions(problems_of({{"ph", "X"}, {"name", "x"}, {"pid", 1}, {"tid", 1}, {"ts", -1}, {"dur", 1}}), "ts is negative"));
  CHECK(mentions(problems_of({{"ph", "X"}, {"name", "x"}, {"pid", 1}, {"tid", 1}, {"ts", 0}}), "dur missing"));
  CHECK(mentions(problems_of({{"ph", "X"}, {"name", "x"}, {"pid", 1}, {"ts", 0}, {"dur", 1}}), "tid missing"));
  CHECK(mentions(problems_of({{"ph", "i"}, {"name", "x"}, {"pid", 1}, {"tid", 1}, {"ts", 0}, {"s", "x"}}), "scope"));
  CHECK(mentions(problems_of({{"ph", "i"}, {"name", "x"}, {"pid", 1}, {"ts", 0}}), "tid missing"));  // s defaults to t
  CHECK(mentions(problems_of({{"ph", "C"}, {"name", "c"}, {"pid", 1}, {"ts", 0}}), "counter without args"));
  CHECK(mentions(problems_of({{"ph", "C"}, {"name", "c"}, {"pid", 1}, {"ts", 0}, {"args", {{"v", "7"}}}}),
                 "args.v is not a number"));
  CHECK(mentions(problems_of({{"ph", "M"}, {"name", "colour"}, {"pid", 1}, {"args", {{"name", "x"}}}}),
                 "unknown metadata name"));
  CHECK(mentions(problems_of({{"ph", "M"}, {"name", "thread_name"}, {"pid", 1}, {"args", {{"name", "x"}}}}),
                 "tid missing"));
  CHECK(mentions(problems_of({{"ph", "M"}, {"name", "process_name"}, {"pid", 1}, {"args", json::object()}}),
                 "args.name missing"));
  CHECK(mentions(problems_of({{"ph", "M"}, {"name", "process_sort_index"}, {"pid", 1}, {"args", {{"sort_index", "1"}}}}),
                 "args.sort_index is not an integer"));
}

TEST_CASE("duration events of one thread must nest") {
  auto x = [](double ts, double dur, int tid) {
    return json{{"ph", "X"}, {"name", "x"}, {"pid", 1}, {"tid", tid}, {"ts", ts}, {"dur", dur}};
  };
  CHECK(check_trace(json::array({x(0, 10, 1), x(5, 10, 2)})).empty());  // other thread: fine
  auto p = check_trace(json::array({x(0, 10, 1), x(5, 10, 1)}));
  REQUIRE(p.size() == 1);
  CHECK(p[0] == "event 1 overlaps event 0 on pid 1 tid 1 without nesting");
  CHECK(check_trace(json::array({x(0, 10, 1), x(10, 10, 1), x(12, 2, 1)})).empty());  // touching, nested
  json be = json::array({{{"ph", "B"}, {"name", "a"}, {"pid", 1}, {"tid", 1}, {"ts", 0}},
                         {{"ph", "X"}, {"name", "x"}, {"pid", 1}, {"tid", 1}, {"ts", 5}, {"dur", 10}},
                         {{"ph", "E"}, {"pid", 1}, {"tid", 1}, {"ts", 8}}});
  CHECK(mentions(check_trace(be), "without nesting"));
  CHECK(mentions(check_trace(json::array({{{"ph", "E"}, {"pid", 1}, {"tid", 1}, {"ts", 8}}})), "no matching B"));
}
