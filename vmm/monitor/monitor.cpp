#include "vmm/monitor/monitor.hpp"

#include <fstream>

#include "vmm/monitor/kernel_btf.hpp"
#include "vmm/monitor/kernel_image.hpp"
#include "vmm/monitor/kernel_layout.hpp"
#include "vmm/monitor/sampler.hpp"

namespace ktstr::vmm::monitor {

namespace fs = std::filesystem;

// What vmlinux says about the kernel, read once per run.
struct Kernel {
  KernelImage image;
  KernelLayout layout;
  std::optional<int> hz;
};

namespace {

bool is_elf(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  char magic[4] = {};
  return in.read(magic, sizeof magic) && std::string_view(magic, sizeof magic) == "\x7f" "ELF";
}

Result<std::unique_ptr<Kernel>> read_kernel(const fs::path& vmlinux) {
  const auto names = sampler_symbols();
  auto k = std::make_unique<Kernel>();
  k->image = KTSTR_TRY(read_kernel_image(vmlinux, names));
  const auto btf = KTSTR_TRY(KernelBtf::open(vmlinux));
  k->layout = KTSTR_TRY(resolve_layout(btf));
  k->hz = config_hz(vmlinux.parent_path() / ".config");
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
  auto kernel = read_kernel(config.vmlinux);
  auto mapped = kernel ? GuestRam::map(std::move(ram)) : Result<GuestRam>(std::unexpected(kernel.error()));
  if (!mapped) {
    m.log_.error = mapped.error().message;
    return m;
  }
  m.kernel_ = std::move(*kernel);
  m.ram_ = std::make_unique<GuestRam>(std::move(*mapped));
  return m;
}

void Monitor::on_frame(proto::MsgType type, uint64_t now_ns) {
  if (log_.hello_ns == 0) log_.hello_ns = now_ns;
  if (type == proto::MsgType::kExit) log_.exit_ns = now_ns;
}

void Monitor::poll(uint64_t now_ns, bool guest_running) {
  if (!kernel_ || !guest_running) return;
  if (!attach_tried_) {
    attach_tried_ = true;
    auto s = Sampler::attach(*ram_, kernel_->image, kernel_->layout, cpus_, kernel_->hz);
    if (!s) {
      log_.error = s.error().message;
      return;
    }
    sampler_ = std::make_unique<Sampler>(std::move(*s));
  }
  if (sampler_ && log_.due(now_ns)) log_.append(sampler_->sample(now_ns));
}

void Monitor::final_sample(uint64_t now_ns) {
  if (sampler_) log_.append(sampler_->sample(now_ns));
}

}  // namespace ktstr::vmm::monitor
