#include <doctest/doctest.h>

#include <stdlib.h>

#include <filesystem>

#include "base/fd.hpp"
#include "guest/cpu_layout.hpp"

using namespace ktstr;
using namespace ktstr::guest;
namespace fs = std::filesystem;

namespace {

// A temp dir holding a fake sysfs tree, removed at scope exit.
struct FakeSysfs {
  fs::path root;
  FakeSysfs() {
    std::string tmpl = (fs::temp_directory_path() / "ktstr-sysfs-XXXXXX").string();
    root = mkdtemp(tmpl.data());
  }
  ~FakeSysfs() { fs::remove_all(root); }
  void put(const std::string& rel, const std::string& text) {
    fs::create_directories((root / rel).parent_path());
    REQUIRE(write_file_atomic(root / rel, text + "\n"));
  }
  // Writes the files a kernel shows for topology t (as QEMU presents it).
  void populate(const Topology& t, bool numa, bool l3) {
    int n = t.vcpus();
    put("devices/system/cpu/online", fmt::format("0-{}", n - 1));
    for (int c = 0; c < n; ++c) {
      auto p = t.place(c);
      auto d = fmt::format("devices/system/cpu/cpu{}/", c);
      auto llc = format_cpu_list(t.cpus_of_llc(p.llc));
      if (l3) put(d + "cache/index3/shared_cpu_list", llc);
      put(d + "topology/package_cpus_list", llc);
      put(d + "topology/thread_siblings_list", format_cpu_list(t.cpus_of_core(p.llc, p.core)));
    }
    if (numa) {
      put("devices/system/node/online", fmt::format("0-{}", t.nodes() - 1));
      std::vector<int> with_memory;
      for (int k = 0; k < t.nodes(); ++k) {
        put(fmt::format("devices/system/node/node{}/cpulist", k), format_cpu_list(t.cpus_of_node(k)));
        if (!t.memoryless(k)) with_memory.push_back(k);
      }
      put("devices/system/node/has_memory", format_cpu_list(with_memory));
    }
  }
};

}  // namespace

TEST_CASE("the sysfs reader recovers the declared topology") {
  for (const char* s : {"1n1l2c1t", "1n2l2c2t", "2n4l3c2t", "2n2l1c1t", "1n1l1c4t", "1n2l3_1c1t", "2n2l3_1c1t",
                        "2n2_1l1c1t", "2n1_2l2_1_1c1t", "1n3l2_1_1c2t", "2n2l2c1t1_0m", "3n1_2_1l4_2_2_1c1t2_0_1m"}) {
    CAPTURE(s);
    auto t = *Topology::parse(s);
    FakeSysfs fake;
    fake.populate(t, true, true);
    auto l = read_cpu_layout(fake.root);
    REQUIRE(l);
    const CpuLayout want = CpuLayout::from_topology(t);
    CHECK(l->llcs == want.llcs);
    CHECK(l->nodes == want.nodes);
    CHECK(l->cores == want.cores);
    CHECK(l->memory_nodes == want.memory_nodes);
    auto shape = l->shape();
    REQUIRE(shape);
    CHECK(shape->same_cpus(t));
    CHECK(l->memory_mismatches(t).empty());
  }
}

TEST_CASE("no L3 directory falls back to the package and no node directory means one node") {
  auto t = *Topology::parse("1n2l2c1t");
  FakeSysfs fake;
  fake.populate(t, false, false);
  auto l = *read_cpu_layout(fake.root);
  CHECK(l.llcs.size() == 2);
  CHECK(l.nodes.size() == 1);
  CHECK(l.shape()->str() == "1n2l2c1t");
}

TEST_CASE("a mismatching or broken tree is reported") {
  FakeSysfs fake;
  CHECK(!read_cpu_layout(fake.root));  // nothing there
  fake.populate(*Topology::parse("1n1l2c1t"), true, true);
  fake.put("devices/system/cpu/cpu1/cache/index3/shared_cpu_list", "1");  // two LLCs of 1
  auto l = *read_cpu_layout(fake.root);
  CHECK(l.shape()->str() == "1n2l1c1t");
  CpuLayout uneven{.cpus = {0, 1, 2}, .llcs = {{0, 1}, {2}}, .nodes = {{0, 1, 2}}, .cores = {{0}, {1}, {2}}};
  CHECK(uneven.shape()->str() == "1n2l2_1c1t");  // an uneven shape is a shape now
  CpuLayout spans{.cpus = {0, 1}, .llcs = {{0, 1}}, .nodes = {{0}, {1}}, .cores = {{0}, {1}}};
  CHECK(spans.shape().error().message == "the LLC of CPUs 0-1 spans NUMA nodes");
  CpuLayout mixed_smt{.cpus = {0, 1, 2}, .llcs = {{0, 1, 2}}, .nodes = {{0, 1, 2}}, .cores = {{0, 1}, {2}}};
  CHECK(mixed_smt.shape().error().message == "cores have different thread counts");
  CpuLayout split{.cpus = {0, 1, 2, 3}, .llcs = {{0}, {1, 2, 3}}, .nodes = {{0, 1, 2, 3}}, .cores = {{0, 1}, {2, 3}}};
  CHECK(split.shape().error().message == "the LLC of CPUs 0 splits a core");
  CpuLayout orphan{.cpus = {0, 1}, .llcs = {{0, 1}}, .nodes = {{0}}, .cores = {{0}, {1}}};
  CHECK(orphan.shape().error().message == "CPU 1 is in no NUMA node");
}

TEST_CASE("memoryless nodes: read from has_memory, compared with the declaration") {
  auto t = *Topology::parse("2n2l2c1t1_0m");
  FakeSysfs fake;
  fake.populate(t, true, true);
  auto l = *read_cpu_layout(fake.root);
  CHECK(l.memory_nodes == std::vector<int>{0});
  CHECK(l.memory_mismatches(t).empty());
  CHECK(l.memory_mismatches(*Topology::parse("2n2l2c1t")) ==
        std::vector<std::string>{"node 1: guest has no memory, declared with memory"});
  fake.put("devices/system/node/has_memory", "0-1");
  CHECK(read_cpu_layout(fake.root)->memory_mismatches(t) ==
        std::vector<std::string>{"node 1: guest has memory, declared memoryless"});
}
