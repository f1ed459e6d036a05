// Gauntlet presets: the table's invariants and the host-fit rule.
#include <doctest/doctest.h>

#include <set>

#include "host/gauntlet/gauntlet.hpp"

namespace g = ktstr::gauntlet;

TEST_CASE("presets span 1 to 252 vCPUs, at least 12, sorted, unique") {
  const auto& ps = g::presets();
  REQUIRE(ps.size() >= 12);
  CHECK(ps.front().topology.vcpus() == 1);
  CHECK(ps.back().topology.vcpus() == ktstr::Topology::kMaxVcpus);
  std::set<std::string> names;
  for (size_t i = 0; i < ps.size(); ++i) {
    CHECK(names.insert(ps[i].topology.str()).second);
    if (i > 0) CHECK(ps[i - 1].topology.vcpus() <= ps[i].topology.vcpus());
    // Round-trips through the parser: CTest names embed the string.
    auto back = ktstr::Topology::parse(ps[i].topology.str());
    REQUIRE(back);
    CHECK(*back == ps[i].topology);
    CHECK(!ps[i].purpose.empty());
  }
}

TEST_CASE("presets cover SMT, multi-LLC, multi-node and odd widths") {
  bool smt = false, llcs = false, nodes = false, odd = false;
  for (const auto& p : g::presets()) {
    smt |= p.topology.threads > 1;
    llcs |= p.topology.llcs > 1;
    nodes |= p.topology.nodes > 1;
    odd |= p.topology.cores % 2 == 1 && p.topology.cores > 1;
  }
  CHECK(smt);
  CHECK(llcs);
  CHECK(nodes);
  CHECK(odd);
}

TEST_CASE("fit: TCG allows 2 vCPUs per host CPU, KVM 8") {
  auto t8 = *ktstr::Topology::parse("1n1l2c2t");  // 4 vCPUs
  auto t16 = *ktstr::Topology::parse("1n2l4c2t");
  g::HostBudget tcg{.cpus = 2, .hardware_virt = false};
  g::HostBudget kvm{.cpus = 2, .hardware_virt = true};
  CHECK(g::fit(t8, tcg).fits);
  auto no = g::fit(t16, tcg);
  CHECK_FALSE(no.fits);
  CHECK(no.reason.find("16 vCPUs > 4") != std::string::npos);
  CHECK(no.reason.find("TCG") != std::string::npos);
  CHECK(g::fit(t16, kvm).fits);
}

TEST_CASE("detect_host_budget sees at least one CPU") {
  auto h = g::detect_host_budget();
  CHECK(h.cpus >= 1);
  // The 1-vCPU preset fits every host: a gauntlet never filters everything.
  CHECK(g::fit(g::presets().front().topology, h).fits);
}
