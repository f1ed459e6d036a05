// The guest side of the test executable: the GuestHooks body that runs
// exactly one registered test inside doctest.
#pragma once

#include "guest/guest_run.hpp"

namespace ktstr::detail {

// Runs the test named ctx.args().test through doctest (filtered to that one
// case, reporter "ktstr"). Failed assertions land in ctx's telemetry; an
// unknown test or a KTSTR_REQUIRE_OK failure is returned as an error
// (infrastructure). Never throws.
Result<void> run_one_test(guest::GuestContext& ctx);

}  // namespace ktstr::detail
