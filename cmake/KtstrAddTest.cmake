# ktstr_add_test(TARGET SOURCES src... [SCHEDULERS sched...]
#                [KERNELS name...] [KERNEL name|dir|bzImage|target]
#                [GAUNTLET] [DISCOVERY_MODE POST_BUILD|PRE_TEST] [DISCOVERY_TIMEOUT seconds]
#                [PROPERTIES prop value ...])
#
# Builds the test executable TARGET (sources with KTSTR_TEST cases, linked with
# ktstr::guest), its initramfs TARGET.cpio at build time (the executable as
# /init, each scheduler at /bin/<name>, shared-library closures), and
# discovers its tests like gtest_discover_tests: after the build (or before
# ctest runs, PRE_TEST) `TARGET --ktstr-list` produces one CTest entry per
# test, topology variant and kernel:
#   <TARGET>/ktstr/<test>[/<kernel>]                  labels ktstr, kernel:<kernel>
#   <TARGET>/gauntlet/<test>/<topology>[/<kernel>]    labels gauntlet, kernel:<kernel>
# each running `ktstr-vm --kernel <build>/ktstr/kernels/<kernel> ... --test <name>`,
# which boots the VM, judges the run and exits 0 pass / 1 fail / 77 skip / 70+
# infrastructure. Gauntlet entries run only when selected: `ctest -L gauntlet
# [-R test]` or KTSTR_GAUNTLET=1; otherwise they skip (77) saying how.
#
# SCHEDULERS: targets made by ktstr_add_scheduler (or any executable target),
#   or the default kernel entry's prebuilt scx_simple, scx_qmap, scx_central,
#   scx_flatcg (taken from <build>/ktstr/kernels/default/schedulers at build time).
# KERNELS: kernels declared with ktstr_add_kernel (`default` needs no
#   declaration); every test runs on each, the kernel name ends the entry name
#   (`ctest -L kernel:debug` selects one kernel). Default: `default`, with
#   names unchanged (no /<kernel> suffix).
# KERNEL: one kernel for every entry, no suffix: a ktstr_add_kernel name, a
#   target with the KTSTR_KERNEL_DIR property (built first), or a built kernel
#   (bzImage or a directory holding one), used as is (label kernel:custom).
# PROPERTIES: extra CTest properties for every entry (e.g. RESOURCE_GROUPS).
include_guard(GLOBAL)
include(${CMAKE_CURRENT_LIST_DIR}/KtstrKernel.cmake)
# No variables at file scope: with add_subdirectory(ktstr) they would live
# only in ktstr's directory, not in the caller's (functions are global).

# The default kernel entry's prebuilt schedulers (lib/host/kernel/tool_steps.cpp).
function(_ktstr_prebuilt_schedulers out)
  set(${out} scx_simple scx_qmap scx_central scx_flatcg PARENT_SCOPE)
endfunction()

# The path of an executable target of the ktstr package (in-tree or imported).
function(_ktstr_tool_genex out target)
  if(NOT TARGET ${target})
    message(FATAL_ERROR "ktstr_add_test: ${target} is not defined (find_package(ktstr) or add_subdirectory(ktstr) first)")
  endif()
  set(${out} "$<TARGET_FILE:${target}>" PARENT_SCOPE)
endfunction()

# The kernels TARGET's entries boot: parallel lists of names and paths, the
# targets to build first, and whether the name goes into the entry names.
function(_ktstr_test_kernels target kernel kernels)
  set(names "")
  set(paths "")
  set(deps "")
  set(in_name OFF)
  get_property(declared GLOBAL PROPERTY KTSTR_KERNELS)
  if(kernel AND kernels)
    message(FATAL_ERROR "ktstr_add_test(${target}): give KERNEL or KERNELS, not both")
  elseif(kernel AND NOT kernel IN_LIST declared AND NOT kernel STREQUAL "default")
    if(TARGET ${kernel})
      get_target_property(dir ${kernel} KTSTR_KERNEL_DIR)
      if(NOT dir)
        message(FATAL_ERROR "ktstr_add_test(${target}): KERNEL target ${kernel} has no KTSTR_KERNEL_DIR property")
      endif()
      set(names ${kernel})
      set(paths "${dir}")
      set(deps ${kernel})
    else()
      set(names custom)
      set(paths "${kernel}")
    endif()
  else()
    set(wanted ${kernel} ${kernels})
    if(kernels)
      set(in_name ON)
    elseif(NOT wanted)
      set(wanted default)
    endif()
    foreach(k IN LISTS wanted)
      ktstr_kernel_info(${k})
      list(APPEND names ${k})
      list(APPEND paths "${KTSTR_KERNEL_LINK}")
      list(APPEND deps ${KTSTR_KERNEL_TARGET})
    endforeach()
  endif()
  foreach(v names paths deps in_name)
    set(kernel_${v} "${${v}}" PARENT_SCOPE)
  endforeach()
endfunction()

# initramfs arguments and dependencies for SCHEDULERS; sets skip_reason when
# one cannot be built here.
function(_ktstr_test_schedulers target schedulers)
  set(args "")
  set(deps "")
  set(skip "")
  _ktstr_prebuilt_schedulers(prebuilt_names)
  foreach(s IN LISTS schedulers)
    if(TARGET ${s})
      get_target_property(missing ${s} KTSTR_SCHEDULER_MISSING)
      if(missing)
        set(skip "scheduler ${s} not built: ${missing}")
        continue()
      endif()
      list(APPEND args "$<TARGET_FILE:${s}>:/bin/$<TARGET_FILE_NAME:${s}>")
      list(APPEND deps ${s})
    elseif(s IN_LIST prebuilt_names)
      ktstr_kernel_info(default)
      if(KTSTR_KERNEL_PREBUILT)
        set(skip "scheduler ${s} comes from a ktstr cache entry: ${KTSTR_KERNEL_PREBUILT}")
        continue()
      endif()
      list(APPEND args "${KTSTR_KERNEL_LINK}/schedulers/${s}:/bin/${s}")
      list(APPEND deps ${KTSTR_KERNEL_TARGET} "${KTSTR_KERNEL_STAMP}")
    else()
      string(REPLACE ";" ", " prebuilt "${prebuilt_names}")
      message(FATAL_ERROR "ktstr_add_test(${target}): scheduler ${s} is neither a target (define it before this call) "
                          "nor one of the kernel entry's prebuilt schedulers (${prebuilt})")
    endif()
  endforeach()
  set(sched_args "${args}" PARENT_SCOPE)
  set(sched_deps "${deps}" PARENT_SCOPE)
  set(skip_reason "${skip}" PARENT_SCOPE)
endfunction()

# A list value for a -D argument of a COMMAND: its ';' must not split the argument.
function(_ktstr_list_arg out value)
  string(REPLACE ";" "$<SEMICOLON>" value "${value}")
  set(${out} "${value}" PARENT_SCOPE)
endfunction()

function(ktstr_add_test target)
  cmake_parse_arguments(PARSE_ARGV 1 arg "GAUNTLET" "KERNEL;DISCOVERY_MODE;DISCOVERY_TIMEOUT"
                        "SOURCES;SCHEDULERS;KERNELS;PROPERTIES")
  if(NOT arg_SOURCES)
    message(FATAL_ERROR "ktstr_add_test(${target}): SOURCES is required")
  endif()
  if(NOT arg_DISCOVERY_MODE)
    set(arg_DISCOVERY_MODE POST_BUILD)
  endif()
  if(NOT arg_DISCOVERY_TIMEOUT)
    set(arg_DISCOVERY_TIMEOUT 60)
  endif()

  set(cmake_dir "${CMAKE_CURRENT_FUNCTION_LIST_DIR}")  # KtstrDiscover.cmake, the gate script
  add_executable(${target} ${arg_SOURCES})
  target_link_libraries(${target} PRIVATE ktstr::guest)
  _ktstr_test_kernels(${target} "${arg_KERNEL}" "${arg_KERNELS}")
  _ktstr_test_schedulers(${target} "${arg_SCHEDULERS}")

  # The initramfs: the executable as /init, schedulers at /bin/<name>.
  _ktstr_tool_genex(cli ktstr::ktstr)
  _ktstr_tool_genex(launcher ktstr::ktstr-vm)
  set(cpio "${CMAKE_CURRENT_BINARY_DIR}/${target}.cpio")
  add_custom_command(
    OUTPUT "${cpio}"
    COMMAND "${cli}" initramfs --out "${cpio}" --init "$<TARGET_FILE:${target}>" ${sched_args}
    DEPENDS ${target} ${sched_deps}
    COMMENT "ktstr: initramfs ${target}.cpio"
    VERBATIM)
  add_custom_target(${target}_initramfs ALL DEPENDS "${cpio}")
  # Every kernel the entries boot is built before the initramfs and before the
  # executable's discovery (`cmake --build` is enough, `--target TARGET` too).
  if(kernel_deps)
    add_dependencies(${target} ${kernel_deps})
    add_dependencies(${target}_initramfs ${kernel_deps})
  endif()

  # Discovery (the pattern of CMake's GoogleTest module, gtest_discover_tests).
  cmake_host_system_information(RESULT nproc QUERY NUMBER_OF_LOGICAL_CORES)
  set(ctest_file "${CMAKE_CURRENT_BINARY_DIR}/${target}_ktstr_tests.cmake")
  set(include_file "${CMAKE_CURRENT_BINARY_DIR}/${target}_ktstr_include.cmake")
  set(force_gauntlet OFF)
  if(arg_GAUNTLET)
    set(force_gauntlet ON)
  endif()
  _ktstr_list_arg(knames "${kernel_names}")
  _ktstr_list_arg(kpaths "${kernel_paths}")
  _ktstr_list_arg(extra "${arg_PROPERTIES}")
  set(vars
      -D "TEST_TARGET=${target}"
      -D "TEST_EXE=$<TARGET_FILE:${target}>"
      -D "CTEST_FILE=${ctest_file}"
      -D "LAUNCHER=${launcher}"
      -D "KERNEL_NAMES=${knames}"
      -D "KERNEL_PATHS=${kpaths}"
      -D "KERNEL_IN_NAME=${kernel_in_name}"
      -D "SKIP_REASON=${skip_reason}"
      -D "INITRAMFS=${cpio}"
      -D "OUT_DIR=${CMAKE_BINARY_DIR}/ktstr/runs"
      -D "BUILD_DIR=${CMAKE_BINARY_DIR}"
      -D "DISCOVERY_TIMEOUT=${arg_DISCOVERY_TIMEOUT}"
      -D "FORCE_GAUNTLET=${force_gauntlet}"
      -D "GATE_SCRIPT=${cmake_dir}/ktstr_gauntlet_gate.sh"
      -D "HOST_NPROC=${nproc}"
      -D "EXTRA_PROPERTIES=${extra}")
  set(not_built "sh -c \"echo '${target} is not built: run cmake --build first' && exit 1\"")
  if(arg_DISCOVERY_MODE STREQUAL "POST_BUILD")
    add_custom_command(TARGET ${target} POST_BUILD
      COMMAND "${CMAKE_COMMAND}" ${vars} -P "${cmake_dir}/KtstrDiscover.cmake"
      COMMENT "ktstr: discovering tests of ${target}"
      VERBATIM)
    file(WRITE "${include_file}"
         "if(EXISTS \"${ctest_file}\")\n  include(\"${ctest_file}\")\nelse()\n"
         "  add_test(${target}_NOT_BUILT ${not_built})\nendif()\n")
  elseif(arg_DISCOVERY_MODE STREQUAL "PRE_TEST")
    # ctest evaluates the include file: rediscover when the executable is newer.
    # Generator expressions are expanded per configuration by file(GENERATE).
    set(assign "")
    set(i 0)
    list(LENGTH vars n)
    while(i LESS n)
      math(EXPR j "${i} + 1")
      list(GET vars ${j} kv)
      string(FIND "${kv}" "=" eq)
      string(SUBSTRING "${kv}" 0 ${eq} k)
      math(EXPR eq "${eq} + 1")
      string(SUBSTRING "${kv}" ${eq} -1 v)
      string(APPEND assign "set(${k} [==[${v}]==])\n")
      math(EXPR i "${i} + 2")
    endwhile()
    string(CONCAT content
           "if(NOT EXISTS \"$<TARGET_FILE:${target}>\")\n  add_test(${target}_NOT_BUILT ${not_built})\n"
           "else()\n  if(NOT EXISTS \"${ctest_file}\" OR \"$<TARGET_FILE:${target}>\" IS_NEWER_THAN \"${ctest_file}\")\n"
           "${assign}    include(\"${cmake_dir}/KtstrDiscover.cmake\")\n  endif()\n"
           "  include(\"${ctest_file}\")\nendif()\n")
    file(GENERATE OUTPUT "${include_file}" CONTENT "${content}")
  else()
    message(FATAL_ERROR "ktstr_add_test(${target}): DISCOVERY_MODE must be POST_BUILD or PRE_TEST")
  endif()
  set_property(DIRECTORY APPEND PROPERTY TEST_INCLUDE_FILES "${include_file}")
endfunction()
