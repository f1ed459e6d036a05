#include "vmm/stop_signal.hpp"

#include <signal.h>

#include <atomic>

namespace ktstr::vmm {

namespace {
std::atomic<int> g_stop_signal{0};
static_assert(std::atomic<int>::is_always_lock_free);  // async-signal-safe

void on_stop(int sig) {
  int none = 0;
  g_stop_signal.compare_exchange_strong(none, sig);
}
}  // namespace

void install_stop_signals() {
  struct sigaction sa {};
  sa.sa_handler = on_stop;
  sigemptyset(&sa.sa_mask);
  for (int sig : {SIGINT, SIGTERM, SIGHUP}) ::sigaction(sig, &sa, nullptr);
}

int stop_signal() { return g_stop_signal.load(); }

}  // namespace ktstr::vmm
