#include "vmm/monitor/address_space.hpp"

#include <algorithm>
#include <cstring>
#include <string>

namespace ktstr::vmm::monitor {

std::optional<uint64_t> AddressSpace::symbol_phys(uint64_t link_vaddr) const {
  auto p = image_->link_phys(link_vaddr);
  if (!p || image_->is_percpu(link_vaddr)) return std::nullopt;
  return *p + place_.phys_delta;
}

uint64_t AddressSpace::symbol_vaddr(uint64_t link_vaddr) const {
  if (image_->is_percpu(link_vaddr)) return link_vaddr;
  return link_vaddr + static_cast<uint64_t>(place_.virt_delta);
}

std::optional<uint64_t> AddressSpace::to_phys(uint64_t vaddr) const {
  const uint64_t link = vaddr - static_cast<uint64_t>(place_.virt_delta);
  for (const auto& s : image_->segments)
    if (s.vaddr != 0 && link >= s.vaddr && link - s.vaddr < s.memsz) return s.paddr + (link - s.vaddr) + place_.phys_delta;
  // The direct map covers all RAM; RAM is far below 2^46 (the 4-level direct
  // map's size), so anything further is not a direct-map address.
  constexpr uint64_t kDirectMapBytes = 1ull << 46;
  if (vaddr >= place_.page_offset_base && vaddr - place_.page_offset_base < kDirectMapBytes)
    return vaddr - place_.page_offset_base;
  return std::nullopt;
}

namespace {

uint64_t ram_top(const GuestRam& ram) {
  uint64_t top = 0;
  for (const auto& r : ram.ranges()) top = std::max(top, r.guest_phys + r.bytes);
  return top;
}

std::optional<uint64_t> find_banner(const KernelImage& image, const GuestRam& ram, uint64_t banner_phys) {
  std::string buf(image.banner.size(), '\0');
  for (uint64_t delta = 0; banner_phys + delta < ram_top(ram); delta += kPhysAlignStep) {
    if (!ram.read(banner_phys + delta, buf.data(), buf.size())) continue;
    if (buf == image.banner) return delta;
  }
  return std::nullopt;
}

}  // namespace

Result<KernelPlacement> locate_kernel(const KernelImage& image, const GuestRam& ram) {
  const auto banner_phys = image.link_phys(*image.symbol("linux_banner"));
  if (!banner_phys) return fail("vmlinux: linux_banner is outside its loadable segments");
  const auto delta = find_banner(image, ram, *banner_phys);
  if (!delta)
    return fail("the guest's RAM holds no '{}': the vmlinux does not match the running kernel",
                image.banner.substr(0, image.banner.find(')') + 1));
  KernelPlacement place{.phys_delta = *delta};
  const AddressSpace as(image, place);
  auto variable = [&](std::string_view name) -> std::optional<uint64_t> {
    auto sym = image.symbol(name);
    auto phys = sym ? as.symbol_phys(*sym) : std::nullopt;
    if (!phys) return std::nullopt;
    auto v = ram.read_as<uint64_t>(*phys);
    return v ? std::optional(*v) : std::nullopt;
  };
  if (auto phys_base = variable("phys_base")) place.virt_delta = static_cast<int64_t>(*delta - *phys_base);
  if (auto base = variable("page_offset_base")) place.page_offset_base = *base;
  return place;
}

}  // namespace ktstr::vmm::monitor
