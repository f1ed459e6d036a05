// Deterministic initramfs (newc cpio) builder and ELF shared-library closure.
//
// A Spec is a declarative list of archive entries; build() turns it into the
// bytes the kernel unpacks at boot (init/initramfs.c, "newc" format described
// in Documentation/driver-api/early-userspace/buffer-format.rst). The kernel
// accepts several uncompressed cpio archives concatenated, so the large
// per-target archive is built once and a small per-run archive is appended.
#pragma once

#include <filesystem>
#include <string>
#include <variant>
#include <vector>

#include "base/error.hpp"

namespace ktstr::initramfs {

// One requested entry, as recorded by Spec. Destinations are absolute guest
// paths ("/bin/foo"); build() normalizes them and adds missing parent dirs.
struct BinaryRequest { std::filesystem::path src; };  // ELF + its library closure
struct FileRequest { std::filesystem::path src; int mode; };  // mode -1: keep src mode
struct BytesRequest { std::string content; int mode; };
struct DirRequest { int mode; };
struct SymlinkRequest { std::string target; };
struct CharDeviceRequest { int major; int minor; int mode; };
using Request = std::variant<BinaryRequest, FileRequest, BytesRequest, DirRequest,
                             SymlinkRequest, CharDeviceRequest>;

struct SpecItem {
  std::string dst;
  Request request;
};

// A declarative list of archive entries; order of calls does not matter
// (output is sorted). Nothing is read from disk until build(): errors such as
// a missing source or a destination collision are reported there.
class Spec {
 public:
  // ELF executable at dst plus its shared-library closure: every library at
  // the absolute path the loader looks it up under (the resolved file's
  // content is stored under the DT_NEEDED name's path, symlinks are not
  // reproduced), and the PT_INTERP interpreter at its absolute path. A
  // library reached through an $ORIGIN RPATH/RUNPATH is placed relative to
  // dst, where the guest loader will look; one found only via ld.so.cache or
  // ld.so.conf outside the default dirs also brings the host's
  // /etc/ld.so.cache along. Errors (at build time): missing binary, "<src> is
  // not an ELF executable", "<lib> needed by <obj> not found in <dirs>".
  Spec& add_binary(const std::filesystem::path& src, std::string dst);
  // A regular file copied from src (symlinks followed); mode -1 keeps src's
  // permission bits.
  Spec& add_file(const std::filesystem::path& src, std::string dst, int mode = -1);
  Spec& add_bytes(std::string dst, std::string content, int mode = 0644);
  Spec& add_dir(std::string dst, int mode = 0755);
  Spec& add_symlink(std::string dst, std::string target);
  Spec& add_char_device(std::string dst, int major, int minor, int mode = 0600);
  // /dev, /dev/console (5:1), /dev/null (1:3), /proc, /sys, /tmp (1777), /run,
  // /mnt, /root, /etc, /bin, /sbin, /usr/bin, /usr/sbin. Without /dev/console
  // PID 1 has no stdout until devtmpfs is mounted (seen here: the first lines
  // of a test init vanished).
  Spec& add_default_dirs();

  // Appends every item of other (collisions are checked at build time).
  Spec& merge(const Spec& other);

  [[nodiscard]] const std::vector<SpecItem>& items() const { return items_; }

 private:
  std::vector<SpecItem> items_;
};

// How the archive bytes are stored. The kernel unpacks concatenated archives
// that are each compressed or not (CONFIG_RD_ZSTD for kZstd). Uncompressed is
// the default: under TCG, decompressing in the guest costs more than reading
// the larger image, and gzip of large archives is single-threaded and slow
// (docs/architecture.md, "Measured facts").
enum class Compression { kNone, kZstd };

struct BuildOptions {
  Compression compression = Compression::kNone;
  int zstd_level = 3;  // 1..19; only for kZstd
  // Binaries and their libraries go in without their DWARF sections
  // (objcopy --strip-debug; symbols stay, so backtraces still name
  // functions): the guest never reads debug info, and under TCG the kernel
  // unpacks every byte with an emulated CPU. A RelWithDebInfo test executable
  // of 29.6 MB carried about 27 MB of it.
  bool strip_debug = true;
  // A one-run archive (`ktstr run` writes one into a fresh temporary
  // directory): no stamp, so no digest of every input's content (about 50 ms
  // for a 23 MB RelWithDebInfo binary and its libraries), and no fsync.
  bool throwaway = false;
};

// Writes a deterministic newc cpio (sorted entries, mtime 0, uid/gid 0, stable
// inode numbers) to out via temp file + rename. If out exists and the sidecar
// stamp (out + ".stamp": digest of the spec including each source file's
// size, mtime and content hash) matches, does nothing and returns false;
// otherwise writes out and the stamp and returns true.
Result<bool> build(const Spec& spec, const std::filesystem::path& out);
// Same, with a choice of compression (recorded in the stamp).
Result<bool> build(const Spec& spec, const std::filesystem::path& out, const BuildOptions& options);

// Serializes a spec into a cpio in memory (for the small per-run archive).
Result<std::string> build_to_string(const Spec& spec);
Result<std::string> build_to_string(const Spec& spec, const BuildOptions& options);

// The ELF shared-library closure of a binary, resolved like ld.so: DT_NEEDED,
// DT_RPATH/DT_RUNPATH ($ORIGIN expanded), LD_LIBRARY_PATH is NOT used,
// /etc/ld.so.conf (+ include globs) and /etc/ld.so.cache, default dirs
// (/lib/x86_64-linux-gnu, /usr/lib/x86_64-linux-gnu, /lib64, /lib, /usr/lib),
// plus PT_INTERP. Static binaries -> empty closure. Paths are the names the
// loader opens (not symlink-resolved), sorted, without duplicates.
Result<std::vector<std::filesystem::path>> library_closure(const std::filesystem::path& elf);

}  // namespace ktstr::initramfs
