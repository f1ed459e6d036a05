// VM test: an initramfs whose /init is a dynamically linked C++ program
// (shared-library closure from initramfs::build) boots under QEMU and runs;
// a per-run archive appended at boot is visible to it. Plain QEMU on purpose:
// this checks the archive, not the launcher (vmm/ has its own boot tests).
// Exit 0 pass, 1 fail, 77 skip (no kernel or no QEMU), one line of reason.
#include <fcntl.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>

#include "base/fd.hpp"
#include "base/process.hpp"
#include "initramfs/initramfs.hpp"

namespace fs = std::filesystem;
using namespace ktstr;

namespace {

constexpr int kSkip = 77;
constexpr auto kBootTimeout = std::chrono::minutes(5);  // TCG on a loaded 2-core host

// A bzImage path, or a directory holding one.
std::optional<fs::path> as_bzimage(fs::path p) {
  if (fs::is_directory(p)) p /= "bzImage";
  if (fs::is_regular_file(p)) return p;
  return std::nullopt;
}

// KTSTR_KERNEL, then `ktstr kernel path` (bounded: it may wait on the kernel
// cache lock while a build runs).
std::optional<fs::path> find_kernel(const fs::path& work) {
  if (const char* env = std::getenv("KTSTR_KERNEL")) return as_bzimage(env);
  if (!fs::exists(KTSTR_TEST_CLI)) return std::nullopt;
  auto out = open_file(work / "kernel-path.txt", O_WRONLY | O_CREAT | O_TRUNC);
  if (!out) return std::nullopt;
  auto cli = ChildProcess::spawn({KTSTR_TEST_CLI, "kernel", "path"}, {.stdout_fd = out->get()});
  if (!cli) return std::nullopt;
  auto status = cli->wait_for(std::chrono::seconds(30));
  if (!status) cli->terminate(std::chrono::seconds(1));
  auto text = read_file(work / "kernel-path.txt");
  if (!status || !status->success() || !text) return std::nullopt;
  return as_bzimage(text->substr(0, text->find('\n')));
}

Result<int> run(const fs::path& kernel, const fs::path& work) {
  initramfs::Spec base;
  base.add_default_dirs().add_binary(KTSTR_TEST_CXX_HELPER, "/init");
  KTSTR_TRY(initramfs::build(base, work / "base.cpio"));
  initramfs::Spec per_run;
  per_run.add_bytes("/run-args", "per-run archive reached the guest");
  auto run_bytes = KTSTR_TRY(initramfs::build_to_string(per_run));
  auto base_bytes = KTSTR_TRY(read_file(work / "base.cpio"));
  KTSTR_TRY_VOID(write_file_atomic(work / "both.cpio", base_bytes + run_bytes));

  auto log = KTSTR_TRY(open_file(work / "console.log", O_WRONLY | O_CREAT | O_TRUNC));
  // PID 1 exits after printing -> kernel panic -> panic=-1 reboots -> -no-reboot quits QEMU.
  auto qemu = KTSTR_TRY(ChildProcess::spawn(
      {"qemu-system-x86_64", "-M", "pc", "-accel", "tcg", "-m", "256", "-smp", "1", "-nodefaults",
       "-no-user-config", "-display", "none", "-serial", "stdio", "-no-reboot", "-kernel",
       kernel.string(), "-initrd", (work / "both.cpio").string(), "-append",
       "console=ttyS0 panic=-1 quiet -- /run-args"},
      {.stdout_fd = log.get(), .stderr_fd = log.get()}));
  auto status = qemu.wait_for(kBootTimeout);
  if (!status) {
    qemu.terminate(std::chrono::seconds(2));
    return fail("QEMU did not exit within {} s; console in {}",
                std::chrono::seconds(kBootTimeout).count(), (work / "console.log").string());
  }
  auto console = KTSTR_TRY(read_file(work / "console.log"));
  for (const char* want : {"caught: exceptions work", "per-run archive reached the guest", "sqrt(2)=1.41421"}) {
    if (console.find(want) == std::string::npos)
      return fail("guest output lacks \"{}\"; console:\n{}", want, console);
  }
  return 0;
}

}  // namespace

int main() {
  std::string tmpl = (fs::temp_directory_path() / "ktstr-initramfs-boot.XXXXXX").string();
  if (!mkdtemp(tmpl.data())) {
    std::perror("mkdtemp");
    return 1;
  }
  const fs::path work = tmpl;
  std::error_code ec;
  auto kernel = find_kernel(work);
  if (!kernel || !find_in_path("qemu-system-x86_64")) {
    fs::remove_all(work, ec);
    std::puts(kernel ? "SKIP: qemu-system-x86_64 not in PATH"
                     : "SKIP: no kernel (set KTSTR_KERNEL to a bzImage or its dir, or run `ktstr kernel build`)");
    return kSkip;
  }
  auto r = run(*kernel, work);
  if (!r) {
    fmt::print(stderr, "FAIL: {}\n", r.error().message);
    return 1;  // keep the work dir for the console log
  }
  fs::remove_all(work, ec);
  fmt::print("PASS: dynamic C++ /init from {} booted and ran\n", kernel->string());
  return 0;
}
