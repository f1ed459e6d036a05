# The `kernel` target: builds the ktstr test kernel, or reuses its cache
# entry, through the CLI (`ktstr kernel build`). The cache lives outside the
# build tree ($XDG_CACHE_HOME/ktstr/kernels, KTSTR_CACHE_DIR overrides), so
# a fresh build directory reuses it instead of rebuilding.
#
#   cmake --build build --target kernel                      # resolution chain
#   cmake -DKTSTR_KERNEL=/usr/src/linux-source-6.12.tar.xz ...  # a chosen source
#
# KTSTR_KERNEL may name a version (6.12.3), a tarball, a source tree, a cache
# key or an already built kernel; empty means the resolution chain
# (lib/host/kernel/resolve.hpp).
include_guard(GLOBAL)

set(KTSTR_KERNEL "" CACHE STRING
    "ktstr kernel: version, tarball, source dir, cache key or built kernel (default: resolution chain)")

if(TARGET ktstr AND NOT TARGET kernel)
  set(_ktstr_kernel_args)
  if(KTSTR_KERNEL)
    set(_ktstr_kernel_args --kernel "${KTSTR_KERNEL}")
  endif()
  # USES_TERMINAL: Ninja's console pool, so make's progress line reaches the terminal live.
  add_custom_target(kernel
    COMMAND $<TARGET_FILE:ktstr> kernel build ${_ktstr_kernel_args}
    USES_TERMINAL
    VERBATIM
    COMMENT "ktstr: building or reusing the test kernel")
endif()
