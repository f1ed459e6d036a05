// The snapshot bounds: what append_snapshot keeps, what thinning drops, and
// that the codec thins periodic snapshots before anything the checks need.
#include <doctest/doctest.h>

#include "guest/snapshot_book.hpp"
#include "guest/telemetry_codec.hpp"

using namespace ktstr;
using namespace ktstr::guest;

namespace {
SnapshotTelemetry snap(std::string name, bool periodic, size_t workers, uint64_t t_ns = 0) {
  SnapshotTelemetry s{.name = std::move(name), .periodic = periodic, .t_ns = t_ns};
  for (size_t i = 0; i < workers; ++i)
    s.workers.push_back({.cgroup = "cg0", .worker = static_cast<int>(i), .pid = 100 + static_cast<int>(i),
                         .iterations = 123456789, .cpu_ns = 1234567890123, .runq_wait_ns = 123456789012});
  return s;
}
}  // namespace

TEST_CASE("append_snapshot: kMaxSnapshots snapshots, kMaxSnapshotSamples samples, the rest counted") {
  RunTelemetry t;
  for (size_t i = 0; i < kMaxSnapshots; ++i) CHECK(append_snapshot(t, snap("p", true, 1)));
  CHECK(!append_snapshot(t, snap("one too many", false, 1)));
  CHECK(t.snapshots.size() == kMaxSnapshots);
  CHECK(t.snapshots_dropped == 1);

  RunTelemetry big;
  CHECK(append_snapshot(big, snap("a", true, kMaxSnapshotSamples - 1)));
  CHECK(!append_snapshot(big, snap("b", true, 2)));  // would exceed the samples bound
  CHECK(append_snapshot(big, snap("c", true, 1)));   // exactly at it
  CHECK(big.snapshots_dropped == 1);
}

TEST_CASE("thin_snapshots halves the periodic ones evenly and keeps every named one") {
  RunTelemetry t;
  for (int i = 0; i < 9; ++i) t.snapshots.push_back(snap(fmt::format("p{}", i), true, 1, static_cast<uint64_t>(i)));
  t.snapshots.insert(t.snapshots.begin() + 4, snap("named", false, 1));
  thin_snapshots(t, 5);
  std::vector<std::string> names;
  for (const auto& s : t.snapshots) names.push_back(s.name);
  CHECK(names == std::vector<std::string>{"p0", "p2", "named", "p4", "p6", "p8"});
  CHECK(t.snapshots_dropped == 4);
  thin_snapshots(t, 2);  // p0 p2 p4 p6 p8 -> p0 p4 p8 -> p0 p8
  CHECK(periodic_snapshots(t) == 2);
  CHECK(t.snapshots.back().name == "p8");
  thin_snapshots(t, 0);
  REQUIRE(t.snapshots.size() == 1);
  CHECK(t.snapshots[0].name == "named");
  CHECK(t.snapshots_dropped == 9);
}

TEST_CASE("the codec thins periodic snapshots to fit, keeping named ones") {
  RunTelemetry t;
  t.test = "big";
  for (int i = 0; i < 64; ++i) t.snapshots.push_back(snap(fmt::format("s@{}", i), true, 64));
  t.snapshots.push_back(snap("mid", false, 64));
  const size_t full = nlohmann::json(t).dump().size();
  auto json = encode_telemetry(t, full / 3);
  REQUIRE(json);
  auto back = decode_telemetry(*json);
  REQUIRE(back);
  CHECK(back->snapshots.size() < t.snapshots.size());
  CHECK(back->snapshots.back().name == "mid");
  CHECK(back->snapshots_dropped == t.snapshots.size() - back->snapshots.size());
  CHECK(back->snapshots.front().name == "s@0");
}

TEST_CASE("telemetry without snapshots (older guests) decodes with none") {
  auto back = decode_telemetry(R"({"test":"old","workers":[]})");
  REQUIRE(back);
  CHECK(back->snapshots.empty());
  CHECK(back->snapshots_dropped == 0);
}
