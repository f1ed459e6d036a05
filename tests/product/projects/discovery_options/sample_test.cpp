// Two tests for the discovery checks; their bodies never run (no VM here).
#include <ktstr/doctest.hpp>

KTSTR_TEST(first, {}) { CHECK(ctx.layout().cpus.size() > 0); }

KTSTR_TEST(second, {.topology = "1n2l1c1t"}) { CHECK(ctx.layout().cpus.size() == 2); }
