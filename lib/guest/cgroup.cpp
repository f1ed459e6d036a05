#include "guest/cgroup.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <charconv>
#include <thread>

#include "base/fd.hpp"
#include "base/topology.hpp"

namespace ktstr::guest {
namespace fs = std::filesystem;

Cgroup::Cgroup(Cgroup&& o) noexcept
    : path_(std::exchange(o.path_, {})), hierarchy_root_(std::exchange(o.hierarchy_root_, {})) {}

Cgroup& Cgroup::operator=(Cgroup&& o) noexcept {
  if (this != &o) {
    remove();
    path_ = std::exchange(o.path_, {});
    hierarchy_root_ = std::exchange(o.hierarchy_root_, {});
  }
  return *this;
}

Result<Cgroup> Cgroup::create(const fs::path& parent, std::string_view name, const fs::path& hierarchy_root) {
  Cgroup g;
  fs::path p = parent / name;
  if (::mkdir(p.c_str(), 0755) != 0 && errno != EEXIST) return fail_errno(fmt::format("mkdir cgroup {}", p.string()));
  g.path_ = std::move(p);
  g.hierarchy_root_ = hierarchy_root;
  return g;
}

Result<void> Cgroup::write(std::string_view file, std::string_view value) const {
  const fs::path p = path_ / file;
  // Interface files take one write(2) each; open without O_CREAT/O_TRUNC
  // semantics beyond what the kernel accepts.
  auto fd = KTSTR_TRY(open_file(p, O_WRONLY));
  return with_context(write_all(fd.get(), value), fmt::format("writing '{}' to {}", value, p.string()));
}

Result<void> Cgroup::enable_controllers(const std::vector<std::string>& controllers) const {
  std::string v;
  for (const auto& c : controllers) v += (v.empty() ? "+" : " +") + c;
  return write("cgroup.subtree_control", v);
}

Result<void> Cgroup::set_cpus(const std::vector<int>& cpus) const { return write("cpuset.cpus", format_cpu_list(cpus)); }

Result<void> Cgroup::set_mems(std::string_view mems) const { return write("cpuset.mems", mems); }

Result<void> Cgroup::set_weight(int weight) const {
  if (weight < 1 || weight > 10000) return fail("cgroup {}: cpu.weight {} outside 1..10000", path_.string(), weight);
  return write("cpu.weight", fmt::format("{}", weight));
}

Result<void> Cgroup::add_pid(pid_t pid) const { return write("cgroup.procs", fmt::format("{}", pid)); }

Result<std::vector<pid_t>> Cgroup::pids() const {
  auto text = KTSTR_TRY(read_file(path_ / "cgroup.procs"));
  std::vector<pid_t> out;
  const char* p = text.data();
  const char* end = p + text.size();
  while (p < end) {
    pid_t v = 0;
    auto [q, ec] = std::from_chars(p, end, v);
    if (ec == std::errc()) out.push_back(v);
    p = q + 1;
  }
  return out;
}

Result<void> Cgroup::remove() {
  if (path_.empty()) return {};
  fs::path p = std::exchange(path_, {});
  for (int attempt = 0; attempt < 200; ++attempt) {
    if (::rmdir(p.c_str()) == 0 || errno == ENOENT) return {};
    if (errno != EBUSY) return fail_errno(fmt::format("rmdir cgroup {}", p.string()));
    // Still populated: move live tasks out (exiting ones vanish by themselves).
    Cgroup view;
    view.path_ = p;
    if (auto pids = view.pids(); pids) {
      for (pid_t pid : *pids) {
        auto fd = open_file(hierarchy_root_ / "cgroup.procs", O_WRONLY);
        if (fd) (void)write_all(fd->get(), fmt::format("{}", pid));
      }
    }
    view.path_.clear();
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return fail("rmdir cgroup {}: still busy after 1 s", p.string());
}

Result<CgroupManager> CgroupManager::open(const fs::path& mount_point, std::string_view name) {
  CgroupManager m;
  m.mount_ = mount_point;
  if (!fs::exists(mount_point / "cgroup.controllers"))
    return fail("{} is not a cgroup2 mount (no cgroup.controllers)", mount_point.string());
  // The hierarchy root itself may hold tasks (PID 1) and still delegate.
  auto enable = [&]() -> Result<void> {
    auto fd = KTSTR_TRY(open_file(mount_point / "cgroup.subtree_control", O_WRONLY));
    return write_all(fd.get(), "+cpuset +cpu");
  };
  KTSTR_TRY_CTX(enable(), "enabling cpuset and cpu controllers on {}", mount_point.string());
  m.root_ = KTSTR_TRY(Cgroup::create(mount_point, name, mount_point));
  KTSTR_TRY_VOID(m.root_.enable_controllers({"cpuset", "cpu"}));
  return m;
}

Result<Cgroup> CgroupManager::create(std::string_view rel) const {
  fs::path p = root_.path() / rel;
  if (p.parent_path() != root_.path()) {
    // Nested: the parent must delegate cpuset and cpu to its children
    // (cgroup-v2.rst "Top-down Constraint"); the write is idempotent.
    auto fd = KTSTR_TRY(open_file(p.parent_path() / "cgroup.subtree_control", O_WRONLY));
    KTSTR_TRY_CTX(write_all(fd.get(), "+cpuset +cpu"), "delegating controllers in {}", p.parent_path().string());
  }
  return Cgroup::create(p.parent_path(), p.filename().string(), mount_);
}

}  // namespace ktstr::guest
