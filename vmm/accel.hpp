// Chooses QEMU's accelerator: KVM only where it can work, TCG otherwise.
#pragma once

#include <string>

#include "vmm/qemu/qemu_argv.hpp"

namespace ktstr::vmm {

struct AccelChoice {
  Accel accel;
  std::string reason;     // one line: why this accelerator
  std::string virt_flag;  // "svm", "vmx" or "" (from /proc/cpuinfo)
};

// KVM when /dev/kvm opens read-write and /proc/cpuinfo lists vmx or svm
// (a /dev/kvm without them is not hardware-backed: a guest runs ~1000x slower,
// docs/architecture.md "Measured facts"), otherwise multi-threaded TCG.
AccelChoice choose_accel();

// Which engine `--engine auto` runs: the own VMM (vmm/kvm) where KVM is
// hardware-backed on an AMD CPU (svm: the vendor path proven by booting
// guests in the nested rig, tests/nested) and the run is not interactive;
// QEMU everywhere else (TCG without KVM, Intel's vmx path so far only
// unit-tested, `ktstr shell`'s terminal console).
struct EngineChoice {
  bool own_engine;
  std::string reason;  // one line
};
EngineChoice choose_auto_engine(const AccelChoice& accel, bool interactive);

}  // namespace ktstr::vmm

namespace ktstr::vmm {

// KTSTR_REQUIRE_KVM=1 and no usable KVM: the one-line reason to skip (exit 77);
// empty when the run may go ahead.
std::string kvm_requirement_unmet(const AccelChoice& choice);

}  // namespace ktstr::vmm
