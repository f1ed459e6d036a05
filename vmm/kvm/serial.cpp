#include "vmm/kvm/serial.hpp"

namespace ktstr::kvm {
namespace {

// Register offsets (DLAB = LCR bit 7 selects the divisor latch at 0/1).
constexpr uint16_t kRbrThr = 0, kIer = 1, kIirFcr = 2, kLcr = 3, kMcr = 4, kLsr = 5, kMsr = 6, kScr = 7;
constexpr uint8_t kLcrDlab = 0x80;
constexpr uint8_t kIerRdi = 0x01, kIerThri = 0x02;
constexpr uint8_t kIirNoInt = 0x01, kIirThri = 0x02, kIirFifoEnabled = 0xc0;
constexpr uint8_t kFcrEnable = 0x01;
constexpr uint8_t kLsrThre = 0x20, kLsrTemt = 0x40;
constexpr uint8_t kMcrLoop = 0x10;
// Modem status: in loopback the outputs come back (RTS->CTS, DTR->DSR,
// OUT1->RI, OUT2->DCD); otherwise a connected line (CTS, DSR, DCD).
constexpr uint8_t kMsrConnected = 0xb0;
constexpr size_t kFlushBytes = 4096;

}  // namespace

uint8_t Uart16550::read(uint16_t offset) {
  std::lock_guard lock(mu_);
  const uint8_t v = read_locked(offset);
  update_irq();
  return v;
}

void Uart16550::write(uint16_t offset, uint8_t value) {
  std::lock_guard lock(mu_);
  write_locked(offset, value);
  update_irq();
}

uint8_t Uart16550::read_locked(uint16_t offset) {
  switch (offset) {
    case kRbrThr: return (lcr_ & kLcrDlab) ? dll_ : 0;  // never any input
    case kIer: return (lcr_ & kLcrDlab) ? dlm_ : ier_;
    case kIirFcr: {
      const uint8_t fifo = (fcr_ & kFcrEnable) ? kIirFifoEnabled : 0;
      if ((ier_ & kIerThri) && thr_pending_) {
        thr_pending_ = false;  // reading IIR acknowledges THR empty
        return fifo | kIirThri;
      }
      return fifo | kIirNoInt;
    }
    case kLcr: return lcr_;
    case kMcr: return mcr_;
    case kLsr: return kLsrThre | kLsrTemt;  // transmission is instantaneous
    case kMsr:
      if (mcr_ & kMcrLoop)
        return static_cast<uint8_t>(((mcr_ & 0x02) << 3) | ((mcr_ & 0x01) << 5) | ((mcr_ & 0x04) << 4) |
                                    ((mcr_ & 0x08) << 4));
      return kMsrConnected;
    case kScr: return scr_;
    default: return 0xff;
  }
}

void Uart16550::write_locked(uint16_t offset, uint8_t value) {
  switch (offset) {
    case kRbrThr:
      if (lcr_ & kLcrDlab) {
        dll_ = value;
        return;
      }
      if (!(mcr_ & kMcrLoop)) emit(value);
      thr_pending_ = true;  // the byte left at once: THR is empty again
      return;
    case kIer:
      if (lcr_ & kLcrDlab) {
        dlm_ = value;
        return;
      }
      // Enabling THRI while THR is empty raises the interrupt (16550 behaviour
      // Linux's start_tx relies on).
      if ((value & kIerThri) && !(ier_ & kIerThri)) thr_pending_ = true;
      ier_ = value & 0x0f;
      return;
    case kIirFcr: fcr_ = value; return;
    case kLcr: lcr_ = value; return;
    case kMcr: mcr_ = value & 0x1f; return;
    case kScr: scr_ = value; return;
    default: return;
  }
}

// The ISA line is level-like here but the IOAPIC pin is edge-triggered, so
// every new interrupt needs a low->high transition: an IIR read that
// acknowledges THRI lowers the line, the next THR write raises it again.
void Uart16550::update_irq() {
  const bool level = (ier_ & kIerThri) && thr_pending_;
  (void)kIerRdi;  // no input: the receive interrupt never fires
  if (level != irq_level_) {
    irq_level_ = level;
    irq_(level);
  }
}

void Uart16550::emit(uint8_t byte) {
  out_.push_back(static_cast<char>(byte));
  if (byte == '\n' || out_.size() >= kFlushBytes) {
    sink_(out_);
    out_.clear();
  }
}

void Uart16550::flush() {
  std::lock_guard lock(mu_);
  if (!out_.empty()) sink_(out_);
  out_.clear();
}

}  // namespace ktstr::kvm
