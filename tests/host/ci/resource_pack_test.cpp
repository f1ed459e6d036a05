// VMs packed on one host by CTest's resource allocation: discovers
// pack_sample's entries with the real cmake/KtstrDiscover.cmake, writes the
// spec with `ktstr resources`, runs `ctest -j 8 --resource-spec-file`, and
// checks the intervals a recorder wrapped around each entry logged (start,
// end, the CPU ids from CTEST_RESOURCE_GROUP_<i>_CPUS):
//   synthetic  a 4-CPU budget, entries of 1,1,2,4,8 vCPUs sleeping 2 s
//              instead of booting (label unit)
//   vm         this host's CPUs, the real launcher booting the 1,1,2,4-vCPU
//              entries (label vm; skip 77 without a kernel)
// Usage: resource_pack_test synthetic|vm [doctest options]
#define DOCTEST_CONFIG_IMPLEMENT
#include <doctest/doctest.h>
#include <unistd.h>

#include <map>
#include <set>

#include "base/exit_codes.hpp"
#include "pack_run.hpp"
#include "test_env.hpp"

namespace fs = std::filesystem;
using ktstr::packtest::Record;

namespace {

struct Mode {
  bool vm = false;
  std::optional<fs::path> kernel;
};
Mode g_mode;

// vCPUs of each pack_sample test (its KTSTR_TEST topologies).
const std::map<std::string, int> kVcpus = {{"one_a", 1}, {"one_b", 1}, {"two", 2}, {"four", 4}, {"eight", 8}};

// The records running at r's start (r included): the instants where the
// load can peak are the starts.
std::vector<const Record*> running_at_start_of(const Record& r, const std::vector<Record>& recs) {
  std::vector<const Record*> out;
  for (const auto& o : recs)
    if (o.start <= r.start && r.start < o.end) out.push_back(&o);
  return out;
}

struct Peak {
  int cpus = 0;     // most CPUs held at once (each entry: its vCPUs capped to the host)
  int entries = 0;  // most entries running at once
};

Peak peak(const std::vector<Record>& recs, int host_cpus) {
  Peak p;
  for (const auto& r : recs) {
    const auto running = running_at_start_of(r, recs);
    int held = 0;
    for (const auto* o : running) held += std::min(kVcpus.at(o->name), host_cpus);
    p.cpus = std::max(p.cpus, held);
    p.entries = std::max(p.entries, static_cast<int>(running.size()));
  }
  return p;
}

// Entries running at once were given different CPUs.
void check_disjoint_ids(const std::vector<Record>& recs) {
  for (const auto& r : recs) {
    std::set<int> held;
    for (const auto* o : running_at_start_of(r, recs))
      for (int id : o->ids) CHECK_MESSAGE(held.insert(id).second, r.name << " started while CPU " << id << " was held");
  }
}

void check_run(const std::vector<Record>& recs, int cpus, const std::set<std::string>& expected) {
  std::set<std::string> seen;
  for (const auto& r : recs) {
    INFO(r.name);
    CHECK(seen.insert(r.name).second);
    CHECK(static_cast<int>(r.ids.size()) == std::min(kVcpus.at(r.name), cpus));
    for (int id : r.ids) CHECK((id >= 0 && id < cpus));
    MESSAGE(r.name << ": " << r.start - recs.front().start << " .. " << r.end - recs.front().start << " s, "
                   << r.ids.size() << " CPUs");
  }
  CHECK(seen == expected);
  check_disjoint_ids(recs);
  const Peak p = peak(recs, cpus);
  MESSAGE("peak: " << p.cpus << " CPUs held by " << p.entries << " entries at once (host " << cpus << ")");
  CHECK(p.cpus <= cpus);
  CHECK(p.entries >= 2);  // two 1-vCPU entries fit together: packing, not serial
}

}  // namespace

TEST_CASE("synthetic 4-CPU budget: 1,1,2,4,8-vCPU entries overlap, never more than 4 CPUs held") {
  if (g_mode.vm) return;
  auto run = ktstr::packtest::run_packed({.host_cpus = 4, .synthetic = true, .sleep_s = 2});
  REQUIRE_MESSAGE(run, (run ? "" : run.error().message));
  check_run(*run, 4, {"one_a", "one_b", "two", "four", "eight"});
}

TEST_CASE("control: without the spec, ctest -j 8 runs them all at once and oversubscribes") {
  if (g_mode.vm) return;
  auto run = ktstr::packtest::run_packed({.host_cpus = 4, .synthetic = true, .sleep_s = 2, .use_spec = false});
  REQUIRE_MESSAGE(run, (run ? "" : run.error().message));
  const Peak p = peak(*run, 4);
  MESSAGE("without the spec: " << p.cpus << " CPUs held by " << p.entries << " entries at once");
  CHECK(p.cpus > 4);
}

TEST_CASE("this host, real VMs: 1,1,2,4-vCPU entries packed on the host's CPUs") {
  if (!g_mode.vm) return;
  const int cpus = static_cast<int>(::sysconf(_SC_NPROCESSORS_ONLN));
  auto run = ktstr::packtest::run_packed({.host_cpus = cpus, .exclude = "eight", .kernel = *g_mode.kernel});
  REQUIRE_MESSAGE(run, (run ? "" : run.error().message));
  check_run(*run, cpus, {"one_a", "one_b", "two", "four"});
}

int main(int argc, char** argv) {
  if (argc < 2 || (std::string(argv[1]) != "synthetic" && std::string(argv[1]) != "vm")) {
    fmt::print(stderr, "usage: resource_pack_test synthetic|vm [doctest options]\n");
    return 2;
  }
  g_mode.vm = std::string(argv[1]) == "vm";
  if (g_mode.vm) {
    g_mode.kernel = ktstr::vmmtest::find_kernel();
    if (!g_mode.kernel) return ktstr::report_failure("resource_pack_test", "skip: no kernel (set KTSTR_KERNEL)", 77);
  }
  doctest::Context ctx(argc - 1, argv + 1);
  return ctx.run();
}
