// The 16550 model against what Linux's 8250 driver does with it
// (drivers/tty/serial/8250/8250_port.c: autoconfig, loopback test, THRI).
#include <doctest/doctest.h>

#include <vector>

#include "vmm/kvm/serial.hpp"

using ktstr::kvm::Uart16550;

namespace {

struct Rig {
  std::vector<bool> edges;
  std::string out;
  Uart16550 uart{[this](bool l) { edges.push_back(l); }, [this](std::string_view s) { out += s; }};
};

constexpr uint16_t kThr = 0, kIer = 1, kIir = 2, kLcr = 3, kMcr = 4, kLsr = 5, kMsr = 6, kScr = 7;

}  // namespace

TEST_CASE("autoconfig: scratch register, FIFO detection, loopback modem status") {
  Rig r;
  r.uart.write(kScr, 0xa5);
  CHECK(r.uart.read(kScr) == 0xa5);
  r.uart.write(kIir, 0x01);  // FCR: enable FIFO
  CHECK((r.uart.read(kIir) & 0xc0) == 0xc0);  // 16550A
  r.uart.write(kMcr, 0x10 | 0x0a);  // loop + RTS + OUT2
  CHECK((r.uart.read(kMsr) & 0xf0) == 0x90);  // CTS + DCD, what the driver's test expects
  r.uart.write(kMcr, 0x00);
  CHECK(r.uart.read(kLsr) == 0x60);  // THRE | TEMT
}

TEST_CASE("divisor latch does not leak into THR/IER") {
  Rig r;
  r.uart.write(kLcr, 0x80);
  r.uart.write(kThr, 0x01);
  r.uart.write(kIer, 0x00);
  CHECK(r.uart.read(kThr) == 0x01);
  r.uart.write(kLcr, 0x03);
  CHECK(r.uart.read(kIer) == 0);
  r.uart.flush();
  CHECK(r.out.empty());
}

TEST_CASE("THR-empty interrupt: raised on enable, lowered by IIR read, re-raised by a write") {
  Rig r;
  r.uart.write(kIer, 0x02);
  REQUIRE(r.edges == std::vector<bool>{true});
  CHECK((r.uart.read(kIir) & 0x0f) == 0x02);
  CHECK(r.edges == std::vector<bool>{true, false});
  CHECK((r.uart.read(kIir) & 0x0f) == 0x01);  // acknowledged: nothing pending
  r.uart.write(kThr, 'x');
  CHECK(r.edges == std::vector<bool>{true, false, true});  // a fresh edge for the edge-triggered IOAPIC pin
  r.uart.write(kIer, 0x00);
  CHECK(r.edges.back() == false);
}

TEST_CASE("output is passed on per line and on flush") {
  Rig r;
  for (char c : std::string("ab\ncd")) r.uart.write(kThr, static_cast<uint8_t>(c));
  CHECK(r.out == "ab\n");
  r.uart.flush();
  CHECK(r.out == "ab\ncd");
}

TEST_CASE("loopback keeps output off the console") {
  Rig r;
  r.uart.write(kMcr, 0x10);
  r.uart.write(kThr, 'z');
  r.uart.flush();
  CHECK(r.out.empty());
}
