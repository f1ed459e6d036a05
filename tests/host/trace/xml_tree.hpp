// Parses XML with expat (a conforming parser: it rejects anything not
// well-formed) into a small element tree the SVG tests can query.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

namespace ktstr::trace::testing {

struct Element {
  std::string tag;
  std::map<std::string, std::string> attrs;
  std::string text;  // character data directly inside
  std::vector<std::unique_ptr<Element>> children;

  [[nodiscard]] std::string attr(const std::string& name) const {
    auto it = attrs.find(name);
    return it == attrs.end() ? "" : it->second;
  }
  // Every descendant (depth first) with this tag, and optionally attribute name=value.
  [[nodiscard]] std::vector<const Element*> all(const std::string& tag, const std::string& name = "",
                                                const std::string& value = "") const;
  // The descendant with id="id", or nullptr.
  [[nodiscard]] const Element* by_id(const std::string& id) const;
  // All character data below, concatenated.
  [[nodiscard]] std::string all_text() const;
};

// The document's root element, or nullptr with `error` set (expat's message and line).
std::unique_ptr<Element> parse_xml(const std::string& text, std::string& error);

}  // namespace ktstr::trace::testing
