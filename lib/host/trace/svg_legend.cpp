// Below the plot of the timeline picture: the legend (cgroup colours and
// marker key) and the notes (numbered violations, how to read the rows).
#include <algorithm>
#include <map>
#include <set>

#include <fmt/format.h>

#include "host/trace/palette.hpp"
#include "host/trace/svg_layout.hpp"

namespace ktstr::trace {
namespace {

constexpr double kCharPx = 6.3;
constexpr size_t kNoteChars = 180;

std::string cgroup_label(const Drawing& d, size_t g) {
  std::set<int> workers;
  for (const auto& w : d.t.workers)
    if (w.cgroup == d.cgroups[g]) workers.insert(w.pid != 0 ? w.pid : -1 - w.worker);
  return fmt::format("{} ({} worker{})", d.cgroups[g].empty() ? "/ (test root)" : d.cgroups[g], workers.size(),
                     workers.size() == 1 ? "" : "s");
}

double entry_width(const LegendEntry& e) { return 18 + kCharPx * static_cast<double>(e.label.size()) + 14; }

// Splits text into lines of at most width characters at spaces.
std::vector<std::string> wrap(const std::string& text, size_t width) {
  std::vector<std::string> out;
  std::string line;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t sp = text.find(' ', pos);
    std::string word = text.substr(pos, sp == std::string::npos ? std::string::npos : sp - pos);
    pos = sp == std::string::npos ? text.size() : sp + 1;
    if (!line.empty() && line.size() + 1 + word.size() > width) out.push_back(std::move(line)), line = "    ";
    line += (line.empty() || line == "    " ? "" : " ") + word;
  }
  if (!line.empty()) out.push_back(std::move(line));
  return out;
}

}  // namespace

std::vector<std::vector<LegendEntry>> legend_lines(const Drawing& d) {
  std::vector<std::vector<LegendEntry>> lines(1);
  double x = 0;
  for (size_t g = 0; g < d.cgroups.size(); ++g) {
    LegendEntry e{.label = cgroup_label(d, g), .cgroup = static_cast<int>(g)};
    const double w = entry_width(e);
    if (x > 0 && x + w > Layout::kColumns) lines.emplace_back(), x = 0;
    lines.back().push_back(std::move(e));
    x += w;
  }
  using K = LegendEntry::Key;
  lines.push_back({{.label = "violation [n]", .key = K::kViolation},
                   {.label = "scheduler event", .key = K::kEvent},
                   {.label = "step boundary", .key = K::kStep},
                   {.label = "no worker seen", .key = K::kIdle}});
  return lines;
}

std::vector<NoteLine> note_lines(const Drawing& d) {
  std::vector<NoteLine> out;
  auto add = [&out](const std::string& text, bool violation) {
    for (auto& l : wrap(text, kNoteChars)) out.push_back({std::move(l), violation});
  };
  if (!d.marks.empty()) add("Violations:", true);
  for (size_t i = 0; i < d.marks.size(); ++i)
    add(fmt::format("[{}] {}{}", i + 1, d.marks[i].detail, d.marks[i].timed ? "" : " (not placed in time)"), true);
  const bool placed =
      std::any_of(d.t.workers.begin(), d.t.workers.end(), [](const auto& w) { return !w.placement.empty(); });
  add(placed ? fmt::format("Rows are vCPUs. Colour: the cgroup of the worker seen running there (progress observations "
                           "at most {} us apart); a pixel column ({:.2f} ms) where several workers were seen is split "
                           "between their cgroups. Blank: no worker seen (idle, the scheduler, kernel threads). Hover "
                           "for names and times.",
                           kPlacementGapUs, static_cast<double>(d.scale.extent_ns) / Layout::kColumns / 1e6)
             : "This telemetry has no placement runs (recorded before ktstr kept them), so the rows are empty.",
      false);
  return out;
}

void draw_legend(SvgWriter& w, const Drawing& d) {
  using K = LegendEntry::Key;
  const std::string red(kViolationColour);
  w.open("g", {{"id", "legend"}});
  const auto lines = legend_lines(d);
  for (size_t li = 0; li < lines.size(); ++li) {
    const double y = d.layout.legend_y + Layout::kLine * static_cast<double>(li);
    double x = Layout::kLeft;
    for (const auto& e : lines[li]) {
      w.open("g", {{"class", e.cgroup >= 0 ? "cgroup" : "key"}});
      if (e.key == K::kViolation)
        w.leaf("rect", {{"x", num(x)}, {"y", num(y - 10)}, {"width", "12"}, {"height", "12"}, {"fill", red},
                        {"fill-opacity", "0.14"}, {"stroke", red}});
      else if (e.key == K::kEvent)
        w.leaf("polygon",
               {{"points", fmt::format("{},{} {},{} {},{}", num(x), num(y - 10), num(x + 12), num(y - 10), num(x + 6), num(y))},
                {"fill", red}});
      else if (e.key == K::kStep)
        w.leaf("line", {{"x1", num(x + 6)}, {"x2", num(x + 6)}, {"y1", num(y - 11)}, {"y2", num(y + 2)},
                        {"stroke", "#888888"}, {"stroke-dasharray", "4 3"}});
      else
        w.leaf("rect", {{"x", num(x)}, {"y", num(y - 10)}, {"width", "12"}, {"height", "12"}, {"stroke", "#BBBBBB"},
                        {"fill", e.cgroup >= 0 ? std::string(cgroup_colour(static_cast<size_t>(e.cgroup)))
                                               : std::string(kIdleColour)}});
      w.text("text", {{"x", num(x + 18)}, {"y", num(y)}}, e.label);
      w.close();
      x += entry_width(e);
    }
  }
  w.close();
}

void draw_notes(SvgWriter& w, const Drawing& d, const std::vector<NoteLine>& lines) {
  w.open("g", {{"id", "notes"}});
  for (size_t i = 0; i < lines.size(); ++i)
    w.text("text",
           {{"x", num(Layout::kLeft)}, {"y", num(d.layout.notes_y + Layout::kLine * static_cast<double>(i))},
            {"fill", lines[i].violation ? std::string(kViolationColour) : std::string(kInkColour)}},
           lines[i].text);
  w.close();
}

}  // namespace ktstr::trace
