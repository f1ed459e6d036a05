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
