// The VMM's build sequence and run loop, booted for real on /dev/kvm with
// tiny hand-assembled 64-bit guests packed as bzImages (no Linux needed, so
// even a slow, emulated KVM runs them in milliseconds). Exits 77 when /dev/kvm
// is unusable.
#define DOCTEST_CONFIG_IMPLEMENT
#include <doctest/doctest.h>

#include <sys/mman.h>
#include <unistd.h>

#include <cstring>

#include "base/fd.hpp"
#include "vmm/kvm/machine.hpp"

using namespace ktstr;
using namespace ktstr::kvm;
using namespace std::chrono_literals;

namespace {

constexpr uint64_t kMiB = 1ull << 20;

// A bzImage whose 64-bit entry (protected-mode part + 0x200) runs `code`.
std::string guest_image(std::initializer_list<uint8_t> code) {
  std::string b(1024 + 0x200, '\x90');
  std::memset(b.data(), 0, 1024);
  setup_header h{};
  h.setup_sects = 1;
  h.header = 0x53726448;
  h.version = 0x20f;
  h.xloadflags = 1;
  h.initrd_addr_max = 0x7fffffff;
  h.init_size = 1 * kMiB;
  h.cmdline_size = 2047;
  std::memcpy(b.data() + 0x1f1, &h, sizeof h);
  for (uint8_t c : code) b.push_back(static_cast<char>(c));
  return b;
}

// mov dx, 0x3f8
#define COM1 0x66, 0xba, 0xf8, 0x03
// mov al, C; out dx, al
#define PUTC(c) 0xb0, (c), 0xee
// mov al, 0xfe; out 0x64, al; then hlt forever
#define I8042_RESET 0xb0, 0xfe, 0xe6, 0x64, 0xf4, 0xeb, 0xfd

struct Booted {
  GuestStop stop;        // when the guest stopped, or kRunning at the time limit
  GuestStop after_stop;  // after Machine::stop()
  std::string console;
  bool panicked;
};

Booted boot(const std::string& image, std::chrono::milliseconds limit, const char* topo = "1n1l1c1t",
            const std::string& cmdline = "x") {
  const auto dir = std::filesystem::temp_directory_path() / fmt::format("ktstr-kvm-{}", getpid());
  std::filesystem::create_directories(dir);
  REQUIRE(write_file_atomic(dir / "bzImage", image));
  const int con = ::memfd_create("console", MFD_CLOEXEC);
  REQUIRE(con >= 0);
  UniqueFd console(con);
  auto m = Machine::build({.kernel = (dir / "bzImage").string(), .initrds = {}, .topology = *Topology::parse(topo),
                           .ram_bytes = 128 * kMiB, .channel_addr = 96 * kMiB, .channel_bytes = 16 * kMiB,
                           .cmdline = cmdline, .console_fd = console.get()});
  std::filesystem::remove_all(dir);
  REQUIRE_MESSAGE(m, (m ? "" : m.error().message));
  REQUIRE((*m)->start());
  GuestStop s = (*m)->wait_until(std::chrono::steady_clock::now() + limit);
  (*m)->stop();
  const GuestStop after = (*m)->wait_until(std::chrono::steady_clock::now());
  if (s == GuestStop::kFailed) FAIL((*m)->error()->message);
  auto text = read_file(fmt::format("/proc/self/fd/{}", console.get()));
  REQUIRE(text);
  return {s, after, *text, (*m)->panicked()};
}

}  // namespace

TEST_CASE("COM1 output reaches the console and an i8042 reset ends the run") {
  auto r = boot(guest_image({COM1, PUTC('O'), PUTC('K'), PUTC('\n'), I8042_RESET}), 60s);
  CHECK(r.stop == GuestStop::kReset);
  CHECK(r.after_stop == GuestStop::kReset);  // the guest's reason is kept
  CHECK(r.console == "OK\n");
}

TEST_CASE("RSI points at the zero page with the e820 map") {
  // mov al, [rsi + 0x1e8] (e820_entries); add al, '0'; out dx, al
  auto r = boot(guest_image({COM1, 0x8a, 0x86, 0xe8, 0x01, 0x00, 0x00, 0x04, 0x30, 0xee, PUTC('\n'), I8042_RESET}),
                60s);
  CHECK(r.stop == GuestStop::kReset);
  // RAM, BIOS area, RAM, channel, RAM above it, KVM pages in the hole.
  CHECK(r.console == "6\n");
}

TEST_CASE("ACPI S5 through PM1a_CNT is a power-off") {
  // mov dx, 0x604; mov ax, SLP_EN | SLP_TYP(5); out dx, ax; hlt
  auto r = boot(guest_image({0x66, 0xba, 0x04, 0x06, 0x66, 0xb8, 0x00, 0x34, 0x66, 0xef, 0xf4, 0xeb, 0xfd}), 60s);
  CHECK(r.stop == GuestStop::kPowerOff);
}

TEST_CASE("a triple fault resets") {
  auto r = boot(guest_image({0x0f, 0x0b}), 60s);  // ud2 with an empty IDT
  CHECK(r.stop == GuestStop::kReset);
}

TEST_CASE("a spinning guest is kicked out of KVM_RUN by stop()") {
  auto r = boot(guest_image({COM1, PUTC('S'), PUTC('\n'), 0xeb, 0xfe}), 500ms, "1n1l2c2t");
  CHECK(r.stop == GuestStop::kRunning);
  CHECK(r.after_stop == GuestStop::kKicked);
  CHECK(r.console == "S\n");
}

TEST_CASE("console panic text is detected") {
  auto r = boot(guest_image({COM1, PUTC('K'), PUTC('e'), PUTC('r'), PUTC('n'), PUTC('e'), PUTC('l'), PUTC(' '),
                             PUTC('p'), PUTC('a'), PUTC('n'), PUTC('i'), PUTC('c'), PUTC('\n'), I8042_RESET}),
                60s);
  CHECK(r.panicked);
}

int main(int argc, char** argv) {
  doctest::Context ctx(argc, argv);
  if (auto kvm = KvmSystem::open(); !kvm) {
    fmt::print("SKIP: {}\n", kvm.error().message);
    return 77;
  }
  return ctx.run();
}
