// Runs one build command (make, ...) with its output streamed into a log
// file, a one-line progress display, and Ctrl-C handling: on an interrupt the
// command's whole process group is killed.
#pragma once

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "base/error.hpp"

namespace ktstr::kernel {

// Where progress goes. On a terminal one line is rewritten in place
// ("make bzImage: 1234 CC, 2m31s"); otherwise a line every report_every.
struct Progress {
  std::FILE* out = stderr;
  bool tty = false;
  bool quiet = false;  // no progress at all (tests)
  std::chrono::seconds report_every{60};
};

struct LoggedCommand {
  std::string label;  // "make bzImage"
  std::vector<std::string> argv;
  std::string cwd;                     // "" = inherit
  std::vector<std::string> extra_env;  // NAME=value
};

// Runs cmd to completion, appending its stdout+stderr to log_fd. Fails with
// the label and exit status, or "interrupted" after SIGINT/SIGTERM.
Result<void> run_logged(const LoggedCommand& cmd, int log_fd, const Progress& progress);

// The last n lines of a log file, for error messages.
std::string log_tail(const std::filesystem::path& log, std::size_t n);

}  // namespace ktstr::kernel
