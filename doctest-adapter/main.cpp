// main() of every ktstr test executable. One binary serves both sides:
//   host:  exe --ktstr-list          one JSON line per test (CMake discovery)
//   guest: exe as PID 1 (/init)      runs the test named in /ktstr/argv.json
//   debug: exe --ktstr-run ARGS...   the guest runner without being PID 1
//                                    (needs root, cgroup2, sched_ext)
#include <unistd.h>

#include <cstring>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "base/error.hpp"
#include "base/exit_codes.hpp"
#include "guest/pid1.hpp"
#include "guest_runner.hpp"
#include "listing.hpp"

namespace {

constexpr const char* kUsage =
    "usage: {0} --ktstr-list [--gauntlet]  list the ktstr tests (JSON lines); --gauntlet: with\n"
    "                                     gauntlet variants for every test\n"
    "       {0} --ktstr-run ARGS...     run one test here (ARGS: guest run arguments, e.g. --test NAME)\n"
    "As PID 1 in a ktstr guest it runs the test named by /ktstr/argv.json.\n";

}  // namespace

int main(int argc, char** argv) {
  ktstr::guest::GuestHooks hooks{.body = ktstr::detail::run_one_test};
  if (::getpid() == 1) return ktstr::guest::run_pid1(argc, argv, hooks);

  if (argc >= 2 && std::strcmp(argv[1], "--ktstr-list") == 0) {
    bool all = argc >= 3 && std::strcmp(argv[2], "--gauntlet") == 0;
    auto r = ktstr::detail::print_listing(all);
    if (!r) return ktstr::report_failure(fmt::format("{}: error", argv[0]), r.error().message, ktstr::kExitInfra);
    return 0;
  }
  if (argc >= 2 && std::strcmp(argv[1], "--ktstr-run") == 0) {
    // run_pid1 parses argv[1..]: drop our own flag.
    std::vector<char*> args = {argv[0]};
    args.insert(args.end(), argv + 2, argv + argc);
    args.push_back(nullptr);
    return ktstr::guest::run_pid1(static_cast<int>(args.size() - 1), args.data(), hooks);
  }
  fmt::print(stderr, fmt::runtime(kUsage), argv[0]);
  return 2;
}
