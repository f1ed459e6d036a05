// build_once: atomic install, damaged-entry detection, failure cleanup and
// cross-process lock contention (two real processes, one build).
#include <doctest/doctest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <sstream>
#include <thread>

#include "fake_entry.hpp"
#include "host/kernel/cache.hpp"

using namespace ktstr::kernel;
namespace fs = std::filesystem;

namespace {

// No temp dirs (.tmp-*) left in the cache.
bool no_temps(const fs::path& cache) {
  for (const auto& d : fs::directory_iterator(cache))
    if (d.path().filename().string().starts_with(".tmp-")) return false;
  return true;
}

}  // namespace

TEST_CASE("build_once installs a validated entry, then hits") {
  TestDir t;
  fs::path cache = t.path() / "cache", counter = t.path() / "count";
  auto step = [&](const fs::path& temp) { return fake_build(temp, counter); };
  auto first = build_once(cache, "6.12-aaaaaaaaaaaa", step);
  REQUIRE(first);
  CHECK_FALSE(first->cache_hit);
  CHECK(first->dir == cache / "6.12-aaaaaaaaaaaa");
  CHECK(first->manifest.key == "6.12-aaaaaaaaaaaa");
  CHECK(first->manifest.sha256.at("bzImage").size() == 64);
  auto second = build_once(cache, "6.12-aaaaaaaaaaaa", step);
  REQUIRE(second);
  CHECK(second->cache_hit);
  CHECK(read_counter(counter) == 1);
  CHECK(no_temps(cache));
  CHECK(list_entries(cache).size() == 1);
  auto forced = build_once(cache, "6.12-aaaaaaaaaaaa", step, {.force = true, .note = {}});
  REQUIRE(forced);
  CHECK_FALSE(forced->cache_hit);
  CHECK(read_counter(counter) == 2);
}

TEST_CASE("a failing build leaves no entry and no temp dir") {
  TestDir t;
  fs::path cache = t.path() / "cache";
  auto r = build_once(cache, "6.12-bbbbbbbbbbbb", [](const fs::path& temp) -> ktstr::Result<Manifest> {
    write_text(temp / "bzImage", "partial");
    return ktstr::fail("make bzImage failed (exit code 2)");
  });
  REQUIRE_FALSE(r);
  CHECK(r.error().message.find("make bzImage failed") != std::string::npos);
  CHECK_FALSE(fs::exists(cache / "6.12-bbbbbbbbbbbb"));
  CHECK(no_temps(cache));
  // A step that "succeeds" without producing the files is also refused.
  auto empty = build_once(cache, "6.12-bbbbbbbbbbbb", [](const fs::path&) { return ktstr::Result<Manifest>(Manifest{}); });
  REQUIRE_FALSE(empty);
  CHECK(empty.error().message.find("did not produce") != std::string::npos);
  CHECK_FALSE(fs::exists(cache / "6.12-bbbbbbbbbbbb"));
}

TEST_CASE("damaged entries are detected, reported and rebuilt") {
  TestDir t;
  fs::path cache = t.path() / "cache", counter = t.path() / "count";
  const std::string key = "6.12-cccccccccccc";
  auto step = [&](const fs::path& temp) { return fake_build(temp, counter); };
  REQUIRE(build_once(cache, key, step));
  fs::path dir = cache / key;

  SUBCASE("missing file") {
    fs::remove(dir / "bin/bpftool");
    auto v = validate_entry(dir);
    REQUIRE_FALSE(v);
    CHECK(v.error().message == "bin/bpftool is missing");
  }
  SUBCASE("same size, different bytes") {
    std::string text = read_text(dir / "vmlinux");
    text[0] = 'X';
    write_text(dir / "vmlinux", text);
    auto v = validate_entry(dir);
    REQUIRE_FALSE(v);
    CHECK(v.error().message.find("vmlinux sha256") != std::string::npos);
  }
  SUBCASE("bytes changed behind an unchanged mtime: only a full check sees it") {
    fs::path v = dir / "vmlinux";
    auto before = fs::last_write_time(v);
    std::string text = read_text(v);
    text[0] = 'Y';
    write_text(v, text);
    fs::last_write_time(v, before);
    CHECK(validate_entry(dir));  // the fast path trusts an unchanged mtime...
    auto v_full = validate_entry(dir, /*full=*/true);
    REQUIRE_FALSE(v_full);  // ...the full check re-hashes
    CHECK(v_full.error().message.find("vmlinux sha256") != std::string::npos);
    write_text(v, text);  // a later write changes the mtime: the fast path catches it too
  }
  SUBCASE("truncated") {
    write_text(dir / "bzImage", "");
    auto v = validate_entry(dir);
    REQUIRE_FALSE(v);
    CHECK(v.error().message.find("bzImage has size 0") != std::string::npos);
  }
  auto hit = lookup_entry(cache, key);
  REQUIRE_FALSE(hit);
  CHECK(hit.error().message.find("damaged") != std::string::npos);
  std::string note;
  auto rebuilt = build_once(cache, key, step, {.force = false, .note = [&](const std::string& n) { note = n; }});
  REQUIRE(rebuilt);
  CHECK_FALSE(rebuilt->cache_hit);
  CHECK(note.find("damaged") != std::string::npos);
  CHECK(read_counter(counter) == 2);
  CHECK(validate_entry(dir));
}

TEST_CASE("clean_cache keeps the newest N") {
  TestDir t;
  fs::path cache = t.path() / "cache";
  for (const char* key : {"6.12-000000000001", "6.12-000000000002", "6.12-000000000003"})
    REQUIRE(build_once(cache, key, [](const fs::path& temp) { return fake_build(temp); }));
  auto removed = clean_cache(cache, 1);
  REQUIRE(removed);
  CHECK(removed->size() == 2);
  CHECK(list_entries(cache).size() == 1);
  REQUIRE(clean_cache(cache, 0));
  CHECK(list_entries(cache).empty());
}

namespace {

// True once /proc/locks shows a process blocked (->) on the file's inode.
bool someone_waits_on(const fs::path& file) {
  struct stat st {};
  if (::stat(file.c_str(), &st) != 0) return false;
  std::string needle = fmt::format(":{} ", st.st_ino);
  std::istringstream locks(read_text("/proc/locks"));
  for (std::string line; std::getline(locks, line);)
    if (line.find("->") != std::string::npos && line.find(needle) != std::string::npos) return true;
  return false;
}

// Runs build_once in a child; exit 10 = built, 11 = cache hit, 1 = error.
pid_t spawn_builder(const fs::path& cache, const std::string& key, const fs::path& counter, const fs::path& started,
                    const fs::path& go) {
  pid_t pid = ::fork();
  if (pid != 0) return pid;
  auto r = build_once(cache, key, [&](const fs::path& temp) {
    write_text(started, "1");
    while (!fs::exists(go)) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    return fake_build(temp, counter);
  });
  ::_exit(!r ? 1 : r->cache_hit ? 11 : 10);
}

int exit_code(pid_t pid) {
  int ws = 0;
  ::waitpid(pid, &ws, 0);
  return WIFEXITED(ws) ? WEXITSTATUS(ws) : -1;
}

}  // namespace

TEST_CASE("two processes building one key: one builds, the other waits and hits") {
  TestDir t;
  fs::path cache = t.path() / "cache", counter = t.path() / "count";
  fs::path started = t.path() / "started", go = t.path() / "go";
  const std::string key = "6.12-dddddddddddd";
  pid_t a = spawn_builder(cache, key, counter, started, go);
  // Deadlines only bound a hang; they are not what the test asserts.
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (!fs::exists(started) && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  REQUIRE(fs::exists(started));  // a holds the lock and is inside its build step
  pid_t b = spawn_builder(cache, key, counter, started, go);
  while (!someone_waits_on(cache / (key + ".lock")) && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  CHECK(someone_waits_on(cache / (key + ".lock")));  // b is blocked on the lock
  write_text(go, "1");
  CHECK(exit_code(a) == 10);
  CHECK(exit_code(b) == 11);
  CHECK(read_counter(counter) == 1);
  CHECK(validate_entry(cache / key));
}
