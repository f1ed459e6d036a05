// run_logged: output lands in the log, failures name the step, and an
// interrupt kills the command's whole process group.
#include <doctest/doctest.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include "base/fd.hpp"
#include "host/kernel/interrupt.hpp"
#include "host/kernel/logged_command.hpp"
#include "test_dirs.hpp"

using namespace ktstr::kernel;
namespace fs = std::filesystem;

namespace {

Progress quiet() { return Progress{.out = stderr, .tty = false, .quiet = true}; }

// Gone, or a zombie nobody reaped yet: either way no longer running.
bool dead(pid_t pid) {
  std::string stat = read_text(fmt::format("/proc/{}/stat", pid));
  if (stat.empty()) return true;
  size_t paren = stat.rfind(')');
  return paren != std::string::npos && stat.size() > paren + 2 && stat[paren + 2] == 'Z';
}

}  // namespace

TEST_CASE("run_logged appends output to the log and reports failure with the label") {
  TestDir t;
  auto log = ktstr::open_file(t.path() / "build.log", O_WRONLY | O_CREAT | O_APPEND);
  REQUIRE(log);
  auto ok = run_logged({.label = "step one", .argv = {"sh", "-c", "echo '  CC      a.o'"}, .cwd = "", .extra_env = {}},
                       log->get(), quiet());
  CHECK(ok);
  auto bad = run_logged({.label = "step two", .argv = {"sh", "-c", "echo boom >&2; exit 3"}, .cwd = "", .extra_env = {}},
                        log->get(), quiet());
  REQUIRE_FALSE(bad);
  CHECK(bad.error().message == "step two failed (exit code 3)");
  std::string text = read_text(t.path() / "build.log");
  CHECK(text.find("### step one") != std::string::npos);
  CHECK(text.find("  CC      a.o") != std::string::npos);
  CHECK(text.find("boom") != std::string::npos);
  CHECK(log_tail(t.path() / "build.log", 1) == "boom");
  CHECK(log_tail(t.path() / "build.log", 2) == "### step two: sh -c echo boom >&2; exit 3\nboom");
  CHECK(log_tail(t.path() / "build.log", 1000).starts_with("\n### step one") == false);
  write_text(t.path() / "empty.log", "");
  CHECK(log_tail(t.path() / "empty.log", 5).empty());
  write_text(t.path() / "one.log", "only\n");
  CHECK(log_tail(t.path() / "one.log", 5) == "only");
}

TEST_CASE("an interrupt kills the command's process group and fails with 'interrupted'") {
  TestDir t;
  fs::path pids = t.path() / "pids";
  // The interrupt flag is process-global: exercise it in a child process.
  pid_t child = ::fork();
  if (child == 0) {
    install_interrupt_handlers();
    std::thread raiser([&] {
      while (read_text(pids).find('\n') == std::string::npos) std::this_thread::sleep_for(std::chrono::milliseconds(10));
      ::kill(::getpid(), SIGINT);
    });
    auto log = ktstr::open_file(t.path() / "log", O_WRONLY | O_CREAT | O_APPEND);
    // A shell with a background grandchild, like make with its compilers.
    auto r = run_logged({.label = "make",
                         .argv = {"sh", "-c", fmt::format("sleep 300 & echo $$ $! > {}.tmp; mv {}.tmp {}; wait",
                                                          pids.string(), pids.string(), pids.string())},
                         .cwd = "",
                         .extra_env = {}},
                        log->get(), quiet());
    raiser.join();
    ::_exit(!r && r.error().message.find("interrupted") != std::string::npos ? 0 : 1);
  }
  int ws = 0;
  ::waitpid(child, &ws, 0);
  REQUIRE(WIFEXITED(ws));
  CHECK(WEXITSTATUS(ws) == 0);
  pid_t shell = 0, sleeper = 0;
  std::sscanf(read_text(pids).c_str(), "%d %d", &shell, &sleeper);
  REQUIRE(sleeper > 0);
  // The group got SIGTERM; give the orphaned sleeper's reaper a moment (bounded, not asserted on time).
  for (int i = 0; i < 500 && !dead(sleeper); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  CHECK(dead(shell));
  CHECK(dead(sleeper));
}
