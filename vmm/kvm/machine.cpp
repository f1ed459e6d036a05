// The VM build sequence, written once and in order (Firecracker's
// build_microvm_for_boot is the model): VM and in-kernel devices, guest RAM,
// images and tables, vCPUs.
#include "vmm/kvm/machine.hpp"

#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/mman.h>

#include "base/mapping.hpp"
#include "vmm/kvm/acpi/tables.hpp"
#include "vmm/kvm/bzimage.hpp"
#include "vmm/kvm/cpu_setup.hpp"
#include "vmm/kvm/layout.hpp"
#include "vmm/kvm/image_loader.hpp"
#include "vmm/kvm/pvh.hpp"

namespace ktstr::kvm {
namespace {

constexpr std::string_view kPanicMarker = "Kernel panic";


}  // namespace

Result<std::unique_ptr<Machine>> Machine::build(const MachineSpec& spec) {
  std::unique_ptr<Machine> m(new Machine());
  m->console_fd_ = spec.console_fd;
  KTSTR_TRY_VOID(m->create_vm(spec));
  KTSTR_TRY_VOID(m->load_images(spec));
  KTSTR_TRY_VOID(m->create_vcpus(spec));
  if (spec.prefault_bytes > 0) m->prefault(prefault_plan(m->mem_.map(), m->loaded_, spec.prefault_bytes));
  return m;
}

// VM fd, the VMX helper pages, in-kernel IOAPIC/PIC/LAPICs and PIT, guest RAM
// memslots (low RAM, then high RAM above the MMIO hole), COM1.
Result<void> Machine::create_vm(const MachineSpec& spec) {
  kvm_ = KTSTR_TRY(KvmSystem::open());
  vm_ = UniqueFd(KTSTR_TRY(kvm_ioctl(kvm_.fd(), KVM_CREATE_VM, 0ul, "KVM_CREATE_VM")));
  KTSTR_TRY(kvm_ioctl(vm_.get(), KVM_SET_TSS_ADDR, static_cast<unsigned long>(layout::kKvmTssAddr),
                      "KVM_SET_TSS_ADDR"));
  const uint64_t identity = layout::kKvmIdentityMapAddr;
  KTSTR_TRY(kvm_ioctl(vm_.get(), KVM_SET_IDENTITY_MAP_ADDR, &identity, "KVM_SET_IDENTITY_MAP_ADDR"));
  KTSTR_TRY(kvm_ioctl(vm_.get(), KVM_CREATE_IRQCHIP, 0ul, "KVM_CREATE_IRQCHIP"));
  const kvm_pit_config pit{.flags = 0, .pad = {}};
  KTSTR_TRY(kvm_ioctl(vm_.get(), KVM_CREATE_PIT2, &pit, "KVM_CREATE_PIT2"));

  const MemoryMap map = KTSTR_TRY(MemoryMap::plan(spec.ram_bytes, spec.channel_addr, spec.channel_bytes));
  mem_ = KTSTR_TRY(GuestMemory::create(map));
  uint32_t slot = 0;
  for (const RamSlot& s : map.slots()) {
    const kvm_userspace_memory_region region{
        .slot = slot, .flags = 0, .guest_phys_addr = s.guest_addr, .memory_size = s.size,
        .userspace_addr = reinterpret_cast<uint64_t>(mem_.host_base() + s.file_offset)};
    KTSTR_TRY(kvm_ioctl(vm_.get(), KVM_SET_USER_MEMORY_REGION, &region,
                        fmt::format("KVM_SET_USER_MEMORY_REGION slot {} at {:#x}", slot, s.guest_addr)));
    ++slot;
  }

  const int vm_fd = vm_.get();
  com1_ = std::make_unique<Uart16550>(
      [vm_fd](bool level) {
        kvm_irq_level irq{};
        irq.irq = layout::kCom1Irq;
        irq.level = level ? 1 : 0;
        (void)kvm_ioctl(vm_fd, KVM_IRQ_LINE, &irq, "KVM_IRQ_LINE");
      },
      [this](std::string_view text) { console_out(text); });
  return {};
}

// Kernel, initrd, command line, ACPI tables and boot information
// (image_loader.hpp); remembers the entry and what was written.
Result<void> Machine::load_images(const MachineSpec& spec) {
  auto loaded = KTSTR_TRY(load_boot_images(
      mem_, {.kernel = spec.kernel, .initrds = spec.initrds, .cmdline = spec.cmdline, .topology = spec.topology}));
  entry_ = loaded.entry;
  loaded_ = std::move(loaded.written);
  return {};
}

// One vCPU per logical CPU, vCPU id = APIC ID, each with its own CPUID table;
// the BSP (APIC ID 0, KVM's default boot vCPU) gets the boot register state.
Result<void> Machine::create_vcpus(const MachineSpec& spec) {
  const ApicLayout apic = ApicLayout::of(spec.topology);
  const auto supported = KTSTR_TRY(kvm_.supported_cpuid());
  const size_t run_size = KTSTR_TRY(kvm_.vcpu_mmap_size());
  for (int cpu = 0; cpu < spec.topology.vcpus(); ++cpu) {
    Vcpu v;
    v.id = apic.apic_id(cpu);
    v.index = cpu;
    v.fd = UniqueFd(KTSTR_TRY(kvm_ioctl(vm_.get(), KVM_CREATE_VCPU, static_cast<unsigned long>(v.id),
                                        fmt::format("KVM_CREATE_VCPU id {}", v.id))));
    void* p = ::mmap(nullptr, run_size, PROT_READ | PROT_WRITE, MAP_SHARED, v.fd.get(), 0);
    if (p == MAP_FAILED) return fail_errno(fmt::format("mapping kvm_run of vcpu {}", v.id));
    v.run = RunMapping(p, run_size);
    KTSTR_TRY_VOID(setup_vcpu(v, cpuid_for_vcpu(supported, apic, cpu)));
    vcpus_.push_back(std::move(v));
  }
  KTSTR_TRY_VOID(setup_boot_cpu(vcpus_.front(), entry_));
  return {};
}

// Maps guest RAM into KVM's stage-2 tables up front (MachineSpec::prefault_bytes),
// so the guest's first touch of each page does not exit to the host.
// Best effort: kernels before 6.10, or without two-dimensional paging, lack
// the ioctl and the guest faults the pages in as it goes.
void Machine::prefault(std::span<const acpi::RamRange> ranges) {
  for (const auto& range : ranges) {
    KvmPreFaultMemory r{.gpa = range.base, .size = range.size, .flags = 0, .padding = {}};
    while (r.size > 0) {
      if (::ioctl(vcpus_.front().fd.get(), kKvmPreFaultMemory, &r) == 0) continue;
      if (errno == EINTR || errno == EAGAIN) continue;
      return;  // ENOTTY (old kernel), EOPNOTSUPP (no TDP), ENOENT (hole): fault in lazily
    }
  }
}

void Machine::console_out(std::string_view text) {
  if (text.find(kPanicMarker) != std::string_view::npos) panicked_ = true;
  if (console_fd_ >= 0) (void)write_all(console_fd_, text);
}

void Machine::finish(GuestStop why, std::optional<Error> err, std::string detail) {
  std::lock_guard lock(mu_);
  if (stop_ != GuestStop::kRunning) return;  // the first reason wins
  stop_ = why;
  error_ = std::move(err);
  stop_detail_ = std::move(detail);
  cv_.notify_all();
}

GuestStop Machine::wait_until(std::chrono::steady_clock::time_point deadline) {
  std::unique_lock lock(mu_);
  cv_.wait_until(lock, deadline, [&] { return stop_ != GuestStop::kRunning; });
  return stop_;
}

std::string Machine::stop_detail() const {
  std::lock_guard lock(mu_);
  return stop_detail_;
}

std::optional<Error> Machine::error() const {
  std::lock_guard lock(mu_);
  return error_;
}

Machine::~Machine() { stop(); }

}  // namespace ktstr::kvm
