// The gauntlet preset table. Each row exercises one shape a scheduler gets
// wrong in practice: SMT siblings, several LLCs per node, several nodes,
// uneven (non power of two) core counts, and sheer width.
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
      make("1n1l3c1t", "odd core count"),
      make("1n1l2c2t", "SMT siblings"),
      make("1n2l2c1t", "two LLCs"),
      make("2n2l2c1t", "two NUMA nodes"),
      make("1n2l2c2t", "two LLCs with SMT"),
      make("1n4l2c1t", "many small LLCs"),
      make("2n4l2c2t", "NUMA, LLCs and SMT"),
      make("1n2l4c2t", "wide LLCs with SMT"),
      make("2n4l4c2t", "32 vCPUs"),
      make("4n8l4c2t", "64 vCPUs, four nodes"),
      make("2n8l8c2t", "128 vCPUs"),
      make("2n6l21c2t", "252 vCPUs, uneven LLC width"),
  };
  return kPresets;
}

}  // namespace ktstr::gauntlet
