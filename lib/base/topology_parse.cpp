// The topology string grammar (README "Topology strings", lib/base/README.md):
//
//   topology := count "n" list "l" list "c" count "t" [ list "m" ]
//   list     := count { "_" count }
//   count    := decimal digits
//
// n: NUMA nodes. l: one number = LLCs in total, spread evenly over the nodes;
// a list = the LLCs of each node. c: one number = cores of every LLC; a list =
// the cores of each LLC, node 0's LLCs first. t: threads per core, the same for
// every core. m (optional): one RAM share per node, 0 = a memoryless node.
// Only letters, digits and '_' appear, so a topology is safe in CTest names,
// labels, regexes and file names.
#include <fmt/ranges.h>

#include <charconv>
#include <numeric>

#include "base/topology.hpp"

namespace ktstr {

namespace {

// Memory shares are ratios; the cap keeps their sum far from overflow.
constexpr int kMaxShare = 1024;

// Reads `list unit` from the front of s.
Result<std::vector<int>> read_field(std::string_view& s, char unit) {
  std::vector<int> values;
  for (;;) {
    int v = 0;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec == std::errc::result_out_of_range) return fail("number too large before '{}'", unit);
    if (ec != std::errc() || p == s.data() || v < 0) return fail("missing number before '{}'", unit);
    s.remove_prefix(static_cast<size_t>(p - s.data()));
    values.push_back(v);
    if (s.empty() || s.front() != '_') break;
    s.remove_prefix(1);
  }
  if (s.empty() || s.front() != unit) return fail("expected '{}' after {}", unit, values.back());
  s.remove_prefix(1);
  return values;
}

Result<int> single(const std::vector<int>& v, char unit, std::string_view why) {
  if (v.size() != 1) return fail("'{}' takes one number ({})", unit, why);
  return v.front();
}

// "3 LLCs over 2 nodes" written as a list, for the error message.
std::string spread_example(int total, int nodes) {
  std::vector<int> v(static_cast<size_t>(nodes), total / nodes);
  for (int n = 0; n < total % nodes; ++n) ++v[static_cast<size_t>(n)];
  return fmt::format("{}", fmt::join(v, "_"));
}

Result<std::vector<int>> node_llcs_of(const std::vector<int>& l, int nodes) {
  for (int v : l)
    if (v > Topology::kMaxVcpus) return fail("{} LLCs exceeds the limit of {} vCPUs", v, Topology::kMaxVcpus);
  if (l.size() > 1) {
    if (static_cast<int>(l.size()) != nodes)
      return fail("'l' lists {} LLC counts for {} nodes (one per node)", l.size(), nodes);
    return l;
  }
  const int total = l.front();
  if (total < 1) return fail("'l' count must be at least 1");
  if (total % nodes != 0)
    return fail("{} LLCs cannot be spread evenly over {} NUMA nodes; list the LLCs of each node instead ({}l)", total,
                nodes, spread_example(total, nodes));
  return std::vector<int>(static_cast<size_t>(nodes), total / nodes);
}

Result<std::vector<int>> llc_cores_of(const std::vector<int>& c, const std::vector<int>& node_llcs) {
  const int llcs = std::accumulate(node_llcs.begin(), node_llcs.end(), 0);
  if (c.size() == 1) return std::vector<int>(static_cast<size_t>(llcs), c.front());
  if (static_cast<int>(c.size()) != llcs)
    return fail("'c' lists {} core counts for {} LLCs (one per LLC, node 0's first)", c.size(), llcs);
  return c;
}

Result<std::vector<int>> memory_of(std::string_view& s, int nodes) {
  if (s.empty()) return std::vector<int>{};
  const std::string_view rest = s;
  auto m = read_field(s, 'm');
  if (!m) return fail("unexpected '{}' after 't' (only a memory field such as 1_0m may follow)", rest);
  for (int v : *m)
    if (v > kMaxShare) return fail("memory share {} is too large (write a small ratio, e.g. 3_1m)", v);
  if (m->size() == 1) return std::vector<int>(static_cast<size_t>(nodes), m->front());
  if (static_cast<int>(m->size()) != nodes)
    return fail("'m' lists {} memory shares for {} nodes (one per node)", m->size(), nodes);
  return *m;
}

Result<Topology> parse_fields(std::string_view s) {
  const int nodes = KTSTR_TRY(single(KTSTR_TRY(read_field(s, 'n')), 'n', "the NUMA node count"));
  const auto l = KTSTR_TRY(read_field(s, 'l'));
  const auto c = KTSTR_TRY(read_field(s, 'c'));
  const int threads = KTSTR_TRY(single(KTSTR_TRY(read_field(s, 't')), 't', "every core has the same SMT width"));
  if (nodes < 1) return fail("'n' count must be at least 1");
  if (nodes > Topology::kMaxVcpus) return fail("{} nodes exceeds the limit of {} vCPUs", nodes, Topology::kMaxVcpus);
  auto node_llcs = KTSTR_TRY(node_llcs_of(l, nodes));
  auto llc_cores = KTSTR_TRY(llc_cores_of(c, node_llcs));
  auto memory = KTSTR_TRY(memory_of(s, nodes));
  if (!s.empty()) return fail("trailing characters '{}'", s);
  return Topology::make(std::move(node_llcs), std::move(llc_cores), threads, std::move(memory));
}

}  // namespace

Result<Topology> Topology::parse(std::string_view s) {
  auto t = parse_fields(s);
  if (!t)
    return fail("invalid topology '{}': {} (expected NnLlCcTt, e.g. 1n2l4c2t; uneven shapes list a field, e.g. "
                "1n2l3_1c1t)",
                s, t.error().message);
  return t;
}

}  // namespace ktstr
