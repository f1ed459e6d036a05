// Cgroup v2 manager: owner types for cgroup directories under a root
// (normally /sys/fs/cgroup/ktstr). Interface files per
// Documentation/admin-guide/cgroup-v2.rst: cgroup.subtree_control,
// cgroup.procs, cpuset.cpus, cpuset.mems, cpu.weight.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.hpp"

namespace ktstr::guest {

// Owns one cgroup directory: removed (after moving any remaining tasks to
// the cgroup2 root) on destruction. Move-only.
class Cgroup {
 public:
  Cgroup() = default;
  Cgroup(Cgroup&& o) noexcept;
  Cgroup& operator=(Cgroup&& o) noexcept;
  Cgroup(const Cgroup&) = delete;
  Cgroup& operator=(const Cgroup&) = delete;
  ~Cgroup() { remove(); }

  // Creates parent/name (parent must exist and delegate the controllers the
  // caller will use). hierarchy_root is where stray tasks go at removal.
  static Result<Cgroup> create(const std::filesystem::path& parent, std::string_view name,
                               const std::filesystem::path& hierarchy_root);

  [[nodiscard]] const std::filesystem::path& path() const { return path_; }
  [[nodiscard]] bool valid() const { return !path_.empty(); }

  // "+cpuset +cpu" into cgroup.subtree_control so children get those controllers.
  Result<void> enable_controllers(const std::vector<std::string>& controllers) const;
  Result<void> set_cpus(const std::vector<int>& cpus) const;  // empty: inherit parent's
  Result<void> set_mems(std::string_view mems) const;
  Result<void> set_weight(int weight) const;  // cpu.weight, 1..10000
  Result<void> add_pid(pid_t pid) const;
  // PIDs currently in the group (cgroup.procs).
  [[nodiscard]] Result<std::vector<pid_t>> pids() const;

  // Removes the directory now; idempotent. Tasks still inside are moved to
  // the hierarchy root first; rmdir is retried briefly while the kernel
  // finishes exiting tasks (EBUSY).
  Result<void> remove();

 private:
  Result<void> write(std::string_view file, std::string_view value) const;
  std::filesystem::path path_;
  std::filesystem::path hierarchy_root_;
};

// Enables controllers on the cgroup2 root and creates the test root under
// it. Everything scenarios create lives below root().
class CgroupManager {
 public:
  // mount_point: where cgroup2 is mounted; name: the test root's directory.
  static Result<CgroupManager> open(const std::filesystem::path& mount_point = "/sys/fs/cgroup",
                                    std::string_view name = "ktstr");

  [[nodiscard]] const Cgroup& root() const { return root_; }
  // Creates a group at rel ("a" or "a/b"); the parent of a nested group must
  // already exist (its controllers are delegated here).
  Result<Cgroup> create(std::string_view rel) const;
  [[nodiscard]] std::filesystem::path path_of(std::string_view rel) const { return root_.path() / rel; }

 private:
  std::filesystem::path mount_;
  Cgroup root_;
};

}  // namespace ktstr::guest
