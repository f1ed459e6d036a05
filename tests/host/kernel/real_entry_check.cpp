// Checks a real cache entry (label `kernel`): its .config enables sched_ext
// and BTF, and its bpftool runs. Exits 77 when no entry exists, so a machine
// without a built kernel skips instead of passing silently.
#include <fmt/format.h>

#include "base/exit_codes.hpp"
#include "base/fd.hpp"
#include "base/process.hpp"
#include "host/kernel/fragment.hpp"
#include "host/kernel/resolve.hpp"

namespace k = ktstr::kernel;

int main() {
  k::ResolveOptions opts{.allow_build = false, .announce = true};
  opts.progress.out = stdout;
  auto e = k::resolve_kernel(opts);
  if (!e || e->key.empty()) {
    fmt::print("SKIP: no cached ktstr kernel ({}); run `ktstr kernel build`\n",
               e ? "KTSTR_KERNEL names a kernel outside the cache" : e.error().message);
    return ktstr::kExitSkip;
  }
  int failures = 0;
  auto config = ktstr::read_file(e->config);
  auto values = config ? k::parse_kconfig(*config) : ktstr::Result<k::KconfigValues>(std::unexpected(config.error()));
  if (!values) {
    fmt::print("FAIL: {}: {}\n", e->config.string(), values.error().message);
    return 1;
  }
  for (const char* opt : {"CONFIG_SCHED_CLASS_EXT", "CONFIG_DEBUG_INFO_BTF", "CONFIG_BPF_SYSCALL"}) {
    auto it = values->find(opt);
    bool ok = it != values->end() && it->second == "y";
    fmt::print("{}: {}=y\n", ok ? "ok" : "FAIL", opt);
    failures += !ok;
  }
  auto out = ktstr::run_capture({e->bpftool.string(), "version"});
  bool bpftool_ok = out && out->status.success() && out->output.find("libbpf") != std::string::npos;
  fmt::print("{}: {} version -> {}\n", bpftool_ok ? "ok" : "FAIL", e->bpftool.string(),
             out ? out->output.substr(0, out->output.find('\n')) : out.error().message);
  failures += !bpftool_ok;
  return failures == 0 ? 0 : 1;
}
