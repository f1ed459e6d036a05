// `ktstr kernel plan`: what a build would do, without building.
#include <doctest/doctest.h>

#include "host/kernel/digest.hpp"
#include "host/kernel/plan.hpp"
#include "resolve_rig.hpp"

using namespace ktstr::kernel;
namespace fs = std::filesystem;

TEST_CASE("plan of a tarball: the key it builds, not cached, then a hit after the build") {
  Rig rig;
  EnvVar env("KTSTR_KERNEL", "");
  fs::path tarball = rig.usr_src / "linux-source-6.12.tar.xz";
  write_text(tarball, "src");
  auto opts = rig.options();
  opts.allow_build = false;  // ignored by plan: it reports what a build would do
  auto p = plan_kernel(opts);
  REQUIRE(p);
  auto want = make_cache_key("6.12", *tarball_digest(tarball, rig.cache), fragment_hash());
  CHECK(p->key == want);
  CHECK(p->source == tarball.string());
  CHECK_FALSE(p->hit);
  CHECK(p->describe().find("not cached: built at build time") != std::string::npos);
  CHECK(rig.built.empty());
  CHECK_FALSE(fs::exists(rig.cache / want));

  REQUIRE(build_once(rig.cache, want, [](const fs::path& temp) { return fake_build(temp); }));
  auto hit = plan_kernel(rig.options());
  REQUIRE(hit);
  REQUIRE(hit->hit);
  CHECK(hit->hit->key == want);
  CHECK(hit->describe().find("cache hit (" + (rig.cache / want).string() + ")") != std::string::npos);
  CHECK(rig.built.empty());
}

TEST_CASE("plan with extras: its own key, a version needs the network, so no key") {
  Rig rig;
  EnvVar env("KTSTR_KERNEL", "");
  write_text(rig.usr_src / "linux-source-6.12.tar.xz", "src");
  auto plain = plan_kernel(rig.options());
  auto opts = rig.options();
  opts.kconfig = *compose_kconfig(true, {});
  auto debug = plan_kernel(opts);
  REQUIRE(plain);
  REQUIRE(debug);
  CHECK(plain->key != debug->key);
  CHECK(debug->describe().find("[+debug]") != std::string::npos);

  opts.kernel = "6.12.3";
  auto version = plan_kernel(opts);
  REQUIRE(version);
  CHECK(version->key.empty());
  CHECK(version->source == "kernel.org 6.12.3");
  CHECK(rig.built.empty());
}

TEST_CASE("plan of a prebuilt kernel and of an empty chain") {
  Rig rig;
  fs::path prebuilt = rig.t.path() / "prebuilt";
  write_text(prebuilt / "bzImage", "kernel");
  EnvVar env("KTSTR_KERNEL", prebuilt.string());
  auto p = plan_kernel(rig.options());
  REQUIRE(p);
  CHECK(p->prebuilt);
  CHECK(p->origin == "KTSTR_KERNEL");
  CHECK(p->describe().find("prebuilt, used as is") != std::string::npos);

  EnvVar none("KTSTR_KERNEL", "");
  auto empty = plan_kernel(rig.options());
  REQUIRE_FALSE(empty);
  CHECK(empty.error().message.find("no kernel found") != std::string::npos);
}
