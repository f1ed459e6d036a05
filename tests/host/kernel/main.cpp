// The shared doctest main: fails a run whose filters selected no test case.
#include "../../support/doctest_main.hpp"
