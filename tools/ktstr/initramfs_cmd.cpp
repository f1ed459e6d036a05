// `ktstr initramfs`: builds a deterministic initramfs from binaries (with
// their shared-library closure), files, directories and symlinks. Unchanged
// inputs are not rebuilt (see initramfs::build).
#include <chrono>
#include <filesystem>
#include <memory>

#include "tools/ktstr/commands.hpp"
#include "initramfs/initramfs.hpp"

namespace ktstr::cli {
namespace {

namespace fs = std::filesystem;

struct InitramfsArgs {
  std::string out;
  std::vector<std::string> binaries;  // BIN or BIN:DST
  std::vector<std::string> files;     // SRC:DST
  std::vector<std::string> dirs;      // DST
  std::vector<std::string> symlinks;  // DST:TARGET
  std::string init;
  bool bare = false;
  bool force = false;
  bool closure = false;
  bool keep_debug = false;
  int zstd_level = 0;  // 0: uncompressed
};

// Splits "A:B" at the first ':'; both halves must be non-empty.
Result<std::pair<std::string, std::string>> split_pair(const std::string& arg, std::string_view option,
                                                       std::string_view shape) {
  auto colon = arg.find(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == arg.size())
    return fail("{} {}: expected {}", option, arg, shape);
  return std::pair{arg.substr(0, colon), arg.substr(colon + 1)};
}

Result<initramfs::Spec> make_spec(const InitramfsArgs& a) {
  initramfs::Spec spec;
  if (!a.bare) spec.add_default_dirs();
  for (const auto& b : a.binaries) {
    if (b.find(':') == std::string::npos) {
      spec.add_binary(b, "/bin/" + fs::path(b).filename().string());
    } else {
      auto [src, dst] = KTSTR_TRY(split_pair(b, "BIN", "BIN or BIN:DST"));
      spec.add_binary(src, dst);
    }
  }
  if (!a.init.empty()) spec.add_binary(a.init, "/init");
  for (const auto& f : a.files) {
    auto [src, dst] = KTSTR_TRY(split_pair(f, "--file", "SRC:DST"));
    spec.add_file(src, dst);
  }
  for (const auto& d : a.dirs) spec.add_dir(d);
  for (const auto& s : a.symlinks) {
    auto [dst, target] = KTSTR_TRY(split_pair(s, "--symlink", "DST:TARGET"));
    spec.add_symlink(dst, target);
  }
  return spec;
}

CommandResult print_closure(const InitramfsArgs& a) {
  std::vector<std::string> bins = a.binaries;
  if (!a.init.empty()) bins.push_back(a.init);
  for (const auto& b : bins) {
    auto src = b.substr(0, b.find(':'));
    auto libs = KTSTR_TRY(initramfs::library_closure(src));
    fmt::print("{}:\n", src);
    for (const auto& lib : libs) fmt::print("  {}\n", lib.string());
  }
  return 0;
}

CommandResult cmd_initramfs(const InitramfsArgs& a) {
  if (a.closure) return print_closure(a);
  if (a.out.empty()) return fail("initramfs: --out FILE is required");
  auto spec = KTSTR_TRY(make_spec(a));
  if (a.force) {
    std::error_code ec;
    fs::remove(a.out + ".stamp", ec);
  }
  auto start = std::chrono::steady_clock::now();
  initramfs::BuildOptions options{.strip_debug = !a.keep_debug};
  if (a.zstd_level > 0) {
    options.compression = initramfs::Compression::kZstd;
    options.zstd_level = a.zstd_level;
  }
  bool written = KTSTR_TRY(initramfs::build(spec, a.out, options));
  auto ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  std::error_code ec;
  auto size = fs::file_size(a.out, ec);
  fmt::print("{} {} ({} bytes) in {:.1f} ms\n", written ? "wrote" : "up to date:", a.out, size, ms);
  return 0;
}

}  // namespace

void add_initramfs_commands(CLI::App& app) {
  auto args = std::make_shared<InitramfsArgs>();
  auto* cmd = app.add_subcommand(
      "initramfs",
      "Build a deterministic newc initramfs: binaries with their shared-library closure, files, "
      "dirs, symlinks, /dev/console");
  cmd->add_option("--out,-o", args->out, "Output cpio (a FILE.stamp sidecar records its inputs)");
  cmd->add_option("binaries", args->binaries, "BIN (placed at /bin/NAME) or BIN:DST");
  cmd->add_option("--file", args->files, "SRC:DST regular file (mode kept)");
  cmd->add_option("--dir", args->dirs, "DST directory (0755)");
  cmd->add_option("--symlink", args->symlinks, "DST:TARGET symbolic link");
  cmd->add_option("--init", args->init, "BIN placed at /init (the guest's PID 1)");
  cmd->add_flag("--bare", args->bare, "Omit the default dirs and /dev/console, /dev/null");
  cmd->add_flag("--force", args->force, "Rebuild even if the stamp says the archive is current");
  cmd->add_option("--zstd", args->zstd_level, "Compress with zstd at this level (kernel needs CONFIG_RD_ZSTD)")
      ->check(CLI::Range(1, 19));
  cmd->add_flag("--closure", args->closure, "Only print each binary's resolved library closure");
  cmd->add_flag("--keep-debug", args->keep_debug,
                "Keep the binaries' DWARF sections (by default they are stripped: the guest never reads them)");
  cmd->callback([args] { command_result() = cmd_initramfs(*args); });
}

}  // namespace ktstr::cli
