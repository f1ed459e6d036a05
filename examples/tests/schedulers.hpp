// The schedulers these tests run, declared once.
#pragma once

#include <ktstr/doctest.hpp>

// scx_wvt with one shared vtime queue; fairness between spinners of a cgroup
// is part of its contract, so the spread check is on by default.
KTSTR_SCHEDULER(wvt, {.name = "scx_wvt", .binary = "scx_wvt", .args = {}, .thresholds = {{"not_starved", true}}});

// scx_wvt with one queue per LLC (balanced at enqueue, idle CPUs steal).
// Its tests run A/B against EEVDF, so not_starved holds it to the default
// spread over that baseline, like the shared-queue layout.
KTSTR_SCHEDULER(wvt_llc, {.name = "scx_wvt_llc", .binary = "scx_wvt", .args = {"-l"},
                          .thresholds = {{"not_starved", true}}});

// The kernel tree's example scheduler (tools/sched_ext/scx_simple.c).
KTSTR_SCHEDULER(simple, {.name = "scx_simple", .binary = "scx_simple"});
