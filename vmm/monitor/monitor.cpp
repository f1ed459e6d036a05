#include "vmm/monitor/monitor.hpp"

#include <chrono>
#include <fstream>

#include "vmm/monitor/kernel_btf.hpp"
#include "vmm/monitor/kernel_image.hpp"
#include "vmm/monitor/kernel_layout.hpp"
#include "vmm/monitor/sampler.hpp"

namespace ktstr::vmm::monitor {

namespace fs = std::filesystem;

namespace {

using Clock = std::chrono::steady_clock;

uint64_t ns_since(Clock::time_point t0) {
  return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - t0).count());
}

bool is_elf(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  char magic[4] = {};
  return in.read(magic, sizeof magic) && std::string_view(magic, sizeof magic) == "\x7f" "ELF";
}

Result<Kernel> read_kernel(const fs::path& vmlinux) {
  const auto t0 = Clock::now();
  const auto names = sampler_symbols();
  Kernel k;
  k.image = KTSTR_TRY(read_kernel_image(vmlinux, names));
  const auto btf = KTSTR_TRY(KernelBtf::open(vmlinux));
  k.layout = KTSTR_TRY(resolve_layout(btf));
  k.hz = config_hz(vmlinux.parent_path() / ".config");
  k.read_ns = ns_since(t0);
  return k;
}

}  // namespace

std::optional<fs::path> find_vmlinux(const fs::path& kernel, const fs::path& explicit_path) {
  std::error_code ec;
  if (!explicit_path.empty()) return explicit_path;
  if (fs::is_regular_file(kernel, ec) && is_elf(kernel)) return kernel;
  const fs::path dir = kernel.parent_path();
  for (const fs::path& p : {dir / "vmlinux", dir / "../../../vmlinux"})
    if (fs::is_regular_file(p, ec)) return p.lexically_normal();
  return std::nullopt;
}

Monitor::Monitor(Monitor&&) noexcept = default;
Monitor& Monitor::operator=(Monitor&&) noexcept = default;
Monitor::~Monitor() = default;

Monitor Monitor::open(const MonitorConfig& config, std::vector<RamRange> ram) {
  Monitor m;
  m.cpus_ = config.cpus;
  m.log_.period_ns = static_cast<uint64_t>(std::chrono::nanoseconds(config.period).count());
  if (config.vmlinux.empty() || config.period.count() <= 0) {
    m.log_.error = config.off_reason.empty() ? "monitor off" : config.off_reason;
    return m;
  }
  auto mapped = GuestRam::map(std::move(ram));
  if (!mapped) {
    m.log_.error = mapped.error().message;
    return m;
  }
  m.ram_ = std::make_unique<GuestRam>(std::move(*mapped));
  m.reading_ = std::async(std::launch::async, read_kernel, config.vmlinux);
  return m;
}

void Monitor::poll(uint64_t now_ns, bool guest_running) {
  if (!ram_ || !guest_running) return;
  if (!attach_tried_) attach();
  if (sampler_ && log_.due(now_ns)) take(now_ns);
}

// Once the guest runs: waits for vmlinux (read since open), then finds the
// kernel in guest RAM.
void Monitor::attach() {
  attach_tried_ = true;
  auto kernel = reading_.get();
  if (!kernel) {
    log_.error = kernel.error().message;
    return;
  }
  kernel_ = std::make_unique<Kernel>(std::move(*kernel));
  const auto t0 = Clock::now();
  auto s = Sampler::attach(*ram_, kernel_->image, kernel_->layout, cpus_, kernel_->hz);
  log_.setup_ns = kernel_->read_ns + ns_since(t0);
  if (!s) {
    log_.error = s.error().message;
    return;
  }
  sampler_ = std::make_unique<Sampler>(std::move(*s));
}

void Monitor::final_sample(uint64_t now_ns) {
  if (ram_ && !attach_tried_) attach();  // a guest that died before its runtime started
  if (sampler_) take(now_ns);
}

void Monitor::take(uint64_t now_ns) {
  const auto t0 = Clock::now();
  log_.append(sampler_->sample(now_ns));
  log_.sampling_ns += ns_since(t0);
}

}  // namespace ktstr::vmm::monitor
