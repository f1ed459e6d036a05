# The acceptance run of the product surface (issue 6), in order:
#   1. install ktstr (BUILD_DIR) to WORK_DIR/prefix
#   2. configure + build SOURCE_DIR/examples against it (find_package(ktstr))
#   3. `ctest -N --show-only=json-v1`: every expected name with its labels
#   4. `ctest -R ktstr/ --output-junit`: all green, the WILL_FAIL test failing
#      for its documented reason, the junit file listing every test, and
#      <CTestMeasurement> values in the output
# A missing kernel prints "ktstr-product: skip: ..." (CTest skips on it).
cmake_minimum_required(VERSION 3.25)

function(run)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
  set(run_rc ${rc} PARENT_SCOPE)
  set(run_out "${out}" PARENT_SCOPE)
endfunction()

function(must)
  run(${ARGN})
  if(NOT run_rc EQUAL 0)
    message(FATAL_ERROR "ktstr-product: `${ARGN}` failed (${run_rc}):\n${run_out}")
  endif()
  set(run_out "${run_out}" PARENT_SCOPE)
endfunction()

set(prefix "${WORK_DIR}/prefix")
set(ex "${WORK_DIR}/examples")
file(REMOVE_RECURSE "${WORK_DIR}")
file(MAKE_DIRECTORY "${WORK_DIR}")

# 1. Install.
must(${CMAKE_COMMAND} --install "${BUILD_DIR}" --prefix "${prefix}")
foreach(f bin/ktstr bin/ktstr-vm lib/cmake/ktstr/ktstrConfig.cmake lib/cmake/ktstr/ktstrConfigVersion.cmake
          include/ktstr/doctest.hpp)
  if(NOT EXISTS "${prefix}/${f}")
    message(FATAL_ERROR "ktstr-product: install is missing ${f}")
  endif()
endforeach()

# The kernel: KTSTR_KERNEL, else whatever `ktstr kernel path` resolves.
set(kernel "$ENV{KTSTR_KERNEL}")
if(NOT kernel)
  run("${prefix}/bin/ktstr" kernel path)
  string(STRIP "${run_out}" kernel)
  if(NOT run_rc EQUAL 0 OR NOT IS_DIRECTORY "${kernel}")
    message("ktstr-product: skip: no kernel (set KTSTR_KERNEL or run `ktstr kernel build`): ${run_out}")
    return()
  endif()
endif()

# 2. Configure and build the example project against the installed package.
find_program(ninja ninja)
set(gen)
if(ninja)
  set(gen -G Ninja)
endif()
must(${CMAKE_COMMAND} -S "${SOURCE_DIR}/examples" -B "${ex}" ${gen}
     "-DCMAKE_PREFIX_PATH=${prefix}" "-DKTSTR_KERNEL=${kernel}")
must(${CMAKE_COMMAND} --build "${ex}" -j2)

# 3. Names and labels.
must(${CMAKE_CTEST_COMMAND} --test-dir "${ex}" -N --show-only=json-v1)
set(json "${run_out}")
string(JSON ntests LENGTH "${json}" tests)
set(labels_of "")
math(EXPR last "${ntests} - 1")
set(names "")
foreach(i RANGE ${last})
  string(JSON name GET "${json}" tests ${i} name)
  list(APPEND names "${name}")
  set(labels "")
  string(JSON nprops LENGTH "${json}" tests ${i} properties)
  math(EXPR plast "${nprops} - 1")
  foreach(p RANGE ${plast})
    string(JSON pname GET "${json}" tests ${i} properties ${p} name)
    if(pname STREQUAL "LABELS")
      string(JSON lj GET "${json}" tests ${i} properties ${p} value)
      string(JSON nl LENGTH "${lj}")
      math(EXPR llast "${nl} - 1")
      foreach(l RANGE ${llast})
        string(JSON lab GET "${lj}" ${l})
        list(APPEND labels "${lab}")
      endforeach()
    endif()
  endforeach()
  set("labels_${name}" "${labels}")
endforeach()
foreach(expect
    "wvt_tests/ktstr/steady_shared|ktstr;scx_wvt;1n1l2c1t"
    "wvt_tests/ktstr/steady_per_llc|ktstr;scx_wvt_llc;1n2l2c1t"
    "wvt_tests/ktstr/cpuset_split_then_widen|ktstr;scx_wvt_llc;1n2l2c1t"
    "wvt_tests/ktstr/isolation_llc0|ktstr;scx_wvt_llc;1n2l2c1t"
    "wvt_tests/ktstr/broken_stalls_cgroup|ktstr;scx_wvt;1n1l2c1t;will_fail"
    "wvt_tests/ktstr/broken_starves_cgroup_vs_eevdf|ktstr;scx_wvt;1n1l2c1t;will_fail"
    "wvt_tests/ktstr/scx_simple_steady|ktstr;scx_simple;1n1l2c1t"
    "wvt_tests/gauntlet/steady_shared/1n1l1c1t|gauntlet;scx_wvt;1n1l1c1t"
    "wvt_tests/gauntlet/steady_shared/1n2l2c1t|gauntlet;scx_wvt;1n2l2c1t")
  string(REPLACE "|" ";" parts "${expect}")
  list(GET parts 0 name)
  list(SUBLIST parts 1 -1 want)
  if(NOT name IN_LIST names)
    message(FATAL_ERROR "ktstr-product: ctest -N lacks ${name}; has:\n${names}")
  endif()
  # ctest reports labels sorted.
  set(have "${labels_${name}}")
  list(SORT have)
  list(SORT want)
  if(NOT "${have}" STREQUAL "${want}")
    message(FATAL_ERROR "ktstr-product: ${name} labels '${labels_${name}}', expected '${want}'")
  endif()
endforeach()
foreach(name IN LISTS names)
  if(NOT name MATCHES "^[A-Za-z0-9_./-]+$")
    message(FATAL_ERROR "ktstr-product: test name '${name}' has characters outside [A-Za-z0-9_./-]")
  endif()
endforeach()
list(LENGTH names n)
message(STATUS "ktstr-product: ${n} CTest entries, names and labels as expected")

# 4. Run every ktstr/ entry.
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
if(NOT run_out MATCHES "<CTestMeasurement")
  message(FATAL_ERROR "ktstr-product: no <CTestMeasurement> in the test output")
endif()
file(READ "${junit}" xml)
foreach(name IN LISTS names)
  if(name MATCHES "/ktstr/" AND NOT xml MATCHES "name=\"${name}\"")
    message(FATAL_ERROR "ktstr-product: junit ${junit} lacks ${name}")
  endif()
endforeach()
message(STATUS "ktstr-product: ctest -R ktstr/ green; WILL_FAIL case failed for its documented reason")
