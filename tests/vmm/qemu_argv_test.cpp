// QEMU argv builder, memory plan and topology comparison: pure functions, no VM.
#include <doctest/doctest.h>

#include <algorithm>
#include <tuple>
#include <string>
#include <vector>

#include "topology_check.hpp"
#include "vmm/memory_plan.hpp"
#include "vmm/qemu/qemu_argv.hpp"
#include "vmm/qemu/qemu_topology.hpp"

using namespace ktstr::vmm;

namespace {

QemuPlan plan_for(const char* topo_str, uint64_t memory_mib = 0) {
  auto topo = ktstr::Topology::parse(topo_str);
  REQUIRE(topo);
  auto mem = plan_memory(*topo, memory_mib, 10 * kMiB);
  REQUIRE(mem);
  QemuPlan p{.topology = *topo, .memory = *mem, .kernel = "/k/bzImage", .initrd = "/r/initrd.cpio",
             .cmdline = kernel_cmdline(*mem, ""), .console_log = "/r/console.log"};
  for (int n = 0; n < topo->nodes(); ++n) p.memory_files.push_back(fmt::format("/dev/shm/t-node{}", n));
  return p;
}

// Values following each occurrence of flag.
std::vector<std::string> values_of(const std::vector<std::string>& argv, const std::string& flag) {
  std::vector<std::string> v;
  for (size_t i = 0; i + 1 < argv.size(); ++i)
    if (argv[i] == flag) v.push_back(argv[i + 1]);
  return v;
}

}  // namespace

TEST_CASE("1n1l1c1t: one socket, one node, no defaults, no reboot") {
  auto argv = qemu_argv(plan_for("1n1l1c1t"));
  CHECK(argv[0] == "qemu-system-x86_64");
  for (const char* f : {"-no-user-config", "-nodefaults", "-no-reboot"})
    CHECK(std::find(argv.begin(), argv.end(), f) != argv.end());
  CHECK(values_of(argv, "-machine") == std::vector<std::string>{"pc"});
  CHECK(values_of(argv, "-accel") == std::vector<std::string>{"tcg,thread=multi"});
  CHECK(values_of(argv, "-smp") == std::vector<std::string>{"1,sockets=1,cores=1,threads=1"});
  CHECK(values_of(argv, "-numa") == std::vector<std::string>{"node,nodeid=0,memdev=m0", "cpu,node-id=0,socket-id=0"});
  CHECK(values_of(argv, "-serial") == std::vector<std::string>{"chardev:con0"});
}

TEST_CASE("2n4l2c2t: a socket per LLC, two LLC sockets per node, a memory file per node") {
  auto p = plan_for("2n4l2c2t");
  auto argv = qemu_argv(p);
  CHECK(values_of(argv, "-smp") == std::vector<std::string>{"16,sockets=4,cores=2,threads=2"});
  CHECK(values_of(argv, "-numa") == std::vector<std::string>{
                                       "node,nodeid=0,memdev=m0", "node,nodeid=1,memdev=m1",
                                       "cpu,node-id=0,socket-id=0", "cpu,node-id=0,socket-id=1",
                                       "cpu,node-id=1,socket-id=2", "cpu,node-id=1,socket-id=3"});
  auto objs = values_of(argv, "-object");
  REQUIRE(objs.size() == 2);
  const uint64_t node_mib = p.memory.node_bytes[0] / kMiB;
  CHECK(objs[0] == fmt::format("memory-backend-file,id=m0,size={}M,mem-path=/dev/shm/t-node0,share=on", node_mib));
  CHECK(objs[1] == fmt::format("memory-backend-file,id=m1,size={}M,mem-path=/dev/shm/t-node1,share=on", node_mib));
  CHECK(values_of(argv, "-m") == std::vector<std::string>{fmt::format("{}M", 2 * node_mib)});
}

TEST_CASE("files on the huge-page tmpfs are mapped 2 MiB-aligned, /dev/shm files are not") {
  auto p = plan_for("2n2l1c1t");
  p.memory_files = {"/proc/self/fd/7", "/proc/self/fd/8"};
  p.memory_huge = true;
  auto objs = values_of(qemu_argv(p), "-object");
  REQUIRE(objs.size() == 2);
  const uint64_t node_mib = p.memory.node_bytes[0] / kMiB;
  CHECK(objs[0] ==
        fmt::format("memory-backend-file,id=m0,size={}M,mem-path=/proc/self/fd/7,share=on,align=2M", node_mib));
  CHECK(objs[1] ==
        fmt::format("memory-backend-file,id=m1,size={}M,mem-path=/proc/self/fd/8,share=on,align=2M", node_mib));
  p.memory_huge = false;
  for (const auto& o : values_of(qemu_argv(p), "-object")) CHECK(o.find("align") == std::string::npos);
}

TEST_CASE("1n4l2c1t: LLC sockets all on node 0") {
  auto argv = qemu_argv(plan_for("1n4l2c1t"));
  CHECK(values_of(argv, "-smp") == std::vector<std::string>{"8,sockets=4,cores=2,threads=1"});
  CHECK(values_of(argv, "-numa").size() == 5);
  CHECK(values_of(argv, "-numa").back() == "cpu,node-id=0,socket-id=3");
}

TEST_CASE("uneven LLCs: a grid as wide as the widest LLC, QEMU creating the leading slots") {
  auto argv = qemu_argv(plan_for("1n2l3_1c1t"));
  // Slots: socket 0 cores 0-2, socket 1 core 0 wanted; socket 1 cores 1-2 empty.
  CHECK(values_of(argv, "-smp") == std::vector<std::string>{"4,maxcpus=6,sockets=2,cores=3,threads=1"});
  CHECK(values_of(argv, "-device").empty());
  CHECK(values_of(argv, "-numa") == std::vector<std::string>{"node,nodeid=0,memdev=m0", "cpu,node-id=0,socket-id=0",
                                                             "cpu,node-id=0,socket-id=1"});
}

TEST_CASE("a gap before a wanted slot: the later CPUs are cold-plugged with -device") {
  auto argv = qemu_argv(plan_for("2n1_2l2_1_1c1t"));
  // Slots s0c0 s0c1 s1c0 [s1c1 empty] s2c0 [s2c1 empty]: QEMU creates 3, -device adds s2c0.
  CHECK(values_of(argv, "-smp") == std::vector<std::string>{"3,maxcpus=6,sockets=3,cores=2,threads=1"});
  CHECK(values_of(argv, "-device") == std::vector<std::string>{"max-x86_64-cpu,socket-id=2,core-id=0,thread-id=0"});
  CHECK(values_of(argv, "-numa") == std::vector<std::string>{
                                       "node,nodeid=0,memdev=m0", "node,nodeid=1,memdev=m1",
                                       "cpu,node-id=0,socket-id=0", "cpu,node-id=1,socket-id=1",
                                       "cpu,node-id=1,socket-id=2"});
  auto kvm = plan_for("2n1_2l2_1_1c1t");
  kvm.accel = Accel::kKvm;
  CHECK(values_of(qemu_argv(kvm), "-device") ==
        std::vector<std::string>{"host-x86_64-cpu,socket-id=2,core-id=0,thread-id=0"});
}

TEST_CASE("uneven LLCs with SMT cold-plug whole cores") {
  auto argv = qemu_argv(plan_for("1n3l2_1_2c2t"));
  CHECK(values_of(argv, "-smp") == std::vector<std::string>{"6,maxcpus=12,sockets=3,cores=2,threads=2"});
  CHECK(values_of(argv, "-device") == std::vector<std::string>{
                                          "max-x86_64-cpu,socket-id=2,core-id=0,thread-id=0",
                                          "max-x86_64-cpu,socket-id=2,core-id=0,thread-id=1",
                                          "max-x86_64-cpu,socket-id=2,core-id=1,thread-id=0",
                                          "max-x86_64-cpu,socket-id=2,core-id=1,thread-id=1"});
}

TEST_CASE("SMT-4 and LLCs not dividing over nodes need no extra slots") {
  CHECK(values_of(qemu_argv(plan_for("1n1l1c4t")), "-smp") == std::vector<std::string>{"4,sockets=1,cores=1,threads=4"});
  auto argv = qemu_argv(plan_for("2n2_1l1c1t"));
  CHECK(values_of(argv, "-smp") == std::vector<std::string>{"3,sockets=3,cores=1,threads=1"});
  CHECK(values_of(argv, "-numa").back() == "cpu,node-id=1,socket-id=2");
  CHECK(values_of(argv, "-numa")[3] == "cpu,node-id=0,socket-id=1");
}

TEST_CASE("a memoryless node: -numa node without memdev, no backend, RAM on the others") {
  auto p = plan_for("2n2l2c1t1_0m");
  REQUIRE(p.memory.node_bytes.size() == 2);
  CHECK(p.memory.node_bytes[1] == 0);
  auto argv = qemu_argv(p);
  auto objs = values_of(argv, "-object");
  REQUIRE(objs.size() == 1);
  CHECK(objs[0].starts_with("memory-backend-file,id=m0,"));
  CHECK(values_of(argv, "-numa") == std::vector<std::string>{"node,nodeid=0,memdev=m0", "node,nodeid=1",
                                                             "cpu,node-id=0,socket-id=0", "cpu,node-id=1,socket-id=1"});
  CHECK(values_of(argv, "-m") == std::vector<std::string>{fmt::format("{}M", p.memory.node_bytes[0] / kMiB)});
}

// QEMU's CPUs are the first P slots of the grid plus the cold-plugged ones;
// the guest numbers them in APIC ID (= slot) order. That must give exactly
// the declared CPUs with Topology::place's numbering.
TEST_CASE("every shape: QEMU's slots are exactly the declared CPUs, in place() order") {
  for (const char* s : {"1n1l1c1t", "2n4l3c2t", "1n2l3_1c1t", "2n2l3_1c1t", "2n2_1l1c1t", "2n1_2l2_1_1c1t",
                        "1n3l2_1_2c2t", "1n4l4_4_3_3c2t", "2n3_2l4c2t", "3n1_2_1l4_2_2_1c1t", "1n1l1c4t", "4n12l8c2t"}) {
    CAPTURE(s);
    const auto t = *ktstr::Topology::parse(s);
    const auto smp = smp_option(t);
    const int created = std::stoi(smp);
    std::vector<CpuSlot> slots;
    const int per_socket = t.max_cores() * t.threads();
    for (int i = 0; i < created; ++i)
      slots.push_back({.socket = i / per_socket, .core = (i % per_socket) / t.threads(), .thread = i % t.threads()});
    for (const auto& d : cold_plugged_cpus(t)) slots.push_back(d);
    std::sort(slots.begin(), slots.end(), [](const CpuSlot& a, const CpuSlot& b) {
      return std::tie(a.socket, a.core, a.thread) < std::tie(b.socket, b.core, b.thread);
    });
    REQUIRE(static_cast<int>(slots.size()) == t.vcpus());
    for (int cpu = 0; cpu < t.vcpus(); ++cpu) {
      const auto p = t.place(cpu);
      CHECK(slots[static_cast<size_t>(cpu)] == CpuSlot{.socket = p.llc, .core = p.core, .thread = p.thread});
    }
    const int grid = t.llcs() * per_socket;
    CHECK(smp.find(created == grid ? fmt::format("{},sockets=", t.vcpus()) : fmt::format(",maxcpus={},", grid)) !=
          std::string::npos);
  }
}

TEST_CASE("kvm accel uses the host CPU model") {
  auto p = plan_for("1n1l2c1t");
  p.accel = Accel::kKvm;
  auto argv = qemu_argv(p);
  CHECK(values_of(argv, "-accel") == std::vector<std::string>{"kvm"});
  CHECK(values_of(argv, "-cpu") == std::vector<std::string>{"host"});
}

TEST_CASE("commas in paths are doubled for QEMU's option parser") {
  auto p = plan_for("1n1l1c1t");
  p.console_log = "/tmp/a,b/console.log";
  auto argv = qemu_argv(p);
  CHECK(values_of(argv, "-chardev") == std::vector<std::string>{"file,id=con0,path=/tmp/a,,b/console.log"});
}

TEST_CASE("the kernel command line reserves and announces the ring, user words last") {
  auto topo = ktstr::Topology::parse("1n1l1c1t");
  auto mem = plan_memory(*topo, 512, 0);
  REQUIRE(mem);
  CHECK(mem->ring_phys == 512 * kMiB - kRingBytes);
  auto line = kernel_cmdline(*mem, "sched_ext.foo=1");
  CHECK(line.starts_with("console=ttyS0 panic=-1 rdinit=/init quiet no_timer_check"));
  CHECK(line.find("memmap=16M$0x1f000000 ktstr.channel=0x1f000000,0x1000000 sched_ext.foo=1") != std::string::npos);
}

TEST_CASE("memory plan: default from the initramfs, explicit split evenly, too small refused") {
  auto two = ktstr::Topology::parse("2n2l1c1t");
  auto d = plan_memory(*two, 0, 100 * kMiB);
  REQUIRE(d);
  CHECK(d->node_bytes.size() == 2);
  CHECK(d->node_bytes[0] == d->node_bytes[1]);
  CHECK(d->total_bytes() >= 3 * 100 * kMiB + kMarginBytes + kRingBytes);
  CHECK(d->node_bytes[0] % kMiB == 0);
  auto e = plan_memory(*two, 1024, 0);
  REQUIRE(e);
  CHECK(e->total_bytes() == 1024 * kMiB);
  CHECK_FALSE(plan_memory(*two, 64, 0));
  auto big = plan_memory(*ktstr::Topology::parse("1n1l1c1t"), 8192, 0);
  REQUIRE(big);
  CHECK(big->ring_phys + big->ring_bytes == kContiguousLowRam);  // kept below the PCI hole
}

TEST_CASE("memory plan: RAM shares and memoryless nodes") {
  auto shares = plan_memory(*ktstr::Topology::parse("2n2l2c1t3_1m"), 1024, 0);
  REQUIRE(shares);
  CHECK(shares->node_bytes == std::vector<uint64_t>{768 * kMiB, 256 * kMiB});
  CHECK(shares->ring_phys == 768 * kMiB - kRingBytes);
  auto memless = plan_memory(*ktstr::Topology::parse("3n3l1c1t1_0_1m"), 1024, 0);
  REQUIRE(memless);
  CHECK(memless->node_bytes == std::vector<uint64_t>{512 * kMiB, 0, 512 * kMiB});
  auto sized = plan_memory(*ktstr::Topology::parse("2n2l2c1t1_0m"), 0, 100 * kMiB);
  REQUIRE(sized);
  CHECK(sized->node_bytes[1] == 0);
  CHECK(sized->node_bytes[0] >= 3 * 100 * kMiB + kMarginBytes + kRingBytes);
  // Every node with memory needs kMinNodeBytes; the message names the node.
  auto tight = plan_memory(*ktstr::Topology::parse("3n3l1c1t1_0_1m"), 120, 0);
  REQUIRE_FALSE(tight);
  CHECK(tight.error().message ==
        "--memory 120 MiB leaves 60 MiB on NUMA node 0 of 3n3l1c1t1_0_1m; every node with memory needs at least 64 MiB");
  auto lopsided = plan_memory(*ktstr::Topology::parse("2n2l2c1t15_1m"), 512, 0);
  REQUIRE_FALSE(lopsided);
  CHECK(lopsided.error().message.find("leaves 32 MiB on NUMA node 1") != std::string::npos);
}

TEST_CASE("topology comparison names every differing field") {
  auto topo = *ktstr::Topology::parse("1n2l1c2t");
  nlohmann::json good = {
      {"online", "0-3"},
      {"possible", "0-3"},
      {"nodes", {{"0", "0-3"}}},
      {"node_mem_kb", {{"0", 241308}}},
      {"node_has_memory", "0"},
      {"node_has_cpu", "0"},
      {"cpus",
       {{{"cpu", 0}, {"core_id", "0"}, {"package_id", "0"}, {"thread_siblings", "0-1"}, {"llc_shared", "0-1"}},
        {{"cpu", 1}, {"core_id", "0"}, {"package_id", "0"}, {"thread_siblings", "0-1"}, {"llc_shared", "0-1"}},
        {{"cpu", 2}, {"core_id", "0"}, {"package_id", "1"}, {"thread_siblings", "2-3"}, {"llc_shared", "2-3"}},
        {{"cpu", 3}, {"core_id", "0"}, {"package_id", "1"}, {"thread_siblings", "2-3"}, {"llc_shared", "2-3"}}}}};
  CHECK(ktstr::vmmtest::topology_mismatches(topo, good).empty());
  auto bad = good;
  bad["cpus"][3]["llc_shared"] = "0-3";
  bad["nodes"]["1"] = "";
  auto diffs = ktstr::vmmtest::topology_mismatches(topo, bad);
  REQUIRE(diffs.size() == 2);
  CHECK(diffs[0] == "cpu 3 llc_shared: guest 0-3, declared 2-3");
  CHECK(diffs[1] == "node count: guest 2, declared 1");
  auto phantom = good;
  phantom["possible"] = "0-5";  // hotplug slots the declaration does not have
  CHECK(ktstr::vmmtest::topology_mismatches(topo, phantom) ==
        std::vector<std::string>{"possible: guest 0-5, declared 0-3"});
}

TEST_CASE("topology comparison of an uneven shape with a memoryless node") {
  auto topo = *ktstr::Topology::parse("2n2l2_1c1t1_0m");  // node 0: LLC {0,1}; node 1: LLC {2}, no RAM
  nlohmann::json good = {
      {"online", "0-2"},
      {"possible", "0-2"},
      {"nodes", {{"0", "0-1"}, {"1", "2"}}},
      {"node_mem_kb", {{"0", 241308}, {"1", 0}}},
      {"node_has_memory", "0"},
      {"node_has_cpu", "0-1"},
      {"cpus",
       {{{"cpu", 0}, {"core_id", "0"}, {"package_id", "0"}, {"thread_siblings", "0"}, {"llc_shared", "0-1"}},
        {{"cpu", 1}, {"core_id", "1"}, {"package_id", "0"}, {"thread_siblings", "1"}, {"llc_shared", "0-1"}},
        {{"cpu", 2}, {"core_id", "0"}, {"package_id", "1"}, {"thread_siblings", "2"}, {"llc_shared", "2"}}}}};
  CHECK(ktstr::vmmtest::topology_mismatches(topo, good).empty());
  auto bad = good;
  bad["node_mem_kb"]["1"] = 65536;
  bad["cpus"][2]["llc_shared"] = "1-2";
  CHECK(ktstr::vmmtest::topology_mismatches(topo, bad) ==
        std::vector<std::string>{"cpu 2 llc_shared: guest 1-2, declared 2", "node 1 RAM: guest memory, declared no memory"});
  bad = good;
  bad["node_mem_kb"].erase("1");
  CHECK(ktstr::vmmtest::topology_mismatches(topo, bad) ==
        std::vector<std::string>{"node 1 RAM: guest <missing>, declared no memory"});
  bad = good;
  bad["node_has_memory"] = "0-1";  // the kernel counts node 1 as having memory
  bad.erase("node_has_cpu");
  CHECK(ktstr::vmmtest::topology_mismatches(topo, bad) ==
        std::vector<std::string>{"nodes with memory: guest 0-1, declared 0", "nodes with CPUs: guest <missing>, declared 0-1"});
}
