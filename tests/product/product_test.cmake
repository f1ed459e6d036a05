# The acceptance run of the product surface, as a new user meets it, in order:
#   1. install ktstr (BUILD_DIR) to WORK_DIR/prefix
#   2. configure SOURCE_DIR/examples against it: no kernel work, one line per
#      kernel, timed (goal < 30 s)
#   3. build it: the kernel target runs as part of the build, its output in the log
#   4. `cmake --build --target kernel` prints the cache hit; a second build
#      rebuilds nothing
#   5. `ctest -N --show-only=json-v1`: every expected name with its labels
#   6. `ctest -R ktstr/ --output-junit`: all green, the expected-failure test
#      failing for its documented reason, the junit file listing every test,
#      and <CTestMeasurement> values in the output (and the expected-failure
#      temporal test failing for its documented reason)
#   7. `ktstr replay` of the broken temporal test's sidecar re-fails its
#      temporal assertion; a looser one given with --set passes it
# COLD=ON (label product_cold): KTSTR_CACHE_DIR is an empty directory, so step 3
# builds the kernel from /usr/src/linux-source-6.*.tar.xz (~10 min on 2 cores).
# Without COLD and without a cached kernel it skips ("ktstr-product: skip:").
# Figures go to WORK_DIR/figures.txt and the output.
cmake_minimum_required(VERSION 3.25)
include(${CMAKE_CURRENT_LIST_DIR}/product_lib.cmake)

set(prefix "${WORK_DIR}/prefix")
set(ex "${WORK_DIR}/examples")
file(REMOVE_RECURSE "${WORK_DIR}")
file(MAKE_DIRECTORY "${WORK_DIR}")
unset(ENV{KTSTR_KERNEL})
if(COLD)
  set(ENV{KTSTR_CACHE_DIR} "${WORK_DIR}/cache")
  file(MAKE_DIRECTORY "$ENV{KTSTR_CACHE_DIR}")
endif()
set(figures "")

# 1. Install.
install_ktstr("${prefix}")

# 2. Configure: seconds, one kernel line, and nothing built or downloaded.
configure_project("${SOURCE_DIR}/examples" "${ex}" "${prefix}")
string(APPEND figures "configure: ${run_ms} ms\n")
string(REGEX MATCHALL "ktstr: kernel '[^\n]*" lines "${run_out}")
list(LENGTH lines nlines)
if(NOT nlines EQUAL 1)
  message(FATAL_ERROR "ktstr-product: configure printed ${nlines} kernel lines, expected 1:\n${run_out}")
endif()
string(APPEND figures "configure line: ${lines}\n")
expect_match("${lines}" "target ktstr_kernel_default, part of `kernel`" "configure line names the target")
if(COLD)
  expect_match("${lines}" "not cached: built at build time" "cold configure line")
  file(GLOB entries LIST_DIRECTORIES true "$ENV{KTSTR_CACHE_DIR}/*")
  list(FILTER entries EXCLUDE REGEX "/\\.digests\\.")
  if(entries)
    message(FATAL_ERROR "ktstr-product: configure created cache entries: ${entries}")
  endif()
elseif(NOT lines MATCHES "cache hit")
  message("ktstr-product: skip: the kernel is not cached (${lines}): run `cmake --build build --target kernel`, "
          "or `ctest -L product_cold` for the flow that builds it")
  return()
endif()
if(run_ms GREATER 30000)
  message(FATAL_ERROR "ktstr-product: configure took ${run_ms} ms (goal < 30 s):\n${run_out}")
endif()

# 3. Build; the kernel step's output is part of the build log.
timed_must(${CMAKE_COMMAND} --build "${ex}" -j2)
file(WRITE "${WORK_DIR}/build.log" "${run_out}")
string(APPEND figures "first build: ${run_ms} ms\n")
expect_match("${run_out}" "ktstr: kernel [^\n]* via [^\n]*: (cache hit|built now)" "the kernel step in the build log")
if(COLD)
  expect_match("${run_out}" "make bzImage: [0-9]+ CC" "kernel build progress in the build log")
  file(GLOB manifests "$ENV{KTSTR_CACHE_DIR}/*/manifest.json")
  foreach(m IN LISTS manifests)
    file(READ "${m}" mj)
    string(JSON secs GET "${mj}" build_seconds)
    string(APPEND figures "cold kernel build: ${secs} s\n")
  endforeach()
endif()

# 4. The kernel target alone: a cache hit. A second build: nothing rebuilt.
timed_must(${CMAKE_COMMAND} --build "${ex}" --target kernel)
expect_match("${run_out}" "ktstr: kernel [^\n]*: cache hit" "`--target kernel` reports the cache hit")
string(APPEND figures "--target kernel (hit): ${run_ms} ms\n")
timed_must(${CMAKE_COMMAND} --build "${ex}" -j2)
string(APPEND figures "second build: ${run_ms} ms\n")
if(run_out MATCHES "Building C|Linking C|ktstr: BPF|ktstr: initramfs|discovering tests")
  message(FATAL_ERROR "ktstr-product: the second build rebuilt something:\n${run_out}")
endif()

# 5. Names and labels.
ctest_entries("${ex}")
foreach(e
    "wvt_tests/ktstr/steady_shared|ktstr;scx_wvt;1n1l2c1t;kernel:default"
    "wvt_tests/ktstr/steady_per_llc|ktstr;scx_wvt_llc;1n2l2c1t;kernel:default"
    "wvt_tests/ktstr/cpuset_split_then_widen|ktstr;scx_wvt_llc;1n2l2c1t;kernel:default"
    "wvt_tests/ktstr/isolation_llc0|ktstr;scx_wvt_llc;1n2l2c1t;kernel:default"
    "wvt_tests/ktstr/broken_stalls_cgroup|ktstr;scx_wvt;1n1l2c1t;will_fail;kernel:default"
    "wvt_tests/ktstr/broken_starves_cgroup_vs_eevdf|ktstr;scx_wvt;1n1l2c1t;will_fail;kernel:default"
    "wvt_tests/ktstr/scx_simple_steady|ktstr;scx_simple;1n1l2c1t;kernel:default"
    "wvt_tests/ktstr/temporal_cg1_keeps_its_share|ktstr;scx_wvt;1n1l2c1t;kernel:default"
    "wvt_tests/ktstr/temporal_broken_starves_cg1|ktstr;scx_wvt;1n1l2c1t;will_fail;kernel:default"
    "wvt_tests/gauntlet/steady_shared/1n1l1c1t|gauntlet;scx_wvt;1n1l1c1t;kernel:default"
    "wvt_tests/gauntlet/steady_shared/1n2l2c1t|gauntlet;scx_wvt;1n2l2c1t;kernel:default")
  string(REPLACE "|" ";" parts "${e}")
  list(GET parts 0 name)
  list(SUBLIST parts 1 -1 want)
  expect_entry("${name}" "${want}")
endforeach()
foreach(name IN LISTS names)
  if(NOT name MATCHES "^[A-Za-z0-9_./-]+$")
    message(FATAL_ERROR "ktstr-product: test name '${name}' has characters outside [A-Za-z0-9_./-]")
  endif()
endforeach()
expect_match("${command_wvt_tests/ktstr/steady_shared}" "\"--kernel\",\"${ex}/ktstr/kernels/default\""
             "entries boot the build tree's kernel link")
list(LENGTH names n)
message(STATUS "ktstr-product: ${n} CTest entries, names and labels as expected")

# 6. Run every ktstr/ entry.
set(junit "${WORK_DIR}/junit.xml")
run(${CMAKE_CTEST_COMMAND} --test-dir "${ex}" -R "/ktstr/" -j2 --output-on-failure -V
    --output-junit "${junit}")
file(WRITE "${WORK_DIR}/ctest-ktstr.log" "${run_out}")
if(NOT run_rc EQUAL 0)
  message(FATAL_ERROR "ktstr-product: `ctest -R ktstr/` failed (log ${WORK_DIR}/ctest-ktstr.log):\n${run_out}")
endif()
if(NOT run_out MATCHES "failed as expected \\(matches 'scheduler\\.\\*runnable task stall'\\)")
  message(FATAL_ERROR "ktstr-product: broken_stalls_cgroup did not fail for its documented reason:\n${run_out}")
endif()
if(NOT run_out MATCHES "failed as expected \\(matches 'min_share_vs_baseline_pct cg1 step 0'\\)")
  message(FATAL_ERROR "ktstr-product: broken_starves_cgroup_vs_eevdf did not fail its A/B check:\n${run_out}")
endif()
if(NOT run_out MATCHES "--- A/B: baseline eevdf \\| scheduler scx_wvt ---")
  message(FATAL_ERROR "ktstr-product: no A/B report (baseline | scheduler) in the output:\n${run_out}")
endif()
if(NOT run_out MATCHES "failed as expected \\(matches 'temporal cg1 step 0")
  message(FATAL_ERROR "ktstr-product: temporal_broken_starves_cg1 did not fail for its documented reason:\n${run_out}")
endif()
if(NOT run_out MATCHES "<CTestMeasurement")
  message(FATAL_ERROR "ktstr-product: no <CTestMeasurement> in the test output")
endif()
file(READ "${junit}" xml)
foreach(name IN LISTS names)
  if(name MATCHES "/ktstr/" AND NOT xml MATCHES "name=\"${name}\"")
    message(FATAL_ERROR "ktstr-product: junit ${junit} lacks ${name}")
  endif()
endforeach()
file(WRITE "${WORK_DIR}/figures.txt" "${figures}")
message(STATUS "ktstr-product: figures:\n${figures}")
message(STATUS "ktstr-product: ctest -R ktstr/ green; the expected failures failed for their documented reasons")

# 7. Replay re-judges the temporal assertions from the sidecar alone: the
#    recorded ones break again, a looser one (--set) no longer does.
file(GLOB_RECURSE sidecars "${ex}/ktstr/*temporal_broken_starves_cg1*.json")
list(FILTER sidecars EXCLUDE REGEX "\\.trace\\.json$")
list(LENGTH sidecars nsidecars)
if(NOT nsidecars EQUAL 1)
  message(FATAL_ERROR "ktstr-product: expected one sidecar of temporal_broken_starves_cg1, found: ${sidecars}")
endif()
run("${prefix}/bin/ktstr" replay "${sidecars}")
if(NOT run_rc EQUAL 1 OR NOT run_out MATCHES "temporal cg1 step 0: [^\n]*broke at snapshot")
  message(FATAL_ERROR "ktstr-product: replay of ${sidecars} (exit ${run_rc}) did not re-fail the temporal assertion:\n${run_out}")
endif()
run("${prefix}/bin/ktstr" replay "${sidecars}" --set "temporal=[{\"kind\":\"within\",\"cgroup\":\"cg1\",\"of\":\"share\",\"min\":0}]")
if(run_out MATCHES "temporal cg1")
  message(FATAL_ERROR "ktstr-product: replay with a looser temporal assertion still failed it:\n${run_out}")
endif()
message(STATUS "ktstr-product: replay re-judged the temporal assertions")
