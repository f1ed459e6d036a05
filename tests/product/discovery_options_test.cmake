# ktstr_add_test options without a VM (projects/discovery_options):
#   - no ktstr kernel used: configure and build declare and build none
#   - KERNEL <target>: the target is built first and its KTSTR_KERNEL_DIR is
#     the entries' --kernel (label kernel:<target>); two PROPERTIES pairs land
#   - DISCOVERY_MODE PRE_TEST: nothing discovered at build time, ctest discovers
#   - DISCOVERY_TIMEOUT: a listing slower than it fails the build and says so;
#     a larger timeout lets it through
#   - version skew: ktstr-vm refuses an entry built against another ktstr
#     version, in one line naming both
cmake_minimum_required(VERSION 3.25)
include(${CMAKE_CURRENT_LIST_DIR}/product_lib.cmake)

set(prefix "${WORK_DIR}/prefix")
set(bin "${WORK_DIR}/discovery_options")
set(src "${CMAKE_CURRENT_LIST_DIR}/projects/discovery_options")
file(REMOVE_RECURSE "${WORK_DIR}")
install_ktstr("${prefix}")

configure_project("${src}" "${bin}" "${prefix}" -DSLOW_TIMEOUT=1)
if(run_out MATCHES "ktstr: kernel '")
  message(FATAL_ERROR "ktstr-product: a project that uses no ktstr kernel declared one:\n${run_out}")
endif()

# KERNEL <target> and PRE_TEST; the fake kernel target runs first.
must(${CMAKE_COMMAND} --build "${bin}" --target by_target_initramfs pre_test_initramfs)
if(NOT EXISTS "${bin}/fake-kernel/bzImage")
  message(FATAL_ERROR "ktstr-product: KERNEL fake_kernel: the target was not built before the initramfs")
endif()
if(EXISTS "${bin}/pre_test_ktstr_tests.cmake")
  message(FATAL_ERROR "ktstr-product: PRE_TEST discovered at build time")
endif()
ctest_entries("${bin}")
if(NOT EXISTS "${bin}/pre_test_ktstr_tests.cmake")
  message(FATAL_ERROR "ktstr-product: PRE_TEST: ctest did not discover pre_test")
endif()
expect_entry("pre_test/ktstr/first" "ktstr;eevdf;1n1l2c1t;kernel:custom")
expect_entry("pre_test/ktstr/second" "ktstr;eevdf;1n2l1c1t;kernel:custom")
expect_entry("by_target/ktstr/first" "ktstr;eevdf;1n1l2c1t;kernel:fake_kernel")
expect_match("${command_by_target/ktstr/first}" "\"--kernel\",\"${bin}/fake-kernel\"" "KERNEL <target>: --kernel")
expect_match("${command_by_target/ktstr/first}" "\"--adapter-version\",\"[0-9]+\\.[0-9]+\\.[0-9]+\""
             "the adapter's version is passed to ktstr-vm")
expect_match("${prop_by_target/ktstr/first_RESOURCE_GROUPS}" "\"\\.type\" : \"vm\"" "PROPERTIES pair 1 (RESOURCE_GROUPS vm:1)")
expect_match("${prop_by_target/ktstr/first_COST}" "^5" "PROPERTIES pair 2")
# Rebuilding the executable makes ctest rediscover (it is newer than the file).
file(TIMESTAMP "${bin}/pre_test_ktstr_tests.cmake" before "%s%f")
execute_process(COMMAND ${CMAKE_COMMAND} -E sleep 1.1)
file(TOUCH "${src}/sample_test.cpp")
must(${CMAKE_COMMAND} --build "${bin}" --target pre_test)
must(${CMAKE_CTEST_COMMAND} --test-dir "${bin}" -N -R pre_test)
file(TIMESTAMP "${bin}/pre_test_ktstr_tests.cmake" after "%s%f")
if(NOT after GREATER before)
  message(FATAL_ERROR "ktstr-product: PRE_TEST: a rebuilt executable was not rediscovered")
endif()

# DISCOVERY_TIMEOUT 1 against a 3 s listing: the build fails naming the timeout.
set(ENV{KTSTR_TEST_SLOW_LIST} 3)
run(${CMAKE_COMMAND} --build "${bin}" --target slow_listing)
if(run_rc EQUAL 0)
  message(FATAL_ERROR "ktstr-product: DISCOVERY_TIMEOUT 1 did not stop a 3 s listing:\n${run_out}")
endif()
string(REGEX REPLACE "[\n ]+" " " flat "${run_out}")  # CMake wraps long messages
expect_match("${flat}" "discovering tests of slow_listing: [^\n]* did not finish within DISCOVERY_TIMEOUT 1 s"
             "DISCOVERY_TIMEOUT failure message")
must(${CMAKE_COMMAND} -S "${src}" -B "${bin}" -DSLOW_TIMEOUT=30)
must(${CMAKE_COMMAND} --build "${bin}" --target slow_listing)
expect_match("${run_out}" "slow_listing: 2 CTest entries" "DISCOVERY_TIMEOUT 30 lets the listing finish")
unset(ENV{KTSTR_TEST_SLOW_LIST})

# Version skew: the entry's command with another adapter version.
must(${CMAKE_COMMAND} --build "${bin}" --target by_target)
run("${prefix}/bin/ktstr-vm" --kernel "${bin}/fake-kernel" --initramfs "${bin}/by_target.cpio" --test by_target/ktstr/first
    --adapter-version 0.0.1 -- --test first)
if(NOT run_rc EQUAL 70)
  message(FATAL_ERROR "ktstr-product: version skew: exit ${run_rc}, expected 70:\n${run_out}")
endif()
string(STRIP "${run_out}" skew)
expect_match("${skew}" "^ktstr-vm: version skew: the test executable was built against ktstr 0\\.0\\.1 but this ktstr-vm is [0-9.]+: [^\n]*$"
             "one line naming both versions")
message(STATUS "ktstr-product: KERNEL <target>, PRE_TEST, DISCOVERY_TIMEOUT, PROPERTIES and version skew as expected")
