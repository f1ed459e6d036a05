// Writes everything the guest boots from into guest RAM, in boot-protocol
// order: kernel, initrd, command line, ACPI tables, GDT + page tables, and the
// boot information the entry point expects (zero page or hvm_start_info).
#pragma once

#include <string>
#include <vector>

#include "base/error.hpp"
#include "base/topology.hpp"
#include "vmm/kvm/acpi/tables.hpp"
#include "vmm/kvm/cpu_setup.hpp"
#include "vmm/kvm/kvm_fd.hpp"

namespace ktstr::kvm {

struct BootImages {
  std::string kernel;                // bzImage, or vmlinux (ELF: PVH entry, else startup_64)
  std::vector<std::string> initrds;  // concatenated in order
  std::string cmdline;
  Topology topology;                 // for the ACPI tables (MADT, SRAT, SLIT)
};

// What loading decided: how the boot CPU enters the kernel, and the ranges
// the loader wrote (pre-faulted first, before the rest of RAM).
struct LoadedImages {
  BootEntry entry;
  std::vector<acpi::RamRange> written;
};

// Loads `images` into `mem` (boot.rst "64-bit BOOT PROTOCOL", PVH boot ABI).
// The kernel file is mapped, not read: of a vmlinux only the loadable
// segments' pages are touched, never its debug info.
Result<LoadedImages> load_boot_images(const GuestMemory& mem, const BootImages& images);

}  // namespace ktstr::kvm
