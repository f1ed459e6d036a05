// What every bench of bench/ shares: timing a command, alternating rounds
// against a reference run in the same invocation, medians, the plain QEMU
// reference with the accelerator ktstr-vm picks, and the goal verdict
// (a bench exits 1 when its ratio misses its goal).
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "base/error.hpp"
#include "base/process.hpp"
#include "vmm/qemu/qemu_argv.hpp"

namespace ktstr::bench {

double median(std::vector<double> v);

// One timed run of argv: wall seconds from spawn to exit, the exit status
// and the combined output.
struct Timed {
  double seconds = 0;
  ExitStatus status;
  std::string output;
};
Result<Timed> time_command(const std::vector<std::string>& argv);

// `reps` rounds of reference and subject, the order swapped every round so
// drift in host load hits both alike. A step's error ends the bench.
struct Paired {
  std::vector<double> reference, subject;
};
Result<Paired> alternate(int reps, const std::function<Result<double>()>& reference,
                         const std::function<Result<double>()>& subject);

// The QEMU command a person would type for the same guest, on the
// accelerator ktstr-vm's --engine auto runs on (vmm/accel.hpp
// choose_accel: KVM where hardware-backed, else multi-threaded TCG).
struct PlainQemu {
  std::filesystem::path kernel, initrd;
  int vcpus = 2;
  uint64_t memory_mib = 256;
  std::string cmdline;
  vmm::Accel accel = vmm::Accel::kTcg;
};
std::vector<std::string> plain_qemu_argv(const PlainQemu& q);

// Wall seconds of one plain QEMU run; an error when QEMU did not exit 0.
Result<double> reference_seconds(const PlainQemu& q);

// An initramfs whose /init is busybox-static running `reboot -f` (with
// QEMU's -no-reboot the VM exits): the bare boot -> exit reference.
Result<std::filesystem::path> busybox_reboot_cpio(const std::filesystem::path& out);

// Prints "<what>: ratio R (goal <= G): met|MISSED" and whether the goal holds.
bool hold_goal(std::string_view what, double ratio, double goal);

}  // namespace ktstr::bench
