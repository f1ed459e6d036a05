// Reader of the kernel log through /dev/kmsg (Documentation/ABI/testing/dev-kmsg):
// one record per read(2), "prio,seq,usec,flags;text\n" followed by optional
// " KEY=value" continuation lines.
#pragma once

#include <string>
#include <vector>

#include "base/error.hpp"
#include "base/fd.hpp"

namespace ktstr::guest {

class KmsgReader {
 public:
  // Opens /dev/kmsg positioned at the end: only records logged from now on are read.
  static Result<KmsgReader> open_at_end(const char* path = "/dev/kmsg");
  // Returns the text of every record logged since the last call (non-blocking).
  std::vector<std::string> drain();

 private:
  UniqueFd fd_;
};

// Extracts the message text of one /dev/kmsg record (without prefix and
// continuation lines); empty when the record is malformed.
std::string kmsg_text(std::string_view record);

// From kernel log lines, the sched_ext exit report: the line
// 'sched_ext: BPF scheduler "NAME" disabled (REASON)' and the sched_ext lines
// after it (kernel/sched/ext.c, scx_ops_disable_workfn). Empty when absent.
std::string sched_ext_exit_reason(const std::vector<std::string>& lines);

}  // namespace ktstr::guest
