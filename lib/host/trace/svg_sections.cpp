// The plot of the timeline picture: heading, step band, CPU rows and time
// axis (layout in svg_layout.hpp; events and marks in svg_markers.cpp).
#include <algorithm>
#include <cmath>

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

// One stretch of a CPU row: stacked by cgroup, the workers as tooltip.
void draw_stretch(SvgWriter& w, const Drawing& d, int cpu, double y, const RowStretch& s) {
  const Layout& l = d.layout;
  int total = 0;
  for (int k : s.per_cgroup) total += k;
  const double ns_per_column = static_cast<double>(d.scale.extent_ns) / Layout::kColumns;
  w.open("g");
  w.tooltip(fmt::format("cpu {} {}: {}", cpu,
                        time_range(static_cast<uint64_t>(s.first_column * ns_per_column),
                                   static_cast<uint64_t>(s.end_column * ns_per_column)),
                        fmt::join(s.workers, ", ")));
  for (size_t g = 0; g < s.per_cgroup.size(); ++g) {
    if (s.per_cgroup[g] == 0) continue;
    const double h = l.row_h * s.per_cgroup[g] / std::max(total, 1);
    w.leaf("rect", {{"x", num(Layout::kLeft + s.first_column)}, {"y", num(y)},
                    {"width", num(s.end_column - s.first_column)}, {"height", num(h)},
                    {"fill", std::string(cgroup_colour(g))}});
    y += h;
  }
  w.close();
}

void draw_rows(SvgWriter& w, const Drawing& d) {
  const Layout& l = d.layout;
  const int label_every = std::max(1, static_cast<int>(std::ceil(11.0 / l.row_pitch)));
  w.open("g", {{"id", "cpus"}});
  for (const auto& row : cpu_rows(d.t, d.cgroups, Layout::kColumns, d.scale.extent_ns)) {
    const double y = l.row_top(row.cpu);
    w.open("g", {{"class", "cpu"}, {"data-cpu", fmt::format("{}", row.cpu)}});
    if (row.cpu % label_every == 0)
      w.text("text", {{"x", num(Layout::kLeft - 6)}, {"y", num(y + std::min(l.row_h, 13.0))}, {"text-anchor", "end"}},
             fmt::format("cpu {}", row.cpu));
    w.leaf("rect", {{"x", num(Layout::kLeft)}, {"y", num(y)}, {"width", num(Layout::kColumns)}, {"height", num(l.row_h)},
                    {"fill", std::string(kIdleColour)}});
    for (const auto& s : row.stretches) draw_stretch(w, d, row.cpu, y, s);
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

}  // namespace ktstr::trace
