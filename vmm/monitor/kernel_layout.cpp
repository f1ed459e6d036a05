#include "vmm/monitor/kernel_layout.hpp"

#include <algorithm>

#include <fmt/format.h>

namespace ktstr::vmm::monitor {
namespace {

std::optional<Field> optional_field(const KernelBtf& btf, std::string_view s, std::string_view path) {
  auto f = btf.field(s, path);
  return f ? std::optional(*f) : std::nullopt;
}

Result<RqLayout> rq_layout(const KernelBtf& btf) {
  return RqLayout{.size = KTSTR_TRY(btf.struct_size("rq")),
                  .nr_running = KTSTR_TRY(btf.field("rq", "nr_running")),
                  .clock = KTSTR_TRY(btf.field("rq", "clock")),
                  .curr = KTSTR_TRY(btf.field("rq", "curr")),
                  .cfs_tasks = KTSTR_TRY(btf.field("rq", "cfs_tasks")),
                  .cpu = optional_field(btf, "rq", "cpu"),
                  .scx_nr_running = optional_field(btf, "rq", "scx.nr_running"),
                  .scx_runnable_list = optional_field(btf, "rq", "scx.runnable_list")};
}

Result<TaskLayout> task_layout(const KernelBtf& btf) {
  return TaskLayout{.pid = KTSTR_TRY(btf.field("task_struct", "pid")),
                    .comm = KTSTR_TRY(btf.field("task_struct", "comm")),
                    .cpus_ptr = KTSTR_TRY(btf.field("task_struct", "cpus_ptr")),
                    .fair_node = KTSTR_TRY(btf.field("task_struct", "se.group_node")),
                    .scx_node = optional_field(btf, "task_struct", "scx.runnable_node"),
                    .scx_runnable_at = optional_field(btf, "task_struct", "scx.runnable_at")};
}

}  // namespace

Result<KernelLayout> resolve_layout(const KernelBtf& btf) {
  KernelLayout k{.rq = KTSTR_TRY(rq_layout(btf)),
                 .task = KTSTR_TRY(task_layout(btf)),
                 .list_next = KTSTR_TRY(btf.field("list_head", "next"))};
  // The enum and its variable were renamed once sched_ext grew sub-schedulers.
  for (auto name : {"scx_ops_enable_state", "scx_enable_state"})
    if (auto v = btf.enum_values(name); v && k.enable_states.empty()) k.enable_states = std::move(*v);
  if (auto v = btf.enum_values("scx_exit_kind")) k.exit_kinds = std::move(*v);
  k.sched_exit_kind = optional_field(btf, "scx_sched", "exit_kind");
  return k;
}

std::string enum_name(const std::vector<EnumValue>& values, int64_t v) {
  // The names' common prefix, cut back to its last '_'.
  std::string_view prefix = values.empty() ? std::string_view() : std::string_view(values.front().name);
  for (const auto& e : values)
    while (!std::string_view(e.name).starts_with(prefix)) prefix.remove_suffix(1);
  const auto underscore = prefix.rfind('_');
  const size_t cut = underscore == std::string_view::npos ? 0 : underscore + 1;
  for (const auto& e : values)
    if (e.value == v) return e.name.substr(std::min(cut, e.name.size()));
  return fmt::format("{}", v);
}

}  // namespace ktstr::vmm::monitor
