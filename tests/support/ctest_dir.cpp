// The discovery run of write_ctest_dir, with ktstr_add_test's variables.
#include "ctest_dir.hpp"

#include <utility>
#include <vector>

#include "base/fd.hpp"
#include "base/process.hpp"

namespace fs = std::filesystem;

namespace ktstr::testsupport {

Result<void> write_ctest_dir(const CtestDirSpec& s) {
  std::error_code ec;
  fs::create_directories(s.dir, ec);
  if (ec) return fail("creating {}: {}", s.dir.string(), ec.message());
  const fs::path file = s.dir / (s.target + "_tests.cmake");
  const std::vector<std::pair<std::string, std::string>> vars = {
      {"TEST_TARGET", s.target},        {"TEST_EXE", s.test_exe.string()},   {"CTEST_FILE", file.string()},
      {"LAUNCHER", s.launcher.string()}, {"KERNEL", s.kernel.string()},      {"SKIP_REASON", ""},
      {"INITRAMFS", s.initramfs.string()}, {"OUT_DIR", (s.dir / "runs").string()},
      {"BUILD_DIR", s.dir.string()},    {"DISCOVERY_TIMEOUT", "60"},          {"FORCE_GAUNTLET", "OFF"},
      {"GATE_SCRIPT", KTSTR_GATE_SCRIPT}, {"HOST_NPROC", std::to_string(s.host_cpus)},
      {"EXTRA_PROPERTIES", ""}};
  std::vector<std::string> argv = {KTSTR_CMAKE_COMMAND};
  for (const auto& [k, v] : vars) argv.insert(argv.end(), {"-D", k + "=" + v});
  argv.insert(argv.end(), {"-P", KTSTR_DISCOVER_SCRIPT});
  auto r = KTSTR_TRY_CTX(run_capture(argv), "running the discovery for {}", s.target);
  if (!r.status.success()) return fail("discovery of {} failed ({}):\n{}", s.target, r.status.describe(), r.output);
  return write_file_atomic(s.dir / "CTestTestfile.cmake", fmt::format("include([==[{}]==])\n", file.string()));
}

}  // namespace ktstr::testsupport
