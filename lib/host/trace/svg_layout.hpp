// Where everything goes in the timeline picture, computed before drawing
// (an SVG declares its size up front), and the context every section of
// the drawing reads.
#pragma once

#include <span>
#include <string>
#include <vector>

#include "base/telemetry.hpp"
#include "host/trace/model.hpp"
#include "host/trace/svg_writer.hpp"
#include "host/trace/time_axis.hpp"

namespace ktstr::trace {

struct Layout {
  static constexpr double kWidth = 1200;
  static constexpr double kLeft = 86;   // room for the row labels
  static constexpr double kRight = 24;
  static constexpr int kColumns = 1090;  // kWidth - kLeft - kRight: one per pixel
  static constexpr double kLine = 15;    // text line pitch below the plot

  double title_y = 22;
  double subtitle_y = 40;
  double steps_y = 52;  // step band
  double steps_h = 18;
  double events_y = 74;  // scheduler event markers
  double rows_y = 94;    // first CPU row
  double row_h = 18;
  double row_pitch = 20;
  int rows = 0;
  double axis_y = 0;
  double legend_y = 0;
  double notes_y = 0;
  double height = 0;

  [[nodiscard]] double row_top(int i) const { return rows_y + row_pitch * i; }
  [[nodiscard]] double rows_end() const { return rows_y + row_pitch * rows; }
};

// Rows get 18 px up to 16 CPUs, then shrink to fit ~400 px (at least 3).
Layout make_layout(int rows, size_t legend_lines, size_t note_lines);

// What the drawing sections read.
struct Drawing {
  const RunTelemetry& t;
  const Title& title;
  std::span<const Mark> marks;
  std::vector<std::string> cgroups;  // name order = colour order
  Layout layout;
  TimeScale scale;
};

// The sections, in drawing order (svg_sections.cpp, svg_markers.cpp, svg_legend.cpp).
void draw_heading(SvgWriter& w, const Drawing& d);
void draw_steps(SvgWriter& w, const Drawing& d);
void draw_rows(SvgWriter& w, const Drawing& d);
void draw_axis(SvgWriter& w, const Drawing& d);
void draw_events(SvgWriter& w, const Drawing& d);
void draw_marks(SvgWriter& w, const Drawing& d);
void draw_legend(SvgWriter& w, const Drawing& d);

// A legend entry: a cgroup's colour, or a key to a marker.
struct LegendEntry {
  std::string label;
  int cgroup = -1;  // index into Drawing::cgroups, or -1
  enum class Key { kNone, kViolation, kEvent, kStep, kIdle } key = Key::kNone;
};
// A line of the notes below the legend.
struct NoteLine {
  std::string text;
  bool violation = false;
};
void draw_notes(SvgWriter& w, const Drawing& d, const std::vector<NoteLine>& lines);

// Legend entries per line, and the notes' lines, so the layout can count them.
std::vector<std::vector<LegendEntry>> legend_lines(const Drawing& d);
std::vector<NoteLine> note_lines(const Drawing& d);

// text shortened with an ellipsis to about px pixels at the 11 px font.
std::string fit_text(const std::string& text, double px);

}  // namespace ktstr::trace
