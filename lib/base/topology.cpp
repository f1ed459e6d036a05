#include "base/topology.hpp"

#include <algorithm>
#include <charconv>

namespace ktstr {

Result<Topology> Topology::parse(std::string_view s) {
  const std::string_view orig = s;
  auto bad = [&](std::string_view why) {
    return fail("invalid topology '{}': {} (expected NnLlCcTt, e.g. 1n2l4c2t)", orig, why);
  };
  int vals[4];
  const char units[4] = {'n', 'l', 'c', 't'};
  for (int i = 0; i < 4; ++i) {
    int v = 0;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || p == s.data()) return bad(fmt::format("missing number before '{}'", units[i]));
    s.remove_prefix(static_cast<size_t>(p - s.data()));
    if (s.empty() || s.front() != units[i]) return bad(fmt::format("expected '{}'", units[i]));
    s.remove_prefix(1);
    if (v <= 0) return bad(fmt::format("'{}' count must be at least 1", units[i]));
    vals[i] = v;
  }
  if (!s.empty()) return bad("trailing characters");
  Topology t{vals[0], vals[1], vals[2], vals[3]};
  if (t.llcs % t.nodes != 0)
    return bad(fmt::format("{} LLCs cannot be spread evenly over {} NUMA nodes", t.llcs, t.nodes));
  if (t.threads > 2) return bad("at most 2 threads per core are supported");
  long total = static_cast<long>(t.llcs) * t.cores * t.threads;
  if (total > kMaxVcpus) return bad(fmt::format("{} vCPUs exceeds the limit of {}", total, kMaxVcpus));
  return t;
}

std::string Topology::str() const { return fmt::format("{}n{}l{}c{}t", nodes, llcs, cores, threads); }

CpuPlace Topology::place(int cpu) const {
  int thread = cpu % threads;
  int core = (cpu / threads) % cores;
  int llc = cpu / (threads * cores);
  return {cpu, llc / llcs_per_node(), llc, core, thread};
}

std::vector<int> Topology::cpus_of_llc(int llc) const {
  std::vector<int> out;
  for (int c = 0; c < vcpus(); ++c)
    if (place(c).llc == llc) out.push_back(c);
  return out;
}

std::vector<int> Topology::cpus_of_node(int node) const {
  std::vector<int> out;
  for (int c = 0; c < vcpus(); ++c)
    if (place(c).node == node) out.push_back(c);
  return out;
}

std::string format_cpu_list(const std::vector<int>& in) {
  std::vector<int> cpus = in;
  std::sort(cpus.begin(), cpus.end());
  cpus.erase(std::unique(cpus.begin(), cpus.end()), cpus.end());
  std::string out;
  for (size_t i = 0; i < cpus.size();) {
    size_t j = i;
    while (j + 1 < cpus.size() && cpus[j + 1] == cpus[j] + 1) ++j;
    if (!out.empty()) out += ',';
    out += j == i ? fmt::format("{}", cpus[i]) : fmt::format("{}-{}", cpus[i], cpus[j]);
    i = j + 1;
  }
  return out;
}

Result<std::vector<int>> parse_cpu_list(std::string_view s) {
  std::vector<int> out;
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.remove_suffix(1);
  const std::string_view orig = s;
  while (!s.empty()) {
    auto comma = s.find(',');
    auto part = s.substr(0, comma);
    int a = 0, b = 0;
    auto [p, ec] = std::from_chars(part.data(), part.data() + part.size(), a);
    if (ec != std::errc()) return fail("invalid CPU list '{}'", orig);
    b = a;
    if (p != part.data() + part.size()) {
      if (*p != '-') return fail("invalid CPU list '{}'", orig);
      auto [p2, ec2] = std::from_chars(p + 1, part.data() + part.size(), b);
      if (ec2 != std::errc() || p2 != part.data() + part.size() || b < a)
        return fail("invalid CPU list '{}'", orig);
    }
    for (int c = a; c <= b; ++c) out.push_back(c);
    if (comma == std::string_view::npos) break;
    s.remove_prefix(comma + 1);
  }
  return out;
}

}  // namespace ktstr
