#include "vm_boot.hpp"

#include <doctest/doctest.h>

#include <cstdlib>

#include <fmt/ranges.h>

#include "base/process.hpp"
#include "base/temp_dir.hpp"
#include "guest/telemetry_codec.hpp"
#include "host/verdict/judge.hpp"
#include "initramfs/initramfs.hpp"

namespace ktstr::vmtest {
namespace fs = std::filesystem;

void skip(const std::string& why) {
  fmt::print("SKIP: {}\n", why);
  std::fflush(stdout);
  std::_Exit(77);
}

std::optional<fs::path> find_kernel() {
  if (const char* k = std::getenv("KTSTR_KERNEL"); k && *k) {
    fs::path p = k;
    if (fs::is_directory(p)) p /= fs::exists(p / "bzImage") ? "bzImage" : "arch/x86/boot/bzImage";
    if (fs::exists(p)) return p;
  }
  fs::path cli = fs::path(KTSTR_BIN_DIR) / "ktstr";
  if (fs::exists(cli)) {
    if (auto out = run_capture({cli.string(), "kernel", "path"}); out && out->status.success()) {
      std::string s = out->output;
      while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.pop_back();
      fs::path p = s;
      if (fs::is_directory(p)) p /= "bzImage";
      if (!s.empty() && fs::exists(p)) return p;
    }
  }
  return std::nullopt;
}

std::optional<fs::path> find_scheduler(const fs::path& kernel, const std::string& name) {
  std::string env = "KTSTR_" + name;
  for (auto& c : env) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  if (const char* s = std::getenv(env.c_str()); s && fs::exists(s)) return fs::path(s);
  if (fs::path p = kernel.parent_path() / "schedulers" / name; fs::exists(p)) return p;
  return std::nullopt;
}

Boot boot(const std::string& topology, std::vector<std::string> args, const std::optional<fs::path>& scheduler,
          const std::string& declared, int timeout_s, const std::optional<fs::path>& baseline) {
  auto kernel = find_kernel();
  if (!kernel) skip("no kernel: set KTSTR_KERNEL or build one with `ktstr kernel build`");
  auto tmp = TempDir::create("ktstr-guest-vm");
  REQUIRE(tmp);
  initramfs::Spec spec;
  spec.add_default_dirs().add_binary(KTSTR_SCENARIO_GUEST, "/init");
  if (scheduler) {
    const std::string dst = "/bin/" + scheduler->filename().string();
    spec.add_binary(*scheduler, dst);
    args.insert(args.end(), {"--scheduler", dst});
  }
  if (baseline) {
    const std::string dst = "/bin/" + baseline->filename().string();
    if (!scheduler || *scheduler != *baseline) spec.add_binary(*baseline, dst);
    args.insert(args.end(), {"--baseline", dst});
  }
  const fs::path cpio = tmp->path() / "guest.cpio";
  auto built = initramfs::build(spec, cpio);
  REQUIRE_MESSAGE(built, (built ? "" : built.error().message));
  args.insert(args.end(), {"--topology", declared.empty() ? topology : declared});
  vmm::VmConfig cfg{.kernel = *kernel, .initramfs = {cpio}, .topology = *Topology::parse(topology),
                    .timeout = std::chrono::seconds(timeout_s), .guest_args = args, .quiet = true};
  Boot b;
  std::optional<std::string> telemetry;
  auto outcome = vmm::run_vm(cfg, [&](proto::MsgType t, std::string_view payload) {
    if (t == proto::MsgType::kTelemetry) telemetry = std::string(payload);
    if (t == proto::MsgType::kLog) b.logs += std::string(payload) + "\n";
    if (t == proto::MsgType::kSchedEvent) b.sched_events.push_back(std::string(payload));
  });
  REQUIRE_MESSAGE(outcome, (outcome ? "" : outcome.error().message));
  b.outcome = *outcome;
  INFO("vm: ", outcome->describe(), "\nguest log:\n", b.logs);
  REQUIRE(telemetry);
  auto tel = guest::decode_telemetry(*telemetry);
  REQUIRE(tel);
  b.tel = std::move(*tel);
  MESSAGE(fmt::format("{} {}: boot {:.1f} s, wall {:.1f} s, {} workers, guest exit {}", topology,
                      fmt::join(args, " "), outcome->boot_seconds, outcome->wall_seconds, b.tel.workers.size(),
                      outcome->guest_exit_code));
  return b;
}

void check_progress(const RunTelemetry& t) {
  REQUIRE(!t.workers.empty());
  for (const auto& w : t.workers) {
    CAPTURE(w.cgroup);
    CAPTURE(w.worker);
    CHECK(w.iterations > 0);
    CHECK(w.cpu_ns > 0);
    CHECK(w.max_gap_ns > 0);
    CHECK(!w.cpus_used.empty());
    // CPU time lies inside the worker's own window; schedstat runtime can
    // lag by up to a tick at either read (10 ms at HZ=100).
    CHECK(w.cpu_ns <= w.wall_ns + 20'000'000ull);
  }
}

verdict::Verdict judge(const Boot& b, verdict::Thresholds th) {
  using K = vmm::VmOutcome::Kind;
  verdict::VmFacts facts{.panic = b.outcome.kind == K::kPanic, .timeout = b.outcome.kind == K::kTimeout};
  if (b.outcome.kind == K::kExited) facts.guest_exit_code = b.outcome.guest_exit_code;
  facts.infra_error = b.outcome.channel_error;
  if (th.not_starved.value_or(false) && b.outcome.accel == "tcg") {
    th.max_spread_pct = th.max_spread_pct.value_or(verdict::kDefaultSpreadPctDebug);
    th.max_gap_ms = th.max_gap_ms.value_or(verdict::kDefaultGapMsDebug);
  }
  return verdict::judge(b.tel, facts, verdict::merge_layers({}, th));
}

void require_pass(const Boot& b, verdict::Thresholds th) {
  auto v = judge(b, th);
  std::string lines;
  for (const auto& viol : v.violations) lines += verdict::format_violation(viol) + "\n";
  INFO("violations:\n", lines);
  CHECK(v.outcome == verdict::Outcome::kPass);
}

uint64_t counter(const WorkerTelemetry& w, const std::string& name) {
  auto it = w.counters.find(name);
  return it == w.counters.end() ? 0 : it->second;
}

uint64_t sum(const std::vector<const WorkerTelemetry*>& ws, const std::string& name) {
  uint64_t s = 0;
  for (const auto* w : ws) s += counter(*w, name);
  return s;
}

}  // namespace ktstr::vmtest
