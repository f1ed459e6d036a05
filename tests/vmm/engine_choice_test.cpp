// --engine auto's choice: pure function of the accelerator probe and the run.
#include <doctest/doctest.h>

#include "vmm/accel.hpp"

using namespace ktstr::vmm;

TEST_CASE("auto picks the own engine only on hardware-backed KVM with svm, not interactive") {
  const AccelChoice amd{Accel::kKvm, "KVM: /dev/kvm usable and the CPU has svm", "svm"};
  const AccelChoice intel{Accel::kKvm, "KVM: /dev/kvm usable and the CPU has vmx", "vmx"};
  const AccelChoice tcg{Accel::kTcg, "TCG (multi-threaded): /dev/kvm unusable (ENOENT)", ""};

  const auto a = choose_auto_engine(amd, false);
  CHECK(a.own_engine);
  CHECK(a.reason.find("engine kvm") != std::string::npos);

  const auto shell = choose_auto_engine(amd, true);
  CHECK_FALSE(shell.own_engine);
  CHECK(shell.reason.find("interactive") != std::string::npos);

  const auto i = choose_auto_engine(intel, false);
  CHECK_FALSE(i.own_engine);
  CHECK(i.reason.find("vmx") != std::string::npos);
  CHECK(i.reason.find("--engine kvm") != std::string::npos);

  const auto t = choose_auto_engine(tcg, false);
  CHECK_FALSE(t.own_engine);
  CHECK(t.reason.find("TCG") != std::string::npos);
}

TEST_CASE("the accelerator probe names the virtualization flag it found") {
  const AccelChoice c = choose_accel();
  if (c.accel == Accel::kKvm) {
    CHECK((c.virt_flag == "svm" || c.virt_flag == "vmx"));
    CHECK(c.reason.find(c.virt_flag) != std::string::npos);
  } else {
    CHECK(c.virt_flag.empty());
  }
}
