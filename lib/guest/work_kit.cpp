#include "guest/work_kit.hpp"

#include <sched.h>
#include <sys/resource.h>
#include <time.h>

#include <cerrno>
#include <cstdio>

#include "base/fd.hpp"

namespace ktstr::guest {

void burn_for(WorkerContext& ctx, uint64_t ns) {
  const uint64_t end = ctx.now_ns() + ns;
  while (!ctx.should_stop()) {
    burn_unit();
    ctx.progress();
    if (ctx.now_ns() >= end) break;
  }
}

void sleep_until(WorkerContext& ctx, uint64_t deadline_ns) {
  timespec ts{static_cast<time_t>(deadline_ns / 1'000'000'000), static_cast<long>(deadline_ns % 1'000'000'000)};
  while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, nullptr) == EINTR) {
  }
  ctx.wake_latency(elapsed_since(ctx.now_ns(), deadline_ns));
}

void nap(uint64_t ns) {
  timespec ts{static_cast<time_t>(ns / 1'000'000'000), static_cast<long>(ns % 1'000'000'000)};
  while (nanosleep(&ts, &ts) == -1 && errno == EINTR) {
  }
}

void spin_until_stopped(WorkerContext& ctx) {
  while (!ctx.should_stop()) {
    burn_unit();
    ctx.progress();
  }
}

std::vector<int> allowed_cpus() {
  cpu_set_t set;
  CPU_ZERO(&set);
  std::vector<int> out;
  if (sched_getaffinity(0, sizeof set, &set) != 0) return out;
  for (int c = 0; c < CPU_SETSIZE; ++c)
    if (CPU_ISSET(c, &set)) out.push_back(c);
  return out;
}

bool pin_to_cpu(int cpu) {
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(cpu, &set);
  return sched_setaffinity(0, sizeof set, &set) == 0;
}

int pin_group_to_one_cpu(WorkerContext& ctx, const GroupLink& group) {
  auto cpus = allowed_cpus();
  if (cpus.empty()) return -1;
  const int cpu = cpus[static_cast<size_t>(group.id) % cpus.size()];
  if (!pin_to_cpu(cpu)) return -1;
  ctx.fact(Fact::kPinnedCpu, static_cast<uint64_t>(cpu));
  return cpu;
}

uint64_t thread_cpu_ns() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<uint64_t>(ts.tv_sec) * 1'000'000'000ull + static_cast<uint64_t>(ts.tv_nsec);
}

uint64_t minor_faults() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return static_cast<uint64_t>(ru.ru_minflt);
}

uint64_t involuntary_switches() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return static_cast<uint64_t>(ru.ru_nivcsw);
}

std::optional<long> read_long(const std::string& path) {
  auto text = read_file(path);
  long v = 0;
  if (!text || std::sscanf(text->c_str(), "%ld", &v) != 1) return std::nullopt;
  return v;
}

}  // namespace ktstr::guest
