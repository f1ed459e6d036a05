// doctest IReporter implementation (doctest 2.4 reporter interface, see
// doctest/doctest.h "struct IReporter").
#include "reporter.hpp"

#include <fmt/format.h>

#include <mutex>
#include <string>

namespace ktstr::detail {

namespace {

std::mutex g_mu;
Context* g_sink = nullptr;

void record(AssertionTelemetry a) {
  std::lock_guard lock(g_mu);
  fmt::print(stderr, "ktstr: {}:{}: {} {}\n", a.file, a.line, a.expr, a.message);
  if (g_sink) g_sink->add_assertion(std::move(a));
}

class KtstrReporter : public doctest::IReporter {
 public:
  explicit KtstrReporter(const doctest::ContextOptions&) {}

  void log_assert(const doctest::AssertData& ad) override {
    if (!ad.m_failed) return;
    std::string message = ad.m_threw ? fmt::format("threw: {}", ad.m_exception.c_str())
                                     : fmt::format("values: {}", ad.m_decomp.c_str());
    record({.file = ad.m_file, .line = ad.m_line, .expr = ad.m_expr, .message = std::move(message)});
  }
  void log_message(const doctest::MessageData& md) override {
    // FAIL()/FAIL_CHECK() and WARN: only failures matter to the verdict.
    if (!(md.m_severity & doctest::assertType::is_warn))
      record({.file = md.m_file, .line = md.m_line, .expr = "FAIL", .message = md.m_string.c_str()});
  }
  void test_case_exception(const doctest::TestCaseException& e) override {
    record({.file = "", .line = 0, .expr = "exception", .message = e.error_string.c_str()});
  }

  void report_query(const doctest::QueryData&) override {}
  void test_run_start() override {}
  void test_run_end(const doctest::TestRunStats&) override {}
  void test_case_start(const doctest::TestCaseData&) override {}
  void test_case_reenter(const doctest::TestCaseData&) override {}
  void test_case_end(const doctest::CurrentTestCaseStats&) override {}
  void subcase_start(const doctest::SubcaseSignature&) override {}
  void subcase_end() override {}
  void test_case_skipped(const doctest::TestCaseData&) override {}
};

}  // namespace

void set_assertion_sink(Context* ctx) {
  std::lock_guard lock(g_mu);
  g_sink = ctx;
}

}  // namespace ktstr::detail

DOCTEST_REGISTER_REPORTER("ktstr", 0, ktstr::detail::KtstrReporter);
