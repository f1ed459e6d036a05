#include <doctest/doctest.h>

#include <signal.h>

#include "base/process.hpp"

using namespace std::chrono_literals;

TEST_CASE("run_capture returns output and exit code") {
  auto r = ktstr::run_capture({"/bin/sh", "-c", "echo hi; exit 3"});
  REQUIRE(r);
  CHECK(r->output == "hi\n");
  CHECK(r->status.exited);
  CHECK(r->status.code == 3);
}

TEST_CASE("spawn of a missing binary fails with the reason") {
  auto r = ktstr::ChildProcess::spawn({"/nonexistent/ktstr-nothing"});
  REQUIRE_FALSE(r);
  CHECK(r.error().message.find("No such file") != std::string::npos);
}

TEST_CASE("destroying a ChildProcess kills and reaps it") {
  pid_t pid;
  {
    auto c = ktstr::ChildProcess::spawn({"sleep", "30"}, {.new_process_group = true});
    REQUIRE(c);
    pid = c->pid();
    CHECK(::kill(pid, 0) == 0);
  }
  CHECK(::kill(pid, 0) == -1);  // reaped: the pid no longer exists
}

TEST_CASE("terminate escalates and reports the signal") {
  auto c = ktstr::ChildProcess::spawn({"sleep", "30"});
  REQUIRE(c);
  auto s = c->terminate(500ms);
  CHECK_FALSE(s.exited);
  CHECK(s.code == SIGTERM);
}
