// The launcher's file handling without a VM: the assembled initrd, the
// console follower, the /dev/shm owner, the huge-page RAM files.
#include <doctest/doctest.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "base/fd.hpp"
#include "vmm/console_log.hpp"
#include "vmm/huge_ram.hpp"
#include "vmm/run_archive.hpp"
#include "vmm/run_files.hpp"

namespace fs = std::filesystem;

namespace {
fs::path scratch(const char* name) {
  return fs::temp_directory_path() / fmt::format("ktstr-vmm-test-{}-{}", ::getpid(), name);
}
}  // namespace

TEST_CASE("the initrd is the caller's archives, 4-byte aligned, then the per-run archive") {
  const fs::path a = scratch("a.cpio"), b = scratch("b.cpio"), out = scratch("initrd.cpio");
  REQUIRE(ktstr::write_file_atomic(a, "AAAAA"));  // 5 bytes: padding follows
  REQUIRE(ktstr::write_file_atomic(b, "BBBB"));
  auto bytes = ktstr::vmm::assemble_initrd({a, b}, {"flood", "64"}, out);
  REQUIRE(bytes);
  auto text = ktstr::read_file(out);
  REQUIRE(text);
  CHECK(text->size() == *bytes);
  CHECK(text->substr(0, 12) == std::string("AAAAA\0\0\0BBBB", 12));
  CHECK(text->substr(12, 6) == "070701");  // newc magic of the per-run archive
  CHECK(text->find("ktstr/argv.json") != std::string::npos);
  CHECK(text->find(R"(["flood","64"])") != std::string::npos);
  CHECK_FALSE(ktstr::vmm::assemble_initrd({scratch("missing.cpio")}, {}, out));
  fs::remove(a), fs::remove(b), fs::remove(out);
}

TEST_CASE("the console follower keeps the tail and spots panics and unpack failures") {
  const fs::path log_path = scratch("console.log");
  auto log = ktstr::vmm::ConsoleLog::create(log_path, false);
  REQUIRE(log);
  auto w = ktstr::open_file(log_path, O_WRONLY | O_APPEND);
  REQUIRE(w);
  for (int i = 0; i < 100; ++i) REQUIRE(ktstr::write_all(w->get(), fmt::format("line {}\r\n", i)));
  log->poll();
  CHECK_FALSE(log->saw_panic());
  REQUIRE(ktstr::write_all(w->get(), "[    4.7] Kernel panic - not syncing: sysrq triggered crash\npartial"));
  log->poll();
  CHECK(log->saw_panic());
  CHECK_FALSE(log->saw_initramfs_failure());
  auto tail = log->tail(3);
  REQUIRE(tail.size() == 4);  // three full lines and the unterminated one
  CHECK(tail[0] == "line 98");
  CHECK(tail[2] == "[    4.7] Kernel panic - not syncing: sysrq triggered crash");
  CHECK(tail[3] == "partial");
  REQUIRE(ktstr::write_all(w->get(), "\n[ 24.0] Initramfs unpacking failed: write error\n"));
  log->poll();
  CHECK(log->saw_initramfs_failure());
  fs::remove(log_path);
}

TEST_CASE("guest RAM files are created exclusively and removed by their owner") {
  const fs::path p = scratch("shm");
  {
    auto f = ktstr::vmm::ShmFile::create(p, 64 << 20);
    REQUIRE(f);
    CHECK(fs::file_size(p) == 64u << 20);
    CHECK_FALSE(ktstr::vmm::ShmFile::create(p, 4096));  // O_EXCL: never share a stale file
  }
  CHECK_FALSE(fs::exists(p));
}

TEST_CASE("a temporary run dir is removed, or kept with its logs but without the initrd") {
  fs::path removed, kept;
  {
    auto d = ktstr::vmm::RunDir::create({});
    REQUIRE(d);
    removed = d->path();
    std::ofstream(removed / "console.log") << "boot\n";
  }
  CHECK_FALSE(fs::exists(removed));
  {
    auto d = ktstr::vmm::RunDir::create({});
    REQUIRE(d);
    kept = d->path();
    std::ofstream(kept / "console.log") << "panic\n";
    std::ofstream(kept / "initrd.cpio") << "big archive";
    d->keep();
  }
  CHECK(fs::exists(kept / "console.log"));
  CHECK_FALSE(fs::exists(kept / "initrd.cpio"));
  fs::remove_all(kept);
}

TEST_CASE("huge-page RAM files: sized, shared, invisible to the host, refused without privilege") {
  const fs::path dir = scratch("huge");
  fs::create_directories(dir);
  REQUIRE(ktstr::write_file_atomic(dir / "mine", "untouched"));
  const uint64_t sizes[] = {4 << 20, 0, 6 << 20};
  auto fds = ktstr::vmm::create_huge_ram_files(dir, sizes);
  if (::geteuid() != 0) {
    // No CAP_SYS_ADMIN: the launcher falls back to /dev/shm on this error.
    REQUIRE_FALSE(fds);
    CHECK(fds.error().message.find("CAP_SYS_ADMIN") != std::string::npos);
    fs::remove_all(dir);
    return;
  }
  REQUIRE_MESSAGE(fds, fds.error().message);
  REQUIRE(fds->size() == 3);
  CHECK_FALSE((*fds)[1].valid());
  for (size_t i : {size_t{0}, size_t{2}}) {
    const int fd = (*fds)[i].get();
    struct stat st {};
    REQUIRE(::fstat(fd, &st) == 0);
    CHECK(static_cast<uint64_t>(st.st_size) == sizes[i]);
    CHECK((::fcntl(fd, F_GETFD) & FD_CLOEXEC) != 0);
    // Two shared mappings of the file see each other's writes (as QEMU's and the ring reader's do).
    auto* a = static_cast<char*>(::mmap(nullptr, sizes[i], PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0));
    auto* b = static_cast<char*>(::mmap(nullptr, sizes[i], PROT_READ, MAP_SHARED, fd, 0));
    REQUIRE(a != MAP_FAILED);
    REQUIRE(b != MAP_FAILED);
    a[sizes[i] - 1] = 'x';
    CHECK(b[sizes[i] - 1] == 'x');
    ::munmap(a, sizes[i]);
    ::munmap(b, sizes[i]);
  }
  // The mount existed only in the helper's namespace: the directory's own
  // content is as it was, no node file is in it, no mount of ours is listed.
  CHECK(ktstr::read_file(dir / "mine").value_or("") == "untouched");
  CHECK_FALSE(fs::exists(dir / "node0"));
  CHECK(ktstr::read_file("/proc/self/mountinfo").value_or("ktstr-ram").find("ktstr-ram") == std::string::npos);
  fs::remove_all(dir);
}
