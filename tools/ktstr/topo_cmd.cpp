// `ktstr topo list`: prints the gauntlet presets with their vCPU counts and
// whether each fits this host (the same rule ktstr_add_test's discovery uses).
#include <nlohmann/json.hpp>

#include "tools/ktstr/commands.hpp"
#include "host/gauntlet/gauntlet.hpp"

namespace ktstr::cli {

namespace {

CommandResult cmd_topo_list(bool json) {
  namespace g = ktstr::gauntlet;
  const g::HostBudget host = g::detect_host_budget();
  if (!json)
    fmt::print("host: {} CPUs, {}; presets up to {} vCPUs run\n", host.cpus,
               host.hardware_virt ? "KVM" : "TCG (no hardware virtualization)", host.max_vcpus());
  for (const auto& p : g::presets()) {
    const g::Fit f = g::fit(p.topology, host);
    if (json) {
      nlohmann::json row = {{"topology", p.topology.str()}, {"vcpus", p.topology.vcpus()},
                            {"nodes", p.topology.nodes}, {"llcs", p.topology.llcs},
                            {"cores", p.topology.cores}, {"threads", p.topology.threads},
                            {"fits", f.fits}, {"reason", f.reason}, {"purpose", p.purpose}};
      fmt::print("{}\n", row.dump());
    } else {
      fmt::print("{:<10} {:>4} vCPUs  {:<5} {:<30} {}\n", p.topology.str(), p.topology.vcpus(),
                 f.fits ? "fits" : "skip", p.purpose, f.fits ? "" : f.reason);
    }
  }
  return 0;
}

}  // namespace

void add_topo_commands(CLI::App& app) {
  auto* topo = app.add_subcommand("topo", "Gauntlet topology presets");
  topo->require_subcommand(1);
  auto* list = topo->add_subcommand("list", "List the gauntlet presets and whether each fits this host");
  auto json = std::make_shared<bool>(false);
  list->add_flag("--json", *json, "One JSON object per line");
  list->callback([json] { command_result() = cmd_topo_list(*json); });
}

}  // namespace ktstr::cli
