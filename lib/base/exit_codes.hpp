// Process exit codes shared by the launcher (ktstr-vm), the host CLI and the
// verdict code, so CTest and scripts can tell outcomes apart.
// 77 is CTest's conventional SKIP_RETURN_CODE (and automake's "skipped").
// 70..73 sit in the BSD sysexits range (EX_SOFTWARE = 70) and are kept apart
// from 1 so an infrastructure problem is never mistaken for a scheduler failure.
#pragma once

namespace ktstr {

inline constexpr int kExitPass = 0;      // every check passed
inline constexpr int kExitFail = 1;      // a check failed: the scheduler/test is at fault
inline constexpr int kExitInfra = 70;    // infrastructure error: the verdict is inconclusive
inline constexpr int kExitPanic = 71;    // guest kernel panicked
inline constexpr int kExitTimeout = 72;  // VM did not finish within its timeout
inline constexpr int kExitNoResult = 73; // guest ended without sending a result
// `ktstr run`/`ktstr shell`: the scheduler under test stopped during the run
// (ejected by the kernel, killed, exited), whatever the program returned. Not
// an infrastructure code: the scheduler is at fault.
inline constexpr int kExitSchedulerFailed = 74;
inline constexpr int kExitSkip = 77;     // test skipped (CTest SKIP_RETURN_CODE)
inline constexpr int kExitSignalBase = 128;  // launcher stopped by a signal: 128 + signal number (shell convention)

}  // namespace ktstr
