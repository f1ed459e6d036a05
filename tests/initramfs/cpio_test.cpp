// Archive content and determinism, checked by reading the bytes back with libarchive.
#include <doctest/doctest.h>

#include <sys/stat.h>
#include <zstd.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <set>

#include "archive_reader.hpp"
#include "initramfs/initramfs.hpp"
#include "initramfs/layout.hpp"
#include "temp_dir.hpp"

namespace fs = std::filesystem;
using namespace ktstr::initramfs;

namespace {

std::map<std::string, ReadEntry> by_path(const std::vector<ReadEntry>& entries) {
  std::map<std::string, ReadEntry> out;
  for (const auto& e : entries) out.emplace(e.path, e);
  return out;
}

void write_text(const fs::path& p, const std::string& s) { std::ofstream(p, std::ios::binary) << s; }

}  // namespace

TEST_CASE("entries, modes, device node and symlink read back as declared") {
  TempDir dir;
  write_text(dir / "conf", "key=value\n");
  fs::permissions(dir / "conf", fs::perms(0640));
  Spec spec;
  spec.add_default_dirs()
      .add_file(dir / "conf", "/etc/ktstr/conf")          // keeps 0640
      .add_file(dir / "conf", "/etc/ktstr/conf.x", 0755)  // explicit mode
      .add_bytes("/args", "--flag\n")
      .add_symlink("/sbin/init", "/bin/probe")
      .add_char_device("/dev/ttyS0", 4, 64, 0620)
      .add_dir("/data", 0700);
  auto bytes = build_to_string(spec);
  REQUIRE_MESSAGE(bytes.has_value(), bytes.error().message);
  auto entries = read_cpio(*bytes);
  auto m = by_path(entries);

  CHECK(m.at("etc/ktstr/conf").perm == 0640);
  CHECK(m.at("etc/ktstr/conf").data == "key=value\n");
  CHECK(m.at("etc/ktstr/conf.x").perm == 0755);
  CHECK(m.at("args").data == "--flag\n");
  CHECK(m.at("args").perm == 0644);
  CHECK(m.at("sbin/init").type == AE_IFLNK);
  CHECK(m.at("sbin/init").symlink == "/bin/probe");
  CHECK(m.at("dev/console").type == AE_IFCHR);
  CHECK(m.at("dev/console").rdev_major == 5);
  CHECK(m.at("dev/console").rdev_minor == 1);
  CHECK(m.at("dev/ttyS0").rdev_major == 4);
  CHECK(m.at("dev/ttyS0").rdev_minor == 64);
  CHECK(m.at("dev/ttyS0").perm == 0620);
  CHECK(m.at("tmp").perm == 01777);
  CHECK(m.at("data").perm == 0700);
  CHECK(m.at("data").type == AE_IFDIR);
  // Implicit parent directory of /etc/ktstr/conf.
  CHECK(m.at("etc/ktstr").type == AE_IFDIR);
  CHECK(m.at("etc/ktstr").perm == 0755);

  // Sorted, parents first, fixed metadata, unique stable inodes.
  std::vector<std::string> paths;
  std::set<int64_t> inos;
  for (const auto& e : entries) {
    paths.push_back(e.path);
    inos.insert(e.ino);
    CHECK(e.mtime == 0);
    CHECK(e.uid == 0);
    CHECK(e.gid == 0);
  }
  CHECK(std::is_sorted(paths.begin(), paths.end()));
  CHECK(inos.size() == entries.size());
}

TEST_CASE("same inputs give identical bytes, source mtimes and call order do not leak") {
  TempDir dir;
  write_text(dir / "a", "alpha");
  write_text(dir / "b", std::string(100000, 'b'));
  auto make = [&](bool reversed) {
    Spec s;
    if (reversed) {
      s.add_file(dir / "b", "/x/b").add_file(dir / "a", "/x/a").add_binary("/bin/ls", "/bin/ls");
    } else {
      s.add_binary("/bin/ls", "/bin/ls").add_file(dir / "a", "/x/a").add_file(dir / "b", "/x/b");
    }
    return build_to_string(s);
  };
  auto first = make(false);
  REQUIRE_MESSAGE(first.has_value(), first.error().message);
  // Move both sources' mtimes far into the past.
  for (const char* name : {"a", "b"})
    fs::last_write_time(dir / name, fs::file_time_type::clock::now() - std::chrono::hours(24 * 365));
  auto second = make(true);
  REQUIRE(second.has_value());
  CHECK(*first == *second);
  // The archive really contains ls and its closure.
  auto m = by_path(read_cpio(*first));
  CHECK(m.contains("bin/ls"));
  CHECK(m.contains("lib64/ld-linux-x86-64.so.2"));
  CHECK(m.at("x/b").data.size() == 100000);
}

TEST_CASE("archives have no block padding, so they concatenate") {
  Spec spec;
  spec.add_bytes("/one", "1");
  auto bytes = build_to_string(spec);
  REQUIRE(bytes.has_value());
  CHECK(bytes->size() % 4 == 0);
  CHECK(bytes->size() < 512);
  CHECK(bytes->find("TRAILER!!!") != std::string::npos);
}

TEST_CASE("destination collisions with different content are errors, identical ones merge") {
  TempDir dir;
  write_text(dir / "a", "same");
  write_text(dir / "b", "same");
  write_text(dir / "c", "different");
  fs::permissions(dir / "b", fs::status(dir / "a").permissions());

  Spec same;
  same.add_file(dir / "a", "/f").add_file(dir / "b", "/f").add_dir("/d").add_dir("/d");
  CHECK(build_to_string(same).has_value());

  Spec clash;
  clash.add_file(dir / "a", "/f").add_file(dir / "c", "/f");
  auto r = build_to_string(clash);
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().message.starts_with("destination /f collides: "));
  CHECK(r.error().message.find((dir / "c").string()) != std::string::npos);

  Spec kinds;
  kinds.add_symlink("/lib64", "lib").add_bytes("/lib64/x", "y");
  auto k = build_to_string(kinds);
  REQUIRE_FALSE(k.has_value());
  CHECK(k.error().message == "/lib64 is a symlink in the spec but /lib64/x needs it to be a directory");
}

TEST_CASE("bad destinations and sources are rejected with their names") {
  CHECK(normalize_destination("/usr//bin/../lib/x").value() == "usr/lib/x");
  CHECK(normalize_destination("bin/sh").value() == "bin/sh");
  CHECK_FALSE(normalize_destination("/../etc").has_value());
  CHECK_FALSE(normalize_destination("/").has_value());

  Spec missing;
  missing.add_file("/nonexistent/ktstr-src", "/x");
  auto r = build_to_string(missing);
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().message == "missing file /nonexistent/ktstr-src");

  Spec not_elf;
  not_elf.add_binary("/etc/hostname", "/bin/h");
  auto e = build_to_string(not_elf);
  REQUIRE_FALSE(e.has_value());
  CHECK(e.error().message == "/etc/hostname is not an ELF executable");
}

TEST_CASE("zstd output is a zstd stream holding the same archive") {
  Spec spec;
  spec.add_default_dirs().add_bytes("/big", std::string(200000, 'z'));
  auto plain = build_to_string(spec);
  auto packed = build_to_string(spec, BuildOptions{.compression = Compression::kZstd});
  REQUIRE(plain.has_value());
  REQUIRE_MESSAGE(packed.has_value(), packed.error().message);
  CHECK(packed->starts_with("\x28\xb5\x2f\xfd"));  // zstd frame magic (RFC 8878 3.1.1)
  CHECK(packed->size() < plain->size() / 10);
  CHECK(packed->size() % 4 == 0);  // the kernel finds a following archive only at 4-byte offsets
  // libarchive's zstd reader rejects the kernel-oriented zero padding after
  // the frame (at most 3 bytes), so hand it the frame alone.
  const size_t frame_size = ZSTD_findFrameCompressedSize(packed->data(), packed->size());
  REQUIRE_FALSE(ZSTD_isError(frame_size));
  CHECK(packed->size() - frame_size < 4);
  CHECK(packed->find_first_not_of('\0', frame_size) == std::string::npos);
  const std::string frame = packed->substr(0, frame_size);
  auto a = read_cpio(*plain);
  auto b = read_cpio(frame);
  REQUIRE(a.size() == b.size());
  for (size_t i = 0; i < a.size(); ++i) {
    CHECK(a[i].path == b[i].path);
    CHECK(a[i].data == b[i].data);
  }
  CHECK(*packed == build_to_string(spec, BuildOptions{.compression = Compression::kZstd}).value());
}

// Byte-exact golden file: the archive format must not drift silently (a
// change here also needs kFormatVersion in stamp.cpp bumped). Regenerate with
// KTSTR_UPDATE_GOLDEN=1 after checking the new bytes with `cpio -itv`.
TEST_CASE("small archive matches the golden bytes") {
  Spec spec;
  spec.add_default_dirs()
      .add_bytes("/etc/motd", "hello from ktstr\n")
      .add_bytes("/bin/tool", "#!/bin/sh\nexit 0\n", 0755)
      .add_symlink("/sbin/init", "/bin/tool")
      .add_char_device("/dev/ttyS0", 4, 64, 0620);
  auto bytes = build_to_string(spec);
  REQUIRE(bytes.has_value());
  const fs::path golden = fs::path(KTSTR_TEST_SOURCE_DIR) / "golden/small.cpio";
  if (std::getenv("KTSTR_UPDATE_GOLDEN")) std::ofstream(golden, std::ios::binary) << *bytes;
  std::ifstream in(golden, std::ios::binary);
  REQUIRE_MESSAGE(in.good(), "missing " << golden.string());
  std::string want((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  CHECK(bytes->size() == want.size());
  CHECK(*bytes == want);
}
