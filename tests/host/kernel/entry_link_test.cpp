// The build tree's kernel link and stamp: atomic repointing, the stamp
// rewritten only on a change, and nothing of the user's replaced.
#include <doctest/doctest.h>

#include <thread>

#include "host/kernel/entry_link.hpp"
#include "test_dirs.hpp"

using namespace ktstr::kernel;
namespace fs = std::filesystem;

TEST_CASE("the link follows the entry, the stamp changes only when the link does") {
  TestDir t;
  fs::path a = t.path() / "cache/6.12-aaaaaaaaaaaa", b = t.path() / "cache/6.12-bbbbbbbbbbbb";
  fs::create_directories(a);
  fs::create_directories(b);
  fs::path link = t.path() / "build/ktstr/kernels/default", stamp = t.path() / "build/ktstr/kernels/default.stamp";

  auto first = point_entry_link(link, a, stamp);
  REQUIRE(first);
  CHECK(*first);
  CHECK(fs::read_symlink(link) == a);
  CHECK(read_text(stamp) == a.string() + "\n");
  auto stamped = fs::last_write_time(stamp);

  auto same = point_entry_link(link, a, stamp);  // a cache hit on the same entry
  REQUIRE(same);
  CHECK_FALSE(*same);
  CHECK(fs::last_write_time(stamp) == stamped);

  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  auto moved = point_entry_link(link, b, stamp);  // a new entry (fragment or source changed)
  REQUIRE(moved);
  CHECK(*moved);
  CHECK(fs::read_symlink(link) == b);
  CHECK(fs::last_write_time(stamp) > stamped);
  for (const auto& f : fs::directory_iterator(link.parent_path()))
    CHECK_MESSAGE(!f.path().filename().string().starts_with(".default.tmp"), "temp link left behind");

  fs::remove(stamp);  // `ninja clean` removed the stamp: it comes back
  auto restamped = point_entry_link(link, b, stamp);
  REQUIRE(restamped);
  CHECK(*restamped);
  CHECK(fs::exists(stamp));
}

TEST_CASE("a real directory where the link goes is an error, left alone") {
  TestDir t;
  fs::path link = t.path() / "kernels/default";
  write_text(link / "mine.txt", "user data");
  auto r = point_entry_link(link, t.path() / "entry", t.path() / "kernels/default.stamp");
  REQUIRE_FALSE(r);
  CHECK(r.error().message.find("not a symlink") != std::string::npos);
  CHECK(read_text(link / "mine.txt") == "user data");
}
