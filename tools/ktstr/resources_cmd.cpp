// `ktstr resources [--out FILE] [--cpus N]`: the CTest resource-spec file for
// this host (lib/host/ci/resource_spec.hpp), for
// `ctest -j N --resource-spec-file FILE`.
#include <memory>

#include "base/fd.hpp"
#include "host/ci/resource_spec.hpp"
#include "tools/ktstr/commands.hpp"

namespace ktstr::cli {

namespace {

struct ResourcesArgs {
  std::string out;
  int cpus = 0;  // 0: the detected CPUs
};

CommandResult cmd_resources(const ResourcesArgs& a) {
  const std::vector<int> cpus = a.cpus > 0 ? ci::first_cpus(a.cpus) : KTSTR_TRY(ci::detect_host_cpus());
  const std::string doc = ci::resource_spec(cpus).dump(2) + "\n";
  if (a.out.empty()) {
    fmt::print("{}", doc);
    return 0;
  }
  KTSTR_TRY_CTX(write_file_atomic(a.out, doc), "writing the resource spec {}", a.out);
  fmt::print(stderr, "ktstr: resource spec for {} CPUs written to {} (ctest -j N --resource-spec-file {})\n",
             cpus.size(), a.out, a.out);
  return 0;
}

}  // namespace

void add_resources_commands(CLI::App& app) {
  auto a = std::make_shared<ResourcesArgs>();
  auto* c = app.add_subcommand("resources", "Write a CTest resource-spec file describing this host's CPUs");
  c->add_option("--out", a->out, "Write the spec here (atomically) instead of stdout");
  c->add_option("--cpus", a->cpus, "Describe CPUs 0..N-1 instead of this process's CPUs (a smaller budget)")
      ->check(CLI::Range(1, 4096));
  c->callback([a] { command_result() = cmd_resources(*a); });
}

}  // namespace ktstr::cli
