// Fragments with extras: the combined text, its hash (the cache key part),
// the built-in debug fragment (every option survives its own check), and
// resolution keeping debug and plain kernels apart.
#include <doctest/doctest.h>

#include "host/kernel/digest.hpp"
#include "host/kernel/fragment.hpp"
#include "host/kernel/kconfig_spec.hpp"
#include "kconfig/fragment.hpp"
#include "resolve_rig.hpp"

using namespace ktstr::kernel;
namespace fs = std::filesystem;

TEST_CASE("without extras the fragment and its hash are ktstr.kconfig's, as before") {
  auto base = base_kconfig();
  CHECK(base.text == ktstr::kKtstrKconfigFragment);
  CHECK(base.extras.empty());
  CHECK(base.hash() == fragment_hash());
  auto none = compose_kconfig(false, {});
  REQUIRE(none);
  CHECK(none->hash() == base.hash());
}

TEST_CASE("debug and fragment files are appended in order and change the hash") {
  TestDir t;
  write_text(t.path() / "a.kconfig", "CONFIG_A=y\n");
  write_text(t.path() / "b.kconfig", "# CONFIG_A is not set\nCONFIG_B=m\n");
  auto debug = compose_kconfig(true, {});
  REQUIRE(debug);
  CHECK(debug->extras == "debug");
  CHECK(debug->text.starts_with(ktstr::kKtstrKconfigFragment));
  CHECK(debug->text.find("CONFIG_PROVE_LOCKING=y") != std::string::npos);
  CHECK(debug->hash() != base_kconfig().hash());

  auto both = compose_kconfig(true, {t.path() / "a.kconfig", t.path() / "b.kconfig"});
  REQUIRE(both);
  CHECK(both->extras == "debug + " + (t.path() / "a.kconfig").string() + " + " + (t.path() / "b.kconfig").string());
  auto values = parse_kconfig(both->text);
  REQUIRE(values);
  CHECK(values->at("CONFIG_A") == "n");  // the later fragment wins
  CHECK(values->at("CONFIG_B") == "m");
  CHECK(values->at("CONFIG_LOCKDEP") == "y");
  CHECK(both->hash() != debug->hash());
  auto reordered = compose_kconfig(true, {t.path() / "b.kconfig", t.path() / "a.kconfig"});
  REQUIRE(reordered);
  CHECK(reordered->hash() != both->hash());
}

TEST_CASE("a missing or malformed fragment file is an error naming it") {
  TestDir t;
  auto missing = compose_kconfig(false, {t.path() / "nope.kconfig"});
  REQUIRE_FALSE(missing);
  CHECK(missing.error().message.find("nope.kconfig") != std::string::npos);
  write_text(t.path() / "bad.kconfig", "CONFIG_OK=y\nthis is not kconfig\n");
  auto bad = compose_kconfig(false, {t.path() / "bad.kconfig"});
  REQUIRE_FALSE(bad);
  CHECK(bad.error().message.find("bad.kconfig") != std::string::npos);
  CHECK(bad.error().message.find("line 2") != std::string::npos);
}

TEST_CASE("the debug fragment asks for lockdep, the /proc/lockdep the guest checks") {
  auto v = parse_kconfig(ktstr::kKtstrDebugKconfigFragment);
  REQUIRE(v);
  for (const char* opt : {"CONFIG_PROVE_LOCKING", "CONFIG_LOCKDEP", "CONFIG_DEBUG_ATOMIC_SLEEP", "CONFIG_SCHED_DEBUG"})
    CHECK_MESSAGE(v->at(opt) == "y", opt);
  // The debug fragment only adds to ktstr.kconfig: it turns nothing of it off.
  auto base = parse_kconfig(ktstr::kKtstrKconfigFragment);
  REQUIRE(base);
  for (const auto& [name, value] : *v)
    if (base->contains(name)) CHECK_MESSAGE(base->at(name) == value, name);
}

TEST_CASE("a debug request neither reuses nor falls back to a plain entry") {
  Rig rig;
  EnvVar env("KTSTR_KERNEL", "");
  REQUIRE(build_once(rig.cache, "6.12-000000000001", [](const fs::path& temp) { return fake_build(temp); }));
  REQUIRE(build_once(rig.cache, "6.12-0000000000aa",
                     [](const fs::path& temp) { return fake_build(temp, {}, "older-fragment"); }));
  auto debug = rig.options();
  debug.kconfig = *compose_kconfig(true, {});
  debug.allow_build = false;
  auto none = resolve_kernel(debug);  // nothing debug cached, nothing to build: an error, not a plain kernel
  REQUIRE_FALSE(none);

  write_text(rig.usr_src / "linux-source-6.12.tar.xz", "src");
  debug.allow_build = true;
  auto built = resolve_kernel(debug);
  REQUIRE(built);
  CHECK(built->key == "6.12-dededededede");
  CHECK(built->extras == "debug");
  CHECK(built->describe().find("[+debug]") != std::string::npos);
  auto again = resolve_kernel(debug);  // now the newest entry with the debug fragment
  REQUIRE(again);
  CHECK(again->key == "6.12-dededededede");
  CHECK(again->origin == "newest cache entry");
  CHECK(rig.built.size() == 1);

  auto plain = resolve_kernel(rig.options());  // the plain request still gets the plain entry
  REQUIRE(plain);
  CHECK(plain->key == "6.12-000000000001");
}

TEST_CASE("extras need a source: a prebuilt kernel is refused") {
  Rig rig;
  fs::path prebuilt = rig.t.path() / "prebuilt";
  write_text(prebuilt / "bzImage", "kernel");
  auto opts = rig.options();
  opts.kernel = prebuilt.string();
  opts.kconfig = *compose_kconfig(true, {});
  auto r = resolve_kernel(opts);
  REQUIRE_FALSE(r);
  CHECK(r.error().message.find("already built kernel") != std::string::npos);
  CHECK(r.error().message.find("debug") != std::string::npos);
}

TEST_CASE("the fragment hash covers settings only: comments and blank lines keep it, settings change it") {
  const KconfigSpec a{.text = "# base\nCONFIG_A=y\n\n# CONFIG_B is not set\n"};
  const KconfigSpec comments{.text = "# reworded comment\n  CONFIG_A=y  \n# another note\n# CONFIG_B is not set\n\n"};
  const KconfigSpec value{.text = "CONFIG_A=m\n# CONFIG_B is not set\n"};
  const KconfigSpec unset{.text = "CONFIG_A=y\n"};
  const KconfigSpec order{.text = "# CONFIG_B is not set\nCONFIG_A=y\n"};
  CHECK(a.hash() == comments.hash());
  CHECK(a.hash() != value.hash());
  CHECK(a.hash() != unset.hash());
  CHECK(a.hash() != order.hash());  // a later assignment wins: order is meaning
  CHECK(a.hash().size() == 64);
}
