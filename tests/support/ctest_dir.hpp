// A CTest directory of one test executable's ktstr entries, written by the
// real cmake/KtstrDiscover.cmake exactly as ktstr_add_test's POST_BUILD step
// runs it, for tests and benches that run entries under a ctest of their own
// (resource packing, per-test overhead).
#pragma once

#include <filesystem>
#include <string>

#include "base/error.hpp"

namespace ktstr::testsupport {

struct CtestDirSpec {
  std::filesystem::path dir;        // created if missing; gets CTestTestfile.cmake
  std::string target;               // entry names are <target>/ktstr/<test>
  std::filesystem::path test_exe;   // built with the doctest adapter
  std::filesystem::path initramfs;  // the exe as /init
  std::filesystem::path kernel;
  std::filesystem::path launcher;   // ktstr-vm, or a wrapper taking its arguments
  int host_cpus = 1;                // caps PROCESSORS and RESOURCE_GROUPS
};

// Runs the discovery into <dir>/<target>_tests.cmake and writes a
// CTestTestfile.cmake including it. Errors carry cmake's output.
Result<void> write_ctest_dir(const CtestDirSpec& spec);

}  // namespace ktstr::testsupport
