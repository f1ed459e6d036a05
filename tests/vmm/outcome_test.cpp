// classify_end: one rule for how a run ended, whichever engine ran it.
#include <doctest/doctest.h>

#include "base/exit_codes.hpp"
#include "vmm/outcome.hpp"

using ktstr::vmm::classify_end;
using ktstr::vmm::RunEnd;
using Kind = ktstr::vmm::VmOutcome::Kind;

TEST_CASE("first match wins: signal, timeout, exit frame, engine failure, panic, no exit frame") {
  CHECK(*classify_end({.stop_signal = 15, .timed_out = true, .got_exit = true}) == Kind::kInterrupted);
  CHECK(*classify_end({.timed_out = true, .got_exit = false, .panic = true}) == Kind::kTimeout);
  CHECK(*classify_end({.got_exit = true, .panic = true, .engine_failure = ktstr::Error{"vcpu"}}) == Kind::kExited);
  auto failed = classify_end({.panic = true, .engine_failure = ktstr::Error{"QEMU failed (exit 1): bad option"}});
  REQUIRE_FALSE(failed);
  CHECK(failed.error().message == "QEMU failed (exit 1): bad option");
  CHECK(*classify_end({.panic = true}) == Kind::kPanic);
  CHECK(*classify_end({}) == Kind::kNoExitFrame);
}

TEST_CASE("an initramfs that did not unpack is an error whatever the guest did after") {
  for (RunEnd e : {RunEnd{.got_exit = true}, RunEnd{.timed_out = true}, RunEnd{.panic = true}, RunEnd{}}) {
    e.initramfs_failed = true;
    e.initrd_bytes = 40ull << 20;
    e.ram_bytes = 400ull << 20;
    e.console_log = "/tmp/run/console.log";
    auto r = classify_end(e);
    REQUIRE_FALSE(r);
    CHECK(r.error().message.find("could not unpack the 40 MiB initrd") != std::string::npos);
    CHECK(r.error().message.find("more --memory than 400 MiB") != std::string::npos);
    CHECK(r.error().message.ends_with("(console log: /tmp/run/console.log)"));
  }
}

TEST_CASE("a stop signal still reads as interrupted when the unpack failed") {
  CHECK(*classify_end({.stop_signal = 2, .initramfs_failed = true}) == Kind::kInterrupted);
}

TEST_CASE("exit codes of the outcome kinds") {
  ktstr::vmm::VmOutcome o;
  o.kind = Kind::kExited;
  o.guest_exit_code = 5;
  CHECK(o.exit_code() == 5);
  o.kind = Kind::kPanic;
  CHECK(o.exit_code() == ktstr::kExitPanic);
  o.kind = Kind::kTimeout;
  CHECK(o.exit_code() == ktstr::kExitTimeout);
  o.kind = Kind::kNoExitFrame;
  CHECK(o.exit_code() == ktstr::kExitNoResult);
  o.kind = Kind::kInterrupted;
  o.stop_signal = 15;
  CHECK(o.exit_code() == ktstr::kExitSignalBase + 15);
}
