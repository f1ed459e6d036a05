# A consumer with two kernels (projects/matrix: default + ktstr_add_kernel(debug
# DEBUG)): twice the entries, each half selected by its kernel:<name> label,
# both halves green, and only the debug kernel's runs judged as debug-kernel
# runs (the guest sees /proc/lockdep; the sidecar records debug_kernel).
# Builds the debug kernel when it is not cached (~10+ min on 2 cores, once);
# skips when the default kernel is not cached.
cmake_minimum_required(VERSION 3.25)
include(${CMAKE_CURRENT_LIST_DIR}/product_lib.cmake)

set(prefix "${WORK_DIR}/prefix")
set(bin "${WORK_DIR}/matrix")
file(REMOVE_RECURSE "${WORK_DIR}")
unset(ENV{KTSTR_KERNEL})
install_ktstr("${prefix}")

configure_project("${CMAKE_CURRENT_LIST_DIR}/projects/matrix" "${bin}" "${prefix}")
string(REGEX MATCHALL "ktstr: kernel '[^\n]*" lines "${run_out}")
list(LENGTH lines nlines)
if(NOT nlines EQUAL 2)
  message(FATAL_ERROR "ktstr-product: expected one configure line per kernel (2):\n${run_out}")
endif()
# The lines come in declaration order (the project declares `debug` first).
string(REGEX MATCH "ktstr: kernel 'default'[^\n]*" default_line "${run_out}")
if(NOT default_line MATCHES "cache hit")
  message("ktstr-product: skip: the default kernel is not cached (${default_line})")
  return()
endif()
expect_match("${lines}" "ktstr: kernel 'debug' \\(target ktstr_kernel_debug, part of `kernel`\\): [^\n]*\\[\\+debug\\]"
             "the debug kernel's configure line")
message(STATUS "ktstr-product: configure (${run_ms} ms):\n${lines}")

must(${CMAKE_COMMAND} --build "${bin}" -j2)
file(WRITE "${WORK_DIR}/build.log" "${run_out}")
ctest_entries("${bin}")
list(LENGTH names total)
set(half "")
foreach(kernel default debug)
  foreach(test eevdf_steady simple_steady)
    set(name "matrix_tests/ktstr/${test}/${kernel}")
    list(FILTER labels_${name} INCLUDE REGEX "^kernel:")
    if(NOT "${labels_${name}}" STREQUAL "kernel:${kernel}")
      message(FATAL_ERROR "ktstr-product: ${name}: kernel label '${labels_${name}}' (entries: ${names})")
    endif()
    expect_match("${command_${name}}" "\"--kernel\",\"${bin}/ktstr/kernels/${kernel}\"" "${name} boots ${kernel}")
  endforeach()
endforeach()
if(NOT total EQUAL 4)
  message(FATAL_ERROR "ktstr-product: 2 tests x 2 kernels should give 4 entries, got ${total}: ${names}")
endif()

foreach(kernel default debug)
  must(${CMAKE_CTEST_COMMAND} --test-dir "${bin}" -L "kernel:${kernel}" -N)
  expect_match("${run_out}" "Total Tests: 2" "ctest -L kernel:${kernel} selects half")
  run(${CMAKE_CTEST_COMMAND} --test-dir "${bin}" -L "kernel:${kernel}" --output-on-failure -V)
  file(WRITE "${WORK_DIR}/ctest-${kernel}.log" "${run_out}")
  if(NOT run_rc EQUAL 0 OR NOT run_out MATCHES "100% tests passed")
    message(FATAL_ERROR "ktstr-product: ctest -L kernel:${kernel} failed (log ${WORK_DIR}/ctest-${kernel}.log):\n${run_out}")
  endif()
  # One sidecar per run under <build>/ktstr/<kernel key>-<commit>/.
  file(GLOB_RECURSE sidecars "${bin}/ktstr/runs/matrix_tests_ktstr_*_${kernel}/sidecar.json")
  list(LENGTH sidecars nsidecars)
  if(NOT nsidecars EQUAL 2)
    message(FATAL_ERROR "ktstr-product: expected 2 sidecars for kernel ${kernel}, found: ${sidecars}")
  endif()
  # string(JSON GET) reads a JSON boolean as ON/OFF.
  set(want OFF)
  if(kernel STREQUAL "debug")
    set(want ON)
  endif()
  foreach(sc IN LISTS sidecars)
    file(READ "${sc}" j)
    string(JSON debug GET "${j}" telemetry debug_kernel)
    if(NOT debug STREQUAL want)
      message(FATAL_ERROR "ktstr-product: ${sc}: telemetry.debug_kernel is ${debug}, expected ${want}")
    endif()
  endforeach()
endforeach()
message(STATUS "ktstr-product: 4 entries (2 per kernel); ctest -L kernel:default and -L kernel:debug each 2/2 green; "
               "debug_kernel set only on the debug kernel")
