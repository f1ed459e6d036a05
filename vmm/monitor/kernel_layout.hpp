// The offsets and enum values the monitor reads the scheduler's state with,
// resolved once per run from the guest kernel's BTF (kernel_btf.hpp).
// sched_ext parts are optional: a kernel without CONFIG_SCHED_CLASS_EXT is
// still sampled (nr_running, clock, curr, the fair class's waiting tasks).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.hpp"
#include "vmm/monitor/kernel_btf.hpp"

namespace ktstr::vmm::monitor {

// kernel/sched/sched.h: struct rq.
struct RqLayout {
  uint64_t size = 0;
  Field nr_running;
  Field clock;
  Field curr;
  Field cfs_tasks;                      // list of the fair class's tasks (CONFIG_SMP)
  std::optional<Field> cpu;             // the CPU number, checked against the per-CPU index
  std::optional<Field> scx_nr_running;  // rq->scx.nr_running
  std::optional<Field> scx_runnable_list;
};

// include/linux/sched.h: struct task_struct, with the list nodes that link
// a task into the lists above.
struct TaskLayout {
  Field pid;
  Field comm;
  Field cpus_ptr;
  Field fair_node;                      // se.group_node, linked into rq->cfs_tasks
  std::optional<Field> scx_node;        // scx.runnable_node, linked into rq->scx.runnable_list
  std::optional<Field> scx_runnable_at; // scx.runnable_at (jiffies)
};

struct KernelLayout {
  RqLayout rq;
  TaskLayout task;
  Field list_next;                      // struct list_head.next
  std::vector<EnumValue> enable_states; // enum scx_ops_enable_state (6.12) / scx_enable_state
  std::vector<EnumValue> exit_kinds;    // enum scx_exit_kind
  std::optional<Field> sched_exit_kind; // struct scx_sched.exit_kind, where scx_root holds it (6.16+)
};

// Fails naming the member when a required one is missing.
Result<KernelLayout> resolve_layout(const KernelBtf& btf);

// An enum value's name without the prefix all the enum's names share, cut
// at an underscore ("SCX_OPS_ENABLED" -> "ENABLED", "SCX_EXIT_ERROR_STALL"
// -> "ERROR_STALL"); the number when no name has that value.
std::string enum_name(const std::vector<EnumValue>& values, int64_t v);

}  // namespace ktstr::vmm::monitor
