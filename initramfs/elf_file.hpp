// Reads the dynamic-linking facts of one ELF file (libelf): what ld.so needs
// to map it and find its dependencies.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "base/error.hpp"

namespace ktstr::initramfs {

// The loader-relevant contents of an ELF file's program headers and dynamic
// section (System V gABI, "Dynamic Section" and "Program Header").
struct ElfInfo {
  int elf_class = 0;  // ELFCLASS32 / ELFCLASS64 (e_ident[EI_CLASS])
  int machine = 0;    // e_machine
  int type = 0;       // e_type: ET_EXEC, ET_DYN, ...
  std::string interpreter;            // PT_INTERP; empty when absent (static)
  std::string soname;                 // DT_SONAME; empty when absent
  std::vector<std::string> needed;    // DT_NEEDED in file order
  std::vector<std::string> rpath;     // DT_RPATH split on ':'
  std::vector<std::string> runpath;   // DT_RUNPATH split on ':'
  bool has_runpath = false;           // DT_RUNPATH present (disables DT_RPATH, ld.so(8))

  // Whether ld.so would accept this file as a library for `requester`.
  [[nodiscard]] bool compatible_with(const ElfInfo& requester) const {
    return elf_class == requester.elf_class && machine == requester.machine;
  }
};

// Parses path. nullopt when the file is readable but not ELF (so a library
// search can skip it, as ld.so does); an error when it cannot be opened or its
// dynamic section is malformed.
Result<std::optional<ElfInfo>> read_elf_info(const std::filesystem::path& path);

// Bytes of the file's DWARF debug sections (".debug_*"), from its section
// headers; 0 for a file without them or that is not ELF.
Result<uint64_t> debug_section_bytes(const std::filesystem::path& path);

}  // namespace ktstr::initramfs
