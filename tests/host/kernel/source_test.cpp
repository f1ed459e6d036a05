// Source classification, version parsing and cache keys.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>

#include "host/kernel/digest.hpp"
#include "host/kernel/source.hpp"
#include "test_dirs.hpp"

using namespace ktstr::kernel;
namespace fs = std::filesystem;

TEST_CASE("parse_makefile_version assembles the release") {
  auto v = parse_makefile_version("# SPDX\nVERSION = 6\nPATCHLEVEL = 12\nSUBLEVEL = 117\nEXTRAVERSION =\nNAME = x\n");
  REQUIRE(v);
  CHECK(*v == "6.12.117");
  CHECK(*parse_makefile_version("VERSION = 6\nPATCHLEVEL = 13\nSUBLEVEL = 0\nEXTRAVERSION = -rc1\n") == "6.13.0-rc1");
  CHECK_FALSE(parse_makefile_version("all:\n\techo\n"));
}

TEST_CASE("version_at_least compares major.minor numerically") {
  CHECK(version_at_least("6.12", 6, 12));
  CHECK(version_at_least("6.12.117", 6, 12));
  CHECK(version_at_least("7.0-rc1", 6, 12));
  CHECK_FALSE(version_at_least("6.9.3", 6, 12));
  CHECK_FALSE(version_at_least("6.11", 6, 12));
  CHECK_FALSE(version_at_least("garbage", 6, 12));
}

TEST_CASE("version_from_filename") {
  CHECK(version_from_filename("/usr/src/linux-source-6.12.tar.xz") == "6.12");
  CHECK(version_from_filename("linux-6.12.3.tar.gz") == "6.12.3");
  CHECK(version_from_filename("kernel.tar.xz") == "");
}

TEST_CASE("check_sched_ext_tree rejects old trees and trees without ext.c") {
  TestDir t;
  auto src = t.path() / "linux";
  fs::create_directories(src / "kernel/sched");
  write_text(src / "Makefile", "VERSION = 6\nPATCHLEVEL = 6\nSUBLEVEL = 1\nEXTRAVERSION =\n");
  auto old = check_sched_ext_tree(src);
  REQUIRE_FALSE(old);
  CHECK(old.error().message.find("older than 6.12") != std::string::npos);
  write_text(src / "Makefile", "VERSION = 6\nPATCHLEVEL = 12\nSUBLEVEL = 1\nEXTRAVERSION =\n");
  auto no_ext = check_sched_ext_tree(src);
  REQUIRE_FALSE(no_ext);
  CHECK(no_ext.error().message.find("kernel/sched/ext.c") != std::string::npos);
  write_text(src / "kernel/sched/ext.c", "");
  CHECK(*check_sched_ext_tree(src) == "6.12.1");
}

TEST_CASE("classify_source: paths, keys and versions") {
  TestDir t;
  fs::path cache = t.path() / "cache";
  fs::create_directories(cache / "6.12-0123456789ab");
  fs::create_directories(t.path() / "src/kernel");
  write_text(t.path() / "src/Makefile", "");
  fs::create_directories(t.path() / "built");
  write_text(t.path() / "built/bzImage", "");
  write_text(t.path() / "linux-6.12.tar.xz", "");
  CHECK(classify_source((t.path() / "src").string(), cache)->kind == SourceKind::kSourceDir);
  CHECK(classify_source((t.path() / "built").string(), cache)->kind == SourceKind::kBuiltKernel);
  CHECK(classify_source((t.path() / "built/bzImage").string(), cache)->kind == SourceKind::kBuiltKernel);
  CHECK(classify_source((t.path() / "linux-6.12.tar.xz").string(), cache)->kind == SourceKind::kTarball);
  CHECK(classify_source("6.12-0123456789ab", cache)->kind == SourceKind::kCacheKey);
  CHECK(classify_source("6.12.3", cache)->kind == SourceKind::kVersion);
  CHECK_FALSE(classify_source("no-such-thing", cache));
  CHECK_FALSE(classify_source((t.path() / "cache").string(), cache));  // a dir that is neither
}

TEST_CASE("cache key is stable and sensitive to every input") {
  auto k = make_cache_key("6.12", "digestA", "fragA");
  CHECK(k == make_cache_key("6.12", "digestA", "fragA"));
  CHECK(k.starts_with("6.12-"));
  CHECK(k.size() == 5 + 12);
  CHECK(k != make_cache_key("6.12", "digestB", "fragA"));
  CHECK(k != make_cache_key("6.12", "digestA", "fragB"));
  CHECK(k != make_cache_key("6.13", "digestA", "fragA"));
  CHECK(fragment_hash().size() == 64);
}

TEST_CASE("tarball digest is the file's sha256 and is remembered by path+size+mtime") {
  TestDir t;
  fs::path tar = t.path() / "linux-6.12.tar.xz";
  write_text(tar, "abc");
  auto d = tarball_digest(tar, t.path() / "cache");
  REQUIRE(d);
  CHECK(*d == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");  // sha256("abc"), FIPS 180-2 B.1
  CHECK(fs::exists(t.path() / "cache/.digests.json"));
  CHECK(*tarball_digest(tar, t.path() / "cache") == *d);
  write_text(tar, "abcd");  // size changes -> re-hashed
  CHECK(*tarball_digest(tar, t.path() / "cache") != *d);
}

TEST_CASE("source dir digest changes when a file changes") {
  TestDir t;
  fs::create_directories(t.path() / "src/kernel");
  write_text(t.path() / "src/kernel/a.c", "1");
  auto d1 = source_dir_digest(t.path() / "src", "6.12.1");
  REQUIRE(d1);
  CHECK(*source_dir_digest(t.path() / "src", "6.12.1") == *d1);
  CHECK(*source_dir_digest(t.path() / "src", "6.12.2") != *d1);
  write_text(t.path() / "src/kernel/a.c", "12");
  CHECK(*source_dir_digest(t.path() / "src", "6.12.1") != *d1);
}
