// Where a run's wall time went, phase by phase: host clocks for what the host
// does and sees (prepare, first frame, exit frame, VM gone, verdict) and the
// guest's own clock for what happens inside (kernel init until PID 1's hello,
// the run's start, scheduler attach, the scenario's steps). The split goes in
// the sidecar and is printed with --verbose.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/telemetry.hpp"

namespace ktstr::verdict {

struct Phase {
  std::string name;
  double seconds = 0;
};

// The clocks of one run. Host times are seconds from the engine's launch
// unless said otherwise; -1 means the moment never came.
struct RunClock {
  double prepare_s = 0;        // run_vm called -> engine launched (initrd, memory, engine setup)
  double first_frame_s = -1;   // launch -> the guest runtime's hello frame
  double exit_frame_s = -1;    // launch -> the guest's exit frame
  double wall_s = 0;           // launch -> VM gone
  double verdict_s = 0;        // VM gone -> verdict written
  double hello_uptime_s = -1;  // guest uptime at the hello: kernel boot until PID 1 ran
};

// The phases, in order, each only when its clocks exist:
//   host_prepare      prepare_s
//   vmm_boot          first_frame_s - hello_uptime_s: VMM start, firmware, decompressor
//   kernel_init       hello_uptime_s
//   guest_init        run start - hello (mounts, channel, topology check)
//   baseline          an A/B run's baseline phase: its start -> its end (the
//                     baseline's own attach and scenarios; RunTelemetry.baseline)
//   scheduler_attach  "started" -> "enabled" events
//   scenario          first step start -> last step end (the scheduler phase)
//   run_other         the rest of the run (workers, scheduler stop, telemetry)
//   guest_exit        run end -> exit frame on the host
//   shutdown          exit frame -> VM gone
//   verdict           verdict_s
// `tel` may be null (a payload run: no run telemetry).
std::vector<Phase> split_phases(const RunClock& clock, const RunTelemetry* tel);

// "host_prepare 0.12 s, vmm_boot 0.40 s, ..." on one line.
std::string format_phases(const std::vector<Phase>& phases);

NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(Phase, name, seconds)

}  // namespace ktstr::verdict
