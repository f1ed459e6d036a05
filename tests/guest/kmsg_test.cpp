#include <doctest/doctest.h>

#include "guest/kmsg.hpp"

using namespace ktstr::guest;

TEST_CASE("kmsg records lose their prefix and continuation lines") {
  CHECK(kmsg_text("6,1234,5678901,-;sched_ext: BPF scheduler \"simple\" enabled\n SUBSYSTEM=x\n") ==
        "sched_ext: BPF scheduler \"simple\" enabled");
  CHECK(kmsg_text("garbage").empty());
}

TEST_CASE("the sched_ext exit reason is the disable line and the sched_ext lines after it") {
  std::vector<std::string> lines = {
      "random: crng init done",
      "sched_ext: BPF scheduler \"simple\" enabled",
      "sched_ext: BPF scheduler \"simple\" disabled (unregistered from user space)",
      "other driver noise",
      "sched_ext: simple: extra detail",
  };
  CHECK(sched_ext_exit_reason(lines) ==
        "sched_ext: BPF scheduler \"simple\" disabled (unregistered from user space)\n"
        "sched_ext: simple: extra detail\n");
  lines.erase(lines.begin() + 2);
  CHECK(sched_ext_exit_reason(lines).empty());
}
