// Guest -> host throughput of the results channel under the engine this
// machine runs (TCG here), against the 16550 console in the same invocation.
// Each mode boots the probe once; the guest times its own sends and the host
// times from the first to the last data frame.
//   channel_bench [MIB=64] [CONSOLE_KIB=512]
#include <chrono>
#include <nlohmann/json.hpp>

#include "base/exit_codes.hpp"
#include "test_env.hpp"
#include "vmm/vm.hpp"

namespace {

struct Rate {
  double guest_mbps = 0;  // bytes / guest-measured send time
  double host_mbps = 0;   // bytes / host time from first to last data frame
};

std::optional<Rate> measure(const std::filesystem::path& kernel, const std::filesystem::path& cpio,
                            std::vector<std::string> args) {
  using Clock = std::chrono::steady_clock;
  Clock::time_point first, last;
  bool any = false;
  uint64_t bytes = 0;
  std::string stats;
  ktstr::vmm::VmConfig cfg{.kernel = kernel,
                           .initramfs = {cpio},
                           .topology = *ktstr::Topology::parse("1n1l1c1t"),
                           .timeout = std::chrono::seconds(600),
                           .guest_args = args,
                           .quiet = true};
  auto out = ktstr::vmm::run_vm(cfg, [&](ktstr::proto::MsgType t, std::string_view p) {
    if (t == ktstr::proto::MsgType::kLog) stats = p;
    if (t != ktstr::proto::MsgType::kData) return;
    if (!any) first = Clock::now(), any = true;
    last = Clock::now();
    bytes += p.size();
  });
  if (!out || out->exit_code() != 0) {
    fmt::print(stderr, "{}: {}\n", args[0], out ? out->describe() : out.error().message);
    return std::nullopt;
  }
  auto j = nlohmann::json::parse(stats, nullptr, false);
  Rate r;
  if (j.is_object()) r.guest_mbps = j["flood_bytes"].get<double>() / j["flood_ns"].get<double>() * 1e3;
  if (any && last > first) r.host_mbps = static_cast<double>(bytes) / std::chrono::duration<double>(last - first).count() / 1e6;
  return r;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string mib = argc > 1 ? argv[1] : "64";
  const std::string kib = argc > 2 ? argv[2] : "512";
  auto kernel = ktstr::vmmtest::find_kernel();
  if (!kernel) return ktstr::report_failure("channel_bench", "skip: no kernel (set KTSTR_KERNEL)", ktstr::kExitSkip);
  auto cpio = ktstr::vmmtest::probe_initramfs(KTSTR_PROBE_STATIC, false);
  if (!cpio) return ktstr::report_failure("channel_bench", cpio.error().message, ktstr::kExitInfra);

  auto raw = measure(*kernel, *cpio, {"raw", mib});
  auto checked = measure(*kernel, *cpio, {"flood", mib});
  auto serial = measure(*kernel, *cpio, {"console", kib});
  if (!raw || !checked || !serial) return ktstr::kExitFail;
  fmt::print("channel raw     {:>4} MiB: guest {:7.2f} MB/s, host {:7.2f} MB/s\n", mib, raw->guest_mbps, raw->host_mbps);
  fmt::print("channel checked {:>4} MiB: guest {:7.2f} MB/s, host {:7.2f} MB/s (probe fills and checksums each message)\n",
             mib, checked->guest_mbps, checked->host_mbps);
  fmt::print("16550 console   {:>4} KiB: guest {:7.2f} MB/s\n", kib, serial->guest_mbps);
  fmt::print("ratio channel raw / console: {:.1f}x (goal: channel >= 20 MB/s)\n", raw->guest_mbps / serial->guest_mbps);
  return raw->guest_mbps >= 20 ? ktstr::kExitPass : ktstr::kExitFail;
}
