// Text for XML documents (SVG, CDash measurements): escaping, and making
// arbitrary bytes (kernel messages, test names) legal XML 1.0 characters.
#pragma once

#include <string>
#include <string_view>

namespace ktstr {

// s with & < > " ' written as entities, so it is safe as element text and
// as a quoted attribute value. Bytes XML 1.0 does not allow ("Char",
// section 2.2: C0 controls other than tab, LF and CR; U+FFFE, U+FFFF) and
// bytes that are not valid UTF-8 become U+FFFD.
std::string xml_escape(std::string_view s);

}  // namespace ktstr
