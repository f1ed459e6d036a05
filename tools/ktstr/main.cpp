// ktstr: the host command-line tool. Parses the command line, runs the
// chosen command, and is the only place that prints errors.
#include "base/error.hpp"
#include "base/exit_codes.hpp"
#include "tools/ktstr/commands.hpp"
#include "host/kernel/interrupt.hpp"

namespace ktstr::cli {

CommandResult& command_result() {
  static CommandResult result = 0;
  return result;
}

}  // namespace ktstr::cli

int main(int argc, char** argv) {
  CLI::App app{"ktstr: test Linux sched_ext schedulers in real kernels under VMs"};
  app.require_subcommand(1);
  ktstr::cli::add_kernel_commands(app);
  ktstr::cli::add_topo_commands(app);
  ktstr::cli::add_initramfs_commands(app);
  ktstr::cli::add_run_commands(app);
  ktstr::cli::add_replay_commands(app);
  ktstr::cli::add_stats_commands(app);
  ktstr::cli::add_show_commands(app);
  ktstr::cli::add_resources_commands(app);
  ktstr::cli::add_shard_commands(app);
  CLI11_PARSE(app, argc, argv);

  auto& result = ktstr::cli::command_result();
  if (!result) {
    const int sig = ktstr::kernel::interrupt_signal();
    return ktstr::report_failure("ktstr: error", result.error().message,
                                 sig ? ktstr::kExitSignalBase + sig : ktstr::kExitInfra);
  }
  return *result;
}
