// The monitor's view of guest memory, on synthetic RAM files: QEMU's pc RAM
// layout, reads across ranges, finding a relocated kernel (KASLR), address
// translation, and one sample of a hand-built runqueue layout with the
// list walks' failure modes (a pointer out of RAM, a list that never ends).
#include <fcntl.h>
#include <unistd.h>

#include <doctest/doctest.h>

#include <cstring>

#include "base/fd.hpp"
#include "base/temp_dir.hpp"
#include "vmm/guest_ram.hpp"
#include "vmm/monitor/address_space.hpp"
#include "vmm/monitor/sampler.hpp"

using namespace ktstr;
using namespace ktstr::vmm;
using namespace ktstr::vmm::monitor;
namespace fs = std::filesystem;

namespace {

constexpr uint64_t kMiB = 1ull << 20, kGiB = 1ull << 30;

// A sparse file standing in for guest RAM; values are written with pwrite
// after it is mapped, as a running guest would change them.
struct RamFile {
  TempDir dir = *TempDir::create("ktstr-monitor-test");
  fs::path path = dir.path() / "ram";
  UniqueFd fd;

  explicit RamFile(uint64_t bytes) {
    fd = *open_file(path, O_RDWR | O_CREAT, 0600);
    REQUIRE(::ftruncate(fd.get(), static_cast<off_t>(bytes)) == 0);
  }
  void put(uint64_t phys, const void* data, size_t len) const {
    REQUIRE(::pwrite(fd.get(), data, len, static_cast<off_t>(phys)) == static_cast<ssize_t>(len));
  }
  template <class T>
  void put(uint64_t phys, T v) const {
    put(phys, &v, sizeof v);
  }
};

constexpr uint64_t kText = 0xffffffff81000000ull;  // link address of the image, physical 16 MiB
constexpr uint64_t kPob = 0xffff888000000000ull;

KernelImage synthetic_image() {
  KernelImage img;
  img.segments = {{kText, 0x1000000, 0x100000}, {0, 0x1200000, 0x10000}};
  img.symbols = {{"linux_banner", kText + 0x100},     {"phys_base", kText + 0x200},
                 {"page_offset_base", kText + 0x300}, {"__per_cpu_offset", kText + 0x400},
                 {"jiffies_64", kText + 0x500},       {"scx_ops_enable_state_var", kText + 0x600},
                 {"scx_exit_kind", kText + 0x610},    {"runqueues", 0x1000}};
  img.banner = "Linux version 6.12.0-test (ktstr) #1";
  return img;
}

}  // namespace

TEST_CASE("QEMU pc RAM below 3.5 GiB is the nodes back to back from 0") {
  const std::vector<uint64_t> nodes{256 * kMiB, 256 * kMiB};
  const std::vector<fs::path> files{"n0", "n1"};
  const auto r = qemu_pc_ram_ranges(nodes, files);
  REQUIRE(r.size() == 2);
  CHECK(r[0] == RamRange{0, 256 * kMiB, "n0", 0});
  CHECK(r[1] == RamRange{256 * kMiB, 256 * kMiB, "n1", 0});
  CHECK(find_ram(r, 256 * kMiB)->file == "n1");
  CHECK(find_ram(r, 512 * kMiB) == nullptr);
}

TEST_CASE("QEMU pc RAM from 3.5 GiB: 3 GiB low, the rest at 4 GiB, split inside a node") {
  const std::vector<uint64_t> nodes{2 * kGiB, 2 * kGiB};
  const std::vector<fs::path> files{"n0", "n1"};
  const auto r = qemu_pc_ram_ranges(nodes, files);
  REQUIRE(r.size() == 3);
  CHECK(r[0] == RamRange{0, 2 * kGiB, "n0", 0});
  CHECK(r[1] == RamRange{2 * kGiB, kGiB, "n1", 0});
  CHECK(r[2] == RamRange{4 * kGiB, kGiB, "n1", kGiB});
  // Just under the 3.5 GiB default everything stays low.
  const std::vector<uint64_t> one{3 * kGiB + 256 * kMiB};
  CHECK(qemu_pc_ram_ranges(one, std::vector<fs::path>{"n0"}).size() == 1);
}

TEST_CASE("QEMU pc RAM skips a memoryless node: no range, the next node follows on") {
  const std::vector<uint64_t> nodes{256 * kMiB, 0, 128 * kMiB};
  const std::vector<fs::path> files{"n0", "", "n2"};
  const auto r = qemu_pc_ram_ranges(nodes, files);
  REQUIRE(r.size() == 2);
  CHECK(r[0] == RamRange{0, 256 * kMiB, "n0", 0});
  CHECK(r[1] == RamRange{256 * kMiB, 128 * kMiB, "n2", 0});
}

TEST_CASE("GuestRam reads across two files and refuses bytes outside RAM") {
  RamFile a(8192), b(8192);
  a.put(8190, uint16_t{0x2211});
  b.put(0, uint16_t{0x4433});
  auto ram = GuestRam::map({{0, 8192, a.path, 0}, {8192, 8192, b.path, 0}});
  REQUIRE(ram);
  CHECK(*ram->read_as<uint32_t>(8190) == 0x44332211u);
  CHECK(!ram->read_as<uint32_t>(16382));
  CHECK(ram->read_as<uint32_t>(16382).error().message.find("not RAM") != std::string::npos);
}

TEST_CASE("locate_kernel finds a relocated image: physical and virtual KASLR, moved direct map") {
  const KernelImage img = synthetic_image();
  RamFile f(64 * kMiB);
  const uint64_t phys_delta = 6 * kMiB;
  const int64_t virt_delta = 0x40000000;  // the image runs 1 GiB above its link address
  f.put(0x1000100 + phys_delta, img.banner.data(), img.banner.size());
  f.put(0x1000200 + phys_delta, phys_delta - static_cast<uint64_t>(virt_delta));  // head64.c's phys_base
  f.put(0x1000300 + phys_delta, uint64_t{0xff11000000000000ull});
  auto ram = GuestRam::map({{0, 64 * kMiB, f.path, 0}});
  REQUIRE(ram);
  auto place = locate_kernel(img, *ram);
  REQUIRE(place);
  CHECK(place->phys_delta == phys_delta);
  CHECK(place->virt_delta == virt_delta);
  CHECK(place->page_offset_base == 0xff11000000000000ull);

  const AddressSpace as(img, *place);
  CHECK(*as.to_phys(kText + 0x123 + virt_delta) == 0x1000123 + phys_delta);
  CHECK(*as.to_phys(0xff11000000000000ull + 0x5000) == 0x5000);
  CHECK(!as.to_phys(0x1000));           // a user address
  CHECK(!as.to_phys(kText + 0x123));    // the link address itself is not mapped after relocation
  CHECK(as.symbol_vaddr(0x1000) == 0x1000);  // per-CPU symbols stay offsets
  CHECK(!as.symbol_phys(0x1000));
  CHECK(*as.symbol_phys(kText + 0x10) == 0x1000010 + phys_delta);
}

TEST_CASE("locate_kernel says the vmlinux does not match when the banner is nowhere") {
  const KernelImage img = synthetic_image();
  RamFile f(32 * kMiB);
  auto ram = GuestRam::map({{0, 32 * kMiB, f.path, 0}});
  REQUIRE(ram);
  auto place = locate_kernel(img, *ram);
  REQUIRE(!place);
  CHECK(place.error().message.find("does not match the running kernel") != std::string::npos);
}

TEST_CASE("enum_name drops the prefix the enum's names share") {
  const std::vector<EnumValue> states{{0, "SCX_OPS_ENABLING"}, {1, "SCX_OPS_ENABLED"}, {3, "SCX_OPS_DISABLED"}};
  CHECK(enum_name(states, 1) == "ENABLED");
  CHECK(enum_name(states, 3) == "DISABLED");
  CHECK(enum_name(states, 7) == "7");
  const std::vector<EnumValue> kinds{{0, "SCX_EXIT_NONE"}, {1026, "SCX_EXIT_ERROR_STALL"}};
  CHECK(enum_name(kinds, 1026) == "ERROR_STALL");
}

namespace {

// Two CPUs' runqueues and four tasks in synthetic RAM (the image at its link
// address plus 2 MiB), read through a hand-made layout.
struct FakeKernel {
  static constexpr uint64_t kDelta = 2 * kMiB;
  KernelImage img = synthetic_image();
  KernelLayout layout;
  RamFile f{96 * kMiB};

  static uint64_t area(int cpu) { return 0x2000000 + static_cast<uint64_t>(cpu) * kMiB; }  // per-CPU area
  static uint64_t rq(int cpu) { return kPob + area(cpu) + 0x1000; }
  static uint64_t task(int i) { return kPob + 0x3000000 + static_cast<uint64_t>(i) * 0x1000; }

  FakeKernel() {
    layout.rq = {.size = 0x100, .nr_running = {0, 4}, .clock = {8, 8}, .curr = {16, 8}, .cfs_tasks = {32, 16},
                 .cpu = Field{48, 4}, .scx_nr_running = Field{64, 4}, .scx_runnable_list = Field{80, 16}};
    layout.task = {.pid = {0, 4}, .comm = {8, 16}, .cpus_ptr = {32, 8}, .fair_node = {64, 16},
                   .scx_node = Field{96, 16}, .scx_runnable_at = Field{112, 8}};
    layout.list_next = {0, 8};
    layout.enable_states = {{0, "SCX_OPS_ENABLING"}, {1, "SCX_OPS_ENABLED"}};
    layout.exit_kinds = {{0, "SCX_EXIT_NONE"}, {1026, "SCX_EXIT_ERROR_STALL"}};
    f.put(0x1000100 + kDelta, img.banner.data(), img.banner.size());
    f.put(0x1000200 + kDelta, kDelta);  // phys_base: no virtual offset
    f.put(0x1000300 + kDelta, kPob);
    f.put(0x1000500 + kDelta, uint64_t{100000});  // jiffies
    f.put(0x1000600 + kDelta, int32_t{1});
    f.put(0x1000610 + kDelta, int32_t{1026});
    for (int cpu = 0; cpu < 2; ++cpu) {
      f.put(0x1000400 + kDelta + 8 * static_cast<uint64_t>(cpu), kPob + area(cpu));
      put(rq(cpu) + 48, int32_t{cpu});
      for (uint64_t list : {32u, 80u}) put(rq(cpu) + list, rq(cpu) + list);  // empty lists
    }
  }
  void put(uint64_t vaddr, auto v) const { f.put(vaddr - kPob, v); }
  void make_task(int i, int32_t pid, const char* comm, uint64_t mask) const {
    put(task(i), pid);
    f.put(task(i) - kPob + 8, comm, std::strlen(comm) + 1);
    put(task(i) + 32, task(i) + 128);  // cpus_ptr -> its own cpus_mask
    put(task(i) + 128, mask);
  }
  // head -> nodes... -> head, through each task's list node at node_off.
  void link(uint64_t head, std::vector<int> tasks, uint64_t node_off) const {
    uint64_t prev = head;
    for (int t : tasks) {
      put(prev, task(t) + node_off);
      prev = task(t) + node_off;
    }
    put(prev, head);
  }
};

}  // namespace

TEST_CASE("a sample reads each runqueue, walks both classes' lists and skips the running task") {
  FakeKernel k;
  k.make_task(0, 10, "spin", 0b0001);   // running on CPU 0
  k.make_task(1, 11, "spin", 0b1010);   // waiting (fair) on CPU 0, allowed on 1 (and 3, not in this guest)
  k.make_task(2, 12, "qmap", 0b0001);   // waiting (sched_ext) on CPU 0, allowed on 0
  k.make_task(3, 0, "swapper/1", 0b0010);
  k.put(FakeKernel::rq(0), uint32_t{3});
  k.put(FakeKernel::rq(0) + 8, uint64_t{5'000'000'000});
  k.put(FakeKernel::rq(0) + 16, FakeKernel::task(0));
  k.put(FakeKernel::rq(0) + 64, uint32_t{1});
  k.link(FakeKernel::rq(0) + 32, {0, 1}, 64);
  k.link(FakeKernel::rq(0) + 80, {2}, 96);
  k.put(FakeKernel::task(2) + 112, uint64_t{100000 - 250});  // runnable for 250 jiffies
  k.put(FakeKernel::rq(1) + 16, FakeKernel::task(3));
  auto ram = GuestRam::map({{0, 96 * kMiB, k.f.path, 0}});
  REQUIRE(ram);
  auto sampler = Sampler::attach(*ram, k.img, k.layout, 2, 250);
  REQUIRE(sampler);
  const MonitorSample s = sampler->sample(123);
  CHECK(s.t_ns == 123);
  CHECK(s.scx_state == "ENABLED");
  CHECK(s.scx_exit_kind == "ERROR_STALL");
  REQUIRE(s.cpus.size() == 2);
  const CpuSample& c0 = s.cpus[0];
  CHECK(c0.nr_running == 3);
  CHECK(c0.scx_nr_running == 1);
  CHECK(c0.clock_ns == 5'000'000'000);
  CHECK(c0.curr_pid == 10);
  CHECK(c0.curr_comm == "spin");
  CHECK(c0.waiting_known);
  CHECK(c0.waiting == 2);
  CHECK(c0.waiting_cpus == std::vector<int>{0, 1});
  CHECK(c0.scx_oldest_wait_ms == 1000);
  const CpuSample& c1 = s.cpus[1];
  CHECK(c1.nr_running == 0);
  CHECK(c1.curr_pid == 0);
  CHECK(c1.curr_comm == "swapper/1");
  CHECK(c1.waiting_known);
  CHECK(c1.waiting == 0);
  CHECK(c1.scx_oldest_wait_ms == -1);
}

TEST_CASE("a list that leaves RAM or never ends makes the CPU's waiting tasks unknown, not guessed") {
  FakeKernel k;
  k.make_task(0, 10, "a", 1);
  k.make_task(1, 11, "b", 1);
  k.put(FakeKernel::rq(0) + 32, uint64_t{0xdead000000000000ull});  // torn: points nowhere
  k.put(FakeKernel::rq(1) + 32, FakeKernel::task(0) + 64);          // a cycle without the head
  k.put(FakeKernel::task(0) + 64, FakeKernel::task(1) + 64);
  k.put(FakeKernel::task(1) + 64, FakeKernel::task(0) + 64);
  auto ram = GuestRam::map({{0, 96 * kMiB, k.f.path, 0}});
  REQUIRE(ram);
  auto sampler = Sampler::attach(*ram, k.img, k.layout, 2, 250);
  REQUIRE(sampler);
  const MonitorSample s = sampler->sample(0);
  CHECK(!s.cpus[0].waiting_known);
  CHECK(!s.cpus[1].waiting_known);
  CHECK(s.cpus[1].waiting_cpus.empty());
}

TEST_CASE("attach refuses a runqueue that names another CPU (a vmlinux of another build)") {
  FakeKernel k;
  k.put(FakeKernel::rq(1) + 48, int32_t{5});
  auto ram = GuestRam::map({{0, 96 * kMiB, k.f.path, 0}});
  REQUIRE(ram);
  auto sampler = Sampler::attach(*ram, k.img, k.layout, 2, 250);
  REQUIRE(!sampler);
  CHECK(sampler.error().message.find("does not match") != std::string::npos);
}
