// An 8250/16550A UART as Linux's 8250 driver probes and drives it
// (registers per the TI PC16550D datasheet, "Register Summary"): transmit
// only, THR-empty and receive-data interrupts through a callback that drives
// the ISA IRQ line. Output goes to a sink (the console log).
#pragma once

#include <cstdint>
#include <functional>
#include <mutex>
#include <string>

namespace ktstr::kvm {

class Uart16550 {
 public:
  using IrqLine = std::function<void(bool level)>;
  using Sink = std::function<void(std::string_view bytes)>;

  Uart16550(IrqLine irq, Sink sink) : irq_(std::move(irq)), sink_(std::move(sink)) {}

  // Register access at offset 0..7 from the port base. Thread-safe: vCPU
  // threads may touch the port concurrently.
  uint8_t read(uint16_t offset);
  void write(uint16_t offset, uint8_t value);
  // Passes buffered output to the sink (complete lines are passed at once).
  void flush();

 private:
  uint8_t read_locked(uint16_t offset);
  void write_locked(uint16_t offset, uint8_t value);
  void update_irq();
  void emit(uint8_t byte);

  IrqLine irq_;
  Sink sink_;
  std::mutex mu_;
  uint8_t ier_ = 0, lcr_ = 0, mcr_ = 0x08, scr_ = 0, dll_ = 0x0c, dlm_ = 0, fcr_ = 0;
  bool thr_pending_ = false;  // THR-empty interrupt armed, cleared by an IIR read
  bool irq_level_ = false;
  std::string out_;
};

}  // namespace ktstr::kvm
