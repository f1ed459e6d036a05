#include "host/kernel/build_context.hpp"
#include "base/fd.hpp"
#include "host/kernel/fragment.hpp"

namespace ktstr::kernel {

namespace fs = std::filesystem;

Result<void> run_make(const BuildContext& ctx, const std::string& label, const fs::path& dir,
                      std::vector<std::string> args) {
  std::vector<std::string> argv = {"make", "-C", dir.string()};
  argv.insert(argv.end(), args.begin(), args.end());
  return run_logged({.label = label, .argv = std::move(argv), .cwd = "", .extra_env = {}}, ctx.log_fd, ctx.progress);
}

Result<void> copy_into(const fs::path& from, const fs::path& to) {
  std::error_code ec;
  fs::create_directories(to.parent_path(), ec);
  if (!ec) fs::copy_file(from, to, fs::copy_options::overwrite_existing, ec);
  if (ec) return fail("copying {} -> {}: {}", from.string(), to.string(), ec.message());
  return {};
}

Result<void> make_dir(const fs::path& dir) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return fail("creating {}: {}", dir.string(), ec.message());
  return {};
}

Result<bool> configure_kernel(const BuildContext& ctx) {
  const std::string out = "O=" + ctx.kbuild.string();
  KTSTR_TRY_VOID(make_dir(ctx.kbuild));
  KTSTR_TRY_VOID(run_make(ctx, "make tinyconfig", ctx.src, {out, "tinyconfig"}));
  // Same merge as scripts/kconfig/merge_config.sh -m: fragment lines override
  // the base, then olddefconfig resolves dependencies.
  auto fragment = KTSTR_TRY_CTX(parse_kconfig(ctx.fragment), "kconfig fragment");
  fs::path config = ctx.kbuild / ".config";
  auto base = KTSTR_TRY(read_file(config));
  KTSTR_TRY_VOID(write_file_atomic(config, merge_fragment(base, fragment)));
  KTSTR_TRY_VOID(run_make(ctx, "make olddefconfig", ctx.src, {out, "olddefconfig"}));
  auto final_config = KTSTR_TRY_CTX(parse_kconfig(KTSTR_TRY(read_file(config))), "{}", config.string());
  auto dropped = find_dropped(fragment, final_config);
  if (!dropped.empty())
    return fail("kconfig dropped {} option(s) of the fragment (unmet dependencies?): {}", dropped.size(),
                describe_dropped(dropped));
  KTSTR_TRY_VOID(copy_into(config, ctx.entry / ".config"));
  auto ext = final_config.find("CONFIG_SCHED_CLASS_EXT");
  return ext != final_config.end() && ext->second == "y";
}

Result<void> build_bzimage(const BuildContext& ctx) {
  KTSTR_TRY_VOID(run_make(ctx, "make bzImage", ctx.src,
                          {"O=" + ctx.kbuild.string(), fmt::format("-j{}", ctx.jobs), "bzImage"}));
  KTSTR_TRY_VOID(copy_into(ctx.kbuild / "arch/x86/boot/bzImage", ctx.entry / "bzImage"));
  return copy_into(ctx.kbuild / "vmlinux", ctx.entry / "vmlinux");
}

Result<void> install_headers(const BuildContext& ctx) {
  // headers_install writes INSTALL_HDR_PATH/include/{linux,asm,...}.
  return run_make(ctx, "make headers_install", ctx.src,
                  {"O=" + ctx.kbuild.string(), "INSTALL_HDR_PATH=" + ctx.entry.string(), "headers_install"});
}

}  // namespace ktstr::kernel
