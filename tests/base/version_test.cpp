// The release version and the launcher's version-skew message.
#include <doctest/doctest.h>

#include <regex>
#include <string>

#include "base/version.hpp"

TEST_CASE("the version is the project's MAJOR.MINOR.PATCH") {
  CHECK(std::regex_match(std::string(ktstr::ktstr_version()), std::regex("[0-9]+\\.[0-9]+\\.[0-9]+")));
}

TEST_CASE("version skew: one line naming both versions, none when equal or unknown") {
  CHECK(ktstr::version_skew("0.1.0", "0.1.0").empty());
  CHECK(ktstr::version_skew("", "0.1.0").empty());  // an older adapter that does not say
  auto msg = ktstr::version_skew("0.1.0", "0.2.0");
  CHECK(msg.find("built against ktstr 0.1.0") != std::string::npos);
  CHECK(msg.find("this ktstr-vm is 0.2.0") != std::string::npos);
  CHECK(msg.find('\n') == std::string::npos);
}
