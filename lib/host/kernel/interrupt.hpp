// Ctrl-C / SIGTERM handling for long builds: the handler only records the
// signal; the build loop notices it, kills make's process group, and unwinds
// through RAII (temp dir removed, lock released).
#pragma once

namespace ktstr::kernel {

// Installs SIGINT/SIGTERM handlers (without SA_RESTART, so blocking calls
// return EINTR). Idempotent.
void install_interrupt_handlers();

// True once SIGINT or SIGTERM arrived after install_interrupt_handlers().
bool interrupted();

// The signal that arrived (0 when none); main exits 128 + this.
int interrupt_signal();

}  // namespace ktstr::kernel
