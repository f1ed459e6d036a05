// Owners of the files one VM run creates: its working directory and the
// /dev/shm guest-RAM files. Destruction removes them, so every exit path of
// run_vm (including a stop signal) cleans up.
#pragma once

#include <filesystem>
#include <string>

#include "base/error.hpp"

namespace ktstr::vmm {

// A /dev/shm file of a fixed size that QEMU maps as guest RAM.
class ShmFile {
 public:
  ShmFile() = default;
  ShmFile(ShmFile&& o) noexcept : path_(std::exchange(o.path_, {})) {}
  ShmFile& operator=(ShmFile&& o) noexcept {
    if (this != &o) {
      remove();
      path_ = std::exchange(o.path_, {});
    }
    return *this;
  }
  ShmFile(const ShmFile&) = delete;
  ShmFile& operator=(const ShmFile&) = delete;
  ~ShmFile() { remove(); }

  // Creates path exclusively with the given size (sparse: tmpfs allocates on touch).
  static Result<ShmFile> create(std::filesystem::path path, uint64_t bytes);
  [[nodiscard]] const std::filesystem::path& path() const { return path_; }
  // Unlinks now. Mappings stay valid, so once QEMU and the ring reader hold
  // theirs, even a SIGKILL of the launcher leaves nothing behind.
  void remove();

 private:
  std::filesystem::path path_;
};

// The run's directory: console.log, qemu.log, the assembled initrd.
class RunDir {
 public:
  RunDir() = default;
  RunDir(RunDir&& o) noexcept : path_(std::exchange(o.path_, {})), temporary_(o.temporary_), keep_(o.keep_) {}
  RunDir& operator=(RunDir&&) = delete;
  RunDir(const RunDir&) = delete;
  ~RunDir();

  // out_dir non-empty: created if needed and always kept. Empty: a fresh
  // directory under $TMPDIR (or /tmp) removed at destruction unless keep(),
  // which keeps the logs but still removes the assembled initrd.cpio.
  static Result<RunDir> create(const std::filesystem::path& out_dir);
  [[nodiscard]] const std::filesystem::path& path() const { return path_; }
  void keep() { keep_ = true; }

 private:
  std::filesystem::path path_;
  bool temporary_ = false;
  bool keep_ = false;
};

}  // namespace ktstr::vmm
