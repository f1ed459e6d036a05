// The preset table is written down twice outside presets.cpp: README.md's
// "Gauntlet presets" table and the topology cases of tests/vmm (each preset a
// 2-CPU TCG host runs is booted there and its guest sysfs compared). These
// tests keep both complete when a preset is added or renamed.
#include <doctest/doctest.h>

#include <filesystem>
#include <fmt/format.h>

#include "base/fd.hpp"
#include "host/gauntlet/gauntlet.hpp"

namespace g = ktstr::gauntlet;

namespace {

std::string source_file(const char* relative) {
  auto text = ktstr::read_file(std::filesystem::path(KTSTR_SOURCE_DIR) / relative);
  REQUIRE_MESSAGE(text, relative, " is unreadable");
  return *text;
}

}  // namespace

TEST_CASE("README's preset table has one row per preset: topology, vCPUs, purpose") {
  const std::string readme = source_file("README.md");
  for (const auto& p : g::presets()) {
    const std::string row = fmt::format("| `{}` | {} | {} |", p.topology.str(), p.topology.vcpus(), p.purpose);
    CAPTURE(row);
    CHECK(readme.find(row) != std::string::npos);
  }
}

TEST_CASE("every preset a 2-CPU TCG host runs is a VM topology case") {
  const std::string cases = source_file("tests/vmm/CMakeLists.txt");
  const g::HostBudget small{.cpus = 2, .hardware_virt = false};
  int checked = 0;
  for (const auto& p : g::presets()) {
    if (!g::fit(p.topology, small).fits) continue;
    const std::string entry = fmt::format("\"topology {}\"", p.topology.str());
    CAPTURE(entry);
    CHECK(cases.find(entry) != std::string::npos);
    ++checked;
  }
  CHECK(checked >= 13);
}
