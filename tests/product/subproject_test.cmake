# ktstr consumed from source (projects/subproject: FetchContent of SOURCE_DIR)
# by a project that already has a `kernel` target: configure prints the one
# kernel line naming `ktstr_kernel`, `--target ktstr_kernel` builds the
# in-tree ktstr CLI and then reports the cache hit, and the test project's
# entries are discovered. Skips when the default kernel is not cached.
cmake_minimum_required(VERSION 3.25)
include(${CMAKE_CURRENT_LIST_DIR}/product_lib.cmake)

set(bin "${WORK_DIR}/subproject")
file(REMOVE_RECURSE "${WORK_DIR}")
unset(ENV{KTSTR_KERNEL})
generator_args(gen)
# Release: no debug info, so the compiler cache is not keyed on this new build dir.
timed_must(${CMAKE_COMMAND} -S "${CMAKE_CURRENT_LIST_DIR}/projects/subproject" -B "${bin}" ${gen}
           -DCMAKE_BUILD_TYPE=Release "-DKTSTR_SOURCE_DIR=${SOURCE_DIR}")
string(REGEX MATCHALL "ktstr: kernel '[^\n]*" lines "${run_out}")
list(LENGTH lines nlines)
if(NOT nlines EQUAL 1)
  message(FATAL_ERROR "ktstr-product: FetchContent configure printed ${nlines} kernel lines, expected 1:\n${run_out}")
endif()
expect_match("${lines}" "target ktstr_kernel_default, part of `ktstr_kernel`" "the umbrella yields to the project's kernel")
message(STATUS "ktstr-product: FetchContent configure ${run_ms} ms: ${lines}")

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
