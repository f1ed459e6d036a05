// The guest's own output on the host: the program's stdout and stderr frames
// and the guest runtime's log lines. One printer for every program that runs
// a VM (ktstr-vm, `ktstr run`, ktstr-vm --test), differing only in the route.
#pragma once

#include <string_view>

#include "base/protocol.hpp"

namespace ktstr::vmm {

// Where the guest program's stdout goes; its stderr and the runtime's log
// lines ("guest: ..." on one line each) always go to the host's stderr.
enum class OutputRoute {
  kPassThrough,  // stdout to stdout (a payload run: the program's streams stay apart)
  kAllToStderr,  // stdout to stderr too (a judged test: stdout is left to the verdict)
};

// Prints one frame of guest output to its route, flushed per frame so it
// interleaves correctly with whatever reads the host's streams; other frame
// types are ignored.
void print_guest_output(proto::MsgType type, std::string_view payload, OutputRoute route);

}  // namespace ktstr::vmm
