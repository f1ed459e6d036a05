// Reads every guest CPU's runqueue from guest RAM: one MonitorSample. The
// guest keeps running while the host reads, so a list may change under the
// walk; every pointer is translated and bounds-checked before it is
// followed, a walk is cut at kMaxWalk tasks, and a CPU whose lists could not
// be walked says so (CpuSample::waiting_known) rather than guessing.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "base/error.hpp"
#include "base/monitor.hpp"
#include "vmm/guest_ram.hpp"
#include "vmm/monitor/address_space.hpp"
#include "vmm/monitor/kernel_image.hpp"
#include "vmm/monitor/kernel_layout.hpp"

namespace ktstr::vmm::monitor {

// Tasks walked per list per sample; more than this is reported as unknown.
inline constexpr uint32_t kMaxWalk = 256;

// The symbols the sampler reads; read_kernel_image gets this list.
std::vector<std::string_view> sampler_symbols();

class Sampler {
 public:
  // Locates the kernel in ram (address_space.hpp) and the runqueues of CPUs
  // 0..cpus-1 (runqueues + __per_cpu_offset[cpu]), checking each rq->cpu.
  // hz: CONFIG_HZ, for the sched_ext wait ages (nullopt: not computed).
  static Result<Sampler> attach(const GuestRam& ram, const KernelImage& image, const KernelLayout& layout, int cpus,
                                std::optional<int> hz);

  // Every CPU now; a CPU whose runqueue could not be read keeps curr_pid -1.
  [[nodiscard]] MonitorSample sample(uint64_t t_ns) const;
  [[nodiscard]] const KernelPlacement& placement() const { return space_.placement(); }

 private:
  Sampler(const GuestRam& ram, const KernelImage& image, const KernelLayout& layout, AddressSpace space)
      : ram_(&ram), image_(&image), layout_(&layout), space_(space) {}

  struct Walk;
  [[nodiscard]] CpuSample read_cpu(size_t cpu, std::optional<uint64_t> jiffies) const;
  void read_waiting(size_t cpu, const std::byte* rq, uint64_t curr, std::optional<uint64_t> jiffies,
                    CpuSample& c) const;
  [[nodiscard]] bool walk(uint64_t head, uint64_t first, const Field& node, uint64_t skip, Walk& w) const;
  [[nodiscard]] bool add_task(uint64_t task, Walk& w) const;
  [[nodiscard]] std::optional<uint64_t> read_word(uint64_t vaddr, uint64_t size = 8) const;
  [[nodiscard]] std::string read_state(std::string_view symbol, const std::vector<EnumValue>& names) const;
  [[nodiscard]] std::string read_exit_kind() const;

  const GuestRam* ram_;
  const KernelImage* image_;
  const KernelLayout* layout_;
  AddressSpace space_;
  std::vector<uint64_t> rq_vaddr_;  // per CPU
  std::optional<int> hz_;
};

}  // namespace ktstr::vmm::monitor
