// The initramfs for payload mode (`ktstr run`, `ktstr shell`): the guest init
// (ktstr-guest-init) as /init, busybox with its applets on PATH, the program
// and the optional scheduler with their library closures, and extra files.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "base/error.hpp"
#include "initramfs/initramfs.hpp"

namespace ktstr::payload {

// Guest directory holding busybox applet links; last on the guest's PATH so
// real binaries shipped in the archive win.
inline constexpr std::string_view kAppletDir = "/ktstr/bin";
// Where the scheduler binary lands in the guest (under its own file name).
inline constexpr std::string_view kSchedulerDir = "/ktstr/sched";

struct PayloadInputs {
  std::filesystem::path guest_init;            // ktstr-guest-init on the host
  std::optional<std::filesystem::path> program;  // host path of the payload; nullopt: shell only
  std::optional<std::filesystem::path> scheduler;
  std::vector<std::pair<std::filesystem::path, std::string>> files;  // SRC, DST
};

// Locates ktstr-guest-init: $KTSTR_GUEST_INIT, next to the running binary, or
// <prefix>/libexec/ktstr/ relative to it.
Result<std::filesystem::path> find_guest_init();

// Resolves a program name like a shell would (PATH search for bare names).
Result<std::filesystem::path> resolve_program(const std::string& name);

// Guest path of a scheduler binary.
inline std::string scheduler_guest_path(const std::filesystem::path& host) {
  return std::string(kSchedulerDir) + "/" + host.filename().string();
}

// Guest path of a program or file given by host path: the same path, except
// under /tmp, which the guest mounts a fresh tmpfs over (it would hide them).
inline std::string guest_path(const std::filesystem::path& host) {
  const std::string h = host.string();
  return h.starts_with("/tmp/") ? "/ktstr/root" + h : h;
}

// Builds the archive spec. Fails if busybox-static is missing (names the package).
Result<initramfs::Spec> payload_spec(const PayloadInputs& in);

}  // namespace ktstr::payload
