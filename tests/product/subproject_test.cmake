# ktstr consumed from source (projects/subproject: FetchContent of SOURCE_DIR)
# by a project that already has a `kernel` target. Configure prints the one
# kernel line naming the umbrella `ktstr_kernel`, and the kernel's
# ExternalProject waits for the in-tree ktstr CLI. With BUILD=ON (label
# product_cold: it compiles ktstr from source) `--target ktstr_kernel` builds
# the CLI and reports the cache hit, and the test project's entries are
# discovered; skips then when the default kernel is not cached.
cmake_minimum_required(VERSION 3.25)
include(${CMAKE_CURRENT_LIST_DIR}/product_lib.cmake)

set(bin "${WORK_DIR}/subproject")
file(REMOVE_RECURSE "${WORK_DIR}")
unset(ENV{KTSTR_KERNEL})
generator_args(gen)
# ktstr's own build type and compiler launcher (ccache), so a compiler cache
# warm from that build serves this one (ccache: no cwd in the hash).
load_cache("${BUILD_DIR}" READ_WITH_PREFIX parent_ CMAKE_BUILD_TYPE CMAKE_CXX_COMPILER_LAUNCHER CMAKE_C_COMPILER_LAUNCHER)
set(ENV{CCACHE_NOHASHDIR} 1)
timed_must(${CMAKE_COMMAND} -S "${CMAKE_CURRENT_LIST_DIR}/projects/subproject" -B "${bin}" ${gen}
           "-DCMAKE_BUILD_TYPE=${parent_CMAKE_BUILD_TYPE}" "-DCMAKE_CXX_COMPILER_LAUNCHER=${parent_CMAKE_CXX_COMPILER_LAUNCHER}"
           "-DCMAKE_C_COMPILER_LAUNCHER=${parent_CMAKE_C_COMPILER_LAUNCHER}" "-DKTSTR_SOURCE_DIR=${SOURCE_DIR}")
string(REGEX MATCHALL "ktstr: kernel '[^\n]*" lines "${run_out}")
list(LENGTH lines nlines)
if(NOT nlines EQUAL 1)
  message(FATAL_ERROR "ktstr-product: FetchContent configure printed ${nlines} kernel lines, expected 1:\n${run_out}")
endif()
expect_match("${lines}" "target ktstr_kernel_default, part of `ktstr_kernel`" "the umbrella yields to the project's kernel")
message(STATUS "ktstr-product: FetchContent configure ${run_ms} ms: ${lines}")
if(gen)
  must(ninja -C "${bin}" -t query ktstr/kernels/ep/default/stamp/ktstr_kernel_default-mkdir)
  expect_match("${run_out}" "\\|\\| bin/ktstr\n" "the kernel ExternalProject waits for the in-tree ktstr CLI")
endif()
if(NOT BUILD)
  message(STATUS "ktstr-product: FetchContent configure as expected (the build: ctest -L product_cold)")
  return()
endif()

timed_must(${CMAKE_COMMAND} --build "${bin}" --target ktstr_kernel -j2)
file(WRITE "${WORK_DIR}/kernel.log" "${run_out}")
if(run_out MATCHES "ktstr: kernel [^\n]*built now")
  message(FATAL_ERROR "ktstr-product: expected a cache hit, the kernel was built:\n${run_out}")
elseif(NOT run_out MATCHES "ktstr: kernel [^\n]*: cache hit")
  message("ktstr-product: skip: the default kernel is not cached:\n${run_out}")
  return()
endif()
message(STATUS "ktstr-product: --target ktstr_kernel (CLI from source, then the hit): ${run_ms} ms")
must(${CMAKE_COMMAND} --build "${bin}" --target kernel)
expect_match("${run_out}" "the project's own kernel target" "the project's own kernel target is untouched")

must(${CMAKE_COMMAND} --build "${bin}" --target sub_tests_initramfs -j2)
ctest_entries("${bin}")
expect_entry("sub_tests/ktstr/simple_steady" "ktstr;scx_simple;1n1l2c1t;kernel:default")
expect_match("${command_sub_tests/ktstr/simple_steady}" "\"--kernel\",\"${bin}/ktstr/kernels/default\"" "--kernel")
message(STATUS "ktstr-product: FetchContent consumer: kernel target, initramfs and discovery as expected")
