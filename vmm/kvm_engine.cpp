// The own KVM engine behind VmEngine: ktstr's Machine (vmm/kvm) boots the
// kernel directly on /dev/kvm with the exact topology; guest RAM is a memfd
// whose low part holds the ring at its guest-physical offset.
#include <fcntl.h>

#include "base/fd.hpp"
#include "vmm/engine.hpp"
#include "vmm/kvm/machine.hpp"

namespace ktstr::vmm {
namespace {

// KTSTR_KVM_PREFAULT=off leaves every page to be faulted in by the guest
// (the engine's behaviour before pre-faulting; the rig bench compares both).
uint64_t prefault_budget() {
  const char* v = std::getenv("KTSTR_KVM_PREFAULT");
  return v && std::string_view(v) == "off" ? 0 : kvm::kDefaultPrefaultBytes;
}

class KvmEngine final : public VmEngine {
 public:
  static Result<std::unique_ptr<VmEngine>> create(const LaunchSpec& spec) {
    const VmConfig& cfg = *spec.config;
    if (cfg.interactive) return fail("the own KVM engine has no terminal console; use --engine qemu");
    auto e = std::unique_ptr<KvmEngine>(new KvmEngine());
    e->console_path_ = spec.console_log;
    e->console_fd_ = KTSTR_TRY(open_file(spec.console_log, O_WRONLY | O_APPEND));
    e->machine_ = KTSTR_TRY(kvm::Machine::build({.kernel = cfg.kernel.string(),
                                                 .initrds = {spec.initrd.string()},
                                                 .topology = cfg.topology,
                                                 .ram_bytes = spec.memory.total_bytes(),
                                                 .channel_addr = spec.memory.ring_phys,
                                                 .channel_bytes = spec.memory.ring_bytes,
                                                 .cmdline = spec.cmdline,
                                                 .console_fd = e->console_fd_.get(),
                                                 .prefault_bytes = prefault_budget()}));
    return std::unique_ptr<VmEngine>(std::move(e));
  }

  [[nodiscard]] std::string accel() const override { return "kvm"; }
  // One range per memslot, all in the memfd: low RAM at offset = guest
  // address, RAM above the MMIO hole after it (vmm/kvm/memory_map.hpp).
  [[nodiscard]] std::vector<RamRange> ram_ranges() const override {
    std::vector<RamRange> out;
    for (const auto& slot : machine_->memory().map().slots())
      out.push_back({slot.guest_addr, slot.size, machine_->memory().file_path(), slot.file_offset});
    return out;
  }

  Result<void> start() override { return machine_->start(); }

  EngineState wait_until(Clock::time_point deadline) override {
    stop_ = machine_->wait_until(deadline);
    switch (stop_) {
      case kvm::GuestStop::kRunning: return EngineState::kRunning;
      case kvm::GuestStop::kFailed: return EngineState::kFailed;
      default: return EngineState::kEnded;
    }
  }

  void stop() override { machine_->stop(); }

  [[nodiscard]] std::string stop_detail() const override { return machine_->stop_detail(); }

  [[nodiscard]] std::optional<Error> failure(bool) const override {
    if (stop_ != kvm::GuestStop::kFailed) return std::nullopt;
    return Error{fmt::format("kvm engine: {} (console: {})",
                             machine_->error().value_or(Error{"vCPU failed"}).message, console_path_.string())};
  }

  [[nodiscard]] bool panicked() const override { return machine_->panicked(); }

 private:
  KvmEngine() = default;

  std::filesystem::path console_path_;
  UniqueFd console_fd_;
  std::unique_ptr<kvm::Machine> machine_;
  kvm::GuestStop stop_ = kvm::GuestStop::kRunning;
};

}  // namespace

Result<std::unique_ptr<VmEngine>> make_kvm_engine(const LaunchSpec& spec) { return KvmEngine::create(spec); }

}  // namespace ktstr::vmm
