#include "base/process.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <thread>

#include "base/fd.hpp"

extern char** environ;

namespace ktstr {

std::string ExitStatus::describe() const {
  if (exited) return fmt::format("exit code {}", code);
  return fmt::format("killed by signal {} ({})", code, strsignal(code));
}

static ExitStatus decode(int wstatus) {
  if (WIFEXITED(wstatus)) return {true, WEXITSTATUS(wstatus)};
  return {false, WTERMSIG(wstatus)};
}

ChildProcess::ChildProcess(ChildProcess&& o) noexcept
    : pid_(std::exchange(o.pid_, -1)), group_(o.group_), status_(std::move(o.status_)) {}

ChildProcess& ChildProcess::operator=(ChildProcess&& o) noexcept {
  if (this != &o) {
    if (running()) terminate(std::chrono::milliseconds(0));
    pid_ = std::exchange(o.pid_, -1);
    group_ = o.group_;
    status_ = std::move(o.status_);
  }
  return *this;
}

ChildProcess::~ChildProcess() {
  if (running()) {
    kill(SIGKILL);
    wait();
  }
}

Result<ChildProcess> ChildProcess::spawn(const std::vector<std::string>& argv, const SpawnOptions& opts) {
  if (argv.empty()) return fail("spawn: empty argv");
  std::vector<char*> cargv;
  for (auto& a : argv) cargv.push_back(const_cast<char*>(a.c_str()));
  cargv.push_back(nullptr);
  std::vector<std::string> env_storage;
  for (char** e = environ; *e; ++e) env_storage.emplace_back(*e);
  for (auto& e : opts.extra_env) env_storage.push_back(e);
  std::vector<char*> cenv;
  for (auto& e : env_storage) cenv.push_back(e.data());
  cenv.push_back(nullptr);

  // A CLOEXEC pipe reports exec failure (errno) back to the parent.
  int errpipe[2];
  if (::pipe2(errpipe, O_CLOEXEC) != 0) return fail_errno("pipe2");
  UniqueFd err_r(errpipe[0]), err_w(errpipe[1]);

  const pid_t parent = ::getpid();
  pid_t pid = ::fork();
  if (pid < 0) return fail_errno("fork");
  if (pid == 0) {
    if (opts.new_process_group) ::setpgid(0, 0);
    // prctl(2): the signal is sent when the parent thread exits; a parent
    // that died before this line is caught by the getppid() check.
    if (opts.kill_on_parent_death && (::prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || ::getppid() != parent)) ::_exit(127);
    ::signal(SIGPIPE, SIG_DFL);
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    if (opts.stdin_fd >= 0) ::dup2(opts.stdin_fd, 0);
    if (opts.stdout_fd >= 0) ::dup2(opts.stdout_fd, 1);
    if (opts.stderr_fd >= 0) ::dup2(opts.stderr_fd, 2);
    for (int fd : opts.inherit_fds) ::fcntl(fd, F_SETFD, 0);
    if (opts.cwd && ::chdir(opts.cwd->c_str()) != 0) {
      int e = errno;
      (void)!::write(err_w.get(), &e, sizeof e);
      ::_exit(127);
    }
    ::execvpe(cargv[0], cargv.data(), cenv.data());
    int e = errno;
    (void)!::write(err_w.get(), &e, sizeof e);
    ::_exit(127);
  }
  if (opts.new_process_group) ::setpgid(pid, pid);  // both sides: no race with kill()
  err_w.reset();
  ChildProcess child;
  child.pid_ = pid;
  child.group_ = opts.new_process_group;
  int child_errno = 0;
  ssize_t n;
  do n = ::read(err_r.get(), &child_errno, sizeof child_errno);
  while (n < 0 && errno == EINTR);
  if (n == sizeof child_errno) {
    child.wait();
    return std::unexpected(Error{fmt::format("cannot run {}: {}", argv[0], std::strerror(child_errno)), child_errno});
  }
  return child;
}

std::optional<ExitStatus> ChildProcess::poll() {
  if (status_ || pid_ <= 0) return status_;
  int ws = 0;
  pid_t r = ::waitpid(pid_, &ws, WNOHANG);
  if (r == pid_) status_ = decode(ws);
  return status_;
}

ExitStatus ChildProcess::wait() {
  if (status_) return *status_;
  int ws = 0;
  pid_t r;
  do r = ::waitpid(pid_, &ws, 0);
  while (r < 0 && errno == EINTR);
  status_ = r == pid_ ? decode(ws) : ExitStatus{false, SIGKILL};
  return *status_;
}

std::optional<ExitStatus> ChildProcess::wait_for(std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    if (auto s = poll()) return s;
    if (std::chrono::steady_clock::now() >= deadline) return std::nullopt;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

void ChildProcess::kill(int sig) {
  if (!running()) return;
  if (group_) ::kill(-pid_, sig);
  else ::kill(pid_, sig);
}

ExitStatus ChildProcess::terminate(std::chrono::milliseconds grace) {
  if (!running()) return status_.value_or(ExitStatus{});
  kill(SIGTERM);
  if (auto s = wait_for(grace)) return *s;
  kill(SIGKILL);
  return wait();
}

Result<RunOutput> run_capture(const std::vector<std::string>& argv, const SpawnOptions& opts) {
  int p[2];
  if (::pipe2(p, O_CLOEXEC) != 0) return fail_errno("pipe2");
  UniqueFd r(p[0]), w(p[1]);
  SpawnOptions o = opts;
  o.stdout_fd = w.get();
  o.stderr_fd = w.get();
  auto child = KTSTR_TRY(ChildProcess::spawn(argv, o));
  w.reset();
  std::string out;
  char buf[8192];
  for (;;) {
    ssize_t n = ::read(r.get(), buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  return RunOutput{child.wait(), std::move(out)};
}

std::optional<std::string> find_in_path(const std::string& name) {
  if (name.find('/') != std::string::npos) {
    if (::access(name.c_str(), X_OK) == 0) return name;
    return std::nullopt;
  }
  const char* path = std::getenv("PATH");
  std::string_view rest = path ? path : "/usr/local/bin:/usr/bin:/bin";
  while (!rest.empty()) {
    auto colon = rest.find(':');
    auto dir = rest.substr(0, colon);
    std::string cand = fmt::format("{}/{}", dir.empty() ? "." : dir, name);
    struct stat st;
    if (::stat(cand.c_str(), &st) == 0 && S_ISREG(st.st_mode) && ::access(cand.c_str(), X_OK) == 0) return cand;
    if (colon == std::string_view::npos) break;
    rest.remove_prefix(colon + 1);
  }
  return std::nullopt;
}

}  // namespace ktstr
