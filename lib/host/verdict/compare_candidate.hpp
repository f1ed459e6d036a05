// `ktstr stats compare`: the candidate side (B) must hold a usable run of every
// variant the baseline (A) has. A regression gate that compares nothing
// cannot say "no regression": a variant B lacks, a B run without telemetry,
// or a B verdict that failed, was inconclusive or skipped (where A's did not)
// each trips the gate with its own line.
#pragma once

#include <optional>
#include <string>

#include "host/verdict/sidecar.hpp"

namespace ktstr::verdict {

// What is wrong with B's run of a variant, given A's run of it (b == nullptr:
// B has none); nullopt when B's run can be compared.
std::optional<std::string> candidate_fault(const Sidecar& a, const Sidecar* b);

}  // namespace ktstr::verdict
