// The host-side monitor in the failure report: what every guest CPU held at
// the monitor's last sample (for a timeout or panic, the guest's end state).
#pragma once

#include <string>

#include "base/monitor.hpp"

namespace ktstr::verdict {

// One line about the sampling, then one line per CPU of the last sample,
// no trailing newline; "no samples: <why>" without samples; empty for a
// log that was never filled (a run from before the monitor existed).
std::string last_sample_text(const MonitorLog& log);

// One CPU: "cpu 0: 3 runnable (2 sched_ext), running 412 spin, 2 waiting
// (allowed on 0-3), oldest sched_ext wait 40 ms, rq clock 12.345678 s".
std::string cpu_sample_line(size_t cpu, const CpuSample& c);

}  // namespace ktstr::verdict
