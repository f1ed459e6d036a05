// Resolution chain order: --kernel > $KTSTR_KERNEL > newest cache entry >
// Debian tarball (built through an injected builder) > error.
#include <doctest/doctest.h>
#include <stdlib.h>

#include "resolve_rig.hpp"

using namespace ktstr::kernel;
namespace fs = std::filesystem;

TEST_CASE("empty chain: error with guidance") {
  Rig rig;
  EnvVar env("KTSTR_KERNEL", "");
  auto r = resolve_kernel(rig.options());
  REQUIRE_FALSE(r);
  CHECK(r.error().message.find("no kernel found") != std::string::npos);
  CHECK(r.error().message.find("linux-source-6.12") != std::string::npos);
}

TEST_CASE("Debian tarball is built when the cache is empty, then the cache wins") {
  Rig rig;
  EnvVar env("KTSTR_KERNEL", "");
  write_text(rig.usr_src / "linux-source-6.9.tar.xz", "old");
  write_text(rig.usr_src / "linux-source-6.12.tar.xz", "new");
  auto r = resolve_kernel(rig.options());
  REQUIRE(r);
  REQUIRE(rig.built.size() == 1);
  CHECK(rig.built[0] == (rig.usr_src / "linux-source-6.12.tar.xz").string());  // 6.12 > 6.9 numerically
  CHECK_FALSE(r->cache_hit);
  CHECK(r->bpftool == rig.cache / "6.12-feedfeedfeed/bin/bpftool");
  auto again = resolve_kernel(rig.options());
  REQUIRE(again);
  CHECK(rig.built.size() == 1);
  CHECK(again->origin == "newest cache entry");
  CHECK(again->cache_hit);
  CHECK(again->describe().find("cache hit") != std::string::npos);
}

TEST_CASE("KTSTR_KERNEL beats the cache, --kernel beats KTSTR_KERNEL") {
  Rig rig;
  REQUIRE(build_once(rig.cache, "6.12-000000000001", [](const fs::path& temp) { return fake_build(temp); }));
  fs::path prebuilt = rig.t.path() / "prebuilt";
  write_text(prebuilt / "bzImage", "kernel");
  write_text(prebuilt / "vmlinux", "elf");
  EnvVar env("KTSTR_KERNEL", prebuilt.string());

  auto from_env = resolve_kernel(rig.options());
  REQUIRE(from_env);
  CHECK(from_env->origin == "KTSTR_KERNEL");
  CHECK(from_env->bzimage == prebuilt / "bzImage");
  CHECK(from_env->vmlinux == prebuilt / "vmlinux");
  CHECK(from_env->key.empty());

  auto opts = rig.options();
  opts.kernel = "6.12-000000000001";
  auto explicit_key = resolve_kernel(opts);
  REQUIRE(explicit_key);
  CHECK(explicit_key->origin == "--kernel");
  CHECK(explicit_key->key == "6.12-000000000001");

  opts.kernel = "/no/such/kernel";
  auto missing = resolve_kernel(opts);
  REQUIRE_FALSE(missing);
  CHECK(missing.error().message.find("--kernel") != std::string::npos);
  CHECK(rig.built.empty());
}

TEST_CASE("a damaged newest entry is removed and the chain moves on") {
  Rig rig;
  EnvVar env("KTSTR_KERNEL", "");
  REQUIRE(build_once(rig.cache, "6.12-000000000002", [](const fs::path& temp) { return fake_build(temp); }));
  fs::remove(rig.cache / "6.12-000000000002/vmlinux");
  write_text(rig.usr_src / "linux-source-6.12.tar.xz", "src");
  auto r = resolve_kernel(rig.options());
  REQUIRE(r);
  CHECK_FALSE(fs::exists(rig.cache / "6.12-000000000002"));
  CHECK(rig.built.size() == 1);
  CHECK(r->key == "6.12-feedfeedfeed");
}

TEST_CASE("allow_build=false never builds") {
  Rig rig;
  EnvVar env("KTSTR_KERNEL", "");
  write_text(rig.usr_src / "linux-source-6.12.tar.xz", "src");
  auto opts = rig.options();
  opts.allow_build = false;
  auto r = resolve_kernel(opts);
  REQUIRE_FALSE(r);
  CHECK(r.error().message.find("ktstr kernel build") != std::string::npos);
  CHECK(rig.built.empty());
}

TEST_CASE("an entry built with an older fragment loses to a build, and is the fallback without one") {
  Rig rig;
  EnvVar env("KTSTR_KERNEL", "");
  REQUIRE(build_once(rig.cache, "6.12-0000000000aa",
                     [](const fs::path& temp) { return fake_build(temp, {}, "older-fragment"); }));
  auto opts = rig.options();
  opts.allow_build = false;
  auto fallback = resolve_kernel(opts);  // nothing to build from: the stale entry, labelled
  REQUIRE(fallback);
  CHECK(fallback->key == "6.12-0000000000aa");
  CHECK(fallback->origin.find("older kconfig fragment") != std::string::npos);

  write_text(rig.usr_src / "linux-source-6.12.tar.xz", "src");
  auto disabled = resolve_kernel(opts);  // still no build allowed: still the stale entry
  REQUIRE(disabled);
  CHECK(disabled->key == "6.12-0000000000aa");
  CHECK(rig.built.empty());

  auto built = resolve_kernel(rig.options());  // a source is there: build with the current fragment
  REQUIRE(built);
  CHECK(rig.built.size() == 1);
  CHECK(built->key == "6.12-feedfeedfeed");
  CHECK(fs::exists(rig.cache / "6.12-0000000000aa"));  // the old entry is kept, not removed
}
