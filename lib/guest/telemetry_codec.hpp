// Encoding of RunTelemetry for the channel, with hard size bounds so a
// 252-vCPU oversubscribed guest cannot flood it: per-record placement runs
// (kMaxCpuRuns) are coarsened and latency samples (kMaxLatencySamples)
// thinned further (uniformly, keeping wake_samples_seen) and periodic
// snapshots halved until the JSON fits; logs and dumps keep their tails. Both
// phases of an A/B run get the same caps. The order is in telemetry_codec.cpp
// (Caps).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "base/error.hpp"
#include "base/telemetry.hpp"

namespace ktstr::guest {

inline constexpr size_t kMaxLogTailBytes = 16 * 1024;
inline constexpr size_t kMaxDumpBytes = 64 * 1024;
inline constexpr size_t kDefaultTelemetryBudget = 3u << 20;  // below proto::kMaxFramePayload

// Keeps the last max_bytes of s, starting at a line boundary when possible.
std::string keep_tail(std::string_view s, size_t max_bytes);

// Serializes t to JSON no larger than max_bytes, coarsening placement,
// thinning samples and periodic snapshots if needed. Fails only when even
// the form without any of them (and with 4 KiB log and dump tails) does not
// fit.
Result<std::string> encode_telemetry(RunTelemetry t, size_t max_bytes = kDefaultTelemetryBudget);

// Parses JSON produced by encode_telemetry (missing fields take defaults).
Result<RunTelemetry> decode_telemetry(std::string_view json);

}  // namespace ktstr::guest
