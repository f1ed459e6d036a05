#include <doctest/doctest.h>

#include "base/protocol.hpp"

TEST_CASE("crc32 matches the IEEE check value") {
  CHECK(ktstr::proto::crc32(std::string_view("123456789")) == 0xCBF43926u);
  CHECK(ktstr::proto::crc32(std::string_view("")) == 0u);
}

TEST_CASE("frames are 8-byte aligned") {
  CHECK(ktstr::proto::frame_bytes(0) == 24);
  CHECK(ktstr::proto::frame_bytes(1) == 32);
  CHECK(ktstr::proto::frame_bytes(8) == 32);
  CHECK(ktstr::proto::frame_bytes(9) == 40);
}

TEST_CASE("the hello frame's uptime: boot_ns in seconds, -1 when absent or not a number") {
  using ktstr::proto::decode_hello_uptime;
  CHECK(decode_hello_uptime(R"({"boot_ns": 1500000000, "kernel": "6.12"})") == doctest::Approx(1.5));
  CHECK(decode_hello_uptime(R"({"kernel": "6.12"})") == -1);
  CHECK(decode_hello_uptime(R"({"boot_ns": "soon"})") == -1);
  CHECK(decode_hello_uptime("not json") == -1);
}
