// build(): atomic file output, the stamp that skips unchanged inputs, and the
// rebuild when an input changes.
#include <doctest/doctest.h>

#include <sys/stat.h>

#include <fstream>

#include "base/fd.hpp"
#include "archive_reader.hpp"
#include "initramfs/elf_file.hpp"
#include "initramfs/initramfs.hpp"
#include "temp_dir.hpp"

namespace fs = std::filesystem;
using namespace ktstr::initramfs;

namespace {

struct FileId {
  ino_t ino;
  int64_t mtime_ns;
  bool operator==(const FileId&) const = default;
};

FileId id_of(const fs::path& p) {
  struct stat st {};
  REQUIRE(::stat(p.c_str(), &st) == 0);
  return {st.st_ino, st.st_mtim.tv_sec * 1'000'000'000LL + st.st_mtim.tv_nsec};
}

}  // namespace

TEST_CASE("build skips an unchanged spec and rebuilds when an input's content changes") {
  TempDir dir;
  const fs::path input = dir / "payload";
  { std::ofstream(input) << "version 1"; }
  Spec spec;
  spec.add_default_dirs().add_binary(KTSTR_TEST_CXX_HELPER, "/init").add_file(input, "/payload");
  const fs::path out = dir / "sub/initramfs.cpio";

  auto first = build(spec, out);
  REQUIRE_MESSAGE(first.has_value(), first.error().message);
  CHECK(*first == true);
  CHECK(fs::exists(fs::path(out.string() + ".stamp")));
  auto bytes = ktstr::read_file(out);
  REQUIRE(bytes.has_value());
  CHECK(*bytes == build_to_string(spec).value());
  const FileId before = id_of(out);

  auto second = build(spec, out);
  REQUIRE(second.has_value());
  CHECK(*second == false);
  CHECK(id_of(out) == before);  // untouched: same inode, same mtime

  { std::ofstream(input) << "version 2"; }
  auto third = build(spec, out);
  REQUIRE(third.has_value());
  CHECK(*third == true);
  auto rebuilt = ktstr::read_file(out);
  REQUIRE(rebuilt.has_value());
  CHECK(rebuilt->find("version 2") != std::string::npos);
  CHECK(*rebuilt != *bytes);
}

TEST_CASE("a throwaway archive: the same bytes, always written, no stamp") {
  TempDir dir;
  Spec spec;
  spec.add_default_dirs().add_binary(KTSTR_TEST_CXX_HELPER, "/init");
  const fs::path out = dir / "run.cpio";
  for (int round = 0; round < 2; ++round) {
    auto r = build(spec, out, {.throwaway = true});
    REQUIRE_MESSAGE(r.has_value(), r.error().message);
    CHECK(*r == true);  // never reused: no stamp says it is current
  }
  CHECK_FALSE(fs::exists(fs::path(out.string() + ".stamp")));
  CHECK(ktstr::read_file(out).value() == build_to_string(spec).value());
}

TEST_CASE("a damaged archive or a changed spec is rebuilt") {
  TempDir dir;
  const fs::path out = dir / "a.cpio";
  Spec spec;
  spec.add_bytes("/x", "x");
  REQUIRE(build(spec, out).value());
  { std::ofstream(out, std::ios::app) << "junk"; }
  CHECK(build(spec, out).value() == true);
  CHECK(build(spec, out).value() == false);
  spec.add_bytes("/y", "y");
  CHECK(build(spec, out).value() == true);
}

TEST_CASE("a failed build leaves no temp files and no stamp") {
  TempDir dir;
  Spec spec;
  spec.add_binary("/nonexistent/ktstr-bin", "/init");
  auto r = build(spec, dir / "out.cpio");
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().message == "missing binary /nonexistent/ktstr-bin");
  CHECK(fs::is_empty(dir.path()));
}

TEST_CASE("binaries go in without their debug info unless asked to keep it") {
  TempDir dir;
  Spec spec;
  spec.add_binary(KTSTR_TEST_CXX_HELPER, "/init");
  const auto debug = debug_section_bytes(KTSTR_TEST_CXX_HELPER);
  REQUIRE(debug.has_value());
  REQUIRE_MESSAGE(*debug > 0, "the fixture must be built with debug info (-g)");
  const auto source = ktstr::read_file(KTSTR_TEST_CXX_HELPER).value();

  auto member = [&](const BuildOptions& o) {
    const fs::path out = dir / (o.strip_debug ? "stripped.cpio" : "kept.cpio");
    REQUIRE(build(spec, out, o).has_value());
    for (const auto& e : read_cpio(ktstr::read_file(out).value()))
      if (e.path == "init") return e.data;
    FAIL("no /init in the archive");
    return std::string();
  };
  const std::string kept = member({.strip_debug = false});
  const std::string stripped = member({});
  CHECK(kept == source);
  CHECK(stripped.size() < source.size());
  CHECK(stripped.size() + *debug <= source.size() + 4096);  // the DWARF is what went
  const fs::path back = dir / "back";
  REQUIRE(ktstr::write_file_atomic(back, stripped).has_value());
  CHECK(debug_section_bytes(back).value() == 0);
  // The same spec gives the same bytes in memory and on disk.
  CHECK(build_to_string(spec).value() == ktstr::read_file(dir / "stripped.cpio").value());
}
