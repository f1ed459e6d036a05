#include "vmm/monitor/kernel_btf.hpp"

#include <bpf/btf.h>

#include <cerrno>
#include <cstring>

namespace ktstr::vmm::monitor {

void KernelBtf::Free::operator()(struct btf* b) const { btf__free(b); }

Result<KernelBtf> KernelBtf::open(const std::filesystem::path& vmlinux) {
  struct btf* b = btf__parse_elf(vmlinux.c_str(), nullptr);
  if (!b)
    return fail("reading BTF from {}: {} (the kernel needs CONFIG_DEBUG_INFO_BTF)", vmlinux.string(),
                std::strerror(errno));
  KernelBtf k;
  k.btf_.reset(b);
  k.path_ = vmlinux.string();
  return k;
}

Result<int> KernelBtf::struct_id(std::string_view name) const {
  const int id = btf__find_by_name_kind(btf_.get(), std::string(name).c_str(), BTF_KIND_STRUCT);
  if (id <= 0) return fail("{}: BTF has no struct {}", path_, name);
  return id;
}

bool KernelBtf::has_struct(std::string_view name) const { return struct_id(name).has_value(); }

Result<uint64_t> KernelBtf::struct_size(std::string_view name) const {
  return static_cast<uint64_t>(btf__type_by_id(btf_.get(), static_cast<uint32_t>(KTSTR_TRY(struct_id(name))))->size);
}

// The member `name` of the composite type_id, looking through anonymous
// members; member_type gets its type with typedefs and qualifiers removed.
std::optional<Field> KernelBtf::member(int type_id, std::string_view name, int& member_type) const {
  const btf_type* t = btf__type_by_id(btf_.get(), static_cast<uint32_t>(type_id));
  if (!t || !btf_is_composite(t)) return std::nullopt;
  const btf_member* m = btf_members(t);
  for (uint16_t i = 0; i < btf_vlen(t); ++i) {
    if (btf_member_bitfield_size(t, i) != 0) continue;
    const uint64_t offset = btf_member_bit_offset(t, i) / 8;
    const int resolved = btf__resolve_type(btf_.get(), m[i].type);
    const char* mname = btf__name_by_offset(btf_.get(), m[i].name_off);
    if (mname && *mname) {
      if (name != mname) continue;
      const int64_t size = btf__resolve_size(btf_.get(), m[i].type);
      if (size < 0) return std::nullopt;
      member_type = resolved;
      return Field{offset, static_cast<uint64_t>(size)};
    }
    if (auto inner = member(resolved, name, member_type)) return Field{offset + inner->offset, inner->size};
  }
  return std::nullopt;
}

Result<Field> KernelBtf::field(std::string_view name, std::string_view path) const {
  int type = KTSTR_TRY(struct_id(name));
  Field out;
  for (size_t pos = 0; pos <= path.size();) {
    size_t dot = path.find('.', pos);
    if (dot == std::string_view::npos) dot = path.size();
    const auto step = path.substr(pos, dot - pos);
    auto f = member(type, step, type);
    if (!f) return fail("{}: struct {} has no member {} (kernel too old or too new for the monitor?)", path_, name, path);
    out.offset += f->offset;
    out.size = f->size;
    pos = dot + 1;
  }
  return out;
}

std::optional<std::vector<EnumValue>> KernelBtf::enum_values(std::string_view name) const {
  const std::string n(name);
  int id = btf__find_by_name_kind(btf_.get(), n.c_str(), BTF_KIND_ENUM);
  if (id <= 0) id = btf__find_by_name_kind(btf_.get(), n.c_str(), BTF_KIND_ENUM64);
  if (id <= 0) return std::nullopt;
  const btf_type* t = btf__type_by_id(btf_.get(), static_cast<uint32_t>(id));
  std::vector<EnumValue> out;
  for (uint16_t i = 0; i < btf_vlen(t); ++i) {
    if (btf_is_enum64(t)) {
      const struct btf_enum64* e = btf_enum64(t) + i;
      out.push_back({static_cast<int64_t>(btf_enum64_value(e)), btf__name_by_offset(btf_.get(), e->name_off)});
    } else {
      const struct btf_enum* e = btf_enum(t) + i;
      out.push_back({e->val, btf__name_by_offset(btf_.get(), e->name_off)});
    }
  }
  return out;
}

}  // namespace ktstr::vmm::monitor
