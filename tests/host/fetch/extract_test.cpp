#include <doctest/doctest.h>
#include <sys/stat.h>

#include <filesystem>

#include "base/fd.hpp"
#include "host/fetch/fetch.hpp"
#include "base/temp_dir.hpp"
#include "tar_builder.hpp"

namespace fs = std::filesystem;
using ktstr::TempDir;
using namespace ktstr::fetch;
using namespace ktstr::fetch::test;

namespace {

TempDir scratch() { return TempDir::create("ktstr-fetch-test-").value(); }

std::vector<TarEntry> fake_tree(const std::string& top) {
  return {
      dir(top),
      file(top + "/Makefile", "VERSION = 6\nPATCHLEVEL = 12\n"),
      dir(top + "/scripts"),
      file(top + "/scripts/run.sh", "#!/bin/sh\necho hi\n", 0755),
      dir(top + "/include"),
      symlink(top + "/include/mk", "../Makefile"),
      hardlink(top + "/Makefile.hard", top + "/Makefile"),
  };
}

int mode_of(const fs::path& p) {
  struct stat st{};
  REQUIRE(::lstat(p.c_str(), &st) == 0);
  return st.st_mode & 07777;
}

// Every name directly under dir (the destination must hold nothing else after a failure).
std::vector<std::string> names_in(const fs::path& dir) {
  std::vector<std::string> out;
  for (const auto& e : fs::directory_iterator(dir)) out.push_back(e.path().filename().string());
  return out;
}

}  // namespace

TEST_CASE("extract_archive round-trips contents, modes, symlinks and hard links") {
  TempDir tmp = scratch();
  fs::path tar = tmp.path() / "linux-6.12.99.tar.xz";
  REQUIRE(write_tar(tar, fake_tree("linux-6.12.99")));
  auto top = extract_archive(tar, tmp.path() / "out");
  REQUIRE_MESSAGE(top, (top ? "" : top.error().message));
  CHECK(*top == fs::canonical(tmp.path() / "out" / "linux-6.12.99"));
  CHECK(ktstr::read_file(*top / "Makefile").value() == "VERSION = 6\nPATCHLEVEL = 12\n");
  CHECK(mode_of(*top / "scripts/run.sh") == 0755);
  CHECK(mode_of(*top / "Makefile") == 0644);
  CHECK(fs::is_symlink(*top / "include/mk"));
  CHECK(fs::read_symlink(*top / "include/mk") == "../Makefile");
  CHECK(fs::equivalent(*top / "Makefile.hard", *top / "Makefile"));
  CHECK(fs::last_write_time(*top / "Makefile").time_since_epoch().count() != 0);
  // The temp dir used during extraction is gone.
  CHECK(names_in(tmp.path() / "out") == std::vector<std::string>{"linux-6.12.99"});
}

TEST_CASE("extract_archive reads every supported compression") {
  TempDir tmp = scratch();
  for (auto [c, ext] : {std::pair{Compression::kNone, "tar"}, {Compression::kGzip, "tar.gz"},
                        {Compression::kXz, "tar.xz"}, {Compression::kZstd, "tar.zst"},
                        {Compression::kBzip2, "tar.bz2"}}) {
    INFO(std::string(ext));
    fs::path tar = tmp.path() / fmt::format("t.{}", ext);
    REQUIRE(write_tar(tar, fake_tree(fmt::format("linux-{}", ext)), c));
    auto top = extract_archive(tar, tmp.path() / "out");
    REQUIRE_MESSAGE(top, (top ? "" : top.error().message));
    CHECK(fs::is_regular_file(*top / "scripts/run.sh"));
  }
}

TEST_CASE("extract_archive rejects a '../evil' entry and writes nothing outside or inside dest") {
  TempDir tmp = scratch();
  fs::path tar = tmp.path() / "evil.tar.gz";
  auto entries = fake_tree("linux");
  entries.push_back(file("../evil", "pwned"));
  REQUIRE(write_tar(tar, entries, Compression::kGzip));
  fs::create_directories(tmp.path() / "a" / "dest");
  auto r = extract_archive(tar, tmp.path() / "a" / "dest");
  REQUIRE_FALSE(r);
  CHECK(r.error().message.find("'../evil'") != std::string::npos);
  CHECK(r.error().message.find(tar.string()) != std::string::npos);
  CHECK_FALSE(fs::exists(tmp.path() / "a" / "evil"));
  CHECK_FALSE(fs::exists(tmp.path() / "evil"));
  CHECK(names_in(tmp.path() / "a" / "dest").empty());
}

TEST_CASE("extract_archive rejects absolute names, escaping symlinks and escaping hard links") {
  TempDir tmp = scratch();
  fs::path outside = tmp.path() / "outside-target";
  struct Case {
    const char* what;
    TarEntry bad;
    const char* named;
  } cases[] = {
      {"absolute", file(outside.string(), "x"), "outside-target"},
      {"symlink up", test::symlink("linux/esc", "../../outside-target"), "linux/esc"},
      {"symlink absolute", test::symlink("linux/esc", "/etc"), "linux/esc"},
      {"hard link up", hardlink("linux/h", "../outside-target"), "../outside-target"},
      // linux/up -> linux itself; y -> linux/up/../.. is lexically the root,
      // physically the destination's parent (outside).
      {"symlink chain", test::symlink("linux/y", "up/../.."), "linux/y"},
      {"hard link through a symlink", hardlink("linux/h", "linux/y/outside-target"), "linux/y"},
      {"hard link to a symlink", hardlink("linux/deeper/h", "linux/y"), "linux/y"},
  };
  for (const Case& c : cases) {
    INFO(std::string(c.what));
    fs::path tar = tmp.path() / "bad.tar";
    auto entries = fake_tree("linux");
    entries.push_back(test::symlink("linux/up", "."));
    entries.push_back(dir("linux/deeper"));
    if (std::string(c.what).starts_with("hard link t")) entries.push_back(test::symlink("linux/y", "up/../.."));
    entries.push_back(c.bad);
    entries.push_back(file("linux/after", "written after the bad entry"));
    REQUIRE(write_tar(tar, entries, Compression::kNone));
    fs::path dest = tmp.path() / "dest";
    auto r = extract_archive(tar, dest);
    REQUIRE_FALSE(r);
    INFO(r.error().message);
    CHECK(r.error().message.find(c.named) != std::string::npos);
    CHECK_FALSE(fs::exists(outside));
    CHECK(names_in(dest).empty());
  }
}

TEST_CASE("extract_archive rejects corrupt and non-archive input and removes its temp dir") {
  TempDir tmp = scratch();
  fs::path good = tmp.path() / "good.tar.xz";
  std::vector<TarEntry> entries = fake_tree("linux");
  entries.push_back(file("linux/big", std::string(300000, 'k') + "end"));
  REQUIRE(write_tar(good, entries));
  std::string bytes = ktstr::read_file(good).value();

  std::string truncated = bytes.substr(0, bytes.size() / 2);
  std::string flipped = bytes;
  for (size_t i = bytes.size() / 3; i < bytes.size() / 3 + 64; ++i) flipped[i] = static_cast<char>(~flipped[i]);
  for (auto [what, data] : {std::pair{"truncated", truncated}, {"flipped", flipped},
                            {"not an archive", std::string("hello, this is not a tarball\n")}}) {
    INFO(std::string(what));
    fs::path bad = tmp.path() / "bad.tar.xz";
    REQUIRE(ktstr::write_file_atomic(bad, data));
    fs::path dest = tmp.path() / "dest";
    auto r = extract_archive(bad, dest);
    REQUIRE_FALSE(r);
    INFO(r.error().message);
    CHECK(r.error().message.find(bad.string()) != std::string::npos);
    CHECK(names_in(dest).empty());
  }
}

TEST_CASE("extract_archive refuses several top-level entries and an existing target") {
  TempDir tmp = scratch();
  fs::path two = tmp.path() / "two.tar";
  REQUIRE(write_tar(two, {file("a/x", "1"), file("b/y", "2")}, Compression::kNone));
  auto r = extract_archive(two, tmp.path() / "d1");
  REQUIRE_FALSE(r);
  CHECK(r.error().message.find("a, b") != std::string::npos);

  fs::path one = tmp.path() / "one.tar";
  REQUIRE(write_tar(one, fake_tree("linux"), Compression::kNone));
  fs::create_directories(tmp.path() / "d2/linux");
  REQUIRE(ktstr::write_file_atomic(tmp.path() / "d2/linux/keep", "mine"));
  auto again = extract_archive(one, tmp.path() / "d2");
  REQUIRE_FALSE(again);
  CHECK(ktstr::read_file(tmp.path() / "d2/linux/keep").value() == "mine");
  CHECK(names_in(tmp.path() / "d2") == std::vector<std::string>{"linux"});
}

TEST_CASE("extract_archive stops when cancelled and removes what it wrote") {
  TempDir tmp = scratch();
  fs::path tar = tmp.path() / "t.tar.xz";
  REQUIRE(write_tar(tar, fake_tree("linux")));
  int polls = 0;
  auto r = extract_archive(tar, tmp.path() / "dest", {.cancelled = [&] { return ++polls > 3; }});
  REQUIRE_FALSE(r);
  CHECK(r.error().message.find("interrupted") != std::string::npos);
  CHECK(polls == 4);
  CHECK(names_in(tmp.path() / "dest").empty());
}
