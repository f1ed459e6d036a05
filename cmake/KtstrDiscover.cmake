# Discovery of ktstr tests, run after a test executable is built (cmake -P,
# POST_BUILD) or by ctest before testing (included from the target's include
# file, DISCOVERY_MODE PRE_TEST). Runs `TEST_EXE --ktstr-list` and writes
# CTEST_FILE with one add_test per test, gauntlet topology variant and kernel.
#
# Input variables (all set by ktstr_add_test):
#   TEST_TARGET TEST_EXE CTEST_FILE LAUNCHER SKIP_REASON INITRAMFS OUT_DIR BUILD_DIR
#   DISCOVERY_TIMEOUT FORCE_GAUNTLET GATE_SCRIPT HOST_NPROC EXTRA_PROPERTIES
#   KERNEL_NAMES KERNEL_PATHS  parallel lists: each entry runs once per kernel
#                              (label kernel:<name>); KERNEL alone = one kernel "default"
#   KERNEL_IN_NAME             ON: the kernel name ends every entry name (/<name>)
# SKIP_REASON non-empty: every entry prints it and exits 77 (no kernel, or a
# scheduler that could not be built) - a test never passes silently.

cmake_policy(VERSION 3.25)

# Wraps one argument for the generated file (bracket argument: no escaping).
function(_ktstr_q out value)
  set(${out} "[==[${value}]==]" PARENT_SCOPE)
endfunction()

function(_ktstr_args_line out)
  set(line "")
  foreach(a IN LISTS ARGN)
    _ktstr_q(q "${a}")
    string(APPEND line " ${q}")
  endforeach()
  set(${out} "${line}" PARENT_SCOPE)
endfunction()

# Appends add_test + set_tests_properties for one entry to the variable `script`.
# entry: the listing JSON; topo/vcpus/guest_json: this variant's values.
function(_ktstr_emit name kind entry topo vcpus guest_json)
  string(JSON timeout GET "${entry}" timeout_s)
  string(JSON memory GET "${entry}" memory_mib)
  string(JSON expect_fail GET "${entry}" expect_fail)
  string(JSON thresholds GET "${entry}" thresholds)
  string(REGEX REPLACE "\n *" "" thresholds "${thresholds}")  # one line
  string(JSON sched GET "${entry}" scheduler)
  string(JSON file GET "${entry}" file)
  string(JSON line GET "${entry}" line)
  string(JSON nlabels LENGTH "${entry}" labels)
  set(labels "")
  math(EXPR last "${nlabels} - 1")
  foreach(i RANGE ${last})
    string(JSON l GET "${entry}" labels ${i})
    if(i EQUAL 0)
      set(l "${kind}")            # "ktstr" or "gauntlet"
    elseif(i EQUAL 2)
      set(l "${topo}")            # this variant's topology
    endif()
    list(APPEND labels "${l}")
  endforeach()
  list(APPEND labels "kernel:${KERNEL_NAME}")
  set(guest_args "")
  string(JSON nargs LENGTH "${guest_json}")
  math(EXPR last "${nargs} - 1")
  foreach(i RANGE ${last})
    string(JSON a GET "${guest_json}" ${i})
    list(APPEND guest_args "${a}")
  endforeach()

  string(REPLACE "/" "_" run_dir "${name}")
  set(out "${OUT_DIR}/${run_dir}")
  if(SKIP_REASON)
    set(cmd sh -c "echo \"ktstr: skip: $0\" && exit 77" "${SKIP_REASON}")
  else()
    set(cmd "${LAUNCHER}" --kernel "${KERNEL}" --initramfs "${INITRAMFS}" --topology "${topo}"
            --timeout "${timeout}" --out-dir "${out}" --build-dir "${BUILD_DIR}" --test "${name}"
            --thresholds "${thresholds}")
    if(memory GREATER 0)
      list(APPEND cmd --memory "${memory}")
    endif()
    # The adapter's ktstr version: ktstr-vm refuses to judge a run across versions.
    string(JSON built_with ERROR_VARIABLE no_version GET "${entry}" ktstr_version)
    if(NOT no_version)
      list(APPEND cmd --adapter-version "${built_with}")
    endif()
    # The launcher inverts an expected failure itself (exit 0 only for a
    # failure matching the regex): no WILL_FAIL, which would also turn an
    # infrastructure error into a pass.
    if(expect_fail)
      list(APPEND cmd --expect-fail "${expect_fail}")
    endif()
    list(APPEND cmd -- ${guest_args})
    if(kind STREQUAL "gauntlet")
      list(PREPEND cmd "${GATE_SCRIPT}")
    endif()
  endif()
  _ktstr_args_line(cmd_line ${cmd})
  _ktstr_q(qname "${name}")

  set(procs ${vcpus})
  if(procs GREATER HOST_NPROC)
    set(procs ${HOST_NPROC})
  endif()
  # One `cpus` slot per vCPU (capped like PROCESSORS): with a resource spec
  # from `ktstr resources`, `ctest -j N --resource-spec-file F` starts a VM
  # only when its vCPUs fit next to the running ones. Ignored without a spec.
  set(groups "${procs},cpus:1")
  # The launcher enforces the VM timeout and reports it; CTest's own TIMEOUT
  # is a backstop with room for QEMU teardown.
  math(EXPR ctest_timeout "${timeout} + 60")
  # One bracket argument per property value, so list values (LABELS,
  # ATTACHED_FILES_ON_FAIL) stay one argument.
  set(props_line "")
  foreach(kv "LABELS|${labels}" "PROCESSORS|${procs}" "RESOURCE_GROUPS|${groups}" "TIMEOUT|${ctest_timeout}"
             "SKIP_RETURN_CODE|77"
             "ATTACHED_FILES_ON_FAIL|${out}/console.log;${out}/sidecar.json;${out}/timeline.svg"
             "ENVIRONMENT|KTSTR_TEST_SOURCE=${file}:${line}")
    string(FIND "${kv}" "|" bar)
    string(SUBSTRING "${kv}" 0 ${bar} k)
    math(EXPR bar "${bar} + 1")
    string(SUBSTRING "${kv}" ${bar} -1 v)
    string(APPEND props_line " [==[${k}]==] [==[${v}]==]")
  endforeach()
  # EXTRA_PROPERTIES: name/value pairs (values without ';').
  _ktstr_args_line(extra ${EXTRA_PROPERTIES})
  string(APPEND props_line "${extra}")
  string(APPEND script "add_test(${qname}${cmd_line})\nset_tests_properties(${qname} PROPERTIES${props_line})\n")
  set(script "${script}" PARENT_SCOPE)
endfunction()

# _ktstr_emit once per kernel: KERNEL/KERNEL_NAME for that kernel, and the
# name suffixed with /<kernel> when KERNEL_IN_NAME.
function(_ktstr_emit_kernels name kind entry topo vcpus guest_json)
  foreach(KERNEL_NAME KERNEL IN ZIP_LISTS KERNEL_NAMES KERNEL_PATHS)
    set(full "${name}")
    if(KERNEL_IN_NAME)
      string(APPEND full "/${KERNEL_NAME}")
    endif()
    _ktstr_emit("${full}" ${kind} "${entry}" "${topo}" "${vcpus}" "${guest_json}")
  endforeach()
  set(script "${script}" PARENT_SCOPE)
endfunction()

function(ktstr_discover)
  if(NOT DEFINED KERNEL_NAMES)
    set(KERNEL_NAMES default)
    set(KERNEL_PATHS "${KERNEL}")
  endif()
  list(LENGTH KERNEL_NAMES nkernels)
  set(list_args --ktstr-list)
  if(FORCE_GAUNTLET)
    list(APPEND list_args --gauntlet)
  endif()
  execute_process(COMMAND "${TEST_EXE}" ${list_args}
                  OUTPUT_VARIABLE listing ERROR_VARIABLE err RESULT_VARIABLE rc
                  TIMEOUT ${DISCOVERY_TIMEOUT})
  if(rc MATCHES "timeout")
    message(FATAL_ERROR "ktstr: discovering tests of ${TEST_TARGET}: `${TEST_EXE} --ktstr-list` did not finish "
                        "within DISCOVERY_TIMEOUT ${DISCOVERY_TIMEOUT} s (raise it in ktstr_add_test)")
  elseif(NOT rc EQUAL 0)
    message(FATAL_ERROR "ktstr: discovering tests of ${TEST_TARGET}: `${TEST_EXE} --ktstr-list` failed (${rc}):\n${err}")
  endif()
  set(script "# Generated by KtstrDiscover.cmake from `${TEST_EXE} --ktstr-list`. Do not edit.\n")
  string(REPLACE ";" "\\;" listing "${listing}")
  string(REPLACE "\n" ";" lines "${listing}")
  set(count 0)
  foreach(entry IN LISTS lines)
    if(entry STREQUAL "")
      continue()
    endif()
    string(JSON id GET "${entry}" id)
    string(JSON topo GET "${entry}" topology)
    string(JSON vcpus GET "${entry}" vcpus)
    string(JSON guest GET "${entry}" guest_args)
    _ktstr_emit_kernels("${TEST_TARGET}/ktstr/${id}" ktstr "${entry}" "${topo}" "${vcpus}" "${guest}")
    math(EXPR count "${count} + ${nkernels}")
    string(JSON gauntlet GET "${entry}" gauntlet)
    if(NOT gauntlet)
      continue()
    endif()
    string(JSON nvar LENGTH "${entry}" gauntlet_variants)
    math(EXPR last "${nvar} - 1")
    foreach(i RANGE ${last})
      string(JSON v GET "${entry}" gauntlet_variants ${i})
      string(JSON vtopo GET "${v}" topology)
      string(JSON vcpus GET "${v}" vcpus)
      string(JSON fits GET "${v}" fits)
      string(JSON reason GET "${v}" reason)
      if(NOT fits)
        # Filtered, with the reason in the build output and the test file.
        message(STATUS "ktstr: ${TEST_TARGET}/gauntlet/${id}/${vtopo} not registered: ${reason}")
        string(APPEND script "# ${TEST_TARGET}/gauntlet/${id}/${vtopo} not registered: ${reason}\n")
        continue()
      endif()
      string(JSON vguest GET "${v}" guest_args)
      _ktstr_emit_kernels("${TEST_TARGET}/gauntlet/${id}/${vtopo}" gauntlet "${entry}" "${vtopo}" "${vcpus}" "${vguest}")
      math(EXPR count "${count} + ${nkernels}")
    endforeach()
  endforeach()
  file(WRITE "${CTEST_FILE}.tmp" "${script}")
  file(RENAME "${CTEST_FILE}.tmp" "${CTEST_FILE}")
  message(STATUS "ktstr: ${TEST_TARGET}: ${count} CTest entries")
endfunction()

if(CMAKE_SCRIPT_MODE_FILE OR TEST_EXE)
  ktstr_discover()
endif()
