// The channel ring over a regular file: the same code paths the guest and the
// host run, without a VM.
#include <doctest/doctest.h>
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "base/fd.hpp"
#include "guest/channel/channel.hpp"
#include "vmm/channel/ring_reader.hpp"

namespace fs = std::filesystem;
using ktstr::guest::Channel;
using ktstr::vmm::Frame;
using ktstr::vmm::RingReader;
using ktstr::proto::MsgType;

namespace {

// A zero-filled ring file that removes itself.
struct RingFile {
  fs::path path;
  uint64_t size;
  explicit RingFile(uint64_t bytes) : size(bytes) {
    path = fs::temp_directory_path() / fmt::format("ktstr-ring-test-{}-{}", ::getpid(), counter()++);
    fs::remove(path);
    auto fd = ktstr::open_file(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
    REQUIRE(fd);
    REQUIRE(::ftruncate(fd->get(), static_cast<off_t>(bytes)) == 0);
  }
  ~RingFile() { fs::remove(path); }
  static int& counter() {
    static int n = 0;
    return n;
  }
};

std::string pattern(uint64_t seq, size_t len) {
  std::string s(len, '\0');
  for (size_t i = 0; i < len; ++i) s[i] = static_cast<char>((seq * 131 + i * 7) & 0xff);
  return s;
}

}  // namespace

TEST_CASE("parse_channel_param finds the ring on a kernel command line") {
  auto loc = ktstr::guest::parse_channel_param("console=ttyS0 ktstr.channel=0x1f000000,0x1000000 quiet\n");
  REQUIRE(loc);
  CHECK(loc->phys_addr == 0x1f000000);
  CHECK(loc->size == 0x1000000);
  CHECK_FALSE(ktstr::guest::parse_channel_param("console=ttyS0 quiet"));
  CHECK_FALSE(ktstr::guest::parse_channel_param("ktstr.channel=0x1000"));
  CHECK_FALSE(ktstr::guest::parse_channel_param("ktstr.channel=zz,0x1000000"));
  CHECK_FALSE(ktstr::guest::parse_channel_param("xktstr.channel=0x1000,0x1000000"));
}

TEST_CASE("frames written before the reader attaches arrive in order") {
  RingFile f(64 * 1024);
  auto ch = Channel::open_mapping(f.path, 0, f.size);
  REQUIRE(ch);
  REQUIRE(ch->send(MsgType::kLog, "hello"));
  REQUIRE(ch->send(MsgType::kData, ""));
  REQUIRE(ch->send_exit(-3));
  auto rd = RingReader::open(f.path, 0, f.size);
  REQUIRE(rd);
  std::vector<std::pair<MsgType, std::string>> got;
  auto n = rd->drain([&](const Frame& fr) { got.emplace_back(fr.type, std::string(fr.payload)); });
  REQUIRE(n);
  CHECK(*n == 3);
  REQUIRE(got.size() == 3);
  CHECK(got[0] == std::pair{MsgType::kLog, std::string("hello")});
  CHECK(got[1].first == MsgType::kData);
  CHECK(got[1].second.empty());
  CHECK(got[2].first == MsgType::kExit);
  CHECK(got[2].second == std::string("\xfd\xff\xff\xff", 4));
}

TEST_CASE("a ring smaller than the traffic wraps many times without loss") {
  RingFile f(ktstr::proto::kDataOffset + 8192 + 40);  // odd size: gaps shorter than a header occur
  auto ch = Channel::open_mapping(f.path, 0, f.size);
  REQUIRE(ch);
  auto rd = RingReader::open(f.path, 0, f.size);
  REQUIRE(rd);
  uint64_t next = 0;
  size_t bytes = 0;
  for (uint64_t seq = 0; seq < 3000; ++seq) {
    const size_t len = (seq * 37) % (ch->max_payload() + 1);
    REQUIRE(ch->send(MsgType::kData, pattern(seq, len)));
    bytes += len;
    if (seq % 2 == 1) {  // the reader lags by up to two frames (one-threaded: the ring must never fill)
      auto n = rd->drain([&](const Frame& fr) {
        CHECK(fr.seq == next);
        CHECK(fr.payload == pattern(next, (next * 37) % (ch->max_payload() + 1)));
        ++next;
      });
      REQUIRE(n);
    }
  }
  REQUIRE(rd->drain([&](const Frame&) { ++next; }));
  CHECK(next == 3000);
  CHECK(rd->payload_bytes() == bytes);
}

TEST_CASE("oversized payloads are refused, not truncated") {
  RingFile f(ktstr::proto::kDataOffset + 8192);
  auto ch = Channel::open_mapping(f.path, 0, f.size);
  REQUIRE(ch);
  auto r = ch->send(MsgType::kData, std::string(ch->max_payload() + 1, 'x'));
  REQUIRE_FALSE(r);
  CHECK(r.error().message.find("exceeds") != std::string::npos);
}

TEST_CASE("corruption is reported with the frame's sequence number") {
  RingFile f(64 * 1024);
  auto ch = Channel::open_mapping(f.path, 0, f.size);
  REQUIRE(ch);
  REQUIRE(ch->send(MsgType::kLog, "first"));
  REQUIRE(ch->send(MsgType::kLog, "second"));
  const uint64_t second_at = ktstr::proto::kDataOffset + ktstr::proto::frame_bytes(5);

  SUBCASE("flipped payload byte") {
    auto m = ktstr::Mapping::map_file(f.path, 0, f.size);
    REQUIRE(m);
    m->data()[second_at + sizeof(ktstr::proto::FrameHeader) + 2] ^= std::byte{1};
    auto rd = RingReader::open(f.path, 0, f.size);
    int seen = 0;
    auto r = rd->drain([&](const Frame&) { ++seen; });
    CHECK(seen == 1);
    REQUIRE_FALSE(r);
    CHECK(r.error().message.find("seq 1") != std::string::npos);
    CHECK(r.error().message.find("crc32") != std::string::npos);
    CHECK_FALSE(rd->drain([&](const Frame&) { ++seen; }));  // stays stopped
  }
  SUBCASE("bad frame magic") {
    auto m = ktstr::Mapping::map_file(f.path, 0, f.size);
    REQUIRE(m);
    m->data()[second_at] = std::byte{0};
    auto rd = RingReader::open(f.path, 0, f.size);
    auto r = rd->drain([](const Frame&) {});
    REQUIRE_FALSE(r);
    CHECK(r.error().message.find("bad frame magic") != std::string::npos);
  }
  SUBCASE("sequence gap") {
    auto m = ktstr::Mapping::map_file(f.path, 0, f.size);
    REQUIRE(m);
    m->data()[second_at + offsetof(ktstr::proto::FrameHeader, seq)] = std::byte{5};
    auto rd = RingReader::open(f.path, 0, f.size);
    auto r = rd->drain([](const Frame&) {});
    REQUIRE_FALSE(r);
    CHECK(r.error().message.find("sequence 5 where 1") != std::string::npos);
  }
}

TEST_CASE("several processes share one ring while the host drains it") {
  RingFile f(ktstr::proto::kDataOffset + 32 * 1024);  // small: writers block on a full ring
  auto ch = Channel::open_mapping(f.path, 0, f.size);
  REQUIRE(ch);
  auto rd = RingReader::open(f.path, 0, f.size);
  REQUIRE(rd);
  constexpr int kWriters = 4;
  constexpr int kPerWriter = 2000;
  std::vector<pid_t> kids;
  for (int w = 0; w < kWriters; ++w) {
    pid_t pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
      for (int i = 0; i < kPerWriter; ++i) {
        std::string msg = fmt::format("{}:{}:", w, i) + pattern(static_cast<uint64_t>(i), static_cast<size_t>(i % 300));
        if (!ch->send(MsgType::kData, msg)) ::_exit(2);
      }
      ::_exit(0);
    }
    kids.push_back(pid);
  }
  std::map<int, int> next;  // writer -> next expected index
  size_t total = 0;
  bool order_ok = true;
  auto handle = [&](const Frame& fr) {
    int w = 0, i = 0;
    std::sscanf(std::string(fr.payload.substr(0, 24)).c_str(), "%d:%d:", &w, &i);
    if (next[w] != i) order_ok = false;
    next[w] = i + 1;
    ++total;
  };
  int alive = kWriters;
  std::vector<int> codes;
  while (alive > 0) {
    REQUIRE(rd->drain(handle));
    int st = 0;
    pid_t p = ::waitpid(-1, &st, WNOHANG);
    if (p > 0) {
      --alive;
      codes.push_back(WIFEXITED(st) ? WEXITSTATUS(st) : 128);
    }
  }
  REQUIRE(rd->drain(handle));
  for (int c : codes) CHECK(c == 0);
  CHECK(order_ok);
  CHECK(total == size_t{kWriters} * kPerWriter);
  CHECK(rd->frames() == size_t{kWriters} * kPerWriter);
}

TEST_CASE("control messages reach the guest once each") {
  RingFile f(64 * 1024);
  auto ch = Channel::open_mapping(f.path, 0, f.size);
  REQUIRE(ch);
  auto rd = RingReader::open(f.path, 0, f.size);
  REQUIRE(rd);
  CHECK_FALSE(ch->poll_control());
  REQUIRE(rd->send_control(ktstr::proto::ControlType::kStop, "sigterm"));
  auto c = ch->poll_control();
  REQUIRE(c);
  CHECK(c->first == ktstr::proto::ControlType::kStop);
  CHECK(c->second == "sigterm");
  CHECK_FALSE(ch->poll_control());
}
