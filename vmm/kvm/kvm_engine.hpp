// The own KVM engine behind run_vm: same inputs (VmConfig), same channel,
// same outcomes and exit codes as the QEMU engine.
#pragma once

#include "vmm/vm.hpp"

namespace ktstr::vmm {

// Boots config.kernel with the exact topology on /dev/kvm with ktstr's own
// VMM (vmm/kvm/machine.hpp). Errors are launch failures (no usable /dev/kvm,
// unreadable kernel, KVM refusing the VM); every way the guest ends is a VmOutcome.
Result<VmOutcome> run_kvm_engine(const VmConfig& config, const FrameSink& sink);

}  // namespace ktstr::vmm
