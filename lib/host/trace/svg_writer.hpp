// A small writer for SVG markup that cannot produce malformed XML: every
// attribute value and text is escaped (base/xml.hpp), elements close in
// order. Coordinates are formatted with one decimal.
#pragma once

#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ktstr::trace {

// name="value" pairs; values are escaped on output.
using Attrs = std::initializer_list<std::pair<std::string_view, std::string>>;

// v with at most one decimal, without a trailing ".0" ("12", "12.5").
std::string num(double v);

class SvgWriter {
 public:
  // Starts an <svg> document of width x height user units (= CSS px).
  SvgWriter(double width, double height);
  // <tag attrs>; closed by close().
  void open(std::string_view tag, Attrs attrs = {});
  // Closes the innermost open element.
  void close();
  // <tag attrs/>.
  void leaf(std::string_view tag, Attrs attrs);
  // <tag attrs>text</tag>.
  void text(std::string_view tag, Attrs attrs, std::string_view content);
  // <title>text</title>: a tooltip for the enclosing element.
  void tooltip(std::string_view content) { text("title", {}, content); }
  // Closes every open element (the <svg> last) and returns the document.
  std::string finish();

 private:
  void start_tag(std::string_view tag, Attrs attrs);
  std::string out_;
  std::vector<std::string> open_;
};

}  // namespace ktstr::trace
