// The gauntlet preset table. Each row exercises one shape a scheduler gets
// wrong in practice: SMT siblings (2 and 4 wide), several LLCs per node,
// several nodes, odd core counts, LLCs of different sizes, nodes with
// different CPU counts or LLC counts, a memoryless node, many small LLCs,
// and sheer width.
#include "host/gauntlet/gauntlet.hpp"

#include <cstdlib>

namespace ktstr::gauntlet {

namespace {

Preset make(std::string_view topo, std::string_view purpose) {
  auto t = Topology::parse(topo);
  // The table is a compile-time constant in spirit; an invalid row is a
  // programming error caught by tests/host/gauntlet, never by a user.
  if (!t) std::abort();
  return {*t, purpose};
}

}  // namespace

const std::vector<Preset>& presets() {
  static const std::vector<Preset> kPresets = {
      make("1n1l1c1t", "uniprocessor"),
      make("1n1l2c1t", "two cores, one LLC"),
      make("2n2_1l1c1t", "3 LLCs over 2 nodes (2+1)"),
      make("1n1l3c1t", "odd core count"),
      make("1n1l2c2t", "SMT siblings"),
      make("1n1l1c4t", "SMT-4: four threads per core"),
      make("1n2l2c1t", "two LLCs"),
      make("1n4l1c1t", "four single-CPU LLCs"),
      make("1n2l3_1c1t", "uneven LLCs: 3 cores and 1"),
      make("2n2l2c1t", "two NUMA nodes"),
      make("2n2l3_1c1t", "nodes of 3 CPUs and 1"),
      make("2n2l2c1t1_0m", "memoryless NUMA node"),
      make("2n1_2l2_1_1c1t", "node 0: one LLC of 2; node 1: two LLCs of 1"),
      make("1n2l2c2t", "two LLCs with SMT"),
      make("1n4l2c1t", "many small LLCs"),
      make("2n4l2c2t", "NUMA, LLCs and SMT"),
      make("1n2l2c4t", "two LLCs of SMT-4 cores"),
      make("1n2l4c2t", "wide LLCs with SMT"),
      make("1n4l4_4_3_3c2t", "28 vCPUs, LLCs with disabled cores"),
      make("2n4l4c2t", "32 vCPUs"),
      make("2n3_2l4c2t", "40 vCPUs, 5 LLCs over 2 nodes (3+2)"),
      make("4n8l4c2t", "64 vCPUs, four nodes"),
      make("2n32l2c1t", "64 vCPUs, 32 small LLCs"),
      make("2n8l8c2t", "128 vCPUs"),
      make("4n12l8c2t", "192 vCPUs, 12 LLCs over 4 nodes"),
      make("2n6l21c2t", "252 vCPUs (the limit), 21-core LLCs"),
  };
  return kPresets;
}

}  // namespace ktstr::gauntlet
