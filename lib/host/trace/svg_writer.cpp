#include "host/trace/svg_writer.hpp"

#include <cmath>

#include <fmt/format.h>

#include "base/xml.hpp"

namespace ktstr::trace {

std::string num(double v) {
  const double r = std::round(v * 10.0) / 10.0;
  if (r == std::trunc(r)) return fmt::format("{}", static_cast<long long>(r));
  return fmt::format("{:.1f}", r);
}

SvgWriter::SvgWriter(double width, double height) {
  open("svg", {{"xmlns", "http://www.w3.org/2000/svg"},
               {"width", num(width)},
               {"height", num(height)},
               {"viewBox", fmt::format("0 0 {} {}", num(width), num(height))},
               {"font-family", "DejaVu Sans, Helvetica, Arial, sans-serif"},
               {"font-size", "11"}});
}

void SvgWriter::start_tag(std::string_view tag, Attrs attrs) {
  out_ += '<';
  out_ += tag;
  for (const auto& [name, value] : attrs) out_ += fmt::format(" {}=\"{}\"", name, xml_escape(value));
}

void SvgWriter::open(std::string_view tag, Attrs attrs) {
  start_tag(tag, attrs);
  out_ += ">\n";
  open_.emplace_back(tag);
}

void SvgWriter::close() {
  if (open_.empty()) return;
  out_ += fmt::format("</{}>\n", open_.back());
  open_.pop_back();
}

void SvgWriter::leaf(std::string_view tag, Attrs attrs) {
  start_tag(tag, attrs);
  out_ += "/>\n";
}

void SvgWriter::text(std::string_view tag, Attrs attrs, std::string_view content) {
  start_tag(tag, attrs);
  out_ += fmt::format(">{}</{}>\n", xml_escape(content), tag);
}

std::string SvgWriter::finish() {
  while (!open_.empty()) close();
  return std::move(out_);
}

}  // namespace ktstr::trace
