// The markers over the timeline picture's rows: scheduler events and the
// verdict's violations (layout in svg_layout.hpp).
#include <algorithm>
#include <cmath>
#include <map>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "host/trace/palette.hpp"
#include "host/trace/svg_layout.hpp"

namespace ktstr::trace {
namespace {

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

bool is_failure(const SchedEvent& e) { return e.kind == "ejected" || e.kind == "died"; }

// Horizontal extents already taken in one text row: labels, and the
// triangles they must not cover.
using Taken = std::vector<std::pair<double, double>>;
bool is_free(const Taken& taken, double x0, double x1) {
  return std::none_of(taken.begin(), taken.end(), [&](const auto& p) { return x0 < p.second + 2 && x1 > p.first - 2; });
}

// A triangle above the rows and a line through them; the kind as label,
// right of the triangle or else left of it, unless both would cover
// something already there (failures are labelled regardless).
void draw_event(SvgWriter& w, const Drawing& d, const SchedEvent& e, Taken& taken) {
  const Layout& l = d.layout;
  const double x = d.scale.x(e.t_ns);
  const std::string colour(event_colour(e.kind));
  w.open("g", {{"class", "event"}, {"data-kind", e.kind}});
  w.tooltip(fmt::format("scheduler {} at {:.3f} s{}", e.kind, static_cast<double>(e.t_ns) / 1e9,
                        e.detail.empty() ? "" : ": " + e.detail));
  w.leaf("line", {{"x1", num(x)}, {"x2", num(x)}, {"y1", num(l.events_y)}, {"y2", num(l.rows_end())},
                  {"stroke", colour}, {"stroke-width", is_failure(e) ? "2" : "1"},
                  {"stroke-dasharray", is_failure(e) ? "none" : "2 2"}});
  w.leaf("polygon", {{"points", fmt::format("{},{} {},{} {},{}", num(x - 5), num(l.events_y), num(x + 5),
                                            num(l.events_y), num(x), num(l.events_y + 9))},
                     {"fill", colour}});
  const double width = 6 * static_cast<double>(e.kind.size());
  const bool right = is_free(taken, x + 8, x + 8 + width), left = is_free(taken, x - 8 - width, x - 8);
  if (right || left || is_failure(e)) {
    const double lx = right || !left ? x + 8 : x - 8 - width;
    w.text("text", {{"x", num(lx)}, {"y", num(l.events_y + 9)}, {"fill", colour}, {"font-size", "10"}}, e.kind);
    taken.emplace_back(lx, lx + width);
  }
  w.close();
}

// Marks at the same place share one band: their numbers and texts.
struct Place {
  std::vector<int> numbers;
  std::vector<std::string> details;
};
std::map<std::pair<uint64_t, uint64_t>, Place> places_of(std::span<const Mark> marks) {
  std::map<std::pair<uint64_t, uint64_t>, Place> out;
  for (size_t i = 0; i < marks.size(); ++i) {
    if (!marks[i].timed) continue;
    Place& p = out[{marks[i].start_ns, std::max(marks[i].start_ns, marks[i].end_ns)}];
    p.numbers.push_back(static_cast<int>(i) + 1);
    p.details.push_back(fmt::format("[{}] {}", i + 1, marks[i].detail));
  }
  return out;
}

// A band over a span, or a line at an instant, labelled [n] in the first
// text row (of those the CPU rows have room for) where it covers no other label.
void draw_place(SvgWriter& w, const Drawing& d, std::pair<uint64_t, uint64_t> when, const Place& p,
                std::vector<Taken>& label_rows) {
  const Layout& l = d.layout;
  const std::string red(kViolationColour);
  const double x0 = d.scale.x(when.first), x1 = std::max(d.scale.x(when.second), x0 + 2);
  w.open("g", {{"class", "violation"}});
  w.tooltip(fmt::format("{}", fmt::join(p.details, "\n")));
  if (when.second > when.first)
    w.leaf("rect", {{"x", num(x0)}, {"y", num(l.rows_y - 2)}, {"width", num(x1 - x0)},
                    {"height", num(l.rows_end() - l.rows_y + 2)}, {"fill", red}, {"fill-opacity", "0.14"},
                    {"stroke", red}, {"stroke-width", "1.5"}});
  else
    w.leaf("line", {{"x1", num(x0)}, {"x2", num(x0)}, {"y1", num(l.rows_y - 2)}, {"y2", num(l.rows_end())},
                    {"stroke", red}, {"stroke-width", "2.5"}});
  const std::string label = fmt::format("[{}]", number_list(p.numbers));
  const double lx0 = x0 + 3, lx1 = lx0 + 7 * static_cast<double>(label.size());
  size_t row = 0;
  while (row + 1 < label_rows.size() && !is_free(label_rows[row], lx0, lx1)) ++row;
  label_rows[row].emplace_back(lx0, lx1);
  w.text("text", {{"x", num(lx0)}, {"y", num(l.rows_y + 11 + 12 * static_cast<double>(row))}, {"fill", red},
                  {"font-weight", "bold"}, {"stroke", "#FFFFFF"}, {"stroke-width", "3"}, {"paint-order", "stroke"}},
         label);
  w.close();
}

}  // namespace

void draw_events(SvgWriter& w, const Drawing& d) {
  std::vector<const SchedEvent*> order;  // failures first: their labels always go in
  for (const auto& e : d.t.scheduler.events) order.push_back(&e);
  std::stable_partition(order.begin(), order.end(), [](const SchedEvent* e) { return is_failure(*e); });
  Taken taken;  // every triangle first, so no label covers one
  for (const SchedEvent* e : order) taken.emplace_back(d.scale.x(e->t_ns) - 5, d.scale.x(e->t_ns) + 5);
  w.open("g", {{"id", "events"}});
  w.text("text", {{"x", num(Layout::kLeft - 6)}, {"y", num(d.layout.events_y + 10)}, {"text-anchor", "end"}},
         "scheduler");
  for (const SchedEvent* e : order) draw_event(w, d, *e, taken);
  w.close();
}

void draw_marks(SvgWriter& w, const Drawing& d) {
  const double rows_h = d.layout.rows_end() - d.layout.rows_y;
  std::vector<Taken> label_rows(static_cast<size_t>(std::max(1.0, std::floor(rows_h / 12))));
  w.open("g", {{"id", "violations"}});
  for (const auto& [when, place] : places_of(d.marks)) draw_place(w, d, when, place, label_rows);
  w.close();
}

}  // namespace ktstr::trace
