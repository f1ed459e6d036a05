// The schedulers these tests run, declared once.
#pragma once

#include <ktstr/doctest.hpp>

// scx_wvt with one shared vtime queue; fairness between spinners of a cgroup
// is part of its contract, so the spread check is on by default.
KTSTR_SCHEDULER(wvt, {.name = "scx_wvt", .binary = "scx_wvt", .args = {}, .thresholds = {{"not_starved", true}}});

// scx_wvt with one queue per LLC. Queues balance only at enqueue (and by
// stealing when a CPU runs dry), so spinners of one cgroup on different LLCs
// drift apart more than under one shared queue: measured 8-24 pp spread on
// 1n2l2c1t on the shared TCG host, hence a 30 pp promise instead of 15.
KTSTR_SCHEDULER(wvt_llc, {.name = "scx_wvt_llc", .binary = "scx_wvt", .args = {"-l"},
                          .thresholds = {{"not_starved", true}, {"max_spread_pct", 30}}});

// The kernel tree's example scheduler (tools/sched_ext/scx_simple.c).
KTSTR_SCHEDULER(simple, {.name = "scx_simple", .binary = "scx_simple"});
