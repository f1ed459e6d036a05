// CPU work: an ALU-hot loop, spinning SMT sibling pairs, cache pressure
// beyond the LLC share, and alternating high/low IPC phases.
#include <sched.h>

#include <algorithm>
#include <bit>
#include <cstdio>

#include "base/fd.hpp"
#include "base/mapping.hpp"
#include "base/topology.hpp"
#include "guest/cpu_layout.hpp"
#include "guest/work_families.hpp"
#include "guest/work_kit.hpp"

namespace ktstr::guest {
namespace {

constexpr uint64_t kLine = 64;
constexpr uint64_t kMiB = 1 << 20;
constexpr int kAluRounds = 64;
constexpr uint64_t kAluOpsPerRound = 9;
constexpr uint64_t kChaseLinks = 1024;  // links followed per progress unit

// One ALU unit: four dependent integer chains, registers only.
void alu_unit(uint64_t (&r)[4]) {
  for (int i = 0; i < kAluRounds; ++i) {
    r[0] = r[0] * 6364136223846793005ull + 1442695040888963407ull;
    r[1] = (r[1] ^ (r[1] << 13)) + r[0];
    r[2] = std::rotl(r[2], 7) ^ r[1];
    r[3] += r[2] * 3;
  }
  asm volatile("" : "+r"(r[0]), "+r"(r[1]), "+r"(r[2]), "+r"(r[3]));  // results are live
}

// A walk over every cache line of a buffer in which each load's address
// comes from the previous load, jumping kStride lines (~2.5 MiB) at a time:
// stride prefetchers stop at page boundaries, so once the buffer exceeds the
// cache each link costs a memory access. kStride is odd and the line count a
// power of two, so the walk is one cycle through all lines. (A random
// permutation would do as well but costs seconds to build under TCG.)
class PointerChase {
 public:
  static Result<PointerChase> create(WorkerContext& ctx, uint64_t bytes) {
    PointerChase c;
    c.lines_ = std::bit_floor(std::max<uint64_t>(2, bytes / kLine));
    // Populated up front: a page fault costs ~0.1-0.3 ms under TCG, so
    // faulting in 16 MiB page by page took over a second. Even populated,
    // building 16 MiB costs about that much CPU under TCG, which is why the
    // workers build it before they report ready (WorkerContext::start()).
    c.mem_ = KTSTR_TRY(Mapping::anonymous(c.lines_ * kLine, /*shared=*/false, /*populate=*/true));
    for (uint64_t i = 0; i < c.lines_ && !ctx.should_stop(); ++i) c.link(i) = (i + kStride) & (c.lines_ - 1);
    return c;
  }
  void follow(uint64_t n) {
    uint64_t at = at_;
    for (uint64_t i = 0; i < n; ++i) at = link(at);
    at_ = at;
  }
  [[nodiscard]] uint64_t bytes() const { return lines_ * kLine; }

 private:
  static constexpr uint64_t kStride = 40'503;
  uint64_t& link(uint64_t line) { return *reinterpret_cast<uint64_t*>(mem_.data() + line * kLine); }
  Mapping mem_;
  uint64_t lines_ = 0;
  uint64_t at_ = 0;
};

// "16384K" / "32M" / "1048576" (sysfs cache size) in bytes.
uint64_t parse_size(const std::string& s) {
  unsigned long long v = 0;
  char unit = 0;
  if (std::sscanf(s.c_str(), "%llu%c", &v, &unit) < 1) return 0;
  return unit == 'K' ? v << 10 : unit == 'M' ? v << 20 : unit == 'G' ? v << 30 : v;
}

// The worker's share of its LLC: size / CPUs sharing it. Records the facts.
uint64_t llc_share(WorkerContext& ctx) {
  const std::string dir = fmt::format("/sys/devices/system/cpu/cpu{}/cache/index3/", std::max(0, sched_getcpu()));
  const uint64_t size = parse_size(read_file(dir + "size").value_or(""));
  auto sharers = parse_cpu_list(read_file(dir + "shared_cpu_list").value_or("0"));
  const uint64_t n = sharers && !sharers->empty() ? sharers->size() : 1;
  ctx.fact(Fact::kLlcBytes, size);
  ctx.fact(Fact::kLlcShareBytes, size / n);
  return size / n;
}

// Twice the LLC share (at least 1 MiB, at most 64 MiB, rounded down to a
// power of two, so still above the share); 8 MiB when sysfs shows no L3.
Result<PointerChase> chase_beyond_llc(WorkerContext& ctx) {
  const uint64_t share = llc_share(ctx);
  const uint64_t ws = share == 0 ? 8 * kMiB : std::clamp<uint64_t>(2 * share, kMiB, 64 * kMiB);
  auto chase = KTSTR_TRY(PointerChase::create(ctx, ws));
  ctx.fact(Fact::kWorkingSetBytes, chase.bytes());
  return chase;
}

// The CPU of rank's thread in a core chosen by group id, among allowed CPUs.
std::optional<std::pair<int, int>> sibling_cpu(const GroupLink& g) {
  auto layout = read_cpu_layout("/sys");
  if (!layout) return std::nullopt;
  const auto allowed = allowed_cpus();
  std::vector<std::vector<int>> cores;
  for (const auto& core : layout->cores) {
    std::vector<int> ok;
    for (int c : core)
      if (std::binary_search(allowed.begin(), allowed.end(), c)) ok.push_back(c);
    if (!ok.empty()) cores.push_back(std::move(ok));
  }
  if (cores.empty()) return std::nullopt;
  const auto& core = cores[static_cast<size_t>(g.id) % cores.size()];
  return std::pair{core[static_cast<size_t>(g.rank) % core.size()], static_cast<int>(core.size())};
}

}  // namespace

void run_alu(const WorkSpec&, WorkerContext& ctx, const GroupLink&) {
  uint64_t r[4] = {0x9e3779b97f4a7c15ull, 1, 2, 3};
  while (!ctx.should_stop()) {
    alu_unit(r);
    ctx.count(Counter::kAluOps, kAluRounds * kAluOpsPerRound);
    ctx.progress();
  }
}

// Both members of a pair pin to the threads of one core (cores taken by
// group id, so pairs spread over the cores); without SMT both share the
// core's single CPU.
void run_smt_spin(const WorkSpec&, WorkerContext& ctx, const GroupLink& g) {
  if (auto pick = sibling_cpu(g); pick && pin_to_cpu(pick->first)) {
    ctx.fact(Fact::kPinnedCpu, static_cast<uint64_t>(pick->first));
    ctx.fact(Fact::kSmtThreads, static_cast<uint64_t>(pick->second));
  }
  spin_until_stopped(ctx);
}

// The buffer is built before the release (see PointerChase::create).
void run_cache_pressure(const WorkSpec&, WorkerContext& ctx, const GroupLink&) {
  auto chase = chase_beyond_llc(ctx);
  if (!ctx.start() || !chase) return;  // no memory: no progress, reported by the zero-progress check
  while (!ctx.should_stop()) {
    chase->follow(kChaseLinks);
    ctx.count(Counter::kLinesTouched, kChaseLinks);
    ctx.progress();
  }
}

// Phases of 20 x compute_ns each (10 ms by default): ALU units, then the
// pointer chase of cache_pressure.
void run_ipc_variance(const WorkSpec& spec, WorkerContext& ctx, const GroupLink&) {
  auto chase = chase_beyond_llc(ctx);
  if (!ctx.start() || !chase) return;
  uint64_t r[4] = {1, 2, 3, 4};
  const uint64_t phase_ns = 20 * spec.compute_ns;
  for (bool high = true; !ctx.should_stop(); high = !high) {
    const uint64_t end = ctx.now_ns() + phase_ns;
    while (!ctx.should_stop() && ctx.now_ns() < end) {
      if (high) {
        alu_unit(r);
        ctx.count(Counter::kAluOps, kAluRounds * kAluOpsPerRound);
      } else {
        chase->follow(kChaseLinks);
        ctx.count(Counter::kLinesTouched, kChaseLinks);
      }
      ctx.progress();
    }
    if (!ctx.should_stop()) ctx.count(high ? Counter::kPhasesHigh : Counter::kPhasesLow);
  }
}

}  // namespace ktstr::guest
