#include "base/protocol.hpp"

#include <array>
#include <cstring>

namespace ktstr::proto {

namespace {
// Slicing-by-8 tables for the reflected IEEE 802.3 polynomial 0xEDB88320:
// kTables[0] is the classic byte table; kTables[k][b] is the CRC of byte b
// followed by k zero bytes, so eight input bytes fold in with eight lookups.
// Measured under TCG, where the guest computes every frame's CRC, this runs
// about 3x faster than one lookup per byte (bench/channel).
constexpr std::array<std::array<uint32_t, 256>, 8> make_tables() {
  std::array<std::array<uint32_t, 256>, 8> t{};
  for (uint32_t i = 0; i < 256; ++i) {
    uint32_t c = i;
    for (int k = 0; k < 8; ++k) c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
    t[0][i] = c;
  }
  for (size_t k = 1; k < 8; ++k)
    for (uint32_t i = 0; i < 256; ++i) t[k][i] = (t[k - 1][i] >> 8) ^ t[0][t[k - 1][i] & 0xFF];
  return t;
}
constexpr auto kTables = make_tables();
}  // namespace

uint32_t crc32(std::span<const std::byte> data) {
  uint32_t c = 0xFFFFFFFFu;
  const std::byte* p = data.data();
  size_t n = data.size();
  for (; n >= 8; n -= 8, p += 8) {
    uint32_t lo, hi;
    std::memcpy(&lo, p, 4);  // little-endian host (x86-64)
    std::memcpy(&hi, p + 4, 4);
    lo ^= c;
    c = kTables[7][lo & 0xFF] ^ kTables[6][(lo >> 8) & 0xFF] ^ kTables[5][(lo >> 16) & 0xFF] ^ kTables[4][lo >> 24] ^
        kTables[3][hi & 0xFF] ^ kTables[2][(hi >> 8) & 0xFF] ^ kTables[1][(hi >> 16) & 0xFF] ^ kTables[0][hi >> 24];
  }
  for (; n > 0; --n, ++p) c = kTables[0][(c ^ static_cast<uint8_t>(*p)) & 0xFF] ^ (c >> 8);
  return c ^ 0xFFFFFFFFu;
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

}  // namespace ktstr::proto
