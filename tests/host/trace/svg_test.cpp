// The SVG picture: well-formed (parsed by expat), the structure the README
// promises, violations where they happened, and a golden file for the
// sample run. Regenerate after an intended change with
//   KTSTR_UPDATE_GOLDEN=1 ctest -R trace/
#include <doctest/doctest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "fixture.hpp"
#include "host/trace/svg_timeline.hpp"
#include "host/trace/time_axis.hpp"
#include "xml_tree.hpp"

using namespace ktstr;
using namespace ktstr::trace;
using testing::Element;
using testing::kMs;

namespace {

std::unique_ptr<Element> parse(const std::string& svg) {
  std::string error;
  auto root = testing::parse_xml(svg, error);
  INFO(error);
  REQUIRE(root);
  return root;
}

std::string sample_svg() { return render_svg(testing::sample_run(), testing::sample_title(), testing::sample_marks()); }

// Where the sample's 2 s run lies on the page.
TimeScale sample_scale() { return {.x0 = 86, .width = 1090, .extent_ns = 2000 * kMs}; }

}  // namespace

TEST_CASE("the picture is a well-formed SVG document with the promised parts") {
  auto root = parse(sample_svg());
  CHECK(root->tag == "svg");
  CHECK(root->attr("xmlns") == "http://www.w3.org/2000/svg");
  CHECK(root->attr("width") == "1200");
  for (const char* id : {"steps", "cpus", "axis", "events", "violations", "legend", "notes"})
    CHECK_MESSAGE(root->by_id(id) != nullptr, id);
  auto rows = root->by_id("cpus")->all("g", "class", "cpu");
  REQUIRE(rows.size() == 2);
  CHECK(rows[1]->attr("data-cpu") == "1");
  // Colours by cgroup (name order): cg0 blue, cg1 orange; both appear on cpu 1.
  std::set<std::string> fills;
  for (const Element* r : rows[1]->all("rect")) fills.insert(r->attr("fill"));
  CHECK(fills.contains("#4477AA"));
  CHECK(fills.contains("#EE7733"));
  CHECK(root->by_id("legend")->all("g", "class", "cgroup").size() == 2);
  CHECK(root->by_id("legend")->all_text().find("cg1 (1 worker)") != std::string::npos);
}

TEST_CASE("steps, scheduler events and axis") {
  auto root = parse(sample_svg());
  const std::string steps = root->by_id("steps")->all_text();
  CHECK(steps.find("0 warm") != std::string::npos);
  CHECK(steps.find("ops: add cgroup cg1") != std::string::npos);  // tooltip
  auto events = root->by_id("events")->all("g", "class", "event");
  REQUIRE(events.size() == 3);
  CHECK(events[0]->attr("data-kind") == "ejected");  // failures are drawn (and labelled) first
  CHECK(events[0]->all_text().find("runnable task stall <&\"'>") != std::string::npos);
  const std::string axis = root->by_id("axis")->all_text();
  CHECK(axis.find("0.0 s") != std::string::npos);
  CHECK(axis.find("2.0 s") != std::string::npos);
}

TEST_CASE("violations are marked where they happened and listed") {
  auto root = parse(sample_svg());
  auto marks = root->by_id("violations")->all("g", "class", "violation");
  REQUIRE(marks.size() == 2);  // the gap band and the ejection line; the assertion has no place
  auto band = marks[0]->all("rect");
  REQUIRE(band.size() == 1);
  const auto scale = sample_scale();
  CHECK(std::stod(band[0]->attr("x")) == doctest::Approx(scale.x(1200 * kMs)).epsilon(0.001));
  CHECK(std::stod(band[0]->attr("width")) == doctest::Approx(scale.x(2000 * kMs) - scale.x(1200 * kMs)).epsilon(0.01));
  CHECK(marks[0]->all_text().find("[1]") != std::string::npos);
  CHECK(marks[1]->all("line").size() == 1);
  const std::string notes = root->by_id("notes")->all_text();
  CHECK(notes.find("[1] gap cg1/w0 step 1: observed 800.0 ms") != std::string::npos);
  CHECK(notes.find("[3] assertion t.cpp:3: x == 1 (not placed in time)") != std::string::npos);
}

TEST_CASE("the starved worker's CPU shows only cg0 after the starvation began") {
  auto root = parse(sample_svg());
  auto rows = root->by_id("cpus")->all("g", "class", "cpu");
  const double starve_x = sample_scale().x(1210 * kMs);
  for (const Element* r : rows[1]->all("rect")) {
    if (r->attr("fill") != "#EE7733") continue;
    CHECK(std::stod(r->attr("x")) + std::stod(r->attr("width")) <= starve_x);
  }
}

TEST_CASE("hostile text stays well-formed, no placement says so") {
  auto t = testing::sample_run();
  for (auto& w : t.workers) w.placement.clear();
  t.scheduler.events.back().detail = "a\x01 b\xff </svg> & ]]>";
  auto title = testing::sample_title();
  title.test = "x<y>&\"z'";
  auto root = parse(render_svg(t, title, testing::sample_marks()));
  CHECK(root->all_text().find("x<y>&\"z'") != std::string::npos);
  CHECK(root->by_id("notes")->all_text().find("no placement runs") != std::string::npos);
  CHECK(root->by_id("cpus")->all("g", "class", "cpu").size() == 2);  // rows still drawn, empty
}

TEST_CASE("many CPUs shrink the rows, and the size stays bounded by pixel columns") {
  RunTelemetry t{.vcpus = 64, .duration_ns = 1000 * kMs};
  for (int w = 0; w < 128; ++w) {
    WorkerTelemetry rec{.cgroup = w % 2 ? "b" : "a", .worker = w / 2, .pid = 1000 + w};
    for (uint64_t i = 0; i < kMaxCpuRuns; ++i)
      rec.placement.push_back({.start_us = i * 7000 + static_cast<uint64_t>(w) * 13, .end_us = i * 7000 + 3000,
                               .cpu = static_cast<int>((static_cast<uint64_t>(w) + i) % 64)});
    t.workers.push_back(rec);
  }
  const auto svg = render_svg(t, {}, {});
  auto root = parse(svg);
  auto rows = root->by_id("cpus")->all("g", "class", "cpu");
  REQUIRE(rows.size() == 64);
  CHECK(std::stod(root->attr("height")) < 700);
  CHECK(svg.size() < 64 * 1090 * 2 * 120);  // at most a stretch per column, cgroup and CPU
}

TEST_CASE("golden: the sample run's picture") {
  const auto svg = sample_svg();
  const auto path = std::filesystem::path(KTSTR_TRACE_GOLDEN_DIR) / "sample.svg";
  if (const char* u = std::getenv("KTSTR_UPDATE_GOLDEN"); u && std::string_view(u) == "1") {
    std::ofstream(path) << svg;
    MESSAGE("updated " << path.string());
  }
  std::ifstream in(path);
  REQUIRE_MESSAGE(in.good(), "missing golden file " << path.string() << " (KTSTR_UPDATE_GOLDEN=1 creates it)");
  std::stringstream expected;
  expected << in.rdbuf();
  CHECK(svg == expected.str());
}

TEST_CASE("the HTML page embeds the picture") {
  const auto html = wrap_html(sample_svg(), "t <1>");
  CHECK(html.starts_with("<!DOCTYPE html>"));
  CHECK(html.find("<title>t &lt;1&gt;</title>") != std::string::npos);
  CHECK(html.find("<svg xmlns=") != std::string::npos);
}

TEST_CASE("axis ticks are round and labelled to their precision") {
  CHECK(tick_step_s(2.0, 12) == doctest::Approx(0.2));
  CHECK(tick_step_s(8.3, 12) == doctest::Approx(1.0));
  CHECK(tick_step_s(0.05, 12) == doctest::Approx(0.005));
  CHECK(tick_label(1.5, 0.5) == "1.5 s");
  CHECK(tick_label(2, 1) == "2 s");
  CHECK(tick_label(0.02, 0.01) == "0.02 s");
}

TEST_CASE("a run without telemetry (a timeout before any result) still draws and traces") {
  const RunTelemetry empty;
  const std::vector<Mark> marks = {{.label = "timeout vm", .detail = "timeout vm: the VM did not finish", .timed = true}};
  auto root = parse(render_svg(empty, {}, marks));
  CHECK(root->by_id("cpus")->all("g", "class", "cpu").empty());
  CHECK(root->by_id("notes")->all_text().find("[1] timeout vm") != std::string::npos);
  CHECK(root->by_id("violations")->all("g", "class", "violation").size() == 1);
}

TEST_CASE("labels of nearby violations stack instead of covering each other") {
  auto marks = testing::sample_marks();
  marks.push_back({.label = "gap cg1/w0 step 1 (again)", .detail = "another gap", .timed = true,
                   .start_ns = 1210 * kMs, .end_ns = 1990 * kMs});
  auto root = parse(render_svg(testing::sample_run(), testing::sample_title(), marks));
  auto places = root->by_id("violations")->all("g", "class", "violation");
  REQUIRE(places.size() == 3);
  std::set<std::string> label_y;
  for (const Element* p : places)
    for (const Element* t : p->all("text"))
      if (std::stod(t->attr("x")) < sample_scale().x(1300 * kMs)) label_y.insert(t->attr("y"));
  CHECK(label_y.size() == 2);  // [1] and [4] start 10 ms apart: two text rows
}

TEST_CASE("an event label moves left of its marker when the right side is taken") {
  auto t = testing::sample_run();
  t.scheduler.events.push_back({.t_ns = 1910 * kMs, .kind = "died", .detail = "exit code 0"});
  auto root = parse(render_svg(t, testing::sample_title(), {}));
  const Element* ejected = nullptr;
  for (const Element* e : root->by_id("events")->all("g", "class", "event"))
    if (e->attr("data-kind") == "ejected") ejected = e;
  REQUIRE(ejected);
  auto text = ejected->all("text");
  REQUIRE(text.size() == 1);
  CHECK(std::stod(text[0]->attr("x")) < sample_scale().x(1900 * kMs));  // "died" 10 ms later took the right
}
