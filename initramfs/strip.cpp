#include "initramfs/strip.hpp"

#include <sys/stat.h>

#include "base/process.hpp"
#include "initramfs/elf_file.hpp"

namespace ktstr::initramfs {

Result<uint64_t> strip_debug_info(std::vector<Entry>& entries, const std::filesystem::path& scratch) {
  uint64_t saved = 0;
  int n = 0;
  for (auto& e : entries) {
    if (!e.program || e.source.empty()) continue;
    if (KTSTR_TRY(debug_section_bytes(e.source)) == 0) continue;
    if (!find_in_path("objcopy"))
      return fail("stripping debug info from {}: objcopy not found (apt-get install binutils)", e.source.string());
    const auto out = scratch / fmt::format("{}-{}", n++, e.source.filename().string());
    auto run = KTSTR_TRY(run_capture({"objcopy", "--strip-debug", e.source.string(), out.string()}));
    if (!run.status.success())
      return fail("objcopy --strip-debug {} failed ({}): {}", e.source.string(), run.status.describe(), run.output);
    struct stat st;
    if (::stat(out.c_str(), &st) != 0) return fail_errno(fmt::format("stat {}", out.string()));
    saved += e.size - static_cast<uint64_t>(st.st_size);
    e.source = out;
    e.size = static_cast<uint64_t>(st.st_size);
  }
  return saved;
}

}  // namespace ktstr::initramfs
