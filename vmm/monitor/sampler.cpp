#include "vmm/monitor/sampler.hpp"

#include <algorithm>
#include <cstring>

namespace ktstr::vmm::monitor {
namespace {

// A little-endian integer of f.size bytes (1, 2, 4 or 8) at base + f.offset.
uint64_t field_value(const std::byte* base, const Field& f) {
  uint64_t v = 0;
  std::memcpy(&v, base + f.offset, std::min<uint64_t>(f.size, sizeof v));
  return v;
}

// The enable-state variable was renamed with its enum (kernel_layout.cpp).
constexpr std::string_view kStateVars[] = {"scx_ops_enable_state_var", "scx_enable_state_var"};

}  // namespace

std::vector<std::string_view> sampler_symbols() {
  return {"linux_banner", "phys_base",     "page_offset_base", "runqueues",   "__per_cpu_offset", "jiffies_64",
          "jiffies",      "scx_exit_kind", "scx_root",         kStateVars[0], kStateVars[1]};
}

// What one CPU's list walks gather.
struct Sampler::Walk {
  uint32_t waiting = 0;
  std::vector<uint64_t> mask;           // allowed-CPU bits, OR of the waiting tasks'
  std::optional<uint64_t> oldest_at;    // smallest scx.runnable_at (jiffies)
  const Field* runnable_at = nullptr;   // set while walking the sched_ext list
};

Result<Sampler> Sampler::attach(const GuestRam& ram, const KernelImage& image, const KernelLayout& layout, int cpus,
                                std::optional<int> hz) {
  const KernelPlacement place = KTSTR_TRY(locate_kernel(image, ram));
  Sampler s(ram, image, layout, AddressSpace(image, place));
  s.hz_ = hz;
  const auto runqueues = image.symbol("runqueues");
  const auto offsets = image.symbol("__per_cpu_offset");
  if (!runqueues || !offsets) return fail("vmlinux lacks runqueues or __per_cpu_offset (a !CONFIG_SMP kernel?)");
  for (int cpu = 0; cpu < cpus; ++cpu) {
    const auto off = s.read_word(s.space_.symbol_vaddr(*offsets) + 8 * static_cast<uint64_t>(cpu));
    if (!off) return fail("__per_cpu_offset[{}] is not readable", cpu);
    const uint64_t rq = s.space_.symbol_vaddr(*runqueues) + *off;
    if (layout.rq.cpu) {
      const auto id = s.read_word(rq + layout.rq.cpu->offset, layout.rq.cpu->size);
      if (!id || *id != static_cast<uint64_t>(cpu))
        return fail("the runqueue of CPU {} does not say cpu {}: the vmlinux does not match the running kernel", cpu,
                    cpu);
    }
    s.rq_vaddr_.push_back(rq);
  }
  return s;
}

std::optional<uint64_t> Sampler::read_word(uint64_t vaddr, uint64_t size) const {
  const auto phys = space_.to_phys(vaddr);
  if (!phys) return std::nullopt;
  uint64_t v = 0;
  if (!ram_->read(*phys, &v, std::min<uint64_t>(size, sizeof v))) return std::nullopt;
  return v;
}

// Counts a waiting task and ORs its allowed CPUs (task->cpus_ptr, which
// points at its own cpus_mask or, while migration is disabled, at a
// one-CPU mask in the kernel image) into the walk.
bool Sampler::add_task(uint64_t task, Walk& w) const {
  const auto& t = layout_->task;
  const auto mask_at = read_word(task + t.cpus_ptr.offset);
  if (!mask_at) return false;
  for (size_t i = 0; i < w.mask.size(); ++i) {
    const auto bits = read_word(*mask_at + 8 * i);
    if (!bits) return false;
    w.mask[i] |= *bits;
  }
  if (w.runnable_at) {
    const auto at = read_word(task + w.runnable_at->offset, w.runnable_at->size);
    if (!at) return false;
    w.oldest_at = std::min(w.oldest_at.value_or(*at), *at);
  }
  ++w.waiting;
  return true;
}

// Follows a list_head from `first` back to `head`, counting every task but
// `skip` (node: the list_head's place in task_struct).
bool Sampler::walk(uint64_t head, uint64_t first, const Field& node, uint64_t skip, Walk& w) const {
  uint64_t at = first;
  for (uint32_t n = 0; at != head; ++n) {
    if (n >= kMaxWalk) return false;
    const uint64_t task = at - node.offset;
    if (task != skip && !add_task(task, w)) return false;
    const auto next = read_word(at + layout_->list_next.offset);
    if (!next) return false;
    at = *next;
  }
  return true;
}

CpuSample Sampler::read_cpu(size_t cpu, std::optional<uint64_t> jiffies) const {
  CpuSample c;
  const RqLayout& l = layout_->rq;
  std::vector<std::byte> rq(l.size);  // one copy of the whole runqueue: its fields from one moment
  const auto phys = space_.to_phys(rq_vaddr_[cpu]);
  if (!phys || !ram_->read(*phys, rq.data(), rq.size())) return c;
  c.nr_running = static_cast<uint32_t>(field_value(rq.data(), l.nr_running));
  c.clock_ns = field_value(rq.data(), l.clock);
  if (l.scx_nr_running) c.scx_nr_running = static_cast<uint32_t>(field_value(rq.data(), *l.scx_nr_running));
  const uint64_t curr = field_value(rq.data(), l.curr);
  if (auto pid = read_word(curr + layout_->task.pid.offset, layout_->task.pid.size)) {
    c.curr_pid = static_cast<int32_t>(*pid);
    char comm[16] = {};
    if (auto p = space_.to_phys(curr + layout_->task.comm.offset); p && ram_->read(*p, comm, sizeof comm - 1))
      c.curr_comm = comm;
  }
  read_waiting(cpu, rq.data(), curr, jiffies, c);
  return c;
}

// The fair class's rq->cfs_tasks (it includes the running task, skipped)
// and sched_ext's rq->scx.runnable_list (only tasks not running).
void Sampler::read_waiting(size_t cpu, const std::byte* rq, uint64_t curr, std::optional<uint64_t> jiffies,
                           CpuSample& c) const {
  const RqLayout& l = layout_->rq;
  Walk w{.mask = std::vector<uint64_t>((rq_vaddr_.size() + 63) / 64)};
  c.waiting_known =
      walk(rq_vaddr_[cpu] + l.cfs_tasks.offset, field_value(rq, l.cfs_tasks), layout_->task.fair_node, curr, w);
  if (c.waiting_known && l.scx_runnable_list && layout_->task.scx_node) {
    w.runnable_at = layout_->task.scx_runnable_at ? &*layout_->task.scx_runnable_at : nullptr;
    const Field& list = *l.scx_runnable_list;
    c.waiting_known = walk(rq_vaddr_[cpu] + list.offset, field_value(rq, list), *layout_->task.scx_node, curr, w);
  }
  if (!c.waiting_known) return;
  c.waiting = w.waiting;
  for (size_t bit = 0; bit < rq_vaddr_.size(); ++bit)
    if (w.mask[bit / 64] >> (bit % 64) & 1) c.waiting_cpus.push_back(static_cast<int>(bit));
  // jiffies start 5 minutes before wrapping (INITIAL_JIFFIES): compare as
  // time_after() does, by the sign of the difference.
  if (const auto age = jiffies && w.oldest_at ? static_cast<int64_t>(*jiffies - *w.oldest_at) : -1; age >= 0 && hz_)
    c.scx_oldest_wait_ms = age * 1000 / *hz_;
}

std::string Sampler::read_state(std::string_view symbol, const std::vector<EnumValue>& names) const {
  const auto sym = image_->symbol(symbol);
  if (!sym || names.empty()) return {};
  const auto v = read_word(space_.symbol_vaddr(*sym), 4);  // atomic_t
  return v ? enum_name(names, static_cast<int32_t>(*v)) : std::string();
}

// 6.12 keeps the exit kind in a global atomic_t; later kernels in the root
// scheduler (scx_root->exit_kind), which is NULL while none is loaded.
std::string Sampler::read_exit_kind() const {
  if (image_->symbol("scx_exit_kind")) return read_state("scx_exit_kind", layout_->exit_kinds);
  const auto root_sym = image_->symbol("scx_root");
  if (!root_sym || !layout_->sched_exit_kind || layout_->exit_kinds.empty()) return {};
  const auto root = read_word(space_.symbol_vaddr(*root_sym));
  if (!root || *root == 0) return {};
  const auto v = read_word(*root + layout_->sched_exit_kind->offset, 4);
  return v ? enum_name(layout_->exit_kinds, static_cast<int32_t>(*v)) : std::string();
}

MonitorSample Sampler::sample(uint64_t t_ns) const {
  MonitorSample s{.t_ns = t_ns};
  for (auto var : kStateVars)
    if (s.scx_state.empty()) s.scx_state = read_state(var, layout_->enable_states);
  s.scx_exit_kind = read_exit_kind();
  std::optional<uint64_t> jiffies;
  for (auto name : {"jiffies_64", "jiffies"})
    if (auto sym = image_->symbol(name); sym && !jiffies) jiffies = read_word(space_.symbol_vaddr(*sym));
  for (size_t cpu = 0; cpu < rq_vaddr_.size(); ++cpu) s.cpus.push_back(read_cpu(cpu, jiffies));
  return s;
}

}  // namespace ktstr::vmm::monitor
