#include "vmm/run_files.hpp"

#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include "base/fd.hpp"

namespace ktstr::vmm {

Result<ShmFile> ShmFile::create(std::filesystem::path path, uint64_t bytes) {
  auto fd = KTSTR_TRY(open_file(path, O_RDWR | O_CREAT | O_EXCL, 0600));
  ShmFile f;
  f.path_ = std::move(path);
  if (::ftruncate(fd.get(), static_cast<off_t>(bytes)) != 0)
    return fail_errno(fmt::format("sizing {} to {} MiB (is /dev/shm large enough?)", f.path_.string(), bytes >> 20));
  return f;
}

void ShmFile::remove() {
  if (path_.empty()) return;
  std::error_code ec;
  std::filesystem::remove(path_, ec);
  path_.clear();
}

Result<RunDir> RunDir::create(const std::filesystem::path& out_dir) {
  RunDir d;
  if (!out_dir.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(out_dir, ec);
    if (ec) return fail("creating output directory {}: {}", out_dir.string(), ec.message());
    d.path_ = std::filesystem::absolute(out_dir);
    return d;
  }
  const char* tmp = std::getenv("TMPDIR");
  std::string tmpl = fmt::format("{}/ktstr-vm-XXXXXX", tmp && *tmp ? tmp : "/tmp");
  if (!::mkdtemp(tmpl.data())) return fail_errno(fmt::format("mkdtemp {}", tmpl));
  d.path_ = tmpl;
  d.temporary_ = true;
  return d;
}

RunDir::~RunDir() {
  if (path_.empty() || !temporary_) return;
  std::error_code ec;
  // A kept temporary directory is for reading the logs of a failed run; the
  // assembled initrd (up to hundreds of MiB, rebuilt from its inputs by any
  // re-run) would only pile up in $TMPDIR across failing runs.
  if (keep_) std::filesystem::remove(path_ / "initrd.cpio", ec);
  else std::filesystem::remove_all(path_, ec);
}

}  // namespace ktstr::vmm
