#include "vmm/channel/ring_reader.hpp"

#include <atomic>
#include <cstring>

namespace ktstr::vmm {

namespace {
std::atomic_ref<uint64_t> word(uint64_t& w) { return std::atomic_ref<uint64_t>(w); }
}  // namespace

Result<RingReader> RingReader::open(const std::filesystem::path& file, uint64_t offset, uint64_t size) {
  if (size <= proto::kDataOffset + 4096) return fail("channel {}: ring of {} bytes is too small", file.string(), size);
  auto map = KTSTR_TRY(Mapping::map_file(file, offset, size));
  return RingReader(std::move(map));
}

bool RingReader::ready() const {
  auto& h = *reinterpret_cast<proto::RingHeader*>(map_.data());
  return word(h.magic).load(std::memory_order_acquire) == proto::kRingMagic;
}

Result<void> RingReader::check_header() {
  auto& h = *reinterpret_cast<proto::RingHeader*>(map_.data());
  const uint64_t expect = map_.size() - proto::kDataOffset;
  if (h.version != proto::kRingVersion)
    return fail("channel: guest ring version {} (host speaks {})", h.version, proto::kRingVersion);
  if (h.data_size != expect)
    return fail("channel: guest ring has {} data bytes, host region has {}", h.data_size, expect);
  data_size_ = expect;
  header_ok_ = true;
  return {};
}

Result<void> RingReader::corrupt(uint64_t cursor, std::string what) {
  broken_ = Error{fmt::format("channel corrupt at frame seq {} (ring offset {:#x}, cursor {}): {}", expect_seq_,
                              proto::kDataOffset + cursor % data_size_, cursor, what)};
  return std::unexpected(*broken_);
}

Result<size_t> RingReader::drain(const FrameHandler& handler) {
  if (broken_) return std::unexpected(*broken_);
  if (!ready()) return size_t{0};
  if (!header_ok_) KTSTR_TRY_VOID(check_header());
  auto& h = *reinterpret_cast<proto::RingHeader*>(map_.data());
  const std::byte* data = map_.data() + proto::kDataOffset;
  auto tail_word = word(h.tail);
  uint64_t tail = tail_word.load(std::memory_order_relaxed);
  const uint64_t head = word(h.head).load(std::memory_order_acquire);
  if (head < tail || head - tail > data_size_)
    return std::unexpected(corrupt(tail, fmt::format("head {} inconsistent with tail {}", head, tail)).error());
  size_t delivered = 0;
  while (tail < head) {
    const uint64_t pos = tail % data_size_;
    const uint64_t to_end = data_size_ - pos;
    if (to_end < sizeof(proto::FrameHeader)) {  // gap too small for a pad frame: the writer wrapped
      tail += to_end;
      continue;
    }
    proto::FrameHeader fh;
    std::memcpy(&fh, data + pos, sizeof fh);
    if (fh.magic != proto::kFrameMagic) {
      (void)corrupt(tail, fmt::format("bad frame magic {:#x}", fh.magic));
      break;
    }
    if (fh.type == static_cast<uint32_t>(proto::MsgType::kPad)) {
      if (fh.length != to_end - sizeof fh) {
        (void)corrupt(tail, fmt::format("pad of {} bytes does not reach the ring end ({} left)", fh.length, to_end));
        break;
      }
      tail += to_end;
      continue;
    }
    const uint64_t fbytes = proto::frame_bytes(fh.length);
    if (fh.length > proto::kMaxFramePayload || fbytes > to_end || tail + fbytes > head) {
      (void)corrupt(tail, fmt::format("impossible length {} ({} bytes to ring end, {} published)", fh.length, to_end,
                                      head - tail));
      break;
    }
    std::string_view payload(reinterpret_cast<const char*>(data + pos + sizeof fh), fh.length);
    if (fh.seq != expect_seq_) {
      (void)corrupt(tail, fmt::format("sequence {} where {} was expected (frames lost or reordered)", fh.seq,
                                      expect_seq_));
      break;
    }
    if (uint32_t crc = proto::crc32(payload); crc != fh.crc32) {
      (void)corrupt(tail, fmt::format("{} frame of {} bytes: crc32 {:#010x}, header says {:#010x}",
                                      proto::msg_type_name(static_cast<proto::MsgType>(fh.type)), fh.length, crc,
                                      fh.crc32));
      break;
    }
    handler(Frame{static_cast<proto::MsgType>(fh.type), fh.seq, payload});
    ++expect_seq_;
    ++frames_;
    ++delivered;
    payload_bytes_ += fh.length;
    tail += fbytes;
    tail_word.store(tail, std::memory_order_release);  // frees the space as soon as the handler is done with it
  }
  tail_word.store(tail, std::memory_order_release);
  if (broken_) return std::unexpected(*broken_);
  return delivered;
}

Result<void> RingReader::send_control(proto::ControlType type, std::string_view payload) {
  auto& cb = *reinterpret_cast<proto::ControlBlock*>(map_.data() + proto::kHeaderBytes);
  if (payload.size() > sizeof cb.payload)
    return fail("channel: control payload of {} bytes exceeds {}", payload.size(), sizeof cb.payload);
  std::memcpy(cb.payload, payload.data(), payload.size());
  cb.type = static_cast<uint32_t>(type);
  cb.length = static_cast<uint32_t>(payload.size());
  auto seq = word(cb.seq);
  seq.store(seq.load(std::memory_order_relaxed) + 1, std::memory_order_release);
  return {};
}

}  // namespace ktstr::vmm
