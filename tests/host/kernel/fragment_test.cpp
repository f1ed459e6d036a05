// Fragment parsing, merging and dropped-option detection on strings.
#include <doctest/doctest.h>

#include "host/kernel/fragment.hpp"
#include "kconfig/fragment.hpp"

using namespace ktstr::kernel;

TEST_CASE("parse_kconfig reads assignments and 'is not set' lines") {
  auto v = parse_kconfig("# comment\nCONFIG_A=y\n\nCONFIG_NR_CPUS=256\n# CONFIG_B is not set\nCONFIG_S=\"x y\"\n");
  REQUIRE(v);
  CHECK(v->size() == 4);
  CHECK(v->at("CONFIG_A") == "y");
  CHECK(v->at("CONFIG_NR_CPUS") == "256");
  CHECK(v->at("CONFIG_B") == "n");
  CHECK(v->at("CONFIG_S") == "\"x y\"");
}

TEST_CASE("parse_kconfig rejects malformed lines with the line number") {
  auto bad = parse_kconfig("CONFIG_A=y\nNOT_AN_OPTION\n");
  REQUIRE_FALSE(bad);
  CHECK(bad.error().message.find("line 2") != std::string::npos);
  CHECK_FALSE(parse_kconfig("FOO=y\n"));
  CHECK_FALSE(parse_kconfig("CONFIG_A=\n"));
}

TEST_CASE("the embedded fragment parses and asks for sched_ext and BTF") {
  auto v = parse_kconfig(ktstr::kKtstrKconfigFragment);
  REQUIRE(v);
  CHECK(v->at("CONFIG_SCHED_CLASS_EXT") == "y");
  CHECK(v->at("CONFIG_DEBUG_INFO_BTF") == "y");
  CHECK(v->at("CONFIG_STRICT_DEVMEM") == "n");
}

TEST_CASE("merge_fragment overrides base lines and keeps the rest") {
  auto frag = parse_kconfig("CONFIG_SMP=y\n# CONFIG_STRICT_DEVMEM is not set\n");
  REQUIRE(frag);
  std::string merged = merge_fragment("CONFIG_X=y\n# CONFIG_SMP is not set\nCONFIG_STRICT_DEVMEM=y\n", *frag);
  auto v = parse_kconfig(merged);
  REQUIRE(v);
  CHECK(v->at("CONFIG_X") == "y");
  CHECK(v->at("CONFIG_SMP") == "y");
  CHECK(v->at("CONFIG_STRICT_DEVMEM") == "n");
  CHECK(merged.find("# CONFIG_SMP is not set") == std::string::npos);
  CHECK(merged.find("CONFIG_STRICT_DEVMEM=y") == std::string::npos);
}

TEST_CASE("find_dropped names options Kconfig changed or removed") {
  auto frag = parse_kconfig("CONFIG_A=y\nCONFIG_B=y\nCONFIG_N=64\n# CONFIG_OFF is not set\n");
  auto fin = parse_kconfig("CONFIG_A=y\nCONFIG_N=8\n");  // B dropped (absent), N changed, OFF absent = n
  REQUIRE(frag);
  REQUIRE(fin);
  auto d = find_dropped(*frag, *fin);
  REQUIRE(d.size() == 2);
  CHECK(d[0].name == "CONFIG_B");
  CHECK(d[0].got == "n");
  CHECK(d[1].name == "CONFIG_N");
  CHECK(d[1].wanted == "64");
  CHECK(d[1].got == "8");
  CHECK(describe_dropped(d) == "CONFIG_B (wanted y, got n), CONFIG_N (wanted 64, got 8)");
  CHECK(find_dropped(*frag, *parse_kconfig("CONFIG_A=y\nCONFIG_B=y\nCONFIG_N=64\n")).empty());
}
