#include "xml_tree.hpp"

#include <expat.h>

#include <fmt/format.h>

namespace ktstr::trace::testing {
namespace {

struct State {
  std::unique_ptr<Element> root;
  std::vector<Element*> stack;
};

void on_start(void* data, const XML_Char* name, const XML_Char** attrs) {
  auto* s = static_cast<State*>(data);
  auto e = std::make_unique<Element>();
  e->tag = name;
  for (int i = 0; attrs[i]; i += 2) e->attrs[attrs[i]] = attrs[i + 1];
  Element* raw = e.get();
  if (s->stack.empty()) s->root = std::move(e);
  else s->stack.back()->children.push_back(std::move(e));
  s->stack.push_back(raw);
}

void on_end(void* data, const XML_Char*) { static_cast<State*>(data)->stack.pop_back(); }

void on_text(void* data, const XML_Char* text, int len) {
  auto* s = static_cast<State*>(data);
  if (!s->stack.empty()) s->stack.back()->text.append(text, static_cast<size_t>(len));
}

void collect(const Element& e, const std::string& tag, const std::string& name, const std::string& value,
             std::vector<const Element*>& out) {
  for (const auto& c : e.children) {
    if (c->tag == tag && (name.empty() || c->attr(name) == value)) out.push_back(c.get());
    collect(*c, tag, name, value, out);
  }
}

}  // namespace

std::vector<const Element*> Element::all(const std::string& tag, const std::string& name,
                                         const std::string& value) const {
  std::vector<const Element*> out;
  collect(*this, tag, name, value, out);
  return out;
}

const Element* Element::by_id(const std::string& id) const {
  if (attr("id") == id) return this;
  for (const auto& c : children)
    if (const Element* e = c->by_id(id)) return e;
  return nullptr;
}

std::string Element::all_text() const {
  std::string out = text;
  for (const auto& c : children) out += c->all_text();
  return out;
}

std::unique_ptr<Element> parse_xml(const std::string& text, std::string& error) {
  State state;
  XML_Parser p = XML_ParserCreate("UTF-8");
  XML_SetUserData(p, &state);
  XML_SetElementHandler(p, on_start, on_end);
  XML_SetCharacterDataHandler(p, on_text);
  const bool ok = XML_Parse(p, text.data(), static_cast<int>(text.size()), 1) == XML_STATUS_OK;
  if (!ok)
    error = fmt::format("{} at line {}", XML_ErrorString(XML_GetErrorCode(p)), XML_GetCurrentLineNumber(p));
  XML_ParserFree(p);
  if (!ok) return nullptr;
  return std::move(state.root);
}

}  // namespace ktstr::trace::testing
