// The main() of every doctest unit-test executable. Include it from exactly
// one source file per executable (its main.cpp).
//
// CTest runs each discovered case as `EXE --test-case=NAME`. A name that
// CTest or doctest splits (a ';' ends a CTest list item, a ',' separates
// doctest filters) selects no case at all, and a plain doctest main then
// exits 0: a test that ran nothing would pass. This main fails such a run.
#pragma once

#define DOCTEST_CONFIG_IMPLEMENT
#include <doctest/doctest.h>

#include <cstdio>

namespace ktstr::testing {

inline unsigned g_cases_selected = 0;

// Records how many test cases passed the command line's filters.
struct SelectedCount : doctest::IReporter {
  explicit SelectedCount(const doctest::ContextOptions&) {}
  void report_query(const doctest::QueryData&) override {}
  void test_run_start() override {}
  void test_run_end(const doctest::TestRunStats& s) override { g_cases_selected = s.numTestCasesPassingFilters; }
  void test_case_start(const doctest::TestCaseData&) override {}
  void test_case_reenter(const doctest::TestCaseData&) override {}
  void test_case_end(const doctest::CurrentTestCaseStats&) override {}
  void test_case_exception(const doctest::TestCaseException&) override {}
  void subcase_start(const doctest::SubcaseSignature&) override {}
  void subcase_end() override {}
  void log_assert(const doctest::AssertData&) override {}
  void log_message(const doctest::MessageData&) override {}
  void test_case_skipped(const doctest::TestCaseData&) override {}
};
REGISTER_LISTENER("ktstr_selected_count", 1, SelectedCount);

}  // namespace ktstr::testing

int main(int argc, char** argv) {
  doctest::Context context(argc, argv);
  const int rc = context.run();
  if (context.shouldExit()) return rc;  // --help, --list-test-cases, ...
  if (rc == 0 && ktstr::testing::g_cases_selected == 0) {
    std::fprintf(stderr,
                 "no test case matched the filters: a test name with ';' or ',' is split by CTest or doctest "
                 "(rename it)\n");
    return 1;
  }
  return rc;
}
