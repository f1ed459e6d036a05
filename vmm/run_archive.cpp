#include "vmm/run_archive.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "base/fd.hpp"
#include "initramfs/initramfs.hpp"

namespace ktstr::vmm {

Result<std::string> run_archive(const std::vector<std::string>& guest_args) {
  initramfs::Spec spec;
  spec.add_dir("/ktstr").add_bytes("/ktstr/argv.json", nlohmann::json(guest_args).dump());
  return initramfs::build_to_string(spec);
}

Result<uint64_t> assemble_initrd(const std::vector<std::filesystem::path>& archives,
                                 const std::vector<std::string>& guest_args, const std::filesystem::path& dst) {
  auto out = KTSTR_TRY(open_file(dst, O_WRONLY | O_CREAT | O_TRUNC, 0644));
  uint64_t total = 0;
  for (const auto& a : archives) {
    auto in = open_file(a, O_RDONLY);
    if (!in) return fail("initramfs {}: {} (build it first, e.g. `ktstr initramfs --out {}`)", a.string(),
                         in.error().message, a.string());
    struct stat st;
    if (::fstat(in->get(), &st) != 0) return fail_errno(fmt::format("stat {}", a.string()));
    // copy_file_range: in-kernel copy (tmpfs/ext4), no bounce through user space.
    for (off_t left = st.st_size; left > 0;) {
      ssize_t n = ::copy_file_range(in->get(), nullptr, out.get(), nullptr, static_cast<size_t>(left), 0);
      if (n < 0) return fail_errno(fmt::format("copying {} into {}", a.string(), dst.string()));
      if (n == 0) return fail("copying {}: file shrank while copying", a.string());
      left -= n;
    }
    total += static_cast<uint64_t>(st.st_size);
    // newc archives must start 4-byte aligned (buffer-format.rst); pad between.
    if (total % 4) {
      const std::string pad(4 - total % 4, '\0');
      KTSTR_TRY_VOID(write_all(out.get(), pad));
      total += pad.size();
    }
  }
  auto run = KTSTR_TRY(run_archive(guest_args));
  KTSTR_TRY_VOID(write_all(out.get(), run));
  return total + run.size();
}

}  // namespace ktstr::vmm
