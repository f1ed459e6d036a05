// Guest probe: /init of the launcher's own VM tests. Reports what the guest
// sees over the channel, then exits through the normal path (kExit frame +
// reboot). Arguments come from /ktstr/argv.json (the per-run archive):
//   topology            kTopology JSON of sysfs (default)
//   flood MIB           MIB of kData frames, each with its own index + checksum
//   raw MIB             MIB of kData frames of one prebuilt buffer (channel cost only)
//   console KIB         KIB of text to /dev/console (the 16550 reference rate)
//   panic K             K kData frames "msg <i>", then a sysrq crash
//   hang                never exits (the host's timeout path)
//   hang-spin [N]       N processes spin forever (a hang with busy CPUs)
//   exit CODE           exit with CODE at once (exit-code propagation, boot bench)
// Never throws out of main: an exception in PID 1 panics the guest.
#include <fcntl.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "base/fd.hpp"
#include "base/topology.hpp"
#include "guest/channel/channel.hpp"
#include "probe_payload.hpp"

namespace fs = std::filesystem;
using ktstr::guest::Channel;
using ktstr::proto::MsgType;

namespace {

std::string slurp(const fs::path& p) {
  auto s = ktstr::read_file(p);
  if (!s) return {};
  std::string v = std::move(*s);
  while (!v.empty() && (v.back() == '\n' || v.back() == ' ')) v.pop_back();
  return v;
}

void mount_basics() {
  ::mkdir("/proc", 0755);
  ::mkdir("/sys", 0755);
  ::mkdir("/dev", 0755);
  ::mount("proc", "/proc", "proc", 0, nullptr);
  ::mount("sysfs", "/sys", "sysfs", 0, nullptr);
  ::mount("devtmpfs", "/dev", "devtmpfs", 0, nullptr);
}

double uptime_seconds() {
  double up = 0;
  if (FILE* f = std::fopen("/proc/uptime", "r")) {
    if (std::fscanf(f, "%lf", &up) != 1) up = 0;
    std::fclose(f);
  }
  return up;
}

uint64_t now_ns() {
  timespec ts;
  ::clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<uint64_t>(ts.tv_sec) * 1000000000ull + static_cast<uint64_t>(ts.tv_nsec);
}

// MemTotal of a node in kB, from its meminfo ("Node 0 MemTotal:  241308 kB";
// drivers/base/node.c node_read_meminfo); -1 when unreadable.
long node_mem_kb(int node) {
  const std::string text = slurp(fmt::format("/sys/devices/system/node/node{}/meminfo", node));
  const auto at = text.find("MemTotal:");
  return at == std::string::npos ? -1 : std::strtol(text.c_str() + at + 9, nullptr, 10);
}

nlohmann::json sysfs_topology() {
  nlohmann::json j;
  j["online"] = slurp("/sys/devices/system/cpu/online");
  j["possible"] = slurp("/sys/devices/system/cpu/possible");
  nlohmann::json cpus = nlohmann::json::array();
  auto online = ktstr::parse_cpu_list(j["online"].get<std::string>());
  for (int cpu : online.value_or(std::vector<int>{})) {
    fs::path d = fmt::format("/sys/devices/system/cpu/cpu{}", cpu);
    cpus.push_back({{"cpu", cpu},
                    {"core_id", slurp(d / "topology/core_id")},
                    {"package_id", slurp(d / "topology/physical_package_id")},
                    {"thread_siblings", slurp(d / "topology/thread_siblings_list")},
                    {"llc_shared", slurp(d / "cache/index3/shared_cpu_list")}});
  }
  j["cpus"] = cpus;
  nlohmann::json nodes = nlohmann::json::object(), mem = nlohmann::json::object();
  for (int n = 0;; ++n) {
    fs::path p = fmt::format("/sys/devices/system/node/node{}/cpulist", n);
    if (!fs::exists(p)) break;
    nodes[std::to_string(n)] = slurp(p);
    mem[std::to_string(n)] = node_mem_kb(n);
  }
  j["nodes"] = nodes;
  j["node_mem_kb"] = mem;
  // The kernel's node states (Documentation/ABI/stable/sysfs-devices-node):
  // N_MEMORY and N_CPU as node lists, what libnuma and schedulers read.
  j["node_has_memory"] = slurp("/sys/devices/system/node/has_memory");
  j["node_has_cpu"] = slurp("/sys/devices/system/node/has_cpu");
  return j;
}

ktstr::Result<void> flood(Channel& ch, uint64_t mib) {
  const uint64_t total = mib << 20;
  constexpr size_t kMsg = 64 * 1024;
  std::string buf;
  const uint64_t t0 = now_ns();
  uint64_t sent = 0;
  for (uint64_t i = 0; sent < total; ++i) {
    const size_t len = static_cast<size_t>(std::min<uint64_t>(kMsg, total - sent));
    ktstr::probe::fill_message(i, len, buf);
    KTSTR_TRY_VOID(ch.send(MsgType::kData, buf));
    sent += len;
  }
  const uint64_t ns = now_ns() - t0;
  nlohmann::json j = {{"flood_bytes", sent}, {"flood_ns", ns}};
  return ch.send(MsgType::kLog, j.dump());
}

// The channel alone: one 64 KiB buffer sent over and over (bench/channel).
ktstr::Result<void> raw(Channel& ch, uint64_t mib) {
  std::string buf;
  ktstr::probe::fill_message(0, 64 * 1024, buf);
  const uint64_t t0 = now_ns(), total = mib << 20;
  for (uint64_t sent = 0; sent < total; sent += buf.size()) KTSTR_TRY_VOID(ch.send(MsgType::kData, buf));
  return ch.send(MsgType::kLog, nlohmann::json{{"flood_bytes", total}, {"flood_ns", now_ns() - t0}}.dump());
}

// The 16550 console for comparison: KIB of 64-byte lines through PID 1's stdout.
ktstr::Result<void> console(Channel& ch, uint64_t kib) {
  const std::string line(63, 'c');
  const uint64_t t0 = now_ns();
  for (uint64_t i = 0; i < kib * 16; ++i) std::fprintf(stdout, "%s\n", line.c_str());
  std::fflush(stdout);
  return ch.send(MsgType::kLog, nlohmann::json{{"flood_bytes", kib << 10}, {"flood_ns", now_ns() - t0}}.dump());
}

ktstr::Result<int> run(Channel& ch, const std::vector<std::string>& args) {
  const std::string mode = args.empty() ? "topology" : args[0];
  auto num = [&](uint64_t def) { return args.size() > 1 ? std::stoull(args[1]) : def; };
  if (mode == "topology") {
    KTSTR_TRY_VOID(ch.send(MsgType::kTopology, sysfs_topology().dump()));
    return 0;
  }
  if (mode == "flood") {
    KTSTR_TRY_VOID(flood(ch, num(64)));
    return 0;
  }
  if (mode == "raw") {
    KTSTR_TRY_VOID(raw(ch, num(64)));
    return 0;
  }
  if (mode == "console") {
    KTSTR_TRY_VOID(console(ch, num(64)));
    return 0;
  }
  if (mode == "panic") {
    for (uint64_t i = 0, k = num(100); i < k; ++i) KTSTR_TRY_VOID(ch.send(MsgType::kData, fmt::format("msg {}", i)));
    auto fd = KTSTR_TRY(ktstr::open_file("/proc/sysrq-trigger", O_WRONLY));
    KTSTR_TRY_VOID(ktstr::write_all(fd.get(), "c"));
    return ktstr::fail("sysrq crash returned");
  }
  if (mode == "hang") {
    for (;;) ::pause();
  }
  if (mode == "hang-spin") {  // N spinning processes that never end (the monitor's hang)
    for (uint64_t i = 1; i < num(2); ++i)
      if (::fork() == 0) break;
    for (volatile uint64_t x = 0;; x = x + 1) {
    }
  }
  if (mode == "exit" || mode == "exit-hang") return static_cast<int>(num(0));
  return ktstr::fail("probe: unknown mode '{}'", mode);
}

std::vector<std::string> read_args() {
  auto text = ktstr::read_file("/ktstr/argv.json");
  if (!text) return {};
  auto j = nlohmann::json::parse(*text, nullptr, false);
  std::vector<std::string> v;
  if (j.is_array())
    for (auto& e : j)
      if (e.is_string()) v.push_back(e.get<std::string>());
  return v;
}

[[noreturn]] void finish() {
  ::sync();
  ::reboot(RB_AUTOBOOT);  // QEMU runs with -no-reboot: the VM ends here
  for (;;) ::pause();
}

}  // namespace

int main() try {
  mount_basics();
  const double boot = uptime_seconds();
  auto ch = Channel::open();
  if (!ch) {
    std::fprintf(stderr, "probe: %s\n", ch.error().message.c_str());
    finish();
  }
  (void)ch->send(MsgType::kHello, nlohmann::json{{"boot_s", boot}}.dump());
  auto code = run(*ch, read_args());
  if (!code) {
    (void)ch->send(MsgType::kLog, "probe error: " + code.error().message);
    std::fprintf(stderr, "probe: %s\n", code.error().message.c_str());
  }
  (void)ch->send_exit(code ? *code : 1);
  // exit-hang: the result is sent, then the guest never resets (a hung
  // shutdown); the launcher must still end the run with that result.
  if (const auto args = read_args(); !args.empty() && args[0] == "exit-hang")
    for (;;) ::pause();
  finish();
} catch (const std::exception& e) {
  std::fprintf(stderr, "probe: exception %s\n", e.what());
  finish();
}
