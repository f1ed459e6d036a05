// SIGINT/SIGTERM turned into a flag that run_vm polls, so a stopped launcher
// still kills and reaps QEMU and removes its files (no orphans).
#pragma once

namespace ktstr::vmm {

// Installs handlers for SIGINT and SIGTERM (and SIGHUP) that record the signal.
// Call once from main; without it run_vm never reports kInterrupted.
void install_stop_signals();

// The first stop signal received, or 0.
int stop_signal();

}  // namespace ktstr::vmm
