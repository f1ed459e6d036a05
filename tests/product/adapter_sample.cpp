// A test executable built with the doctest adapter, for host-side checks of
// --ktstr-list and of the discovery script (check_discovery.cmake). Its
// bodies never run on the host.
#include <ktstr/doctest.hpp>

KTSTR_SCHEDULER(sample_sched, {.name = "sample", .binary = "scx_sample", .args = {"-l"},
                               .thresholds = {{"max_gap_ms", 500}}, .attach_timeout_s = 45});

KTSTR_TEST(plain_eevdf, {}) { CHECK(ctx.layout().cpus.size() > 0); }

KTSTR_TEST(with_sched, {.topology = {2, 4, 2, 2},
                        .memory_mib = 512,
                        .duration = std::chrono::seconds(10),
                        .scheduler = &sample_sched,
                        .sched_args = {"-v"},
                        .thresholds = {{"isolation", true}},
                        .gauntlet = true,
                        .labels = {"extra"}}) {}

KTSTR_TEST(expected_to_fail, {.topology = "1n1l1c1t", .scheduler = &sample_sched, .expect_fail = "stall",
                               .attach_timeout_s = 120}) {}

KTSTR_TEST(ab_vs_eevdf, {.duration = std::chrono::seconds(4), .scheduler = &sample_sched, .baseline = "eevdf"}) {}

KTSTR_TEST(ab_vs_sched, {.baseline = &sample_sched}) {}

// An uneven shape (LLCs of 3 and 1 cores on two nodes, node 1 memoryless),
// written in a non-canonical form: the listing and names use the canonical one.
KTSTR_TEST(uneven_shape, {.topology = "2n1_1l3_1c1t2_0m"}) {}
