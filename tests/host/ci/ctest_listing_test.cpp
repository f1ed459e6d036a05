// Parsers of `ctest --show-only=json-v1` and CTestCostData.txt, on documents
// shaped like CTest 3.25's output.
#include <doctest/doctest.h>

#include "host/ci/ctest_listing.hpp"

namespace ci = ktstr::ci;

namespace {

// Two cpus groups (ktstr entry, 2 vCPUs), a PROCESSORS-only entry, a COST
// entry, a bare one.
constexpr std::string_view kListing = R"({
  "kind": "ctestInfo", "version": {"major": 1, "minor": 0},
  "backtraceGraph": {"commands": [], "files": [], "nodes": []},
  "tests": [
    {"name": "wvt/ktstr/steady", "command": ["/b/ktstr-vm", "--test", "steady", "--", "--test", "steady",
                                            "--duration", "1500ms"],
     "properties": [{"name": "PROCESSORS", "value": 2},
                    {"name": "RESOURCE_GROUPS", "value": [
                       {"requirements": [{".type": "cpus", "slots": 1}]},
                       {"requirements": [{".type": "cpus", "slots": 1}]}]}]},
    {"name": "vmm/boot", "command": ["/b/vmm_tests"], "properties": [{"name": "PROCESSORS", "value": 4}]},
    {"name": "costly", "command": ["/bin/true"], "properties": [{"name": "COST", "value": 12.5}]},
    {"name": "bare", "command": ["/bin/true"]}
  ]})";

}  // namespace

TEST_CASE("listing: cpus from RESOURCE_GROUPS, else PROCESSORS, else 1, the duration and COST") {
  auto entries = ci::parse_ctest_listing(kListing);
  REQUIRE(entries);
  REQUIRE(entries->size() == 4);
  const auto& e = *entries;
  CHECK(e[0].name == "wvt/ktstr/steady");
  CHECK(e[0].cpus == 2);
  REQUIRE(e[0].duration_s);
  CHECK(*e[0].duration_s == doctest::Approx(1.5));
  CHECK(e[1].cpus == 4);
  CHECK_FALSE(e[1].duration_s);
  REQUIRE(e[2].cost_property);
  CHECK(*e[2].cost_property == doctest::Approx(12.5));
  CHECK(e[3].cpus == 1);
  CHECK_FALSE(e[3].duration_s);
  CHECK_FALSE(e[3].cost_property);
}

TEST_CASE("listing: slots of other resource types do not count as CPUs") {
  auto entries = ci::parse_ctest_listing(R"({"kind": "ctestInfo", "tests": [{"name": "g", "properties": [
      {"name": "RESOURCE_GROUPS", "value": [{"requirements": [{".type": "gpus", "slots": 4}]}]},
      {"name": "PROCESSORS", "value": 3}]}]})");
  REQUIRE(entries);
  CHECK((*entries)[0].cpus == 3);
}

TEST_CASE("listing: a malformed --duration is no duration") {
  auto entries = ci::parse_ctest_listing(
      R"({"kind": "ctestInfo", "tests": [{"name": "x", "command": ["a", "--duration", "soon"]},
                                          {"name": "y", "command": ["a", "--duration", "2s"]},
                                          {"name": "z", "command": ["a", "--duration"]}]})");
  REQUIRE(entries);
  CHECK_FALSE((*entries)[0].duration_s);
  REQUIRE((*entries)[1].duration_s);
  CHECK(*(*entries)[1].duration_s == doctest::Approx(2.0));
  CHECK_FALSE((*entries)[2].duration_s);
}

TEST_CASE("listing: errors name what is wrong") {
  auto not_json = ci::parse_ctest_listing("No tests were found!!!");
  REQUIRE_FALSE(not_json);
  CHECK(not_json.error().message.find("--show-only=json-v1") != std::string::npos);
  auto wrong_kind = ci::parse_ctest_listing(R"({"kind": "codemodel", "tests": []})");
  REQUIRE_FALSE(wrong_kind);
  CHECK(wrong_kind.error().message.find("ctestInfo") != std::string::npos);
  auto no_name = ci::parse_ctest_listing(R"({"kind": "ctestInfo", "tests": [{"command": ["a"]}]})");
  REQUIRE_FALSE(no_name);
  CHECK(no_name.error().message.find("without a name") != std::string::npos);
}

TEST_CASE("cost data: name runs average per line, stops at ---, skips malformed lines") {
  const auto costs = ci::parse_cost_data(
      "wvt/ktstr/steady 3 4.25\n"
      "vmm/boot 1 0.5\n"
      "garbage\n"
      "neg 1 -2\n"
      "---\n"
      "wvt/ktstr/steady\n");
  REQUIRE(costs.size() == 2);
  CHECK(costs.at("wvt/ktstr/steady") == doctest::Approx(4.25));
  CHECK(costs.at("vmm/boot") == doctest::Approx(0.5));
  CHECK(ci::parse_cost_data("").empty());
}
