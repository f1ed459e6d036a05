// Test executable for the resource-packing test (resource_pack_test.cpp):
// entries of 1, 1, 2, 4 and 8 vCPUs whose bodies check the guest got them.
#include <ktstr/doctest.hpp>

KTSTR_TEST(one_a, {.topology = "1n1l1c1t"}) { CHECK(ctx.layout().cpus.size() == 1); }
KTSTR_TEST(one_b, {.topology = "1n1l1c1t"}) { CHECK(ctx.layout().cpus.size() == 1); }
KTSTR_TEST(two, {.topology = "1n1l2c1t"}) { CHECK(ctx.layout().cpus.size() == 2); }
KTSTR_TEST(four, {.topology = "1n1l4c1t"}) { CHECK(ctx.layout().cpus.size() == 4); }
KTSTR_TEST(eight, {.topology = "1n2l4c1t"}) { CHECK(ctx.layout().cpus.size() == 8); }
