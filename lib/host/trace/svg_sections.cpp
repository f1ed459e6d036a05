// The plot of the timeline picture: heading, step band, CPU rows, time
// axis, scheduler events and violation marks (layout in svg_layout.hpp).
#include <algorithm>
#include <cmath>
#include <map>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "host/trace/palette.hpp"
#include "host/trace/svg_layout.hpp"
#include "host/trace/svg_rows.hpp"

namespace ktstr::trace {
namespace {

std::string outcome_colour(const std::string& outcome) {
  if (outcome == "fail") return std::string(kViolationColour);
  if (outcome == "pass") return "#1B7837";
  return std::string(kMutedColour);
}

// "1-3,5" for {1,2,3,5}.
std::string number_list(const std::vector<int>& n) {
  std::string out;
  for (size_t i = 0; i < n.size();) {
    size_t j = i;
    while (j + 1 < n.size() && n[j + 1] == n[j] + 1) ++j;
    out += fmt::format("{}{}", out.empty() ? "" : ",", j > i ? fmt::format("{}-{}", n[i], n[j]) : fmt::format("{}", n[i]));
    i = j + 1;
  }
  return out;
}

}  // namespace

void draw_heading(SvgWriter& w, const Drawing& d) {
  const auto& ti = d.title;
  w.open("text", {{"x", num(Layout::kLeft)}, {"y", num(d.layout.title_y)}, {"font-size", "15"}});
  w.text("tspan", {{"font-weight", "bold"}}, "ktstr timeline ");
  w.text("tspan", {}, fmt::format("{} \u00b7 sched={} \u00b7 topo={} \u00b7 ", ti.test,
                                  ti.scheduler.empty() ? "eevdf" : ti.scheduler, ti.topology));
  w.text("tspan", {{"font-weight", "bold"}, {"fill", outcome_colour(ti.outcome)}}, ti.outcome);
  w.close();
  size_t runs = 0;
  uint64_t merged_us = 0;
  for (const auto& r : d.t.workers) runs += r.placement.size(), merged_us += r.placement_merged_us;
  auto sub = fmt::format("kernel {} \u00b7 {} vCPUs \u00b7 {:.2f} s \u00b7 {} worker records, {} placement runs",
                         ti.kernel.empty() ? "?" : ti.kernel, cpu_count(d.t), d.scale.seconds(), d.t.workers.size(),
                         runs);
  if (merged_us > 0) sub += fmt::format(" (coarsened: {:.1f} ms shown approximately)", static_cast<double>(merged_us) / 1e3);
  w.text("text", {{"x", num(Layout::kLeft)}, {"y", num(d.layout.subtitle_y)}, {"fill", std::string(kMutedColour)}}, sub);
}

void draw_steps(SvgWriter& w, const Drawing& d) {
  const Layout& l = d.layout;
  w.open("g", {{"id", "steps"}});
  w.text("text", {{"x", num(Layout::kLeft - 6)}, {"y", num(l.steps_y + 13)}, {"text-anchor", "end"}}, "steps");
  for (size_t i = 0; i < d.t.steps.size(); ++i) {
    const auto& s = d.t.steps[i];
    const double x0 = d.scale.x(s.start_ns), x1 = std::max(d.scale.x(s.end_ns), x0 + 1);
    w.open("g");
    w.tooltip(fmt::format("step {} '{}' {}{}", s.index, s.name, time_range(s.start_ns, s.end_ns),
                          s.ops.empty() ? "" : fmt::format("; ops: {}", fmt::join(s.ops, "; "))));
    w.leaf("rect", {{"x", num(x0)}, {"y", num(l.steps_y)}, {"width", num(x1 - x0)}, {"height", num(l.steps_h)},
                    {"fill", i % 2 ? "#DDDDDD" : "#ECECEC"}});
    w.text("text", {{"x", num(x0 + 3)}, {"y", num(l.steps_y + 13)}},
           fit_text(fmt::format("{} {}", s.index, s.name), x1 - x0 - 6));
    w.close();
    for (double x : {x0, x1}) {  // step boundaries through the rows: starts, and the last end
      if (x == x1 && i + 1 < d.t.steps.size()) continue;
      w.leaf("line", {{"x1", num(x)}, {"x2", num(x)}, {"y1", num(l.steps_y)}, {"y2", num(l.rows_end())},
                      {"stroke", "#888888"}, {"stroke-dasharray", "4 3"}});
    }
  }
  w.close();
}

void draw_rows(SvgWriter& w, const Drawing& d) {
  const Layout& l = d.layout;
  const auto rows = cpu_rows(d.t, d.cgroups, Layout::kColumns, d.scale.extent_ns);
  const int label_every = std::max(1, static_cast<int>(std::ceil(11.0 / l.row_pitch)));
  const double ns_per_column = static_cast<double>(d.scale.extent_ns) / Layout::kColumns;
  w.open("g", {{"id", "cpus"}});
  for (const auto& row : rows) {
    const double y = l.row_top(row.cpu);
    w.open("g", {{"class", "cpu"}, {"data-cpu", fmt::format("{}", row.cpu)}});
    if (row.cpu % label_every == 0)
      w.text("text", {{"x", num(Layout::kLeft - 6)}, {"y", num(y + std::min(l.row_h, 13.0))}, {"text-anchor", "end"}},
             fmt::format("cpu {}", row.cpu));
    w.leaf("rect", {{"x", num(Layout::kLeft)}, {"y", num(y)}, {"width", num(Layout::kColumns)}, {"height", num(l.row_h)},
                    {"fill", std::string(kIdleColour)}});
    for (const auto& s : row.stretches) {
      const int total = std::max(1, [&] { int n = 0; for (int k : s.per_cgroup) n += k; return n; }());
      const auto t0 = static_cast<uint64_t>(s.first_column * ns_per_column);
      const auto t1 = static_cast<uint64_t>(s.end_column * ns_per_column);
      w.open("g");
      w.tooltip(fmt::format("cpu {} {}: {}", row.cpu, time_range(t0, t1), fmt::join(s.workers, ", ")));
      double yy = y;
      for (size_t g = 0; g < s.per_cgroup.size(); ++g) {
        if (s.per_cgroup[g] == 0) continue;
        const double h = l.row_h * s.per_cgroup[g] / total;
        w.leaf("rect", {{"x", num(Layout::kLeft + s.first_column)}, {"y", num(yy)},
                        {"width", num(s.end_column - s.first_column)}, {"height", num(h)},
                        {"fill", std::string(cgroup_colour(g))}});
        yy += h;
      }
      w.close();
    }
    w.close();
  }
  w.close();
}

void draw_axis(SvgWriter& w, const Drawing& d) {
  const Layout& l = d.layout;
  const double step = tick_step_s(d.scale.seconds(), 12);
  w.open("g", {{"id", "axis"}});
  w.leaf("line", {{"x1", num(Layout::kLeft)}, {"x2", num(Layout::kLeft + Layout::kColumns)}, {"y1", num(l.axis_y)},
                  {"y2", num(l.axis_y)}, {"stroke", std::string(kInkColour)}});
  for (int k = 0; k * step <= d.scale.seconds() * (1 + 1e-9); ++k) {
    const double x = d.scale.x(static_cast<uint64_t>(k * step * 1e9));
    w.leaf("line", {{"x1", num(x)}, {"x2", num(x)}, {"y1", num(l.rows_y)}, {"y2", num(l.rows_end())},
                    {"stroke", "#000000"}, {"stroke-opacity", "0.08"}});
    w.leaf("line", {{"x1", num(x)}, {"x2", num(x)}, {"y1", num(l.axis_y)}, {"y2", num(l.axis_y + 4)},
                    {"stroke", std::string(kInkColour)}});
    w.text("text", {{"x", num(x)}, {"y", num(l.axis_y + 16)}, {"text-anchor", "middle"}}, tick_label(k * step, step));
  }
  w.text("text", {{"x", num(Layout::kLeft)}, {"y", num(l.axis_y + 32)}, {"fill", std::string(kMutedColour)}},
         "time since the run started");
  w.close();
}

void draw_events(SvgWriter& w, const Drawing& d) {
  const Layout& l = d.layout;
  // Failures are labelled first; other labels only where they do not collide.
  std::vector<const SchedEvent*> order;
  for (const auto& e : d.t.scheduler.events) order.push_back(&e);
  std::stable_partition(order.begin(), order.end(),
                        [](const SchedEvent* e) { return e->kind == "ejected" || e->kind == "died"; });
  std::vector<std::pair<double, double>> labels;
  w.open("g", {{"id", "events"}});
  w.text("text", {{"x", num(Layout::kLeft - 6)}, {"y", num(l.events_y + 10)}, {"text-anchor", "end"}}, "scheduler");
  for (const SchedEvent* e : order) {
    const double x = d.scale.x(e->t_ns);
    const std::string colour(event_colour(e->kind));
    const bool failure = colour == kViolationColour;
    w.open("g", {{"class", "event"}, {"data-kind", e->kind}});
    w.tooltip(fmt::format("scheduler {} at {:.3f} s{}", e->kind, static_cast<double>(e->t_ns) / 1e9,
                          e->detail.empty() ? "" : ": " + e->detail));
    w.leaf("line", {{"x1", num(x)}, {"x2", num(x)}, {"y1", num(l.events_y)}, {"y2", num(l.rows_end())},
                    {"stroke", colour}, {"stroke-width", failure ? "2" : "1"}, {"stroke-dasharray", failure ? "none" : "2 2"}});
    w.leaf("polygon", {{"points", fmt::format("{},{} {},{} {},{}", num(x - 5), num(l.events_y), num(x + 5),
                                              num(l.events_y), num(x), num(l.events_y + 9))},
                       {"fill", colour}});
    const double lx = x + 7, rx = lx + 6.3 * static_cast<double>(e->kind.size());
    const bool clear = std::none_of(labels.begin(), labels.end(),
                                    [&](const auto& p) { return lx < p.second + 4 && rx > p.first - 4; });
    if (clear || failure) {
      w.text("text", {{"x", num(lx)}, {"y", num(l.events_y + 9)}, {"fill", colour}, {"font-size", "10"}}, e->kind);
      labels.emplace_back(lx, rx);
    }
    w.close();
  }
  w.close();
}

void draw_marks(SvgWriter& w, const Drawing& d) {
  const Layout& l = d.layout;
  std::map<std::pair<uint64_t, uint64_t>, std::vector<int>> places;  // identical places share a band
  std::map<std::pair<uint64_t, uint64_t>, std::vector<std::string>> details;
  for (size_t i = 0; i < d.marks.size(); ++i) {
    const Mark& m = d.marks[i];
    if (!m.timed) continue;
    places[{m.start_ns, std::max(m.start_ns, m.end_ns)}].push_back(static_cast<int>(i) + 1);
    details[{m.start_ns, std::max(m.start_ns, m.end_ns)}].push_back(fmt::format("[{}] {}", i + 1, m.detail));
  }
  const std::string red(kViolationColour);
  w.open("g", {{"id", "violations"}});
  for (const auto& [when, numbers] : places) {
    const double x0 = d.scale.x(when.first), x1 = std::max(d.scale.x(when.second), x0 + 2);
    w.open("g", {{"class", "violation"}});
    w.tooltip(fmt::format("{}", fmt::join(details[when], "\n")));
    if (when.second > when.first)
      w.leaf("rect", {{"x", num(x0)}, {"y", num(l.rows_y - 2)}, {"width", num(x1 - x0)},
                      {"height", num(l.rows_end() - l.rows_y + 2)}, {"fill", red}, {"fill-opacity", "0.14"},
                      {"stroke", red}, {"stroke-width", "1.5"}});
    else
      w.leaf("line", {{"x1", num(x0)}, {"x2", num(x0)}, {"y1", num(l.rows_y - 2)}, {"y2", num(l.rows_end())},
                      {"stroke", red}, {"stroke-width", "2.5"}});
    w.text("text", {{"x", num(x0 + 3)}, {"y", num(l.rows_y + 11)}, {"fill", red}, {"font-weight", "bold"},
                    {"stroke", "#FFFFFF"}, {"stroke-width", "3"}, {"paint-order", "stroke"}},
           fmt::format("[{}]", number_list(numbers)));
    w.close();
  }
  w.close();
}

}  // namespace ktstr::trace
