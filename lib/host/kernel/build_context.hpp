// Shared state of one kernel build in its temp dir, passed to each step of
// the pipeline (pipeline.cpp lists the steps in order).
#pragma once

#include <filesystem>
#include <string>

#include "base/error.hpp"
#include "host/kernel/logged_command.hpp"

namespace ktstr::kernel {

struct BuildContext {
  std::filesystem::path src;     // kernel source tree (extracted or the user's)
  std::filesystem::path entry;   // the temp entry dir; becomes the cache entry
  std::filesystem::path kbuild;  // out-of-tree kernel build dir (O=)
  std::filesystem::path work;    // scratch for libbpf/bpftool/scheduler objects
  int log_fd = -1;               // entry/build.log
  int jobs = 1;                  // make -j
  Progress progress;
  std::string fragment;          // kconfig fragment merged over tinyconfig (KconfigSpec::text)
};

// Runs make with args in dir (`make -C dir args...`), logged under label.
Result<void> run_make(const BuildContext& ctx, const std::string& label, const std::filesystem::path& dir,
                      std::vector<std::string> args);

// Copies one file (mode preserved), creating parent dirs; errors name both paths.
Result<void> copy_into(const std::filesystem::path& from, const std::filesystem::path& to);

// create_directories with an error that names the path.
Result<void> make_dir(const std::filesystem::path& dir);

// Kernel steps (kernel_steps.cpp): tinyconfig + fragment + olddefconfig +
// verification, then bzImage, then headers_install. Returns sched_ext y/n.
Result<bool> configure_kernel(const BuildContext& ctx);
Result<void> build_bzimage(const BuildContext& ctx);
Result<void> install_headers(const BuildContext& ctx);

// Userspace steps (tool_steps.cpp): the tree's libbpf and bpftool, then the
// example sched_ext schedulers built against them.
Result<void> build_libbpf(const BuildContext& ctx);
Result<void> build_bpftool(const BuildContext& ctx);
Result<void> build_schedulers(const BuildContext& ctx);

}  // namespace ktstr::kernel
