#include "tools/ktstr/payload_spec.hpp"

#include <unistd.h>

#include "base/process.hpp"

namespace ktstr::payload {

namespace fs = std::filesystem;

Result<fs::path> find_guest_init() {
  if (const char* env = std::getenv("KTSTR_GUEST_INIT"); env && *env) {
    if (!fs::exists(env)) return fail("KTSTR_GUEST_INIT={} does not exist", env);
    return fs::path(env);
  }
  std::error_code ec;
  fs::path self = fs::read_symlink("/proc/self/exe", ec);
  if (ec) return fail("cannot locate the running binary: {}", ec.message());
  for (fs::path cand : {self.parent_path() / "ktstr-guest-init",
                        self.parent_path().parent_path() / "libexec/ktstr/ktstr-guest-init"}) {
    if (fs::exists(cand)) return cand;
  }
  return fail("ktstr-guest-init not found next to {} (rebuild ktstr, or set KTSTR_GUEST_INIT)",
              self.string());
}

Result<fs::path> resolve_program(const std::string& name) {
  auto found = find_in_path(name);
  if (!found) return fail("program '{}' not found (give a path, or check PATH)", name);
  return fs::absolute(*found);
}

// busybox-static runs in any guest: no library closure, and it supplies the
// shell and the usual tools (nproc, cat, ...) a payload command line expects.
static Result<std::vector<std::string>> busybox_applets(const fs::path& busybox) {
  auto out = KTSTR_TRY(run_capture({busybox.string(), "--list"}));
  if (!out.status.success()) return fail("{} --list: {}", busybox.string(), out.status.describe());
  std::vector<std::string> applets;
  size_t pos = 0;
  while (pos < out.output.size()) {
    auto nl = out.output.find('\n', pos);
    if (nl == std::string::npos) nl = out.output.size();
    if (nl > pos) applets.push_back(out.output.substr(pos, nl - pos));
    pos = nl + 1;
  }
  return applets;
}

Result<initramfs::Spec> payload_spec(const PayloadInputs& in) {
  const fs::path busybox = "/bin/busybox";
  if (!fs::exists(busybox)) return fail("{} not found: install busybox-static (apt-get install busybox-static)", busybox.string());
  initramfs::Spec spec;
  spec.add_default_dirs();
  spec.add_binary(in.guest_init, "/init");
  spec.add_file(busybox, "/ktstr/busybox", 0755);
  for (const auto& applet : KTSTR_TRY(busybox_applets(busybox)))
    spec.add_symlink(fmt::format("{}/{}", kAppletDir, applet), "/ktstr/busybox");
  if (in.program) spec.add_binary(*in.program, guest_path(*in.program));
  if (in.scheduler) spec.add_binary(*in.scheduler, scheduler_guest_path(*in.scheduler));
  for (const auto& [src, dst] : in.files) spec.add_file(src, dst);
  return spec;
}

}  // namespace ktstr::payload
