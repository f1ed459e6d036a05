// The host-guest results channel: framed messages in a shared-memory ring.
//
// Transport (chosen by measurement: vmm/channel/ring_reader.hpp, bench/channel): a
// region of guest RAM that the kernel is told to leave alone
// (memmap=SIZE$ADDR on the command line). The guest maps it through /dev/mem;
// the host sees the same bytes in the memory backend file. A frame is visible
// to the host as soon as the guest's store retires, so nothing written before
// a panic or hang is lost, and no device emulation sits in the data path.
//
// This header is the wire contract shared by both sides. Layout of the region:
//   [0, 4096)        RingHeader (guest-written producer fields, host-written consumer fields)
//   [4096, 8192)     ControlBlock (host -> guest messages)
//   [8192, size)     data ring of frames, each 8-byte aligned
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace ktstr::proto {

inline constexpr uint64_t kRingMagic = 0x4b54535452494e47ull;  // "KTSTRING"
inline constexpr uint32_t kRingVersion = 1;
inline constexpr uint64_t kHeaderBytes = 4096;
inline constexpr uint64_t kControlBytes = 4096;
inline constexpr uint64_t kDataOffset = kHeaderBytes + kControlBytes;
inline constexpr uint32_t kFrameMagic = 0x4b46524du;  // "KFRM"
inline constexpr uint32_t kMaxFramePayload = 4u << 20;

// Message types carried by frames. Values are ABI: append only.
enum class MsgType : uint32_t {
  kPad = 0,          // filler to the end of the ring; skip
  kHello = 1,        // guest runtime started; payload: JSON {boot_ns, kernel}
  kLog = 2,          // free text from the guest runtime
  kStdout = 3,       // payload program stdout bytes (ktstr run)
  kStderr = 4,       // payload program stderr bytes
  kTopology = 5,     // JSON: topology the guest sees in sysfs
  kTelemetry = 6,    // JSON: RunTelemetry (telemetry.hpp)
  kSchedEvent = 7,   // JSON: scheduler lifecycle event
  kAssertion = 8,    // JSON: failed doctest assertion {file, line, expr, msg}
  kResult = 9,       // JSON: test outcome from the guest's point of view
  kExit = 10,        // 4 bytes little-endian: guest exit code; last frame of a run
  kData = 11,        // opaque test data (channel tests, benchmarks)
};

// Frame header; payload follows, then padding to 8 bytes.
struct FrameHeader {
  uint32_t magic;     // kFrameMagic
  uint32_t type;      // MsgType
  uint32_t length;    // payload bytes
  uint32_t crc32;     // CRC-32 (IEEE) of the payload
  uint64_t seq;       // 0,1,2,... per ring
};
static_assert(sizeof(FrameHeader) == 24);

// First page of the region. Producer and consumer cursors are monotonically
// increasing byte counts; position in the ring = cursor % data_size.
struct RingHeader {
  uint64_t magic;         // kRingMagic once the guest initialized the ring
  uint32_t version;       // kRingVersion
  uint32_t reserved0;
  uint64_t data_size;     // bytes of the data ring
  uint64_t head;          // producer: bytes published (guest writes, release)
  uint64_t lock;          // producer spinlock (guest processes share one ring)
  uint64_t next_seq;      // producer: next frame sequence number
  uint8_t pad0[4096 / 2 - 48];
  uint64_t tail;          // consumer: bytes consumed (host writes); guest blocks when full
  uint8_t pad1[4096 / 2 - 8];
};
static_assert(sizeof(RingHeader) == kHeaderBytes);

// Host -> guest control: a small mailbox. The host writes payload then bumps
// seq; the guest compares seq with the last it saw.
struct ControlBlock {
  uint64_t seq;
  uint32_t type;    // ControlType
  uint32_t length;
  uint8_t payload[kControlBytes - 16];
};
static_assert(sizeof(ControlBlock) == kControlBytes);

enum class ControlType : uint32_t {
  kNone = 0,
  kStop = 1,   // host asks the guest to finish early (e.g. the launcher got SIGTERM)
};

// Frame size on the ring, header + payload rounded up to 8.
constexpr uint64_t frame_bytes(uint32_t payload_len) {
  return (sizeof(FrameHeader) + payload_len + 7) & ~uint64_t{7};
}

uint32_t crc32(std::span<const std::byte> data);
inline uint32_t crc32(std::string_view s) {
  return crc32(std::as_bytes(std::span(s.data(), s.size())));
}

std::string_view msg_type_name(MsgType t);

// Payload of MsgType::kExit: the guest's exit code, 4 bytes little-endian.
int decode_exit_code(std::string_view payload);

// Payload of MsgType::kHello: the guest's CLOCK_MONOTONIC at the hello in
// seconds (kernel boot until PID 1 ran), or -1 when the payload has no
// "boot_ns" number.
double decode_hello_uptime(std::string_view payload);

}  // namespace ktstr::proto
