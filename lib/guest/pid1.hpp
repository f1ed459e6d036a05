// The guest's PID 1: the whole life of the VM in one readable sequence.
#pragma once

#include "guest/guest_run.hpp"

namespace ktstr::guest {

// Entry point for a guest /init (the scenario guest program and the doctest
// adapter both call it from main). As PID 1: mounts filesystems, opens the
// channel, reads /ktstr/argv.json (falling back to argv), runs the test in a
// child process (run_guest) while reaping zombies and forwarding
// SIGTERM/SIGINT, then sends the exit code as the last frame, syncs and
// reboots (QEMU runs with -no-reboot, so the VM exits). Never returns as
// PID 1 and never lets an exception escape. Not PID 1 (debugging on a
// host): runs run_guest directly and returns its exit code.
int run_pid1(int argc, char** argv, const GuestHooks& hooks = {});

}  // namespace ktstr::guest
