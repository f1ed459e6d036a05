// The embedded ktstr kconfig fragment (kconfig/ktstr.kconfig at build time).
#pragma once
#include <string_view>
namespace ktstr {
extern const std::string_view kKtstrKconfigFragment;
}
