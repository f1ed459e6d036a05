// The nested rig's PID 1 (nested_check.cpp) and its diagnostic modes
// (rig_modes.cpp) share these: console result lines, the VM config of one
// check, and one boot through run_vm.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "vmm/vm.hpp"

namespace ktstr::rig {

// One console line (stdout is the rig host's console).
void say(const std::string& line);

// "RIG: PASS|FAIL <id> <what>", counted for the closing "RIG: done" line.
void verdict(bool ok, const std::string& id, const std::string& what);

// Checks passed and failed so far.
int passed();
int failed();

// A run of the probe initramfs on `topo` with guest arguments `args`.
vmm::VmConfig config(const std::string& topo, std::vector<std::string> args, vmm::Engine engine, int timeout_s = 300,
                     const char* kernel = "/ktstr/bzImage");

// Runs one VM; a launch failure is reported as a failure of check id.
std::optional<vmm::VmOutcome> boot(const vmm::VmConfig& c, const vmm::FrameSink& sink, const std::string& id,
                                   const std::string& what);

// The modes of rig_modes.cpp ("ktstr.rig=bench|profile|flood", and bench(2)
// inside the full rig).
void bench(int rounds);
void profile();
void flood(int rounds);

}  // namespace ktstr::rig
