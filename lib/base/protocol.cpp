#include "base/protocol.hpp"

#include <zlib.h>

#include <algorithm>

#include <nlohmann/json.hpp>

namespace ktstr::proto {

uint32_t crc32(std::span<const std::byte> data) {
  // zlib's crc32 is CRC-32/IEEE (reflected 0xEDB88320), table-driven over
  // several bytes at a time; the guest computes one per frame under TCG.
  uLong c = ::crc32(0L, Z_NULL, 0);
  const auto* p = reinterpret_cast<const Bytef*>(data.data());
  for (size_t left = data.size(); left > 0;) {
    const uInt n = static_cast<uInt>(std::min<size_t>(left, 1u << 30));
    c = ::crc32(c, p, n);
    p += n;
    left -= n;
  }
  return static_cast<uint32_t>(c);
}

std::string_view msg_type_name(MsgType t) {
  switch (t) {
    case MsgType::kPad: return "pad";
    case MsgType::kHello: return "hello";
    case MsgType::kLog: return "log";
    case MsgType::kStdout: return "stdout";
    case MsgType::kStderr: return "stderr";
    case MsgType::kTopology: return "topology";
    case MsgType::kTelemetry: return "telemetry";
    case MsgType::kSchedEvent: return "sched_event";
    case MsgType::kAssertion: return "assertion";
    case MsgType::kResult: return "result";
    case MsgType::kExit: return "exit";
    case MsgType::kData: return "data";
  }
  return "unknown";
}

int decode_exit_code(std::string_view p) {
  uint32_t v = 0;
  for (size_t i = 0; i < 4 && i < p.size(); ++i) v |= uint32_t(static_cast<unsigned char>(p[i])) << (8 * i);
  return static_cast<int>(v);
}

double decode_hello_uptime(std::string_view p) {
  auto j = nlohmann::json::parse(p, nullptr, false);
  if (!j.is_object() || !j.contains("boot_ns") || !j["boot_ns"].is_number()) return -1;
  return j["boot_ns"].get<double>() / 1e9;
}

}  // namespace ktstr::proto
