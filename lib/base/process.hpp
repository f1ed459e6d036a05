// Move-only owner of a child process: spawned with an argv (no shell),
// killed and reaped on destruction so no child outlives its owner.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "base/error.hpp"

namespace ktstr {

// How a child ended.
struct ExitStatus {
  bool exited = false;  // true: exit code valid; false: killed by signal
  int code = 0;         // exit code, or signal number when !exited
  [[nodiscard]] bool success() const { return exited && code == 0; }
  [[nodiscard]] std::string describe() const;
};

struct SpawnOptions {
  int stdin_fd = -1;   // -1: inherit
  int stdout_fd = -1;  // -1: inherit
  int stderr_fd = -1;  // -1: inherit
  bool new_process_group = false;  // child leads its own group; kill() signals the group
  bool kill_on_parent_death = false;  // PR_SET_PDEATHSIG SIGKILL: no orphan even if the parent is SIGKILLed
  std::optional<std::string> cwd;
  std::vector<std::string> extra_env;  // "NAME=value" added to the environment
  std::vector<int> inherit_fds;  // close-on-exec descriptors the child keeps, under the same numbers
};

// A running child. Destruction sends SIGKILL (to the group if it leads one) and reaps.
class ChildProcess {
 public:
  ChildProcess() = default;
  ChildProcess(ChildProcess&& o) noexcept;
  ChildProcess& operator=(ChildProcess&& o) noexcept;
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;
  ~ChildProcess();

  // Starts argv[0] (searched in PATH) with argv. Fails if exec fails, with the reason.
  static Result<ChildProcess> spawn(const std::vector<std::string>& argv, const SpawnOptions& opts = {});

  [[nodiscard]] pid_t pid() const { return pid_; }
  [[nodiscard]] bool running() const { return pid_ > 0 && !status_; }

  // Non-blocking check; returns the status once the child has exited.
  std::optional<ExitStatus> poll();
  // Blocks until exit.
  ExitStatus wait();
  // Waits up to timeout; nullopt if still running.
  std::optional<ExitStatus> wait_for(std::chrono::milliseconds timeout);
  // Sends sig to the child (its group when it leads one). No-op after exit.
  void kill(int sig);
  // SIGTERM, wait up to grace, then SIGKILL; always reaps.
  ExitStatus terminate(std::chrono::milliseconds grace);

 private:
  pid_t pid_ = -1;
  bool group_ = false;
  std::optional<ExitStatus> status_;
};

// Runs argv to completion, capturing stdout+stderr. Errors if it cannot start.
struct RunOutput {
  ExitStatus status;
  std::string output;
};
Result<RunOutput> run_capture(const std::vector<std::string>& argv, const SpawnOptions& opts = {});

// Searches PATH for an executable; nullopt when absent.
std::optional<std::string> find_in_path(const std::string& name);

}  // namespace ktstr
