#include "guest/measure.hpp"

namespace ktstr::guest {

std::vector<int> CpuMask::list() const {
  std::vector<int> out;
  for (int c = 0; c < kMaxCpus; ++c)
    if (test(c)) out.push_back(c);
  return out;
}

}  // namespace ktstr::guest
