#include <doctest/doctest.h>

#include <cstdlib>

#include "fake_kernel_org.hpp"
#include "host/fetch/fetch.hpp"
#include "base/sha256.hpp"

namespace fs = std::filesystem;
using namespace ktstr::fetch;
using ktstr::Sha256;
using namespace ktstr::fetch::test;

namespace {

std::string sha256_of(const fs::path& p) {
  Sha256 h;
  REQUIRE(h.update_from_file(p));
  return h.hex();
}

bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

}  // namespace

TEST_CASE("resolve_version: exact version -> URL and sha256 from sha256sums.asc") {
  auto server = FakeKernelOrg::start();
  REQUIRE_MESSAGE(server, (server ? "" : server.error().message));
  auto rel = resolve_version("6.12.99", {.mirror = server->url()});
  REQUIRE_MESSAGE(rel, (rel ? "" : rel.error().message));
  CHECK(rel->version == "6.12.99");
  CHECK(rel->url == server->url() + "/v6.x/linux-6.12.99.tar.xz");
  CHECK(rel->sha256 == sha256_of(server->root() / "v6.x/linux-6.12.99.tar.xz"));
  CHECK_FALSE(contains(server->log(), "releases.json"));  // an exact version needs no list
}

TEST_CASE("resolve_version: a prefix picks the newest release, releases.json first, then the listing") {
  auto server = FakeKernelOrg::start();
  REQUIRE(server);
  DownloadOptions opts{.mirror = server->url() + "/"};  // a trailing slash is tolerated
  auto rel = resolve_version("6.12", opts);
  REQUIRE_MESSAGE(rel, (rel ? "" : rel.error().message));
  CHECK(rel->version == "6.12.99");
  CHECK(contains(server->log(), "GET /releases.json"));
  CHECK_FALSE(contains(server->log(), "GET /v6.x/ "));

  // 6.13 is not in releases.json: found in the v6.x/ index (6.13 and 6.13.2 there).
  auto from_listing = resolve_version("6.13", opts);
  REQUIRE_MESSAGE(from_listing, (from_listing ? "" : from_listing.error().message));
  CHECK(from_listing->version == "6.13.2");
  CHECK(from_listing->url == server->url() + "/v6.x/linux-6.13.2.tar.xz");
  CHECK(contains(server->log(), "GET /v6.x/ "));

  // Without releases.json the listing alone still works.
  fs::remove(server->root() / "releases.json");
  auto no_json = resolve_version("6.12", opts);
  REQUIRE_MESSAGE(no_json, (no_json ? "" : no_json.error().message));
  CHECK(no_json->version == "6.12.99");
}

TEST_CASE("resolve_version: unknown versions are named in the error with what was found") {
  auto server = FakeKernelOrg::start();
  REQUIRE(server);
  DownloadOptions opts{.mirror = server->url()};
  auto series = resolve_version("6.14", opts);
  REQUIRE_FALSE(series);
  INFO(series.error().message);
  CHECK(contains(series.error().message, "unknown kernel version 6.14"));
  CHECK(contains(series.error().message, "6.17.3, 6.12.99"));            // from releases.json
  CHECK(contains(series.error().message, "6.12.98, 6.12.99, 6.13.2"));  // from the listing

  auto exact = resolve_version("6.12.100", opts);
  REQUIRE_FALSE(exact);
  INFO(exact.error().message);
  CHECK(contains(exact.error().message, "unknown kernel version 6.12.100"));
  CHECK(contains(exact.error().message, server->url() + "/v6.x/sha256sums.asc"));
}

TEST_CASE("resolve_version: versions before 6.12 and malformed versions are refused without a request") {
  auto server = FakeKernelOrg::start();
  REQUIRE(server);
  for (const char* old : {"6.11", "6.11.5", "5.15.3"}) {
    auto r = resolve_version(old, {.mirror = server->url()});
    REQUIRE_FALSE(r);
    CHECK(contains(r.error().message, "sched_ext needs Linux >= 6.12"));
    CHECK(contains(r.error().message, old));
  }
  auto bad = resolve_version("banana", {.mirror = server->url()});
  REQUIRE_FALSE(bad);
  CHECK(contains(bad.error().message, "'banana' is not a kernel version"));
  CHECK(server->log().empty());
}

TEST_CASE("resolve_version: KTSTR_KERNEL_MIRROR is used when no mirror is given") {
  auto server = FakeKernelOrg::start();
  REQUIRE(server);
  ::setenv("KTSTR_KERNEL_MIRROR", server->url().c_str(), 1);
  auto rel = resolve_version("6.12", {});
  ::unsetenv("KTSTR_KERNEL_MIRROR");
  REQUIRE_MESSAGE(rel, (rel ? "" : rel.error().message));
  CHECK(rel->url == server->url() + "/v6.x/linux-6.12.99.tar.xz");
}

TEST_CASE("resolve_version: an unreachable mirror fails at once, naming the URL and the local tarball") {
  std::string mirror = fmt::format("http://127.0.0.1:{}", closed_loopback_port());
  auto r = resolve_version("6.12", {.mirror = mirror});
  REQUIRE_FALSE(r);
  INFO(r.error().message);
  CHECK(contains(r.error().message, mirror + "/releases.json"));
  CHECK(contains(r.error().message, "--kernel /usr/src/linux-source-6.12.tar.xz"));
}

TEST_CASE("resolve_version: a mirror that never answers the connection fails by the connect timeout") {
  auto hole = make_blackhole();
  REQUIRE_MESSAGE(hole, (hole ? "" : hole.error().message));
  std::string mirror = fmt::format("http://127.0.0.1:{}", hole->port);
  // Without CURLOPT_CONNECTTIMEOUT libcurl would wait 300 s here (ctest's timeout would fire first).
  auto r = resolve_version("6.12.3", {.mirror = mirror});
  REQUIRE_FALSE(r);
  INFO(r.error().message);
  CHECK(contains(r.error().message, mirror + "/v6.x/sha256sums.asc"));
  CHECK(contains(r.error().message, "--kernel /usr/src/linux-source-6.12.tar.xz"));
}
