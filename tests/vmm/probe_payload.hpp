// Flood messages of the guest probe: [u64 index][u64 checksum of the body][body],
// the body a function of the index, so the host checks each message on its own
// (independently of the channel's frame CRC) and notices loss and reordering.
// Word-at-a-time (xorshift64 body, multiply-rotate checksum): the guest runs
// this under TCG, where a byte loop would cost more than the channel itself.
#pragma once

#include <bit>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace ktstr::probe {

inline uint64_t body_checksum(std::string_view body) {
  uint64_t h = 0x9e3779b97f4a7c15ull;
  size_t i = 0;
  for (; i + 8 <= body.size(); i += 8) {
    uint64_t w;
    std::memcpy(&w, body.data() + i, 8);
    h = std::rotl(h ^ w, 23) * 0xff51afd7ed558ccdull;
  }
  for (; i < body.size(); ++i) h = std::rotl(h ^ static_cast<unsigned char>(body[i]), 23) * 0xff51afd7ed558ccdull;
  return h;
}

// Fills out with message index of len bytes (len >= 16).
inline void fill_message(uint64_t index, size_t len, std::string& out) {
  out.resize(len);
  uint64_t x = index * 0x9e3779b97f4a7c15ull + 1;
  for (size_t i = 16; i < len; i += 8) {
    x ^= x << 13, x ^= x >> 7, x ^= x << 17;  // xorshift64
    std::memcpy(out.data() + i, &x, std::min<size_t>(8, len - i));
  }
  const uint64_t sum = body_checksum(std::string_view(out).substr(16));
  std::memcpy(out.data(), &index, 8);
  std::memcpy(out.data() + 8, &sum, 8);
}

// True if msg is intact; stores its index.
inline bool check_message(std::string_view msg, uint64_t& index) {
  if (msg.size() < 16) return false;
  uint64_t sum = 0;
  std::memcpy(&index, msg.data(), 8);
  std::memcpy(&sum, msg.data() + 8, 8);
  return body_checksum(msg.substr(16)) == sum;
}

}  // namespace ktstr::probe
