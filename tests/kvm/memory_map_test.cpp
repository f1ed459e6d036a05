#include <doctest/doctest.h>

#include <algorithm>
#include <cstring>

#include "vmm/kvm/bzimage.hpp"
#include "vmm/kvm/layout.hpp"
#include "vmm/kvm/memory_map.hpp"

using namespace ktstr;
using namespace ktstr::kvm;

namespace {

constexpr uint64_t kMiB = 1ull << 20;
constexpr uint64_t kGiB = 1ull << 30;

void check_no_overlap(const std::vector<boot_e820_entry>& e) {
  for (size_t i = 1; i < e.size(); ++i) {
    CAPTURE(i);
    CHECK(e[i - 1].addr + e[i - 1].size <= e[i].addr);
  }
}

bool is_ram(const std::vector<boot_e820_entry>& e, uint64_t a) {
  for (const auto& x : e)
    if (a >= x.addr && a < x.addr + x.size) return x.type == 1;
  return false;
}

// A minimal bzImage: setup header fields a 6.12 kernel has.
std::string fake_bzimage() {
  std::string b(8192, '\0');
  setup_header h{};
  h.setup_sects = 3;
  h.header = 0x53726448;
  h.version = 0x20f;
  h.xloadflags = 0x7f;
  h.initrd_addr_max = 0x7fffffff;
  h.init_size = 64 * kMiB;
  h.pref_address = 16 * kMiB;  // LOAD_PHYSICAL_ADDR
  h.cmdline_size = 2047;
  std::memcpy(b.data() + 0x1f1, &h, sizeof h);
  return b;
}

}  // namespace

TEST_CASE("small guest: RAM below the hole, channel reserved, no overlaps") {
  auto m = MemoryMap::plan(512 * kMiB, 496 * kMiB, 16 * kMiB);
  REQUIRE(m);
  CHECK(m->slots().size() == 1);
  const auto e = build_e820(*m);
  check_no_overlap(e);
  CHECK(is_ram(e, 0));
  CHECK(!is_ram(e, layout::kAcpiStart));
  CHECK(is_ram(e, layout::kKernelLoadAddr));
  CHECK(!is_ram(e, 496 * kMiB));
  CHECK(!is_ram(e, 512 * kMiB - 1));
  CHECK(!is_ram(e, layout::kLapicAddr));
}

TEST_CASE("large guest: the MMIO hole 3-4 GiB is outside every RAM slot") {
  auto m = MemoryMap::plan(5 * kGiB, 1 * kGiB, 16 * kMiB);
  REQUIRE(m);
  const auto slots = m->slots();
  REQUIRE(slots.size() == 2);
  for (const auto& s : slots) {
    const bool below = s.guest_addr + s.size <= layout::kMmioHoleStart;
    const bool above = s.guest_addr >= layout::kMmioHoleEnd;
    CHECK((below || above));
  }
  CHECK(slots[1].guest_addr == 4 * kGiB);
  CHECK(slots[1].size == 2 * kGiB);
  CHECK(slots[1].file_offset == 3 * kGiB);
  CHECK(m->file_offset(4 * kGiB + 5) == 3 * kGiB + 5);
  const auto e = build_e820(*m);
  check_no_overlap(e);
  CHECK(!is_ram(e, layout::kIoapicAddr));
  CHECK(!is_ram(e, layout::kKvmTssAddr));
  CHECK(is_ram(e, 5 * kGiB));
  CHECK(!is_ram(e, 6 * kGiB));
}

TEST_CASE("channel outside low RAM is rejected") {
  CHECK(!MemoryMap::plan(512 * kMiB, 500 * kMiB, 16 * kMiB));
  CHECK(!MemoryMap::plan(32 * kMiB, 0, 0));
}

TEST_CASE("zero page: fixed addresses do not overlap each other or the loaded images") {
  auto img = BzImage::parse(fake_bzimage());
  REQUIRE(img);
  CHECK(img->kernel_offset == 4 * 512);
  auto m = MemoryMap::plan(512 * kMiB, 496 * kMiB, 16 * kMiB);
  REQUIRE(m);
  auto initrd = place_initrd(img->hdr, 100 * kMiB, m->load_ceiling());
  REQUIRE(initrd);
  CHECK(*initrd % 4096 == 0);
  CHECK(*initrd + 100 * kMiB <= 496 * kMiB);
  CHECK(*initrd >= 16 * kMiB + 64 * kMiB);  // above the decompression buffer at pref_address
  // Every fixed region, then kernel and initrd: pairwise disjoint.
  struct R { uint64_t a, b; };
  std::vector<R> rs = {{layout::kGdtAddr, layout::kGdtAddr + 5 * 8},
                       {layout::kZeroPageAddr, layout::kZeroPageAddr + sizeof(boot_params)},
                       {layout::kPml4Addr, layout::kPml4Addr + 4096},
                       {layout::kPdptAddr, layout::kPdptAddr + 4096},
                       {layout::kPdAddr, layout::kPdAddr + layout::kPdPages * 4096},
                       {layout::kCmdlineAddr, layout::kCmdlineAddr + layout::kCmdlineMax},
                       {layout::kAcpiStart, layout::kAcpiEnd},
                       {layout::kKernelLoadAddr, 16 * kMiB + 64 * kMiB},
                       {*initrd, *initrd + 100 * kMiB},
                       {496 * kMiB, 512 * kMiB}};
  for (size_t i = 0; i < rs.size(); ++i)
    for (size_t j = i + 1; j < rs.size(); ++j) {
      CAPTURE(i);
      CAPTURE(j);
      CHECK((rs[i].b <= rs[j].a || rs[j].b <= rs[i].a));
    }
  auto zp = build_zero_page(img->hdr, *m, {.cmdline_addr = layout::kCmdlineAddr, .cmdline_bytes = 100,
                                       .initrd_addr = *initrd, .initrd_bytes = 100 * kMiB, .rsdp_addr = 0xe0000});
  REQUIRE(zp);
  CHECK(uint64_t{zp->hdr.ramdisk_image} == *initrd);
  CHECK(uint64_t{zp->hdr.cmd_line_ptr} == layout::kCmdlineAddr);
  CHECK(uint64_t{zp->acpi_rsdp_addr} == 0xe0000);
  CHECK(int{zp->hdr.type_of_loader} == 0xff);
  CHECK(size_t{zp->e820_entries} == build_e820(*m).size());
}

TEST_CASE("initramfs too large for RAM is an error, not a truncation") {
  auto img = BzImage::parse(fake_bzimage());
  REQUIRE(img);
  CHECK(!place_initrd(img->hdr, 450 * kMiB, 496 * kMiB));
  CHECK(place_initrd(img->hdr, 400 * kMiB, 496 * kMiB));
  CHECK(!place_initrd(img->hdr, 420 * kMiB, 496 * kMiB));  // would overlap pref_address + init_size
}

TEST_CASE("a file without HdrS is rejected") {
  CHECK(!BzImage::parse(std::string(8192, 'x')));
}

TEST_CASE("prefault plan: all RAM within the budget, beyond it the loaded images plus the bottom of RAM") {
  auto small = MemoryMap::plan(512 * kMiB, 496 * kMiB, 16 * kMiB);
  REQUIRE(small);
  const std::vector<acpi::RamRange> loaded = {{.base = 16 * kMiB + 100, .size = 30 * kMiB},
                                              {.base = 400 * kMiB, .size = 5000}};
  auto all = prefault_plan(*small, loaded, 1 * kGiB);
  uint64_t covered = 0;
  for (const auto& r : all) {
    CHECK(r.base % 4096 == 0);
    CHECK(r.size % 4096 == 0);
    covered += r.size;
  }
  CHECK(covered == 512 * kMiB);  // every RAM byte once, no separate image ranges

  auto big = MemoryMap::plan(5 * kGiB, 1 * kGiB, 16 * kMiB);
  REQUIRE(big);
  const std::vector<acpi::RamRange> high = {{.base = 2 * kGiB + 123, .size = 10 * kMiB}};
  auto part = prefault_plan(*big, high, 1 * kGiB);
  REQUIRE(part.size() == 2);
  CHECK(part[0].base == 0);
  CHECK(part[0].size == 1 * kGiB);  // the budget, from the bottom
  CHECK(part[1].base == 2 * kGiB);  // the image, page aligned down...
  CHECK(part[1].base + part[1].size >= 2 * kGiB + 123 + 10 * kMiB);  // ...and up

}
