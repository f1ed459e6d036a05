// Library closure against real binaries of this machine and fixtures built by
// this test's CMakeLists (RUNPATH/RPATH with $ORIGIN, a missing library).
#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "base/process.hpp"
#include "initramfs/closure.hpp"
#include "initramfs/initramfs.hpp"
#include "temp_dir.hpp"

namespace fs = std::filesystem;
using namespace ktstr::initramfs;

namespace {

std::set<std::string> file_names(const std::vector<fs::path>& paths) {
  std::set<std::string> out;
  for (const auto& p : paths) out.insert(p.filename().string());
  return out;
}

}  // namespace

TEST_CASE("closure of /bin/ls has libc and the interpreter at absolute paths") {
  auto closure = library_closure("/bin/ls");
  REQUIRE_MESSAGE(closure.has_value(), closure.error().message);
  auto names = file_names(*closure);
  CHECK(names.contains("libc.so.6"));
  CHECK(names.contains("ld-linux-x86-64.so.2"));
  CHECK(std::find(closure->begin(), closure->end(), fs::path("/lib64/ld-linux-x86-64.so.2")) !=
        closure->end());
  for (const auto& p : *closure) {
    CHECK(p.is_absolute());
    CHECK(fs::is_regular_file(p));
  }
  // ld-linux answers to libc's DT_NEEDED, so it must not appear twice.
  CHECK(std::count_if(closure->begin(), closure->end(), [](const fs::path& p) {
          return p.filename() == "ld-linux-x86-64.so.2";
        }) == 1);
}

TEST_CASE("closure of a dynamic C++ binary is complete") {
  auto closure = library_closure(KTSTR_TEST_CXX_HELPER);
  REQUIRE_MESSAGE(closure.has_value(), closure.error().message);
  auto names = file_names(*closure);
  for (const char* lib : {"libstdc++.so.6", "libgcc_s.so.1", "libm.so.6", "libc.so.6",
                          "ld-linux-x86-64.so.2"})
    CHECK_MESSAGE(names.contains(lib), lib);
}

TEST_CASE("static binaries have an empty closure") {
  if (!fs::exists("/bin/busybox")) {
    MESSAGE("no /bin/busybox (busybox-static); static case not exercised");
    return;
  }
  auto closure = library_closure("/bin/busybox");
  REQUIRE_MESSAGE(closure.has_value(), closure.error().message);
  CHECK(closure->empty());
}

TEST_CASE("$ORIGIN in DT_RUNPATH and DT_RPATH resolves relative to the binary") {
  const fs::path lib = fs::path(KTSTR_TEST_ORIGIN_LIB).lexically_normal();
  for (const char* exe : {KTSTR_TEST_ORIGIN_RUNPATH, KTSTR_TEST_ORIGIN_RPATH}) {
    CAPTURE(exe);
    auto closure = library_closure(exe);
    REQUIRE_MESSAGE(closure.has_value(), closure.error().message);
    CHECK(std::find(closure->begin(), closure->end(), lib) != closure->end());
  }
}

TEST_CASE("an $ORIGIN library follows the binary to its guest location") {
  auto config = load_loader_config();
  REQUIRE(config.has_value());
  auto placed = resolve_closure(KTSTR_TEST_ORIGIN_RUNPATH, "/opt/t/bin/origin_runpath", *config);
  REQUIRE_MESSAGE(placed.has_value(), placed.error().message);
  bool found = false;
  for (const auto& p : *placed) {
    if (p.host.filename() != "libktstr_origin.so") continue;
    found = true;
    CHECK(p.guest == "/opt/t/lib/libktstr_origin.so");
    CHECK(p.host == fs::path(KTSTR_TEST_ORIGIN_LIB).lexically_normal());
  }
  CHECK(found);
}

TEST_CASE("bad binaries are reported with their names") {
  SUBCASE("missing binary") {
    auto r = library_closure("/nonexistent/ktstr-bin");
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().message == "missing binary /nonexistent/ktstr-bin");
  }
  SUBCASE("not ELF") {
    TempDir dir;
    auto script = dir / "script.sh";
    { std::ofstream(script) << "#!/bin/sh\necho hi\n"; }
    auto r = library_closure(script);
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().message == script.string() + " is not an ELF executable");
  }
  SUBCASE("unresolvable library names the library, the binary and the search") {
    auto r = library_closure(KTSTR_TEST_NEEDS_GONE);
    REQUIRE_FALSE(r.has_value());
    const std::string& m = r.error().message;
    CHECK(m.starts_with("libktstr_gone.so needed by " +
                        fs::path(KTSTR_TEST_NEEDS_GONE).lexically_normal().string() + " not found in "));
    CHECK(m.find("ld.so.cache") != std::string::npos);
    CHECK(m.find("/usr/lib/x86_64-linux-gnu") != std::string::npos);
  }
}

TEST_CASE("$ORIGIN of a symlinked executable is its real directory, as ld.so sees it") {
  TempDir dir;
  fs::create_symlink(KTSTR_TEST_ORIGIN_RUNPATH, dir / "link");
  auto closure = library_closure(dir / "link");
  REQUIRE_MESSAGE(closure.has_value(), closure.error().message);
  CHECK(std::find(closure->begin(), closure->end(), fs::path(KTSTR_TEST_ORIGIN_LIB).lexically_normal()) !=
        closure->end());
}

TEST_CASE("a library found only through ld.so.conf keeps its path and asks for the cache") {
  auto config = load_loader_config();
  REQUIRE(config.has_value());
  const fs::path gone_dir = fs::path(KTSTR_TEST_GONE_LIB).parent_path();
  REQUIRE(fs::exists(gone_dir / "libktstr_gone.so"));
  config->conf_dirs.insert(config->conf_dirs.begin(), gone_dir.string());
  auto placed = resolve_closure(KTSTR_TEST_NEEDS_GONE, "/init", *config);
  REQUIRE_MESSAGE(placed.has_value(), placed.error().message);
  int with_cache = 0;
  for (const auto& p : *placed) {
    if (p.host.filename() == "libktstr_gone.so") {
      CHECK(p.guest == (gone_dir / "libktstr_gone.so").lexically_normal().string());
      CHECK(p.needs_ld_cache);
    }
    with_cache += p.needs_ld_cache;
  }
  CHECK(with_cache == 1);  // libc and ld.so live in default dirs
}

// The real loader is the reference: `ldd` (ld.so --list) must name the same
// objects for binaries of this machine, including large and $ORIGIN ones.
TEST_CASE("closure matches the dynamic loader's own answer (ldd)") {
  if (!ktstr::find_in_path("ldd")) {
    MESSAGE("no ldd on this machine; loader comparison not exercised");
    return;
  }
  for (const char* bin : {"/bin/ls", KTSTR_TEST_CXX_HELPER, KTSTR_TEST_ORIGIN_RUNPATH, KTSTR_TEST_ORIGIN_RPATH,
                          "/usr/bin/qemu-system-x86_64", "/usr/bin/clang-19", "/usr/bin/cmake"}) {
    if (!fs::exists(bin)) continue;
    CAPTURE(bin);
    auto ldd = ktstr::run_capture({"ldd", bin});
    REQUIRE(ldd.has_value());
    REQUIRE(ldd->status.success());
    std::set<std::string> expected;
    std::istringstream lines(ldd->output);
    for (std::string line; std::getline(lines, line);) {
      // "\tlibc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x...)" or "\t/lib64/ld-linux-x86-64.so.2 (0x...)"
      auto arrow = line.find("=> ");
      std::string path = line.substr(arrow == std::string::npos ? 0 : arrow + 3);
      path = path.substr(path.find_first_not_of(" \t"));
      path = path.substr(0, path.find(' '));
      if (path.starts_with("/")) expected.insert(fs::path(path).filename().string());
    }
    auto closure = library_closure(bin);
    REQUIRE_MESSAGE(closure.has_value(), closure.error().message);
    CHECK(file_names(*closure) == expected);
  }
}
