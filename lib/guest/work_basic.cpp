// The original work types: spin, yield, mixed, bursty, pipe ping-pong,
// sync I/O and the user-supplied callable.
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <unistd.h>

#include <array>

#include "base/fd.hpp"
#include "guest/work_families.hpp"
#include "guest/work_kit.hpp"

namespace ktstr::guest {
namespace {

// Compute, then sleep; k scales both (bursty: ten times each, so wakeups
// arrive in clumps rather than a steady trickle).
void compute_sleep(const WorkSpec& spec, WorkerContext& ctx, uint64_t k) {
  while (!ctx.should_stop()) {
    burn_for(ctx, spec.compute_ns * k);
    sleep_until(ctx, ctx.now_ns() + spec.sleep_ns * k);
    ctx.progress();
  }
}

}  // namespace

void run_spin(const WorkSpec&, WorkerContext& ctx, const GroupLink&) { spin_until_stopped(ctx); }

void run_yield(const WorkSpec&, WorkerContext& ctx, const GroupLink&) {
  while (!ctx.should_stop()) {
    burn_unit();
    sched_yield();
    ctx.progress();
  }
}

void run_mixed(const WorkSpec& spec, WorkerContext& ctx, const GroupLink&) { compute_sleep(spec, ctx, 1); }
void run_bursty(const WorkSpec& spec, WorkerContext& ctx, const GroupLink&) { compute_sleep(spec, ctx, 10); }

// A ring of pipes: member k reads its own pipe and writes the next member's;
// member 0 serves first. With two members this is the classic ping-pong.
void run_pipe_pingpong(const WorkSpec&, WorkerContext& ctx, const GroupLink& g) {
  if (g.size < 2 || g.read_fds.size() != static_cast<size_t>(g.size)) return spin_until_stopped(ctx);
  const int in = g.read_fds[static_cast<size_t>(g.rank)];
  const int out = g.write_fds[static_cast<size_t>((g.rank + 1) % g.size)];
  if (g.rank == 0) {
    uint64_t t = ctx.now_ns();
    (void)!write(out, &t, sizeof t);
  }
  while (!ctx.should_stop()) {
    pollfd p{in, POLLIN, 0};
    if (poll(&p, 1, 50) <= 0) continue;  // wake up regularly to honour stop
    uint64_t sent = 0;
    if (read(in, &sent, sizeof sent) != static_cast<ssize_t>(sizeof sent)) break;
    ctx.wake_latency(elapsed_since(ctx.now_ns(), sent));
    ctx.count(Counter::kWakeupsReceived);
    burn_unit();
    ctx.progress();
    uint64_t t = ctx.now_ns();
    if (write(out, &t, sizeof t) != static_cast<ssize_t>(sizeof t)) break;
    ctx.count(Counter::kWakeupsSent);
  }
}

void run_sync_io(const WorkSpec&, WorkerContext& ctx, const GroupLink&) {
  const std::string path = fmt::format("/tmp/ktstr-io-{}", getpid());
  auto fd = open_file(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
  if (!fd) return;  // no progress at all: the zero-progress check reports it
  std::array<char, 4096> buf{};
  for (uint64_t i = 0; !ctx.should_stop(); ++i) {
    off_t off = static_cast<off_t>((i % 256) * buf.size());
    buf[0] = static_cast<char>(i);
    if (pwrite(fd->get(), buf.data(), buf.size(), off) < 0) break;
    fdatasync(fd->get());
    if (pread(fd->get(), buf.data(), buf.size(), off) < 0) break;
    ctx.progress();
  }
  unlink(path.c_str());
}

void run_callable(const WorkSpec& spec, WorkerContext& ctx, const GroupLink&) {
  if (!spec.fn) return spin_until_stopped(ctx);  // a callable without a body spins
  while (!ctx.should_stop()) spec.fn(ctx);
}

}  // namespace ktstr::guest
