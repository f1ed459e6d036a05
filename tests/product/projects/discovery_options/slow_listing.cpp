// Makes --ktstr-list slow: sleeps $KTSTR_TEST_SLOW_LIST seconds while the
// executable starts, so DISCOVERY_TIMEOUT has something to cut off.
#include <unistd.h>

#include <cstdlib>

namespace {

[[maybe_unused]] const int kSlowStart = [] {
  if (const char* s = std::getenv("KTSTR_TEST_SLOW_LIST")) ::sleep(static_cast<unsigned>(std::atoi(s)));
  return 0;
}();

}  // namespace
