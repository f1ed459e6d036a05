// The VM build sequence, in order (STYLE.md rule 2; Firecracker's
// build_microvm_for_boot is the model): VM and in-kernel devices, guest RAM,
// images and tables, vCPUs.
#include "kvm/machine.hpp"

#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/mman.h>

#include "base/mapping.hpp"
#include "kvm/acpi/tables.hpp"
#include "kvm/bzimage.hpp"
#include "kvm/cpu_setup.hpp"
#include "kvm/layout.hpp"
#include "kvm/pvh.hpp"

namespace ktstr::kvm {
namespace {

constexpr std::string_view kPanicMarker = "Kernel panic";

std::span<const uint8_t> as_bytes(const std::string& s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}
template <class T>
std::span<const uint8_t> as_bytes(const T& v) {
  return {reinterpret_cast<const uint8_t*>(&v), sizeof(T)};
}

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

// Kernel at 1 MiB, initrd as high as allowed, command line, ACPI tables,
// GDT + page tables, zero page (boot.rst "64-bit BOOT PROTOCOL").
Result<void> Machine::load_images(const MachineSpec& spec) {
  // The kernel: a vmlinux (ELF) boots through its PVH entry, or without one
  // (CONFIG_PVH=n) through startup_64 with a synthesized setup header, both
  // skipping the decompressor; a bzImage through the 64-bit boot protocol.
  // Mapped, not read: of a vmlinux only the loadable segments' pages are
  // touched, never its debug info.
  const Mapping file = KTSTR_TRY(Mapping::map_readonly(spec.kernel));
  const std::span<const uint8_t> bytes(reinterpret_cast<const uint8_t*>(file.data()), file.size());
  std::optional<BzImage> bz;
  std::optional<ElfKernel> elf;
  if (is_elf(bytes)) {
    auto parsed = parse_elf_kernel(bytes);
    if (!parsed) return std::unexpected(std::move(parsed).error().context(spec.kernel));
    elf = std::move(*parsed);
    for (const auto& seg : elf->segments) {
      if (seg.paddr < layout::kHighMemStart || seg.paddr + seg.mem_bytes > mem_.map().load_ceiling())
        return fail("{}: segment at {:#x} (+{:#x}) lies outside loadable RAM", spec.kernel, seg.paddr, seg.mem_bytes);
      KTSTR_TRY_VOID(mem_.write(seg.paddr, bytes.subspan(seg.file_offset, seg.file_bytes)));
      loaded_.push_back({.base = seg.paddr, .size = seg.mem_bytes});
    }
    if (elf->pvh_entry)
      entry_ = {.kind = BootEntry::kPvh32, .rip = elf->pvh_entry, .boot_data = layout::kPvhStartInfoAddr};
    else
      entry_ = {.kind = BootEntry::kLinux64, .rip = elf->entry64, .boot_data = layout::kZeroPageAddr};
  } else {
    bz = KTSTR_TRY(BzImage::parse(std::string(reinterpret_cast<const char*>(bytes.data()), bytes.size())));
    KTSTR_TRY_VOID(mem_.write(layout::kKernelLoadAddr, bz->kernel()));
    loaded_.push_back({.base = layout::kKernelLoadAddr, .size = bz->kernel().size()});
    entry_ = {.kind = BootEntry::kLinux64, .rip = bz->entry64(layout::kKernelLoadAddr), .boot_data = layout::kZeroPageAddr};
  }

  std::string initrd;
  for (const auto& path : spec.initrds) {
    initrd += KTSTR_TRY(read_file(path));
    initrd.resize((initrd.size() + 3) & ~size_t{3});  // cpio members stay 4-byte aligned
  }
  uint64_t initrd_addr = 0;
  if (!initrd.empty()) {
    initrd_addr = bz ? KTSTR_TRY(place_initrd(bz->hdr, initrd.size(), mem_.map().load_ceiling()))
                     : KTSTR_TRY(place_initrd_above(elf->image_end(), initrd.size(), mem_.map().load_ceiling()));
    KTSTR_TRY_VOID(mem_.write(initrd_addr, as_bytes(initrd)));
    loaded_.push_back({.base = initrd_addr, .size = initrd.size()});
  }

  if (spec.cmdline.size() + 1 > layout::kCmdlineMax)
    return fail("kernel command line of {} bytes is too long", spec.cmdline.size());
  KTSTR_TRY_VOID(mem_.write(layout::kCmdlineAddr, std::span(reinterpret_cast<const uint8_t*>(spec.cmdline.c_str()),
                                                             spec.cmdline.size() + 1)));

  const ApicLayout apic = ApicLayout::of(spec.topology);
  const auto ram = mem_.map().ram_ranges();
  const auto nodes = acpi::split_memory_by_node(ram, spec.topology.nodes);
  const acpi::AcpiImage tables = acpi::build_acpi_image(layout::kAcpiStart, apic, nodes);
  if (layout::kAcpiStart + tables.bytes.size() > layout::kAcpiEnd)
    return fail("ACPI tables of {} bytes overflow the BIOS area", tables.bytes.size());
  KTSTR_TRY_VOID(mem_.write(tables.base, tables.bytes));
  KTSTR_TRY_VOID(write_boot_tables(mem_));

  if (elf && entry_.kind == BootEntry::kPvh32) {
    const auto info = build_pvh_start_info({.base = layout::kPvhStartInfoAddr,
                                            .cmdline_addr = layout::kCmdlineAddr,
                                            .initrd_addr = initrd_addr,
                                            .initrd_bytes = initrd.size(),
                                            .rsdp_addr = tables.rsdp_addr,
                                            .e820 = build_e820(mem_.map())});
    if (info.size() > layout::kPvhStartInfoMax) return fail("PVH start info of {} bytes is too large", info.size());
    return mem_.write(layout::kPvhStartInfoAddr, info);
  }
  const boot_params zero_page = KTSTR_TRY(build_zero_page(
      bz ? bz->hdr : vmlinux_setup_header(), mem_.map(),
      {.randomize_memory = !bz, .cmdline_addr = layout::kCmdlineAddr, .cmdline_bytes = spec.cmdline.size(), .initrd_addr = initrd_addr,
       .initrd_bytes = initrd.size(), .rsdp_addr = tables.rsdp_addr}));
  KTSTR_TRY_VOID(mem_.write(layout::kZeroPageAddr, as_bytes(zero_page)));
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
