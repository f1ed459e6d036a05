// The READMEs list every work type and canned scenario the code knows: a
// name added to work.cpp or scenarios.cpp without a documentation row fails
// here, and so does a work type row whose group size disagrees with the code.
#include <doctest/doctest.h>

#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "base/fd.hpp"
#include "guest/counters.hpp"
#include "guest/scenarios.hpp"
#include "guest/work.hpp"

using namespace ktstr;
using namespace ktstr::guest;

namespace {

std::string text(const char* relative) {
  auto t = read_file(std::string(KTSTR_SOURCE_DIR) + "/" + relative);
  REQUIRE_MESSAGE(t, (t ? "" : t.error().message));
  return *t;
}

std::string trim(const std::string& s) {
  const auto b = s.find_first_not_of(' '), e = s.find_last_not_of(' ');
  return b == std::string::npos ? "" : s.substr(b, e - b + 1);
}

// Markdown table rows of text: name -> the row's other cells, where the
// first cell may list several names ("mixed, mixed_workloads").
std::map<std::string, std::vector<std::string>> table_rows(const std::string& md) {
  std::map<std::string, std::vector<std::string>> rows;
  std::istringstream in(md);
  for (std::string line; std::getline(in, line);) {
    if (!line.starts_with("| ")) continue;
    std::vector<std::string> cells;
    std::istringstream cs(line.substr(1));
    for (std::string c; std::getline(cs, c, '|');) cells.push_back(trim(c));
    if (cells.size() < 2) continue;
    std::istringstream names(cells[0]);
    for (std::string n; std::getline(names, n, ',');)
      rows[trim(n)] = std::vector<std::string>(cells.begin() + 1, cells.end());
  }
  return rows;
}

}  // namespace

TEST_CASE("lib/guest/README.md has a row for every work type with its group size") {
  const auto rows = table_rows(text("lib/guest/README.md"));
  for (const auto& t : work_types()) {
    CAPTURE(t.name);
    auto it = rows.find(std::string(t.name));
    REQUIRE(it != rows.end());
    REQUIRE(it->second.size() >= 2);
    CHECK(it->second[0] == std::to_string(t.group_size));
    CHECK(!it->second[1].empty());
  }
}

TEST_CASE("lib/guest/README.md has a row for every canned scenario") {
  const auto rows = table_rows(text("lib/guest/README.md"));
  for (const auto& c : canned_scenarios()) {
    CAPTURE(c.name);
    auto it = rows.find(std::string(c.name));
    REQUIRE(it != rows.end());
    CHECK(!it->second[0].empty());
  }
}

TEST_CASE("README.md names every work type and canned scenario") {
  const auto md = text("README.md");
  for (const auto& t : work_types()) {
    CAPTURE(t.name);
    CHECK(md.find(fmt::format("`{}`", t.name)) != std::string::npos);
  }
  for (const auto& c : canned_scenarios()) {
    CAPTURE(c.name);
    CHECK(md.find(fmt::format("`{}`", c.name)) != std::string::npos);
  }
  CHECK(md.find(fmt::format("one of {} work types", work_types().size())) != std::string::npos);
}

TEST_CASE("lib/guest/README.md documents every counter and fact name and their number") {
  const auto md = text("lib/guest/README.md");
  for (size_t i = 0; i < kCounterCount; ++i) {
    const auto n = counter_name(static_cast<Counter>(i));
    CAPTURE(n);
    CHECK(md.find(fmt::format("`{}`", n)) != std::string::npos);
  }
  for (size_t i = 0; i < kFactCount; ++i) {
    const auto n = fact_name(static_cast<Fact>(i));
    CAPTURE(n);
    CHECK(md.find(fmt::format("`{}`", n)) != std::string::npos);
  }
  CHECK(md.find(fmt::format("At most {} counters + {} facts per record", kCounterCount, kFactCount)) != std::string::npos);
}
