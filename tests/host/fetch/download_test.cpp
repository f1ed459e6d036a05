#include <doctest/doctest.h>
#include <sys/mount.h>
#include <unistd.h>

#include <memory>

#include "base/fd.hpp"
#include "fake_kernel_org.hpp"
#include "host/fetch/fetch.hpp"
#include "base/temp_dir.hpp"

namespace fs = std::filesystem;
using ktstr::TempDir;
using namespace ktstr::fetch;
using namespace ktstr::fetch::test;

namespace {

constexpr const char* kTarball = "linux-6.12.99.tar.xz";

TempDir scratch() { return TempDir::create("ktstr-fetch-test-").value(); }

size_t count(const std::string& haystack, const std::string& needle) {
  size_t n = 0;
  for (size_t p = haystack.find(needle); p != std::string::npos; p = haystack.find(needle, p + 1)) ++n;
  return n;
}

std::vector<std::string> names_in(const fs::path& dir) {
  std::vector<std::string> out;
  for (const auto& e : fs::directory_iterator(dir)) out.push_back(e.path().filename().string());
  return out;
}

KernelRelease release_of(const FakeKernelOrg& server) {
  auto rel = resolve_version("6.12.99", {.mirror = server.url()});
  REQUIRE_MESSAGE(rel, (rel ? "" : rel.error().message));
  return *rel;
}

}  // namespace

TEST_CASE("download_release fetches, verifies and names the file, a second call reuses it") {
  auto server = FakeKernelOrg::start();
  REQUIRE(server);
  KernelRelease rel = release_of(*server);
  TempDir dest = scratch();
  auto path = download_release(rel, dest.path(), {.mirror = server->url()});
  REQUIRE_MESSAGE(path, (path ? "" : path.error().message));
  CHECK(*path == dest.path() / kTarball);
  CHECK(ktstr::read_file(*path).value() == ktstr::read_file(server->root() / "v6.x" / kTarball).value());
  CHECK(names_in(dest.path()) == std::vector<std::string>{kTarball});  // no .part left

  size_t gets = count(server->log(), std::string("GET /v6.x/") + kTarball);
  auto again = download_release(rel, dest.path(), {});
  REQUIRE(again);
  CHECK(count(server->log(), std::string("GET /v6.x/") + kTarball) == gets);

  // And the result extracts to the fake tree.
  auto tree = extract_archive(*path, dest.path() / "src");
  REQUIRE_MESSAGE(tree, (tree ? "" : tree.error().message));
  CHECK(fs::is_regular_file(*tree / "kernel/sched/ext.c"));
}

TEST_CASE("download_release resumes an interrupted transfer with a Range request") {
  auto server = FakeKernelOrg::start({.drop_after = 100000, .drop_count = 1});
  REQUIRE(server);
  KernelRelease rel = release_of(*server);
  TempDir dest = scratch();
  auto path = download_release(rel, dest.path(), {});
  REQUIRE_MESSAGE(path, (path ? "" : path.error().message));
  CHECK(ktstr::read_file(*path).value() == ktstr::read_file(server->root() / "v6.x" / kTarball).value());
  std::string log = server->log();
  INFO(log);
  CHECK(count(log, std::string("GET /v6.x/") + kTarball + " range=-") == 1);
  CHECK(count(log, std::string("GET /v6.x/") + kTarball + " range=bytes=100000-") == 1);
}

TEST_CASE("download_release keeps the .part when every attempt is cut, and the next call resumes it") {
  auto server = FakeKernelOrg::start({.drop_after = 20000, .drop_count = 4});
  REQUIRE(server);
  KernelRelease rel = release_of(*server);
  TempDir dest = scratch();
  auto failed = download_release(rel, dest.path(), {});
  REQUIRE_FALSE(failed);
  INFO(failed.error().message);
  CHECK(failed.error().message.find(rel.url) != std::string::npos);
  fs::path part = dest.path() / (std::string(kTarball) + ".part");
  REQUIRE(fs::exists(part));
  CHECK(fs::file_size(part) == 80000);  // four attempts of 20000 bytes each
  CHECK_FALSE(fs::exists(dest.path() / kTarball));

  auto resumed = download_release(rel, dest.path(), {});
  REQUIRE_MESSAGE(resumed, (resumed ? "" : resumed.error().message));
  CHECK(count(server->log(), "range=bytes=80000-") == 1);
  CHECK(ktstr::read_file(*resumed).value() == ktstr::read_file(server->root() / "v6.x" / kTarball).value());
}

TEST_CASE("download_release starts over when the server ignores the Range request (200, not 206)") {
  auto server = FakeKernelOrg::start({.ignore_range = true});
  REQUIRE(server);
  KernelRelease rel = release_of(*server);
  TempDir dest = scratch();
  // A .part whose bytes are wrong: appending the full 200 body to it would fail the checksum.
  REQUIRE(ktstr::write_file_atomic(dest.path() / (std::string(kTarball) + ".part"), std::string(5000, 'x')));
  auto path = download_release(rel, dest.path(), {});
  REQUIRE_MESSAGE(path, (path ? "" : path.error().message));
  CHECK(count(server->log(), "range=bytes=5000-") == 1);
  CHECK(ktstr::read_file(*path).value() == ktstr::read_file(server->root() / "v6.x" / kTarball).value());
}

TEST_CASE("download_release rejects a checksum mismatch, names both hashes and leaves no file") {
  auto server = FakeKernelOrg::start();
  REQUIRE(server);
  KernelRelease rel = release_of(*server);
  std::string real = rel.sha256;
  rel.sha256 = std::string(64, '0');
  TempDir dest = scratch();
  auto r = download_release(rel, dest.path(), {});
  REQUIRE_FALSE(r);
  INFO(r.error().message);
  CHECK(r.error().message.find(rel.sha256) != std::string::npos);
  CHECK(r.error().message.find(real) != std::string::npos);
  CHECK(names_in(dest.path()).empty());

  // A corrupt .part from an earlier run is caught the same way.
  rel.sha256 = real;
  REQUIRE(ktstr::write_file_atomic(dest.path() / (std::string(kTarball) + ".part"), std::string(5000, 'x')));
  auto corrupt = download_release(rel, dest.path(), {});
  REQUIRE_FALSE(corrupt);
  CHECK(corrupt.error().message.find("sha256 mismatch") != std::string::npos);
  CHECK(names_in(dest.path()).empty());
}

TEST_CASE("download_release fails fast and cleanly when the server is unreachable or the file is missing") {
  TempDir dest = scratch();
  std::string url = fmt::format("http://127.0.0.1:{}/v6.x/{}", closed_loopback_port(), kTarball);
  auto offline = download_release({.version = "6.12.99", .url = url, .sha256 = std::string(64, 'a')}, dest.path(), {});
  REQUIRE_FALSE(offline);
  INFO(offline.error().message);
  CHECK(offline.error().message.find(url) != std::string::npos);
  CHECK(offline.error().message.find("/usr/src/linux-source-6.12.tar.xz") != std::string::npos);
  CHECK(names_in(dest.path()).empty());

  auto server = FakeKernelOrg::start();
  REQUIRE(server);
  std::string missing = server->url() + "/v6.x/linux-6.12.1000.tar.xz";
  auto r = download_release({.version = "6.12.1000", .url = missing, .sha256 = std::string(64, 'a')}, dest.path(), {});
  REQUIRE_FALSE(r);
  CHECK(r.error().message.find("HTTP 404") != std::string::npos);
  CHECK(names_in(dest.path()).empty());
}

TEST_CASE("download_release gives up on a server that stops sending (low-speed limit)") {
  auto server = FakeKernelOrg::start();
  REQUIRE(server);
  TempDir dest = scratch();
  std::string url = server->url() + "/stall/" + kTarball;
  // Without the low-speed limit this transfer would never end (the server sleeps forever).
  auto r = download_release({.version = "6.12.99", .url = url, .sha256 = std::string(64, 'a')}, dest.path(), {});
  REQUIRE_FALSE(r);
  INFO(r.error().message);
  CHECK(r.error().message.find(url) != std::string::npos);
  CHECK(names_in(dest.path()).empty());
}

TEST_CASE("download_release stops when cancelled") {
  auto server = FakeKernelOrg::start();
  REQUIRE(server);
  KernelRelease rel = release_of(*server);
  TempDir dest = scratch();
  auto r = download_release(rel, dest.path(), {.cancelled = [] { return true; }});
  REQUIRE_FALSE(r);
  CHECK(r.error().message == fmt::format("GET {}: interrupted", rel.url));
  CHECK_FALSE(fs::exists(dest.path() / kTarball));
}

namespace {

// A tmpfs of `bytes` mounted on a fresh directory, unmounted (lazily) on
// destruction: a real full disk for ENOSPC paths. Needs root (CI runs as root).
struct SmallDisk {
  TempDir dir;
  bool mounted = false;
  explicit SmallDisk(size_t bytes) : dir(scratch()) {
    mounted = ::mount("tmpfs", dir.path().c_str(), "tmpfs", 0, fmt::format("size={}", bytes).c_str()) == 0;
  }
  ~SmallDisk() {
    if (mounted) ::umount2(dir.path().c_str(), MNT_DETACH);
  }
};

// The disk, or nullptr (with a note) when not root; a failed mount as root fails the case.
std::unique_ptr<SmallDisk> small_disk(size_t bytes) {
  if (::geteuid() != 0) {
    MESSAGE("not root: cannot mount a small tmpfs, the full-disk path is not exercised");
    return nullptr;
  }
  auto disk = std::make_unique<SmallDisk>(bytes);
  REQUIRE_MESSAGE(disk->mounted, "mount -t tmpfs failed as root");
  return disk;
}

}  // namespace

TEST_CASE("download_release on a full disk says so, keeps only the resumable .part, and resumes after") {
  const auto disk = small_disk(64 * 1024);
  if (!disk) return;
  auto server = FakeKernelOrg::start();
  REQUIRE(server);
  REQUIRE(fs::file_size(server->root() / "v6.x" / kTarball) > 64 * 1024);  // cannot fit
  KernelRelease rel = release_of(*server);
  auto r = download_release(rel, disk->dir.path(), {});
  REQUIRE_FALSE(r);
  INFO(r.error().message);
  CHECK(r.error().message.find("No space left on device") != std::string::npos);
  CHECK(r.error().message.find("free space") != std::string::npos);  // says what to do
  CHECK(r.error().message.find(std::string(kTarball) + ".part") != std::string::npos);
  CHECK(names_in(disk->dir.path()) == std::vector<std::string>{std::string(kTarball) + ".part"});  // no final file

  // Space freed (the tmpfs grown): the rerun resumes from the .part and verifies.
  REQUIRE(::mount("tmpfs", disk->dir.path().c_str(), "tmpfs", MS_REMOUNT, "size=4m") == 0);
  const auto kept = fs::file_size(disk->dir.path() / (std::string(kTarball) + ".part"));
  auto again = download_release(rel, disk->dir.path(), {});
  REQUIRE_MESSAGE(again, (again ? "" : again.error().message));
  CHECK(ktstr::read_file(*again).value() == ktstr::read_file(server->root() / "v6.x" / kTarball).value());
  CHECK(count(server->log(), fmt::format("range=bytes={}-", kept)) == 1);  // a Range request, not a restart
  CHECK(names_in(disk->dir.path()) == std::vector<std::string>{kTarball});
}

TEST_CASE("write_file_atomic on a full disk fails, keeps the old file and leaves no temp file") {
  const auto disk = small_disk(16 * 1024);
  if (!disk) return;
  const fs::path file = disk->dir.path() / "state.json";
  REQUIRE(ktstr::write_file_atomic(file, "old"));
  auto r = ktstr::write_file_atomic(file, std::string(64 * 1024, 'x'));
  REQUIRE_FALSE(r);
  CHECK(r.error().message.find("No space left on device") != std::string::npos);
  CHECK(ktstr::read_file(file).value() == "old");
  CHECK(names_in(disk->dir.path()) == std::vector<std::string>{"state.json"});
}
