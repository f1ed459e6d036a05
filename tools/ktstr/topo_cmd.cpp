// `ktstr topo list`: prints the gauntlet presets with their vCPU counts and
// whether each fits this host (the same rule ktstr_add_test's discovery uses).
#include <nlohmann/json.hpp>

#include "tools/ktstr/commands.hpp"
#include "host/gauntlet/gauntlet.hpp"

namespace ktstr::cli {

namespace {

nlohmann::json preset_json(const gauntlet::Preset& p, const gauntlet::Fit& f) {
  const Topology& t = p.topology;
  nlohmann::json node_llcs = nlohmann::json::array(), llc_cores = nlohmann::json::array(),
                 memoryless = nlohmann::json::array();
  for (int n = 0; n < t.nodes(); ++n) {
    node_llcs.push_back(t.llcs_of_node(n));
    if (t.memoryless(n)) memoryless.push_back(n);
  }
  for (int k = 0; k < t.llcs(); ++k) llc_cores.push_back(t.cores_of_llc(k));
  return {{"topology", t.str()}, {"vcpus", t.vcpus()},       {"nodes", t.nodes()},
          {"llcs", t.llcs()},    {"node_llcs", node_llcs},   {"llc_cores", llc_cores},
          {"threads", t.threads()}, {"memoryless_nodes", memoryless}, {"fits", f.fits},
          {"reason", f.reason},  {"purpose", p.purpose}};
}

CommandResult cmd_topo_list(bool json) {
  namespace g = ktstr::gauntlet;
  const g::HostBudget host = g::detect_host_budget();
  if (!json)
    fmt::print("host: {} CPUs, {}; presets up to {} vCPUs run\n", host.cpus,
               host.hardware_virt ? "KVM" : "TCG (no hardware virtualization)", host.max_vcpus());
  for (const auto& p : g::presets()) {
    const Topology& t = p.topology;
    const g::Fit f = g::fit(t, host);
    if (json) {
      fmt::print("{}\n", preset_json(p, f).dump());
    } else {
      fmt::print("{:<16} {:>4} vCPUs  {:<8} {:<38} {}\n", t.str(), t.vcpus(), f.fits ? "fits" : "too big",
                 p.purpose, f.reason);
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
