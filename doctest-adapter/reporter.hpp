// The doctest reporter that runs inside the guest: turns failed assertions
// and escaped exceptions into AssertionTelemetry on the current context, so
// they reach the host (file:line) with the run's telemetry, and echoes each
// to the console as it happens.
#pragma once

#include "ktstr/doctest.hpp"

namespace ktstr::detail {

// The context assertions are recorded on while a case runs (nullptr outside).
void set_assertion_sink(Context* ctx);

// Name the reporter is registered under ("ktstr").
inline constexpr const char* kReporterName = "ktstr";

}  // namespace ktstr::detail
