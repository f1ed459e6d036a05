// Gauntlet presets: the table's invariants and the host-fit rule.
#include <doctest/doctest.h>

#include <algorithm>
#include <cctype>
#include <functional>
#include <set>

#include "host/gauntlet/gauntlet.hpp"

namespace g = ktstr::gauntlet;

TEST_CASE("presets span 1 to 252 vCPUs, at least 25, sorted, unique") {
  const auto& ps = g::presets();
  REQUIRE(ps.size() >= 25);
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
    // Safe in CTest names, labels, -R regexes and file names.
    for (char c : ps[i].topology.str()) CHECK((std::isalnum(static_cast<unsigned char>(c)) || c == '_'));
  }
}

namespace {

bool any_preset(const std::function<bool(const ktstr::Topology&)>& pred) {
  const auto& ps = g::presets();
  return std::any_of(ps.begin(), ps.end(), [&](const g::Preset& p) { return pred(p.topology); });
}

// Whether value(i) differs from value(0) for some i in 1..count-1.
template <typename F>
bool uneven(int count, F value) {
  for (int i = 1; i < count; ++i)
    if (value(i) != value(0)) return true;
  return false;
}

bool uneven_llcs(const ktstr::Topology& t) {
  return uneven(t.llcs(), [&](int k) { return t.cores_of_llc(k); });
}

bool uneven_nodes(const ktstr::Topology& t) {
  return uneven(t.nodes(), [&](int n) { return t.cpus_of_node(n).size(); });
}

bool uneven_llc_counts(const ktstr::Topology& t) {
  return uneven(t.nodes(), [&](int n) { return t.llcs_of_node(n); });
}

bool has_memoryless(const ktstr::Topology& t) {
  for (int n = 0; n < t.nodes(); ++n)
    if (t.memoryless(n)) return true;
  return false;
}

}  // namespace

TEST_CASE("presets cover the shapes that broke real schedulers") {
  using T = const ktstr::Topology&;
  CHECK(any_preset([](T t) { return t.threads() == 2; }));
  CHECK(any_preset([](T t) { return t.threads() == 4; }));
  CHECK(any_preset([](T t) { return t.llcs() > 1; }));
  CHECK(any_preset([](T t) { return t.nodes() > 1; }));
  CHECK(any_preset([](T t) { return t.max_cores() % 2 == 1 && t.max_cores() > 1; }));
  CHECK(any_preset(uneven_llcs));
  CHECK(any_preset(uneven_nodes));
  CHECK(any_preset(uneven_llc_counts));
  CHECK(any_preset(has_memoryless));
  CHECK(any_preset([](T t) { return t.llcs() % t.nodes() != 0; }));                // LLCs not dividing over nodes
  CHECK(any_preset([](T t) { return t.llcs() >= 16 && t.max_cores() <= 2; }));     // many small LLCs
  CHECK(any_preset([](T t) { return t.vcpus() >= 192 && t.llcs() >= 8; }));        // 192+ CPUs, many LLCs
  // Every new kind of shape also has a preset that fits a 2-CPU TCG host, so
  // the topology checks run it here.
  const g::HostBudget small{.cpus = 2, .hardware_virt = false};
  auto fits_small = [&](bool (*pred)(T)) {
    return any_preset([&](T t) { return pred(t) && g::fit(t, small).fits; });
  };
  CHECK(fits_small(uneven_llcs));
  CHECK(fits_small(uneven_nodes));
  CHECK(fits_small(uneven_llc_counts));
  CHECK(fits_small(has_memoryless));
  CHECK(fits_small([](T t) { return t.threads() == 4; }));
}

TEST_CASE("the 192+ vCPU presets are registered but filtered on a small host, with the reason") {
  const g::HostBudget small{.cpus = 2, .hardware_virt = false};
  int big = 0;
  for (const auto& p : g::presets()) {
    if (p.topology.vcpus() < 192) continue;
    ++big;
    const auto f = g::fit(p.topology, small);
    CHECK_FALSE(f.fits);
    CHECK(f.reason == fmt::format("{} vCPUs > 4 (2 host CPUs x 2 under TCG)", p.topology.vcpus()));
  }
  CHECK(big >= 2);
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
