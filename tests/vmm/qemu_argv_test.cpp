// QEMU argv builder, memory plan and topology comparison: pure functions, no VM.
#include <doctest/doctest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "topology_check.hpp"
#include "vmm/memory_plan.hpp"
#include "vmm/qemu/qemu_argv.hpp"

using namespace ktstr::vmm;

namespace {

QemuPlan plan_for(const char* topo_str, uint64_t memory_mib = 0) {
  auto topo = ktstr::Topology::parse(topo_str);
  REQUIRE(topo);
  auto mem = plan_memory(*topo, memory_mib, 10 * kMiB);
  REQUIRE(mem);
  QemuPlan p{.topology = *topo, .memory = *mem, .kernel = "/k/bzImage", .initrd = "/r/initrd.cpio",
             .cmdline = kernel_cmdline(*mem, ""), .console_log = "/r/console.log"};
  for (int n = 0; n < topo->nodes; ++n) p.memory_files.push_back(fmt::format("/dev/shm/t-node{}", n));
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

TEST_CASE("1n4l2c1t: LLC sockets all on node 0") {
  auto argv = qemu_argv(plan_for("1n4l2c1t"));
  CHECK(values_of(argv, "-smp") == std::vector<std::string>{"8,sockets=4,cores=2,threads=1"});
  CHECK(values_of(argv, "-numa").size() == 5);
  CHECK(values_of(argv, "-numa").back() == "cpu,node-id=0,socket-id=3");
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

TEST_CASE("topology comparison names every differing field") {
  auto topo = *ktstr::Topology::parse("1n2l1c2t");
  nlohmann::json good = {
      {"online", "0-3"},
      {"nodes", {{"0", "0-3"}}},
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
}
