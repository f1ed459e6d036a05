#include "host/kernel/logged_command.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <unistd.h>

#include "base/fd.hpp"
#include "base/process.hpp"
#include "host/kernel/interrupt.hpp"

namespace ktstr::kernel {

namespace {

using Clock = std::chrono::steady_clock;

std::string format_elapsed(Clock::duration d) {
  auto s = std::chrono::duration_cast<std::chrono::seconds>(d).count();
  return fmt::format("{}m{:02}s", s / 60, s % 60);
}

// Counts compiler lines in kbuild's quiet output ("  CC      kernel/fork.o").
class LineCounter {
 public:
  void feed(std::string_view chunk) {
    for (char c : chunk) {
      if (c == '\n') {
        if (line_.starts_with("  CC ") || line_.starts_with("  CC\t")) ++cc_;
        line_.clear();
      } else if (line_.size() < 8) {
        line_.push_back(c);
      }
    }
  }
  [[nodiscard]] std::size_t cc() const { return cc_; }

 private:
  std::string line_;
  std::size_t cc_ = 0;
};

}  // namespace

Result<void> run_logged(const LoggedCommand& cmd, int log_fd, const Progress& progress) {
  int p[2];
  if (::pipe2(p, O_CLOEXEC) != 0) return fail_errno("pipe2");
  UniqueFd rd(p[0]), wr(p[1]);
  KTSTR_TRY_VOID(write_all(log_fd, fmt::format("\n### {}: {}\n", cmd.label, fmt::join(cmd.argv, " "))));
  // Own process group: the terminal's Ctrl-C reaches only us, and we kill make's whole tree.
  SpawnOptions so{.stdin_fd = -1, .stdout_fd = wr.get(), .stderr_fd = wr.get(), .new_process_group = true};
  if (!cmd.cwd.empty()) so.cwd = cmd.cwd;
  so.extra_env = cmd.extra_env;
  auto child = KTSTR_TRY_CTX(ChildProcess::spawn(cmd.argv, so), "{}", cmd.label);
  wr.reset();

  auto start = Clock::now();
  auto last_report = start;
  LineCounter counter;
  char buf[65536];
  auto report = [&](bool final_line) {
    if (progress.quiet) return;
    auto now = Clock::now();
    std::string line = fmt::format("{}: {} CC, {}", cmd.label, counter.cc(), format_elapsed(now - start));
    if (progress.tty) {
      fmt::print(progress.out, "\r\033[K{}{}", line, final_line ? "\n" : "");
    } else if (final_line || now - last_report >= progress.report_every) {
      fmt::print(progress.out, "{}\n", line);
      last_report = now;
    }
    std::fflush(progress.out);
  };

  for (;;) {
    if (interrupted()) {
      child.terminate(std::chrono::seconds(2));
      if (progress.tty && !progress.quiet) fmt::print(progress.out, "\n");
      return fail("{}: interrupted by signal {}", cmd.label, interrupt_signal());
    }
    pollfd pfd{.fd = rd.get(), .events = POLLIN, .revents = 0};
    int n = ::poll(&pfd, 1, 250);
    if (n < 0 && errno != EINTR) return fail_errno("poll");
    if (n > 0) {
      ssize_t got = ::read(rd.get(), buf, sizeof buf);
      if (got < 0 && errno != EINTR && errno != EAGAIN) return fail_errno(fmt::format("{}: read output", cmd.label));
      if (got == 0) break;  // every writer closed: the command and its children are done
      if (got > 0) {
        counter.feed({buf, static_cast<size_t>(got)});
        KTSTR_TRY_CTX(write_all(log_fd, {buf, static_cast<size_t>(got)}), "writing build log");
      }
    }
    report(false);
  }
  ExitStatus st = child.wait();
  report(true);
  if (!st.success()) return fail("{} failed ({})", cmd.label, st.describe());
  return {};
}

std::string log_tail(const std::filesystem::path& log, std::size_t n) {
  auto text = read_file(log);
  if (!text) return {};
  std::string_view s = *text;
  while (!s.empty() && s.back() == '\n') s.remove_suffix(1);
  size_t start = s.size();
  for (std::size_t lines = 0; lines < n && start > 0; ++lines) {
    size_t nl = s.rfind('\n', start - 1);
    start = nl == std::string_view::npos ? 0 : nl;
    if (nl == std::string_view::npos) break;
  }
  if (start < s.size() && s[start] == '\n') ++start;
  return std::string(s.substr(start));
}

}  // namespace ktstr::kernel
