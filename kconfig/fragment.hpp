// The embedded kconfig fragments (kconfig/*.kconfig at build time).
#pragma once
#include <string_view>
namespace ktstr {
// ktstr.kconfig: merged over tinyconfig for every test kernel.
extern const std::string_view kKtstrKconfigFragment;
// debug.kconfig: appended to ktstr.kconfig for debug kernels (lockdep, ...).
extern const std::string_view kKtstrDebugKconfigFragment;
}
