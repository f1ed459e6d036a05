#include "guest/channel/channel.hpp"

#include <signal.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <atomic>
#include <charconv>
#include <chrono>
#include <cstring>
#include <thread>

#include <fmt/format.h>

#include "base/fd.hpp"

namespace ktstr::guest {

namespace {

using Clock = std::chrono::steady_clock;

std::atomic_ref<uint64_t> word(uint64_t& w) { return std::atomic_ref<uint64_t>(w); }

// Short pause between polls of a shared word. A plain yield would spin a
// TCG vCPU that the host needs for draining; 20 us lets the other side run.
void pause_briefly() { std::this_thread::sleep_for(std::chrono::microseconds(20)); }

Result<uint64_t> parse_hex(std::string_view s) {
  if (s.starts_with("0x") || s.starts_with("0X")) s.remove_prefix(2);
  uint64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v, 16);
  if (ec != std::errc() || p != s.data() + s.size() || s.empty()) return fail("bad hex number '{}'", s);
  return v;
}

}  // namespace

Result<ChannelLocation> parse_channel_param(std::string_view cmdline) {
  constexpr std::string_view kKey = "ktstr.channel=";
  size_t at = 0;
  for (;;) {
    at = cmdline.find(kKey, at);
    if (at == std::string_view::npos) return fail("no {}ADDR,SIZE on the kernel command line", kKey);
    if (at == 0 || cmdline[at - 1] == ' ') break;
    at += kKey.size();
  }
  std::string_view v = cmdline.substr(at + kKey.size());
  v = v.substr(0, v.find_first_of(" \n"));
  auto comma = v.find(',');
  if (comma == std::string_view::npos) return fail("{}{}: expected ADDR,SIZE", kKey, v);
  auto addr = parse_hex(v.substr(0, comma));
  auto size = parse_hex(v.substr(comma + 1));
  if (!addr || !size) return fail("{}{}: expected hex ADDR,SIZE", kKey, v);
  if (*size <= proto::kDataOffset + 4096) return fail("{}{}: ring too small", kKey, v);
  return ChannelLocation{*addr, *size};
}

Result<Channel> Channel::open() {
  auto cmdline = KTSTR_TRY(read_file("/proc/cmdline"));
  auto loc = KTSTR_TRY(parse_channel_param(cmdline));
  // /dev/mem may map the region: memmap=SIZE$ADDR made it e820-reserved, so
  // it is not System RAM and even STRICT_DEVMEM kernels allow it.
  return open_mapping("/dev/mem", loc.phys_addr, loc.size);
}

Result<Channel> Channel::open_mapping(const std::filesystem::path& file, uint64_t offset, uint64_t size) {
  if (size <= proto::kDataOffset + 4096) return fail("channel {}: ring of {} bytes is too small", file.string(), size);
  auto map = KTSTR_TRY(Mapping::map_file(file, offset, size));
  Channel ch(std::move(map));
  KTSTR_TRY_VOID(ch.init_header());
  return ch;
}

Result<void> Channel::init_header() {
  auto& h = header();
  const uint64_t data_size = map_.size() - proto::kDataOffset;
  if (word(h.magic).load(std::memory_order_acquire) == proto::kRingMagic) {
    if (h.version != proto::kRingVersion || h.data_size != data_size)
      return fail("channel: ring header (version {}, {} data bytes) does not match this ring ({}, {})", h.version,
                  h.data_size, proto::kRingVersion, data_size);
    return {};
  }
  // First opener (PID 1, before it forks anything): lay out an empty ring and
  // publish it by storing the magic last.
  std::memset(map_.data(), 0, proto::kDataOffset);
  h.version = proto::kRingVersion;
  h.data_size = data_size;
  word(h.magic).store(proto::kRingMagic, std::memory_order_release);
  return {};
}

uint32_t Channel::max_payload() const {
  const uint64_t quarter = header().data_size / 4;
  const uint64_t cap = quarter > sizeof(proto::FrameHeader) ? quarter - sizeof(proto::FrameHeader) : 0;
  return static_cast<uint32_t>(std::min<uint64_t>(cap, proto::kMaxFramePayload));
}

Result<void> Channel::lock() {
  auto lock_word = word(header().lock);
  const uint64_t me = static_cast<uint64_t>(::getpid());
  auto deadline = Clock::now() + std::chrono::seconds(2 * kStallSeconds);
  for (;;) {
    uint64_t owner = 0;
    if (lock_word.compare_exchange_weak(owner, me, std::memory_order_acquire)) return {};
    if (owner == me) return fail("channel: lock already held by this process (send() re-entered from a signal handler?)");
    // A holder that died mid-send never published its frame; take over.
    if (owner != 0 && ::kill(static_cast<pid_t>(owner), 0) != 0 && errno == ESRCH &&
        lock_word.compare_exchange_strong(owner, me, std::memory_order_acquire))
      return {};
    if (Clock::now() > deadline) return fail("channel: producer lock held by pid {} for {} s", owner, 2 * kStallSeconds);
    pause_briefly();
  }
}

void Channel::unlock() { word(header().lock).store(0, std::memory_order_release); }

Result<void> Channel::wait_space(uint64_t end_cursor) {
  auto tail = word(header().tail);
  const uint64_t ds = header().data_size;
  uint64_t last = tail.load(std::memory_order_acquire);
  auto stall_since = Clock::now();
  while (end_cursor - last > ds) {
    pause_briefly();
    uint64_t now = tail.load(std::memory_order_acquire);
    if (now != last) {
      last = now;
      stall_since = Clock::now();
    } else if (Clock::now() - stall_since > std::chrono::seconds(kStallSeconds)) {
      return fail("channel: ring full and the host consumed nothing for {} s", kStallSeconds);
    }
  }
  return {};
}

Result<void> Channel::send(proto::MsgType type, std::span<const std::byte> payload) {
  if (payload.size() > max_payload())
    return fail("channel: {} frame of {} bytes exceeds the {}-byte limit", proto::msg_type_name(type), payload.size(),
                max_payload());
  auto& h = header();
  const uint64_t ds = h.data_size;
  std::byte* data = map_.data() + proto::kDataOffset;
  const uint32_t len = static_cast<uint32_t>(payload.size());
  const uint64_t fbytes = proto::frame_bytes(len);
  const uint32_t crc = proto::crc32(payload);  // outside the lock: the costly part

  KTSTR_TRY_VOID(lock());
  auto head = word(h.head);
  uint64_t cursor = head.load(std::memory_order_relaxed);
  const uint64_t to_end = ds - cursor % ds;
  if (to_end < fbytes) {
    // Frames never wrap: pad to the end of the ring. A gap shorter than a
    // header carries no pad frame; the reader skips it by the same rule.
    if (auto r = wait_space(cursor + to_end); !r) return unlock(), r;
    if (to_end >= sizeof(proto::FrameHeader)) {
      proto::FrameHeader pad{.magic = proto::kFrameMagic,
                             .type = static_cast<uint32_t>(proto::MsgType::kPad),
                             .length = static_cast<uint32_t>(to_end - sizeof(proto::FrameHeader)),
                             .crc32 = 0,
                             .seq = h.next_seq};
      std::memcpy(data + cursor % ds, &pad, sizeof pad);
    }
    cursor += to_end;
    head.store(cursor, std::memory_order_release);
  }
  if (auto r = wait_space(cursor + fbytes); !r) return unlock(), r;
  proto::FrameHeader fh{.magic = proto::kFrameMagic,
                        .type = static_cast<uint32_t>(type),
                        .length = len,
                        .crc32 = crc,
                        .seq = h.next_seq++};
  std::byte* at = data + cursor % ds;
  std::memcpy(at, &fh, sizeof fh);
  if (len) std::memcpy(at + sizeof fh, payload.data(), len);
  head.store(cursor + fbytes, std::memory_order_release);
  unlock();
  return {};
}

Result<void> Channel::send_exit(int code) {
  const uint32_t v = static_cast<uint32_t>(code);
  const std::byte le[4] = {std::byte(v & 0xff), std::byte((v >> 8) & 0xff), std::byte((v >> 16) & 0xff),
                           std::byte(v >> 24)};
  return send(proto::MsgType::kExit, std::span<const std::byte>(le, 4));
}

Result<void> Channel::send_hello() {
  utsname u{};
  uname(&u);
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  const uint64_t boot_ns = uint64_t(ts.tv_sec) * 1'000'000'000ull + uint64_t(ts.tv_nsec);
  return send(proto::MsgType::kHello, fmt::format(R"({{"boot_ns": {}, "kernel": "{}"}})", boot_ns, u.release));
}

std::optional<std::pair<proto::ControlType, std::string>> Channel::poll_control() {
  auto& cb = *reinterpret_cast<proto::ControlBlock*>(map_.data() + proto::kHeaderBytes);
  const uint64_t seq = word(cb.seq).load(std::memory_order_acquire);
  if (seq == control_seen_) return std::nullopt;
  control_seen_ = seq;
  const uint32_t len = std::min<uint32_t>(cb.length, sizeof cb.payload);
  return std::pair{static_cast<proto::ControlType>(cb.type),
                   std::string(reinterpret_cast<const char*>(cb.payload), len)};
}

}  // namespace ktstr::guest
