// Runs one registered test inside a doctest::Context in the guest.
#include "guest_runner.hpp"

#include <optional>

#include "registry.hpp"
#include "reporter.hpp"

namespace ktstr::detail {

namespace {

// Handed from run_one_test to the doctest case body (doctest calls the case
// through a plain function pointer, so there is no other channel).
Context* g_ctx = nullptr;
std::optional<Error> g_infra;

struct InfraFailure {
  Error error;
};

}  // namespace

[[noreturn]] void infra_failure(Error e, const char* file, int line) {
  throw InfraFailure{std::move(e).context(fmt::format("{}:{}", file, line))};
}

void run_current(const char* name) {
  const RegisteredTest* t = find_test(name);
  if (!t || !g_ctx) {
    FAIL("ktstr test " << name << " run outside the guest runner");
    return;
  }
  try {
    t->body(*g_ctx);
  } catch (InfraFailure& f) {
    // Not a test failure: the host reports it as an infrastructure error.
    g_infra = std::move(f.error);
  }
}

Result<void> run_one_test(guest::GuestContext& ctx) {
  const std::string& id = ctx.args().test;
  if (!find_test(id)) {
    std::string known;
    for (const auto& t : registered_tests()) known += (known.empty() ? "" : ", ") + t.id;
    return fail("no ktstr test named '{}' in this executable (known: {})", id, known);
  }
  g_ctx = &ctx;
  g_infra.reset();
  set_assertion_sink(&ctx);
  int rc = 0;
  try {
    doctest::Context dc;
    dc.setOption("reporters", kReporterName);
    // doctest filters are wildcard patterns; ids are [A-Za-z0-9_] so the
    // pattern matches this one case exactly.
    dc.setOption("test-case", id.c_str());
    dc.setOption("no-breaks", true);
    dc.setOption("no-version", true);
    rc = dc.run();
  } catch (const std::exception& e) {
    set_assertion_sink(nullptr);
    g_ctx = nullptr;
    return fail("doctest run of {}: {}", id, e.what());
  }
  set_assertion_sink(nullptr);
  g_ctx = nullptr;
  if (g_infra) return std::unexpected(std::move(*g_infra));
  // Failed assertions are already in the telemetry; rc only confirms them.
  if (rc != 0 && ctx.telemetry().assertions.empty())
    ctx.add_assertion({.file = "", .line = 0, .expr = id, .message = "doctest reported failure"});
  return {};
}

}  // namespace ktstr::detail
