#include <doctest/doctest.h>

#include "host/fetch/release_index.hpp"

using namespace ktstr::fetch;

TEST_CASE("KernelVersion parses MAJOR.MINOR[.PATCH] and nothing else") {
  auto v = KernelVersion::parse("6.12.3");
  REQUIRE(v);
  CHECK(v->major == 6);
  CHECK(v->minor == 12);
  CHECK(v->patch == 3);
  CHECK(KernelVersion::parse("6.12")->patch == std::nullopt);
  for (const char* bad : {"", "6", "6.", "6.12.", "6.12.3.1", "6.13-rc1", "v6.12", "next-20251120", "6.x", "06.12", " 6.12"})
    CHECK_MESSAGE(!KernelVersion::parse(bad), bad);
}

TEST_CASE("KernelVersion names tarballs and series like kernel.org") {
  CHECK(KernelVersion::parse("6.12.3")->tarball_name() == "linux-6.12.3.tar.xz");
  CHECK(KernelVersion::parse("6.12")->tarball_name() == "linux-6.12.tar.xz");
  CHECK(KernelVersion::parse("6.12.0")->tarball_name() == "linux-6.12.tar.xz");
  CHECK(KernelVersion::parse("7.1.2")->series_dir() == "v7.x");
}

TEST_CASE("KernelVersion orders numerically, a missing patch counting as 0") {
  auto v = [](const char* s) { return *KernelVersion::parse(s); };
  CHECK(v("6.9") < v("6.12"));
  CHECK(v("6.12.10") > v("6.12.9"));
  CHECK(v("6.12") == v("6.12.0"));
  CHECK(v("6.11.99") < kMinSchedExtVersion);
  CHECK_FALSE(v("6.12.0") < kMinSchedExtVersion);
}

TEST_CASE("parse_releases_json keeps numeric versions in order") {
  auto r = parse_releases_json(R"({"releases":[{"moniker":"mainline","version":"6.18-rc5"},
      {"moniker":"stable","version":"6.17.3"},{"moniker":"longterm","version":"6.12.99"},
      {"moniker":"linux-next","version":"next-20251120"},{"moniker":"odd"}]})");
  REQUIRE(r);
  CHECK(join_versions(*r) == "6.17.3, 6.12.99");
  CHECK_FALSE(parse_releases_json("<html>not json</html>"));
  CHECK_FALSE(parse_releases_json(R"({"latest_stable":{}})"));
}

TEST_CASE("parse_listing finds linux-*.tar.xz links only") {
  auto versions = parse_listing(R"(<a href="../">../</a>
<a href="linux-6.12.tar.xz">linux-6.12.tar.xz</a>  <a href="linux-6.12.tar.sign">s</a>
<a href="linux-6.12.3.tar.xz">x</a><a href="/pub/linux/kernel/v6.x/linux-6.12.10.tar.xz">y</a>
<a href="patch-6.12.3.xz">p</a><a href="linux-6.13-rc1.tar.xz">rc</a>)");
  CHECK(join_versions(versions) == "6.12, 6.12.3, 6.12.10");
}

TEST_CASE("newest_in_series picks the highest patch of the series") {
  auto versions = parse_listing(R"(href="linux-6.12.tar.xz" href="linux-6.12.9.tar.xz" href="linux-6.12.10.tar.xz"
                                   href="linux-6.13.1.tar.xz")");
  CHECK(newest_in_series(versions, *KernelVersion::parse("6.12"))->to_string() == "6.12.10");
  CHECK(newest_in_series(versions, *KernelVersion::parse("6.13"))->to_string() == "6.13.1");
  CHECK_FALSE(newest_in_series(versions, *KernelVersion::parse("6.14")));
  CHECK(newest_in_series(parse_listing(R"(href="linux-6.15.tar.xz")"), *KernelVersion::parse("6.15"))->to_string() ==
        "6.15");
}

TEST_CASE("find_sha256 reads the hash lines of a clear-signed sha256sums.asc") {
  const std::string a(64, 'a');
  const std::string b = "ABCDEF" + std::string(58, '0');
  std::string sums = "-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA256\n\n" + a + "  linux-6.12.3.tar.xz\r\n" + b +
                     " *linux-6.12.4.tar.xz\n" + a + "  linux-6.12.3.tar.gz\n-----BEGIN PGP SIGNATURE-----\n\nxyz\n";
  CHECK(find_sha256(sums, "linux-6.12.3.tar.xz") == a);
  CHECK(find_sha256(sums, "linux-6.12.4.tar.xz") == "abcdef" + std::string(58, '0'));
  CHECK_FALSE(find_sha256(sums, "linux-6.12.5.tar.xz"));
  CHECK_FALSE(find_sha256(sums, "linux-6.12.tar.xz"));
  CHECK_FALSE(find_sha256("deadbeef  linux-6.12.3.tar.xz\n", "linux-6.12.3.tar.xz"));  // not 64 hex digits
}
