// The cold kernel build, in order: source -> configure + verify -> bzImage
// -> headers -> libbpf -> bpftool -> schedulers -> scratch removed. Runs
// inside build_once's temp dir, which becomes the cache entry.
#pragma once

#include <filesystem>
#include <string>

#include "base/error.hpp"
#include "host/kernel/kconfig_spec.hpp"
#include "host/kernel/logged_command.hpp"
#include "host/kernel/manifest.hpp"

namespace ktstr::kernel {

struct PipelineInput {
  std::filesystem::path tarball;     // set: extract this archive first
  std::filesystem::path source_dir;  // set (and tarball empty): build this tree, left untouched
  std::string source_label;          // manifest "source"
  std::string source_digest;         // manifest "source_digest"
  std::filesystem::path failed_log;  // where build.log is kept when the build fails
  // An existing out-of-tree build (O=) of the same source path to copy in
  // first: kbuild then recompiles only what differs (incremental rebuild of
  // a developer's tree). Empty: a cold build.
  std::filesystem::path reuse_build;
  KconfigSpec kconfig = base_kconfig();  // merged over tinyconfig
  Progress progress;
  int jobs = 0;                      // 0: one per online CPU
};

// Builds into entry_dir; on failure copies the log to input.failed_log and
// returns an error carrying the log's tail and path.
Result<Manifest> run_pipeline(const PipelineInput& input, const std::filesystem::path& entry_dir);

}  // namespace ktstr::kernel
