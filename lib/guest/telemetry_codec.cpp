#include "guest/telemetry_codec.hpp"

#include <algorithm>

namespace ktstr::guest {
namespace {

// Keeps at most cap samples, evenly spaced over the (already random) sample.
void thin(std::vector<uint64_t>& v, size_t cap) {
  if (v.size() <= cap) return;
  std::vector<uint64_t> out;
  out.reserve(cap);
  for (size_t i = 0; i < cap; ++i) out.push_back(v[i * v.size() / cap]);
  v = std::move(out);
}

}  // namespace

std::string keep_tail(std::string_view s, size_t max_bytes) {
  if (s.size() <= max_bytes) return std::string(s);
  std::string_view tail = s.substr(s.size() - max_bytes);
  auto nl = tail.find('\n');
  if (nl != std::string_view::npos && nl + 1 < tail.size()) tail.remove_prefix(nl + 1);
  return std::string(tail);
}

Result<std::string> encode_telemetry(RunTelemetry t, size_t max_bytes) {
  t.scheduler.log_tail = keep_tail(t.scheduler.log_tail, kMaxLogTailBytes);
  t.scheduler.dump = keep_tail(t.scheduler.dump, kMaxDumpBytes);
  if (t.baseline) {
    t.baseline->scheduler.log_tail = keep_tail(t.baseline->scheduler.log_tail, kMaxLogTailBytes);
    t.baseline->scheduler.dump = keep_tail(t.baseline->scheduler.dump, kMaxDumpBytes);
  }
  size_t cap = kMaxLatencySamples;
  for (;;) {
    for (auto& w : t.workers) thin(w.wake_latency_ns, cap);
    if (t.baseline)
      for (auto& w : t.baseline->workers) thin(w.wake_latency_ns, cap);
    std::string out = nlohmann::json(t).dump();
    if (out.size() <= max_bytes) return out;
    if (cap == 0) {
      if (!t.scheduler.dump.empty() || !t.scheduler.log_tail.empty()) {
        t.scheduler.dump = keep_tail(t.scheduler.dump, 4096);
        t.scheduler.log_tail = keep_tail(t.scheduler.log_tail, 4096);
        if (nlohmann::json(t).dump().size() <= max_bytes) continue;
      }
      return fail("telemetry of {} workers is {} bytes even without latency samples (limit {})",
                  t.workers.size() + (t.baseline ? t.baseline->workers.size() : 0), out.size(), max_bytes);
    }
    cap /= 2;
  }
}

Result<RunTelemetry> decode_telemetry(std::string_view json) {
  try {
    return nlohmann::json::parse(json).get<RunTelemetry>();
  } catch (const std::exception& e) {
    return fail("decoding telemetry: {}", e.what());
  }
}

}  // namespace ktstr::guest
