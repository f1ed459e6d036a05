// Guest side of the host-guest results channel (wire contract: base/protocol.hpp).
//
// A Channel maps the shared ring (reserved guest RAM via /dev/mem, or any file
// for host-side tests) and appends frames to it. Any number of processes may
// send through the same ring: the producer lock is a spinlock word on the
// shared header page, taken with a CAS and stolen from a holder that no longer
// exists, so a worker killed mid-send cannot wedge the others. A frame is
// visible to the host as soon as send() returns; nothing is buffered.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>

#include "base/error.hpp"
#include "base/mapping.hpp"
#include "base/protocol.hpp"

namespace ktstr::guest {

// Where the ring lives in guest-physical memory, as the launcher announced it.
struct ChannelLocation {
  uint64_t phys_addr = 0;
  uint64_t size = 0;
};

// Finds "ktstr.channel=<hex addr>,<hex size>" in a kernel command line.
Result<ChannelLocation> parse_channel_param(std::string_view cmdline);

// Move-only; owns the mapping of the ring. Survives fork(): a child may keep
// sending through the inherited object.
class Channel {
 public:
  // Opens the ring announced on /proc/cmdline through /dev/mem and initializes
  // its header when the magic is absent (first opener).
  static Result<Channel> open();
  // The same ring over any file (host-side tests, benchmarks).
  static Result<Channel> open_mapping(const std::filesystem::path& file, uint64_t offset, uint64_t size);

  // Appends one frame. Waits while the ring is full (the host drains it
  // concurrently); fails if the host makes no progress for kStallSeconds.
  Result<void> send(proto::MsgType type, std::span<const std::byte> payload);
  Result<void> send(proto::MsgType type, std::string_view payload) {
    return send(type, std::as_bytes(std::span(payload.data(), payload.size())));
  }
  // Sends MsgType::kExit with the 4-byte little-endian code.
  Result<void> send_exit(int code);
  // MsgType::kHello: the guest runtime started; {"boot_ns": uptime, "kernel":
  // release}. The host splits boot into VMM start and kernel init with it.
  Result<void> send_hello();

  // Returns the host's newest control message once (nullopt when none is new).
  std::optional<std::pair<proto::ControlType, std::string>> poll_control();

  // Largest payload send() accepts on this ring.
  [[nodiscard]] uint32_t max_payload() const;

  static constexpr int kStallSeconds = 60;

 private:
  explicit Channel(Mapping m) : map_(std::move(m)) {}
  Result<void> init_header();
  proto::RingHeader& header() const { return *reinterpret_cast<proto::RingHeader*>(map_.data()); }
  Result<void> lock();
  void unlock();
  Result<void> wait_space(uint64_t end_cursor);

  Mapping map_;
  uint64_t control_seen_ = 0;
};

}  // namespace ktstr::guest
