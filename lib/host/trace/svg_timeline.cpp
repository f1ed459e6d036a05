#include "host/trace/svg_timeline.hpp"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "base/xml.hpp"
#include "host/trace/svg_layout.hpp"
#include "host/trace/svg_rows.hpp"

namespace ktstr::trace {

Layout make_layout(int rows, size_t legend_lines, size_t note_lines) {
  Layout l;
  l.rows = rows;
  if (rows > 16) {
    l.row_pitch = std::max(3.0, std::floor(400.0 / rows));
    l.row_h = l.row_pitch >= 10 ? l.row_pitch - 2 : l.row_pitch - 1;
  }
  l.axis_y = l.rows_end() + 4;
  l.legend_y = l.axis_y + 56;
  l.notes_y = l.legend_y + Layout::kLine * static_cast<double>(legend_lines) + 10;
  l.height = l.notes_y + Layout::kLine * static_cast<double>(note_lines) + 8;
  return l;
}

std::string fit_text(const std::string& text, double px) {
  constexpr double kCharPx = 6.3;  // average advance of the 11 px sans-serif font
  const auto fits = static_cast<size_t>(std::max(0.0, px / kCharPx));
  if (text.size() <= fits) return text;
  if (fits < 3) return "";
  return text.substr(0, fits - 1) + "\u2026";
}

std::string render_svg(const RunTelemetry& t, const Title& title, std::span<const Mark> marks) {
  Drawing d{.t = t, .title = title, .marks = marks, .cgroups = cgroup_names(t), .layout = {}, .scale = {}};
  d.scale = TimeScale{.x0 = Layout::kLeft, .width = Layout::kColumns, .extent_ns = run_extent_ns(t, marks)};
  const auto notes = note_lines(d);
  d.layout = make_layout(cpu_count(t), legend_lines(d).size(), notes.size());
  SvgWriter w(Layout::kWidth, d.layout.height);
  w.tooltip(fmt::format("ktstr timeline of {}", title.test));
  w.leaf("rect", {{"width", "100%"}, {"height", "100%"}, {"fill", "#FFFFFF"}});
  draw_heading(w, d);
  draw_steps(w, d);
  draw_rows(w, d);
  draw_axis(w, d);
  draw_events(w, d);
  draw_marks(w, d);
  draw_legend(w, d);
  draw_notes(w, d, notes);
  return w.finish();
}

std::string wrap_html(const std::string& svg, const std::string& title) {
  return fmt::format(
      "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>{}</title>\n"
      "<style>body {{ margin: 8px; background: #FFFFFF; }}</style>\n</head>\n<body>\n{}</body>\n</html>\n",
      xml_escape(title), svg);
}

}  // namespace ktstr::trace
