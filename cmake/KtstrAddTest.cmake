# ktstr_add_test(TARGET SOURCES src... [SCHEDULERS sched...] [KERNEL dir|bzImage|target]
#                [GAUNTLET] [DISCOVERY_MODE POST_BUILD|PRE_TEST] [DISCOVERY_TIMEOUT seconds]
#                [PROPERTIES prop value ...])
#
# Builds the test executable TARGET (sources with KTSTR_TEST cases, linked with
# ktstr::guest), its initramfs TARGET.cpio at build time (the executable as
# /init, each scheduler at /bin/<name>, shared-library closures), and
# discovers its tests like gtest_discover_tests: after the build (or before
# ctest runs, PRE_TEST) `TARGET --ktstr-list` produces one CTest entry per test,
#   <TARGET>/ktstr/<test>                    label ktstr
#   <TARGET>/gauntlet/<test>/<topology>      label gauntlet, one per preset that fits
# each running `ktstr-vm ... --test <name>`, which boots the VM, judges the run
# and exits 0 pass / 1 fail / 77 skip / 70+ infrastructure. Gauntlet entries run
# only when selected: `ctest -L gauntlet [-R test]` or KTSTR_GAUNTLET=1;
# otherwise they skip (77) saying how to select them.
#
# SCHEDULERS: targets made by ktstr_add_scheduler, or names of the kernel
#   entry's schedulers (e.g. scx_simple from <entry>/schedulers).
# KERNEL: the kernel to boot (default: KtstrKernelEntry.cmake's resolution);
#   a target name uses that target's KTSTR_KERNEL_DIR property and builds it first.
# PROPERTIES: extra CTest properties for every entry (e.g. RESOURCE_GROUPS).
include_guard(GLOBAL)
include(${CMAKE_CURRENT_LIST_DIR}/KtstrKernelEntry.cmake)
set(_KTSTR_CMAKE_DIR "${CMAKE_CURRENT_LIST_DIR}")

# The path of an executable target of the ktstr package (in-tree or imported).
function(_ktstr_tool_genex out target)
  if(NOT TARGET ${target})
    message(FATAL_ERROR "ktstr_add_test: ${target} is not defined (find_package(ktstr) or add_subdirectory(ktstr) first)")
  endif()
  set(${out} "$<TARGET_FILE:${target}>" PARENT_SCOPE)
endfunction()

function(ktstr_add_test target)
  cmake_parse_arguments(PARSE_ARGV 1 arg "GAUNTLET" "KERNEL;DISCOVERY_MODE;DISCOVERY_TIMEOUT"
                        "SOURCES;SCHEDULERS;PROPERTIES")
  if(NOT arg_SOURCES)
    message(FATAL_ERROR "ktstr_add_test(${target}): SOURCES is required")
  endif()
  if(NOT arg_DISCOVERY_MODE)
    set(arg_DISCOVERY_MODE POST_BUILD)
  endif()
  if(NOT arg_DISCOVERY_TIMEOUT)
    set(arg_DISCOVERY_TIMEOUT 60)
  endif()

  add_executable(${target} ${arg_SOURCES})
  target_link_libraries(${target} PRIVATE ktstr::guest)

  # The kernel every entry boots.
  set(skip_reason "")
  set(kernel_deps "")
  if(arg_KERNEL AND TARGET ${arg_KERNEL})
    get_target_property(kdir ${arg_KERNEL} KTSTR_KERNEL_DIR)
    set(kernel "${kdir}")
    list(APPEND kernel_deps ${arg_KERNEL})
  elseif(arg_KERNEL)
    set(kernel "${arg_KERNEL}")
  else()
    ktstr_resolve_kernel_entry()
    set(kernel "${KTSTR_KERNEL_BZIMAGE}")
    if(NOT KTSTR_KERNEL_FOUND)
      set(skip_reason "${KTSTR_KERNEL_REASON}")
    endif()
  endif()

  # Scheduler binaries for the initramfs: /bin/<name>.
  _ktstr_tool_genex(cli ktstr::ktstr)
  _ktstr_tool_genex(launcher ktstr::ktstr-vm)
  set(cpio "${CMAKE_CURRENT_BINARY_DIR}/${target}.cpio")
  set(initramfs_args --out "${cpio}" --init "$<TARGET_FILE:${target}>")
  set(deps ${target})
  foreach(s IN LISTS arg_SCHEDULERS)
    if(TARGET ${s})
      get_target_property(missing ${s} KTSTR_SCHEDULER_MISSING)
      if(missing)
        set(skip_reason "scheduler ${s} not built: ${missing}")
        continue()
      endif()
      list(APPEND initramfs_args "$<TARGET_FILE:${s}>:/bin/$<TARGET_FILE_NAME:${s}>")
      list(APPEND deps ${s})
    else()
      ktstr_resolve_kernel_entry()
      if(KTSTR_KERNEL_SCHEDULERS AND EXISTS "${KTSTR_KERNEL_SCHEDULERS}/${s}")
        list(APPEND initramfs_args "${KTSTR_KERNEL_SCHEDULERS}/${s}:/bin/${s}")
        list(APPEND deps "${KTSTR_KERNEL_SCHEDULERS}/${s}")
      else()
        set(skip_reason "scheduler ${s} is neither a target nor in the kernel entry's schedulers/ (${KTSTR_KERNEL_SCHEDULERS})")
      endif()
    endif()
  endforeach()
  add_custom_command(
    OUTPUT "${cpio}"
    COMMAND "${cli}" initramfs ${initramfs_args}
    DEPENDS ${deps}
    COMMENT "ktstr: initramfs ${target}.cpio"
    VERBATIM)
  add_custom_target(${target}_initramfs ALL DEPENDS "${cpio}")
  if(kernel_deps)
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
  set(vars
      -D "TEST_TARGET=${target}"
      -D "TEST_EXE=$<TARGET_FILE:${target}>"
      -D "CTEST_FILE=${ctest_file}"
      -D "LAUNCHER=${launcher}"
      -D "KERNEL=${kernel}"
      -D "SKIP_REASON=${skip_reason}"
      -D "INITRAMFS=${cpio}"
      -D "OUT_DIR=${CMAKE_BINARY_DIR}/ktstr/runs"
      -D "BUILD_DIR=${CMAKE_BINARY_DIR}"
      -D "DISCOVERY_TIMEOUT=${arg_DISCOVERY_TIMEOUT}"
      -D "FORCE_GAUNTLET=${force_gauntlet}"
      -D "GATE_SCRIPT=${_KTSTR_CMAKE_DIR}/ktstr_gauntlet_gate.sh"
      -D "HOST_NPROC=${nproc}"
      -D "EXTRA_PROPERTIES=${arg_PROPERTIES}")
  set(not_built "sh -c \"echo '${target} is not built: run cmake --build first' && exit 1\"")
  if(arg_DISCOVERY_MODE STREQUAL "POST_BUILD")
    add_custom_command(TARGET ${target} POST_BUILD
      COMMAND "${CMAKE_COMMAND}" ${vars} -P "${_KTSTR_CMAKE_DIR}/KtstrDiscover.cmake"
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
    file(GENERATE OUTPUT "${include_file}" CONTENT
         "if(NOT EXISTS \"$<TARGET_FILE:${target}>\")\n  add_test(${target}_NOT_BUILT ${not_built})\n"
         "else()\n  if(NOT EXISTS \"${ctest_file}\" OR \"$<TARGET_FILE:${target}>\" IS_NEWER_THAN \"${ctest_file}\")\n"
         "${assign}    include(\"${_KTSTR_CMAKE_DIR}/KtstrDiscover.cmake\")\n  endif()\n"
         "  include(\"${ctest_file}\")\nendif()\n")
  else()
    message(FATAL_ERROR "ktstr_add_test(${target}): DISCOVERY_MODE must be POST_BUILD or PRE_TEST")
  endif()
  set_property(DIRECTORY APPEND PROPERTY TEST_INCLUDE_FILES "${include_file}")
endfunction()
