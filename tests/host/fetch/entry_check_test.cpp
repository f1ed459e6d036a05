#include <doctest/doctest.h>

#include "host/fetch/entry_check.hpp"

using namespace ktstr::fetch;

TEST_CASE("safe_relative_path normalises harmless names") {
  CHECK(safe_relative_path("linux-6.12/Makefile").value() == "linux-6.12/Makefile");
  CHECK(safe_relative_path("./linux/./a//b/").value() == "linux/a/b");
  CHECK(safe_relative_path("./").value() == "");
  CHECK(safe_relative_path("a..b/..c").value() == "a..b/..c");  // dots inside names are fine
}

TEST_CASE("safe_relative_path rejects absolute names and '..' components, naming the entry") {
  auto abs = safe_relative_path("/etc/passwd");
  REQUIRE_FALSE(abs);
  CHECK(abs.error().message.find("/etc/passwd") != std::string::npos);
  auto up = safe_relative_path("linux/../../evil");
  REQUIRE_FALSE(up);
  CHECK(up.error().message.find("linux/../../evil") != std::string::npos);
  CHECK_FALSE(safe_relative_path("../evil"));
  CHECK_FALSE(safe_relative_path("a/.."));  // harmless in effect, but never needed: refuse
  CHECK_FALSE(safe_relative_path(""));
}

TEST_CASE("check_symlink_target allows links that stay inside the destination") {
  CHECK(check_symlink_target("linux/include/asm", "../arch/x86/include/asm"));
  CHECK(check_symlink_target("linux/a/b/c", "../../../linux/x"));
  CHECK(check_symlink_target("top", "./sibling"));
  CHECK(check_symlink_target("linux/dts", "../linux/./x/../y"));
}

TEST_CASE("check_symlink_target rejects links that leave the destination") {
  auto abs = check_symlink_target("linux/l", "/etc");
  REQUIRE_FALSE(abs);
  CHECK(abs.error().message.find("linux/l") != std::string::npos);
  CHECK_FALSE(check_symlink_target("linux/l", "../.."));
  CHECK_FALSE(check_symlink_target("top", ".."));
  // Resolves to a "linux" beside the destination, not the one inside it.
  CHECK_FALSE(check_symlink_target("linux/l", "../../linux/x"));
  CHECK_FALSE(check_symlink_target("linux/l", ""));
}

TEST_CASE("top_component") {
  CHECK(top_component("linux/a/b") == "linux");
  CHECK(top_component("linux") == "linux");
}
