// Flood messages of the guest probe: [u64 index][u64 FNV-1a of the body][body],
// the body a function of the index, so the host checks each message on its own
// (independently of the channel's frame CRC) and notices loss and reordering.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace ktstr::probe {

inline uint64_t fnv1a(std::string_view s) {
  uint64_t h = 0xcbf29ce484222325ull;
  for (unsigned char c : s) h = (h ^ c) * 0x100000001b3ull;
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
  const uint64_t sum = fnv1a(std::string_view(out).substr(16));
  std::memcpy(out.data(), &index, 8);
  std::memcpy(out.data() + 8, &sum, 8);
}

// True if msg is intact; stores its index.
inline bool check_message(std::string_view msg, uint64_t& index) {
  if (msg.size() < 16) return false;
  uint64_t sum = 0;
  std::memcpy(&index, msg.data(), 8);
  std::memcpy(&sum, msg.data() + 8, 8);
  return fnv1a(msg.substr(16)) == sum;
}

}  // namespace ktstr::probe
