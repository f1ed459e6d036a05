#include "test_env.hpp"

#include <cstdio>
#include <cstdlib>

#include <fmt/format.h>

#include "base/process.hpp"
#include "initramfs/initramfs.hpp"

namespace fs = std::filesystem;

namespace ktstr::vmmtest {

namespace {
std::optional<fs::path> bzimage_in(const fs::path& p) {
  std::error_code ec;
  if (fs::is_regular_file(p, ec)) return p;
  for (auto cand : {p / "bzImage", p / "arch/x86/boot/bzImage"})
    if (fs::is_regular_file(cand, ec)) return cand;
  return std::nullopt;
}
}  // namespace

fs::path self_dir() { return fs::read_symlink("/proc/self/exe").parent_path(); }

std::optional<fs::path> find_kernel() {
  if (const char* env = std::getenv("KTSTR_KERNEL"); env && *env) return bzimage_in(env);
  if (fs::path ktstr = self_dir() / "ktstr"; fs::exists(ktstr)) {
    auto r = run_capture({ktstr.string(), "kernel", "path"});
    if (r && r->status.success()) {
      std::string out = r->output;
      while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) out.pop_back();
      if (auto k = bzimage_in(out.substr(out.rfind('\n') == std::string::npos ? 0 : out.rfind('\n') + 1))) return k;
    }
  }
  return std::nullopt;
}

void skip(const std::string& why) {
  fmt::print("SKIP: {}\n", why);
  std::fflush(stdout);
  std::_Exit(77);
}

Result<fs::path> probe_initramfs(const fs::path& probe, bool dynamic) {
  initramfs::Spec spec;
  spec.add_default_dirs();
  if (dynamic) spec.add_binary(probe, "/init");
  else spec.add_file(probe, "/init", 0755);
  fs::path out = self_dir() / (probe.filename().string() + ".cpio");
  KTSTR_TRY(initramfs::build(spec, out));
  return out;
}

}  // namespace ktstr::vmmtest
