#include "guest/cpuset_spec.hpp"

#include <algorithm>
#include <charconv>
#include <iterator>

namespace ktstr::guest {
namespace {

Result<int> parse_int(std::string_view s, std::string_view spec) {
  int v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size() || v < 0)
    return fail("cpuset spec '{}': '{}' is not a non-negative number", spec, s);
  return v;
}

// Parses "A/B" into two numbers.
Result<std::pair<int, int>> parse_ratio(std::string_view s, std::string_view spec) {
  auto slash = s.find('/');
  if (slash == std::string_view::npos) return fail("cpuset spec '{}': expected A/B", spec);
  int a = KTSTR_TRY(parse_int(s.substr(0, slash), spec));
  int b = KTSTR_TRY(parse_int(s.substr(slash + 1), spec));
  if (b == 0) return fail("cpuset spec '{}': denominator must be at least 1", spec);
  return std::pair{a, b};
}

Result<std::vector<int>> pick_group(const std::vector<std::vector<int>>& groups, std::string_view arg,
                                    std::string_view what, std::string_view spec) {
  int k = KTSTR_TRY(parse_int(arg, spec));
  if (k >= static_cast<int>(groups.size()))
    return fail("cpuset spec '{}': {} {} out of range (guest has {})", spec, what, k, groups.size());
  return groups[static_cast<size_t>(k)];
}

}  // namespace

Result<std::vector<int>> resolve_cpuset(std::string_view spec, const CpuLayout& layout) {
  const auto& all = layout.cpus;
  const size_t n = all.size();
  if (spec.empty() || spec == "all") return all;
  if (spec.starts_with("not:")) {
    auto inner = KTSTR_TRY(resolve_cpuset(spec.substr(4), layout));
    std::vector<int> rest;
    std::set_difference(all.begin(), all.end(), inner.begin(), inner.end(), std::back_inserter(rest));
    if (rest.empty()) return fail("cpuset spec '{}': leaves no CPU", spec);
    return rest;
  }
  if (spec.starts_with("llc:")) return pick_group(layout.llcs, spec.substr(4), "LLC", spec);
  if (spec.starts_with("node:")) return pick_group(layout.nodes, spec.substr(5), "node", spec);
  if (spec.starts_with("frac:")) {
    auto [a, b] = KTSTR_TRY(parse_ratio(spec.substr(5), spec));
    if (a == 0 || a > b) return fail("cpuset spec '{}': fraction must be in (0, 1]", spec);
    size_t count = std::max<size_t>(1, n * static_cast<size_t>(a) / static_cast<size_t>(b));
    return std::vector<int>(all.begin(), all.begin() + static_cast<long>(count));
  }
  if (spec.starts_with("split:")) {
    auto [k, parts] = KTSTR_TRY(parse_ratio(spec.substr(6), spec));
    if (k >= parts) return fail("cpuset spec '{}': part {} out of range (0..{})", spec, k, parts - 1);
    if (static_cast<size_t>(parts) > n)
      return fail("cpuset spec '{}': cannot split {} CPUs into {} non-empty parts", spec, n, parts);
    // Part k covers [k*n/parts, (k+1)*n/parts): sizes differ by at most one.
    size_t lo = static_cast<size_t>(k) * n / static_cast<size_t>(parts);
    size_t hi = static_cast<size_t>(k + 1) * n / static_cast<size_t>(parts);
    return std::vector<int>(all.begin() + static_cast<long>(lo), all.begin() + static_cast<long>(hi));
  }
  auto list = KTSTR_TRY_CTX(parse_cpu_list(spec), "cpuset spec '{}'", spec);
  if (list.empty()) return fail("cpuset spec '{}': no CPUs", spec);
  for (int c : list)
    if (!std::binary_search(all.begin(), all.end(), c))
      return fail("cpuset spec '{}': CPU {} is not online (online: {})", spec, c, format_cpu_list(all));
  std::sort(list.begin(), list.end());
  return list;
}

}  // namespace ktstr::guest

namespace ktstr::guest {

Result<std::vector<int>> resolve_affinity(std::string_view spec, const std::vector<int>& group_cpus,
                                          const CpuLayout& layout, uint64_t seed) {
  std::vector<int> pool = group_cpus.empty() ? layout.cpus : group_cpus;
  if (pool.empty()) return fail("affinity '{}': no CPUs to choose from", spec);
  if (spec == "random") {
    // A partial Fisher-Yates shuffle with xorshift64 (Marsaglia 2003); seed 0 is its fixed point.
    uint64_t rng = seed * 0x9e3779b97f4a7c15ull + 0x2545f4914f6cdd1dull;
    const size_t want = std::max<size_t>(1, pool.size() / 2);
    for (size_t i = 0; i < want; ++i) {
      rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17;
      std::swap(pool[i], pool[i + rng % (pool.size() - i)]);
    }
    pool.resize(want);
    std::sort(pool.begin(), pool.end());
    return pool;
  }
  auto cpus = KTSTR_TRY(resolve_cpuset(spec, layout));
  std::vector<int> both;
  std::set_intersection(cpus.begin(), cpus.end(), pool.begin(), pool.end(), std::back_inserter(both));
  if (both.empty()) return fail("affinity '{}' shares no CPU with the cgroup's cpuset {}", spec, format_cpu_list(pool));
  return both;
}

}  // namespace ktstr::guest
