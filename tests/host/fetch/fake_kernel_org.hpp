// Test fixture: tests/support/http_server.py serving a generated
// kernel.org-style tree on 127.0.0.1 (ephemeral port). The server process is
// killed and its files removed when the fixture is destroyed.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "base/error.hpp"
#include "base/fd.hpp"
#include "base/process.hpp"
#include "base/temp_dir.hpp"

namespace ktstr::fetch::test {

class FakeKernelOrg {
 public:
  struct Options {
    std::optional<int> drop_after;  // drop tarball responses after this many body bytes
    int drop_count = 1;             // ... for this many responses
    bool ignore_range = false;      // answer Range requests with 200 and the whole file
  };

  static Result<FakeKernelOrg> start(const Options& opts);
  static Result<FakeKernelOrg> start() { return start(Options{}); }

  // Base URL to use as the mirror, e.g. "http://127.0.0.1:40123".
  [[nodiscard]] std::string url() const { return fmt::format("http://127.0.0.1:{}", port_); }
  // Directory served at url().
  [[nodiscard]] std::filesystem::path root() const { return dir_.path() / "root"; }
  // Request log, one "GET <path> range=<Range|->" line per request so far.
  [[nodiscard]] std::string log() const;

 private:
  TempDir dir_;          // declared first: destroyed after the server is killed
  ChildProcess server_;
  int port_ = 0;
};

// A loopback port with nothing listening on it (bound, then closed).
int closed_loopback_port();

// A loopback listener whose accept queue is full, so new connections hang in
// SYN_SENT like packets to a dead host: only a connect timeout ends them.
struct Blackhole {
  UniqueFd listener;
  std::vector<UniqueFd> queued;
  int port = 0;
};
Result<Blackhole> make_blackhole();

}  // namespace ktstr::fetch::test
