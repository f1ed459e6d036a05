// FADT, ACPI 6.5 sec. 5.2.9, Table 5.9 (revision 6, 276 bytes).
//
// Not hardware-reduced on purpose: HW_REDUCED_ACPI makes Linux drop the
// legacy PIC and PIT, and a UART without working interrupts hangs the guest
// console (reported by other VMM projects). SMI_CMD = 0 tells the guest it is already in ACPI
// mode; the PM1a event/control blocks exist only so ACPICA has registers to
// talk to and so S5 (power off) reaches the VMM as a port write.
#include "vmm/kvm/acpi/tables.hpp"
#include "vmm/kvm/layout.hpp"

namespace ktstr::kvm::acpi {
namespace {

struct [[gnu::packed]] Fadt {
  SdtHeader header;
  uint32_t firmware_ctrl;
  uint32_t dsdt;
  uint8_t reserved0;
  uint8_t preferred_pm_profile;
  uint16_t sci_int;
  uint32_t smi_cmd;
  uint8_t acpi_enable;
  uint8_t acpi_disable;
  uint8_t s4bios_req;
  uint8_t pstate_cnt;
  uint32_t pm1a_evt_blk;
  uint32_t pm1b_evt_blk;
  uint32_t pm1a_cnt_blk;
  uint32_t pm1b_cnt_blk;
  uint32_t pm2_cnt_blk;
  uint32_t pm_tmr_blk;
  uint32_t gpe0_blk;
  uint32_t gpe1_blk;
  uint8_t pm1_evt_len;
  uint8_t pm1_cnt_len;
  uint8_t pm2_cnt_len;
  uint8_t pm_tmr_len;
  uint8_t gpe0_blk_len;
  uint8_t gpe1_blk_len;
  uint8_t gpe1_base;
  uint8_t cst_cnt;
  uint16_t p_lvl2_lat;
  uint16_t p_lvl3_lat;
  uint16_t flush_size;
  uint16_t flush_stride;
  uint8_t duty_offset;
  uint8_t duty_width;
  uint8_t day_alrm;
  uint8_t mon_alrm;
  uint8_t century;
  uint16_t iapc_boot_arch;
  uint8_t reserved1;
  uint32_t flags;
  Gas reset_reg;
  uint8_t reset_value;
  uint16_t arm_boot_arch;
  uint8_t fadt_minor_version;
  uint64_t x_firmware_ctrl;
  uint64_t x_dsdt;
  Gas x_pm1a_evt_blk;
  Gas x_pm1b_evt_blk;
  Gas x_pm1a_cnt_blk;
  Gas x_pm1b_cnt_blk;
  Gas x_pm2_cnt_blk;
  Gas x_pm_tmr_blk;
  Gas x_gpe0_blk;
  Gas x_gpe1_blk;
  Gas sleep_control_reg;
  Gas sleep_status_reg;
  uint64_t hypervisor_vendor_identity;
};
static_assert(sizeof(Fadt) == 276);

// Flags, Table 5.10.
constexpr uint32_t kFlagWbinvd = 1u << 0;
constexpr uint32_t kFlagProcC1 = 1u << 2;
constexpr uint32_t kFlagPwrButton = 1u << 4;  // no fixed power button
constexpr uint32_t kFlagSlpButton = 1u << 5;  // no fixed sleep button
// IA-PC boot architecture flags, Table 5.11.
constexpr uint16_t kBootLegacyDevices = 1u << 0;
constexpr uint16_t kBoot8042 = 1u << 1;          // the i8042 that takes the reset
constexpr uint16_t kBootVgaNotPresent = 1u << 2;
constexpr uint16_t kBootMsiNotSupported = 1u << 3;
constexpr uint16_t kBootCmosRtcNotPresent = 1u << 5;  // no RTC is emulated
constexpr uint8_t kPm1EvtLen = 4;
constexpr uint8_t kPm1CntLen = 2;

}  // namespace

Bytes build_fadt(uint64_t dsdt_addr) {
  const Fadt f{
      .header = sdt_header("FACP", 6),
      .dsdt = static_cast<uint32_t>(dsdt_addr),
      .preferred_pm_profile = 0,  // unspecified
      .sci_int = static_cast<uint16_t>(layout::kSciIrq),
      .smi_cmd = 0,
      .pm1a_evt_blk = kPm1aEventPort,
      .pm1a_cnt_blk = kPm1aControlPort,
      .pm1_evt_len = kPm1EvtLen,
      .pm1_cnt_len = kPm1CntLen,
      .iapc_boot_arch = kBootLegacyDevices | kBoot8042 | kBootVgaNotPresent | kBootMsiNotSupported |
                        kBootCmosRtcNotPresent,
      .flags = kFlagWbinvd | kFlagProcC1 | kFlagPwrButton | kFlagSlpButton,
      .fadt_minor_version = 5,
      .x_dsdt = dsdt_addr,
      .x_pm1a_evt_blk = {.space_id = kGasSystemIo, .bit_width = kPm1EvtLen * 8, .bit_offset = 0,
                         .access_size = 2, .address = kPm1aEventPort},
      .x_pm1a_cnt_blk = {.space_id = kGasSystemIo, .bit_width = kPm1CntLen * 8, .bit_offset = 0,
                         .access_size = 2, .address = kPm1aControlPort},
  };
  Bytes out;
  append(out, f);
  return seal_table(std::move(out));
}

}  // namespace ktstr::kvm::acpi
