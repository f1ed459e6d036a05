# A scheduler project that ships its own, newer scx headers
# (projects/own_headers): it builds with no shim (the BPF program and the
# loader each #error if the kernel entry's header was found first), its
# scheduler declaration's attach timeout reaches the guest, and its test runs
# green. Skips when the default kernel is not cached.
cmake_minimum_required(VERSION 3.25)
include(${CMAKE_CURRENT_LIST_DIR}/product_lib.cmake)

set(prefix "${WORK_DIR}/prefix")
set(bin "${WORK_DIR}/own_headers")
file(REMOVE_RECURSE "${WORK_DIR}")
unset(ENV{KTSTR_KERNEL})
install_ktstr("${prefix}")

configure_project("${CMAKE_CURRENT_LIST_DIR}/projects/own_headers" "${bin}" "${prefix}")
if(NOT run_out MATCHES "ktstr: kernel 'default'[^\n]*cache hit")
  message("ktstr-product: skip: the default kernel is not cached:\n${run_out}")
  return()
endif()
must(${CMAKE_COMMAND} --build "${bin}" -j2 -v)
file(WRITE "${WORK_DIR}/build.log" "${run_out}")
# The BPF compile lists the project's dirs before the kernel entry's include/.
set(src "${CMAKE_CURRENT_LIST_DIR}/projects/own_headers")
expect_match("${run_out}" "clang[^\n]*-I${src}/include [^\n]*-I${src}/loader_include [^\n]*-I${bin}/ktstr/kernels/default/include"
             "BPF include order: INCLUDE_DIRECTORIES, the target's own, then the kernel entry's")

ctest_entries("${bin}")
expect_match("${command_ownhdr_tests/ktstr/ownhdr_steady}" "\"--enable-timeout\",\"90s\""
             "the scheduler's attach_timeout_s reaches the guest")
run(${CMAKE_CTEST_COMMAND} --test-dir "${bin}" --output-on-failure -V)
file(WRITE "${WORK_DIR}/ctest.log" "${run_out}")
if(NOT run_rc EQUAL 0 OR NOT run_out MATCHES "100% tests passed")
  message(FATAL_ERROR "ktstr-product: own_headers tests failed (log ${WORK_DIR}/ctest.log):\n${run_out}")
endif()
message(STATUS "ktstr-product: a scheduler with its own scx/common.bpf.h and scx/common.h built without shims and passed")
