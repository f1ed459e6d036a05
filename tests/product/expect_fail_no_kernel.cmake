# An expected-failure entry whose kernel does not exist must fail, not read
# "failed as expected": discovers adapter_sample (TEST_EXE) with the real
# launcher (LAUNCHER) and a kernel path that does not exist, runs the
# generated `expected_to_fail` entry through ctest and requires it to fail
# with the launcher's one line. No VM boots. Variables: TEST_EXE, LAUNCHER,
# DISCOVER (script path), WORK_DIR.
cmake_minimum_required(VERSION 3.25)

set(dir "${WORK_DIR}/expect_fail_no_kernel")
file(REMOVE_RECURSE "${dir}")
file(MAKE_DIRECTORY "${dir}")

set(CTEST_FILE "${dir}/sample_tests.cmake")
set(TEST_TARGET sample)
set(KERNEL "${dir}/no-such-kernel/bzImage")
set(SKIP_REASON "")
set(INITRAMFS "${dir}/sample.cpio")
set(OUT_DIR "${dir}/runs")
set(BUILD_DIR "${dir}")
set(DISCOVERY_TIMEOUT 60)
set(FORCE_GAUNTLET OFF)
set(GATE_SCRIPT /bin/false)
set(HOST_NPROC 2)
set(EXTRA_PROPERTIES "")
include("${DISCOVER}")
file(WRITE "${dir}/CTestTestfile.cmake" "include(\"${CTEST_FILE}\")\n")

execute_process(COMMAND "${CMAKE_CTEST_COMMAND}" --test-dir "${dir}" -R "^sample/ktstr/expected_to_fail$"
                        --output-on-failure
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
if(rc EQUAL 0)
  message(FATAL_ERROR "an expect_fail entry whose kernel does not exist passed:\n${out}")
endif()
if(NOT out MATCHES "1 tests failed out of 1")
  message(FATAL_ERROR "expected the one entry to run and fail:\n${out}")
endif()
if(NOT out MATCHES "expected failure matching 'stall' not established: no verdict \\(exit 70\\): kernel [^\n]*no-such-kernel/bzImage not found")
  message(FATAL_ERROR "the entry did not say what happened instead:\n${out}")
endif()
message(STATUS "expect_fail entry with a missing kernel: failed with the launcher's line")
