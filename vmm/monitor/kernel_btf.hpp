// Struct layouts and enum values of the guest kernel, from the BTF in its
// vmlinux (Documentation/bpf/btf.rst), parsed by libbpf. Offsets are never
// hard-coded: they drift between kernel versions and configurations.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.hpp"

struct btf;

namespace ktstr::vmm::monitor {

// A member reached by a path of member names from a struct.
struct Field {
  uint64_t offset = 0;  // bytes from the start of the outer struct
  uint64_t size = 0;    // bytes
};

struct EnumValue {
  int64_t value = 0;
  std::string name;
};

class KernelBtf {
 public:
  // Parses the .BTF section of vmlinux; fails when it has none
  // (CONFIG_DEBUG_INFO_BTF off).
  static Result<KernelBtf> open(const std::filesystem::path& vmlinux);

  // The member `path` ("scx.nr_running") of `struct name`: each step may
  // pass through anonymous unions and structs (struct rq's `curr` is in
  // one). Bitfields are refused.
  [[nodiscard]] Result<Field> field(std::string_view name, std::string_view path) const;
  // sizeof(struct name).
  [[nodiscard]] Result<uint64_t> struct_size(std::string_view name) const;
  // The values of `enum name`; nullopt when the kernel has no such enum.
  [[nodiscard]] std::optional<std::vector<EnumValue>> enum_values(std::string_view name) const;
  [[nodiscard]] bool has_struct(std::string_view name) const;

 private:
  struct Free {
    void operator()(struct btf* b) const;
  };
  [[nodiscard]] Result<int> struct_id(std::string_view name) const;
  [[nodiscard]] std::optional<Field> member(int type_id, std::string_view name, int& member_type) const;

  std::unique_ptr<struct btf, Free> btf_;
  std::string path_;
};

}  // namespace ktstr::vmm::monitor
