#include "vmm/guest_output.hpp"

#include <cstdio>

#include <fmt/format.h>

namespace ktstr::vmm {

void print_guest_output(proto::MsgType type, std::string_view payload, OutputRoute route) {
  std::FILE* to = stderr;
  switch (type) {
    case proto::MsgType::kStdout: to = route == OutputRoute::kPassThrough ? stdout : stderr; break;
    case proto::MsgType::kStderr: break;
    case proto::MsgType::kLog:
      fmt::print(stderr, "guest: {}\n", payload);
      std::fflush(stderr);
      return;
    default: return;
  }
  std::fwrite(payload.data(), 1, payload.size(), to);
  std::fflush(to);
}

}  // namespace ktstr::vmm
