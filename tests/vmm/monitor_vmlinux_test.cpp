// The monitor's reading of a real vmlinux (the kernel cache entry's): the
// symbols, the banner, the struct layouts from BTF checked against pahole's
// independent reading of the same BTF, and the sched_ext enums. Each case
// exits 77 with a reason when no kernel (or pahole) is available.
#include <doctest/doctest.h>

#include <fmt/format.h>

#include <regex>

#include "base/exit_codes.hpp"
#include "base/process.hpp"
#include "base/temp_dir.hpp"
#include "base/fd.hpp"
#include "test_env.hpp"
#include "vmm/monitor/kernel_btf.hpp"
#include "vmm/monitor/kernel_image.hpp"
#include "vmm/monitor/kernel_layout.hpp"
#include "vmm/monitor/monitor.hpp"
#include "vmm/monitor/sampler.hpp"

using namespace ktstr;
using namespace ktstr::vmm::monitor;
namespace fs = std::filesystem;

namespace {

[[noreturn]] void skip(const std::string& why) {
  fmt::print("skip: {}\n", why);
  std::fflush(stdout);
  std::_Exit(kExitSkip);
}

fs::path cached_vmlinux() {
  auto kernel = vmmtest::find_kernel();
  if (!kernel) skip("no kernel: set KTSTR_KERNEL or build one with `ktstr kernel build`");
  auto v = find_vmlinux(*kernel, {});
  if (!v) skip(fmt::format("no vmlinux next to {}", kernel->string()));
  return *v;
}

KernelBtf open_btf(const fs::path& vmlinux) {
  auto btf = KernelBtf::open(vmlinux);
  REQUIRE(btf);
  return std::move(*btf);
}

// pahole's offset of `member` in `struct name` ("/* OFFSET SIZE */" comments),
// read from the BTF by dwarves, a reader independent of libbpf's btf__ API use here.
uint64_t pahole_offset(const fs::path& vmlinux, const std::string& name, const std::string& member) {
  if (!find_in_path("pahole")) skip("no pahole (apt-get install dwarves)");
  auto r = run_capture({"pahole", "-F", "btf", "-C", name, vmlinux.string()});
  REQUIRE(r);
  REQUIRE(r->status.success());
  std::smatch m;
  const std::regex re("[ *]" + member + ";\\s*/\\*\\s*(\\d+)\\s+\\d+\\s*\\*/");
  REQUIRE_MESSAGE(std::regex_search(r->output, m, re), "pahole shows no " << name << "." << member);
  return std::stoull(m[1]);
}

}  // namespace

TEST_CASE("the cached vmlinux has the monitor's symbols and its banner") {
  const fs::path v = cached_vmlinux();
  const auto names = sampler_symbols();
  auto img = read_kernel_image(v, names);
  REQUIRE(img);
  for (auto required : {"linux_banner", "runqueues", "__per_cpu_offset", "page_offset_base", "phys_base"})
    CHECK_MESSAGE(img->symbol(required).has_value(), required);
  CHECK(img->banner.starts_with("Linux version 6."));
  CHECK(img->is_percpu(*img->symbol("runqueues")));  // x86-64 per-CPU symbols are offsets
  CHECK(img->link_phys(*img->symbol("linux_banner")).has_value());
  CHECK(!read_kernel_image(v.parent_path() / "bzImage", names));
}

TEST_CASE("struct layouts from BTF agree with pahole's, through nested and anonymous members") {
  const fs::path v = cached_vmlinux();
  const KernelBtf btf = open_btf(v);
  auto k = resolve_layout(btf);
  REQUIRE(k);
  CHECK(k->rq.nr_running.offset == pahole_offset(v, "rq", "nr_running"));
  CHECK(k->rq.clock.offset == pahole_offset(v, "rq", "clock"));
  CHECK(k->rq.clock.size == 8);
  CHECK(k->rq.curr.offset == pahole_offset(v, "rq", "curr"));  // inside an anonymous union
  CHECK(k->rq.cfs_tasks.offset == pahole_offset(v, "rq", "cfs_tasks"));
  REQUIRE(k->rq.scx_nr_running);
  CHECK(k->rq.scx_nr_running->offset == pahole_offset(v, "rq", "scx") + pahole_offset(v, "scx_rq", "nr_running"));
  CHECK(k->rq.scx_runnable_list->offset ==
        pahole_offset(v, "rq", "scx") + pahole_offset(v, "scx_rq", "runnable_list"));
  CHECK(k->task.pid.offset == pahole_offset(v, "task_struct", "pid"));
  CHECK(k->task.comm.size == 16);
  CHECK(k->task.cpus_ptr.offset == pahole_offset(v, "task_struct", "cpus_ptr"));
  CHECK(k->task.fair_node.offset ==
        pahole_offset(v, "task_struct", "se") + pahole_offset(v, "sched_entity", "group_node"));
  CHECK(k->task.scx_runnable_at->offset ==
        pahole_offset(v, "task_struct", "scx") + pahole_offset(v, "sched_ext_entity", "runnable_at"));
  CHECK(k->rq.size == *btf.struct_size("rq"));
  CHECK(!btf.field("rq", "no_such_member"));
  CHECK(btf.field("rq", "scx.no_such_member").error().message.find("no member") != std::string::npos);
}

TEST_CASE("sched_ext's enums come from the kernel, not from ktstr") {
  auto k = resolve_layout(open_btf(cached_vmlinux()));
  REQUIRE(k);
  REQUIRE(!k->enable_states.empty());
  REQUIRE(!k->exit_kinds.empty());
  bool enabled = false, stall = false;
  for (const auto& e : k->enable_states) enabled |= enum_name(k->enable_states, e.value) == "ENABLED";
  for (const auto& e : k->exit_kinds) stall |= enum_name(k->exit_kinds, e.value) == "ERROR_STALL";
  CHECK(enabled);
  CHECK(stall);
}

TEST_CASE("find_vmlinux: explicit path, cache entry, kernel tree, an ELF kernel itself, none") {
  auto dir = TempDir::create("ktstr-vmlinux-test");
  REQUIRE(dir);
  const fs::path d = dir->path();
  fs::create_directories(d / "entry");
  fs::create_directories(d / "tree/arch/x86/boot");
  fs::create_directories(d / "lone");
  for (auto f : {"entry/bzImage", "entry/vmlinux", "tree/arch/x86/boot/bzImage", "tree/vmlinux", "lone/bzImage"})
    REQUIRE(write_file_atomic(d / f, "MZ not an ELF"));
  REQUIRE(write_file_atomic(d / "lone/kernel.elf", std::string("\x7f" "ELF") + std::string(60, '\0')));
  CHECK(*find_vmlinux(d / "entry/bzImage", "/x/vmlinux") == "/x/vmlinux");
  CHECK(*find_vmlinux(d / "entry/bzImage", {}) == d / "entry/vmlinux");
  CHECK(*find_vmlinux(d / "tree/arch/x86/boot/bzImage", {}) == d / "tree/vmlinux");
  CHECK(*find_vmlinux(d / "lone/kernel.elf", {}) == d / "lone/kernel.elf");
  CHECK(!find_vmlinux(d / "lone/bzImage", {}));
}

TEST_CASE("config_hz reads CONFIG_HZ from a .config") {
  auto dir = TempDir::create("ktstr-config-test");
  REQUIRE(dir);
  REQUIRE(write_file_atomic(dir->path() / "a", "# CONFIG_HZ_100 is not set\nCONFIG_HZ_250=y\nCONFIG_HZ=250\n"));
  REQUIRE(write_file_atomic(dir->path() / "b", "CONFIG_HZ_PERIODIC=y\n"));
  CHECK(config_hz(dir->path() / "a") == 250);
  CHECK(!config_hz(dir->path() / "b"));
  CHECK(!config_hz(dir->path() / "missing"));
}
