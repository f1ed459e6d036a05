#include "vmm/huge_ram.hpp"

#include <fcntl.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>

#include <optional>
#include <string>

namespace ktstr::vmm {
namespace {

// Child-side failures, reported through the exit status.
enum ChildStep : int { kUnshare = 10, kPrivate, kMount, kCreate, kSize };

const char* step_name(int code) {
  switch (code) {
    case kUnshare: return "unshare(CLONE_NEWNS) (needs CAP_SYS_ADMIN)";
    case kPrivate: return "making the child's mounts private";
    case kMount: return "mounting tmpfs with huge=within_size (no transparent huge pages for tmpfs?)";
    case kCreate: return "creating a file on that tmpfs";
    case kSize: return "sizing a file on that tmpfs";
    default: return "an unknown step";
  }
}

int wait_child(pid_t pid) {
  int ws = 0;
  while (::waitpid(pid, &ws, 0) < 0 && errno == EINTR) {
  }
  return WIFEXITED(ws) ? WEXITSTATUS(ws) : 128 + WTERMSIG(ws);
}

}  // namespace

Result<std::vector<UniqueFd>> create_huge_ram_files(const std::filesystem::path& dir,
                                                    std::span<const uint64_t> bytes) {
  // Everything the child touches is prepared here: after fork() in a
  // multi-threaded process it may only make system calls.
  const std::string mount_point = std::filesystem::absolute(dir).string();
  std::vector<std::string> names;
  for (size_t i = 0; i < bytes.size(); ++i) names.push_back(fmt::format("{}/node{}", mount_point, i));
  int ready[2], hold[2];
  if (::pipe2(ready, O_CLOEXEC) != 0) return fail_errno("pipe2");
  UniqueFd ready_r(ready[0]), ready_w(ready[1]);
  if (::pipe2(hold, O_CLOEXEC) != 0) return fail_errno("pipe2");
  UniqueFd hold_r(hold[0]), hold_w(hold[1]);

  const pid_t pid = ::fork();
  if (pid < 0) return fail_errno("fork");
  if (pid == 0) {
    // Only the launcher's ends: the child sees EOF on `hold` once it closes its own.
    ::close(ready_r.get());
    ::close(hold_w.get());
    if (::unshare(CLONE_NEWNS) != 0) ::_exit(kUnshare);
    if (::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0) ::_exit(kPrivate);
    if (::mount("ktstr-ram", mount_point.c_str(), "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC,
                "huge=within_size,mode=0700") != 0)
      ::_exit(kMount);
    for (size_t i = 0; i < bytes.size(); ++i) {
      if (bytes[i] == 0) continue;
      const int fd = ::open(names[i].c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
      if (fd < 0) ::_exit(kCreate);
      if (::ftruncate(fd, static_cast<off_t>(bytes[i])) != 0) ::_exit(kSize);
      ::close(fd);
    }
    char c = 1;
    (void)!::write(ready_w.get(), &c, 1);
    (void)!::read(hold_r.get(), &c, 1);  // until the launcher has opened the files
    ::_exit(0);
  }
  ready_w.reset();
  hold_r.reset();
  char c = 0;
  ssize_t n;
  do n = ::read(ready_r.get(), &c, 1);
  while (n < 0 && errno == EINTR);
  if (n != 1) {
    hold_w.reset();
    return fail("huge-page guest RAM: {} failed", step_name(wait_child(pid)));
  }
  std::vector<UniqueFd> fds;
  std::optional<Error> error;
  for (size_t i = 0; i < bytes.size() && !error; ++i) {
    if (bytes[i] == 0) {
      fds.emplace_back();
      continue;
    }
    auto fd = open_file(fmt::format("/proc/{}/root{}", pid, names[i]), O_RDWR);
    if (fd) fds.push_back(std::move(*fd));
    else error = fd.error();
  }
  hold_w.reset();  // the child exits; its namespace goes, the open files stay
  wait_child(pid);
  if (error) return std::unexpected(std::move(*error));
  return fds;
}

}  // namespace ktstr::vmm
