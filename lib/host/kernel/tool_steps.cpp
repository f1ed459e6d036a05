#include <filesystem>

#include "base/fd.hpp"
#include "host/kernel/build_context.hpp"

namespace ktstr::kernel {

namespace fs = std::filesystem;

// The example schedulers the kernel tree ships (tools/sched_ext/Makefile, c-sched-targets).
static constexpr const char* kSchedulers[] = {"scx_simple", "scx_qmap", "scx_central", "scx_flatcg"};

// Relinks a scheduler statically so it runs in a minimal guest without shared
// libraries. Done here rather than through the Makefile's LDFLAGS because a
// command-line LDFLAGS also reaches libbpf's sub-make, whose shared-library
// link breaks with -static. Falls back to the Makefile's dynamic binary (the
// initramfs closure then carries its libraries) and says so in the log.
static Result<void> link_static(const BuildContext& ctx, const fs::path& scx_build, const char* sched) {
  fs::path dest = ctx.entry / "schedulers" / sched;
  std::error_code ec;
  fs::create_directories(dest.parent_path(), ec);
  auto linked = run_logged({.label = fmt::format("link {} statically", sched),
                            .argv = {"gcc", "-static", "-o", dest.string(),
                                     (scx_build / "obj/sched_ext" / sched).string() + ".o",
                                     (scx_build / "obj/libbpf/libbpf.a").string(), "-lelf", "-lz", "-lpthread"},
                            .cwd = "",
                            .extra_env = {}},
                           ctx.log_fd, Progress{.out = ctx.progress.out, .tty = false, .quiet = true});
  if (linked) return {};
  KTSTR_TRY_VOID(write_all(ctx.log_fd, fmt::format("static link of {} failed ({}); keeping the dynamic binary\n",
                                                   sched, linked.error().message)));
  return copy_into(scx_build / "bin" / sched, dest);
}

Result<void> build_libbpf(const BuildContext& ctx) {
  // OUTPUT must end in '/' (tools/scripts/Makefile.include). install_headers
  // puts the public headers in DESTDIR/prefix/include/bpf = entry/include/bpf.
  fs::path out = ctx.work / "libbpf";
  KTSTR_TRY_VOID(make_dir(out));
  KTSTR_TRY_VOID(run_make(ctx, "make libbpf", ctx.src / "tools/lib/bpf",
                          {"OUTPUT=" + out.string() + "/", "DESTDIR=" + ctx.entry.string(), "prefix=",
                           fmt::format("-j{}", ctx.jobs), "all", "install_headers"}));
  return copy_into(out / "libbpf.a", ctx.entry / "lib/libbpf.a");
}

Result<void> build_bpftool(const BuildContext& ctx) {
  fs::path out = ctx.work / "bpftool";
  KTSTR_TRY_VOID(make_dir(out));
  KTSTR_TRY_VOID(run_make(ctx, "make bpftool", ctx.src / "tools/bpf/bpftool",
                          {"OUTPUT=" + out.string() + "/", fmt::format("-j{}", ctx.jobs)}));
  return copy_into(out / "bpftool", ctx.entry / "bin/bpftool");
}

Result<void> build_schedulers(const BuildContext& ctx) {
  // CC=gcc: clang as the host compiler trips -Werror on -rdynamic. The
  // Makefile's O= directory must exist (tools/scripts/Makefile.include).
  fs::path out = ctx.work / "scx";
  KTSTR_TRY_VOID(make_dir(out));
  std::error_code ec;
  std::vector<std::string> args = {"O=" + out.string(),
                                   "CC=gcc",
                                   "CLANG=clang-19",
                                   "BPFTOOL=" + (ctx.entry / "bin/bpftool").string(),
                                   "VMLINUX_BTF=" + (ctx.entry / "vmlinux").string(),
                                   fmt::format("-j{}", ctx.jobs)};
  for (const char* s : kSchedulers) args.push_back(s);
  KTSTR_TRY_VOID(run_make(ctx, "make sched_ext schedulers", ctx.src / "tools/sched_ext", args));
  for (const char* s : kSchedulers) KTSTR_TRY_VOID(link_static(ctx, out / "build", s));
  KTSTR_TRY_VOID(copy_into(out / "build/include/vmlinux.h", ctx.entry / "include/vmlinux.h"));
  // The scx helper headers (scx/common.bpf.h, bpf-compat/) a scheduler build includes.
  fs::copy(ctx.src / "tools/sched_ext/include", ctx.entry / "include",
           fs::copy_options::recursive | fs::copy_options::overwrite_existing, ec);
  if (ec) return fail("copying sched_ext headers: {}", ec.message());
  return {};
}

}  // namespace ktstr::kernel
