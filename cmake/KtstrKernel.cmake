# Test kernels as nodes of the build graph. Configure never builds, downloads
# or even locates a kernel: it only decides *where* each kernel will be and
# prints one line per kernel. The build does the rest:
#
#   ktstr_add_kernel(NAME [SOURCE version|tarball|dir] [FRAGMENT extra.kconfig...] [DEBUG])
#
# declares kernel NAME as an ExternalProject, target ktstr_kernel_<NAME>,
# whose build step runs
#   ktstr kernel build [--kernel SOURCE] [--fragment F]... [--debug]
#                      --link <build>/ktstr/kernels/<NAME> --stamp <build>/ktstr/kernels/<NAME>.stamp
# every build: a cache hit takes well under a second, a cold build (~10 min
# on 2 cores) streams its progress to the console (USES_TERMINAL_BUILD). The
# link points at the cache entry (bzImage, vmlinux, bin/bpftool, lib/libbpf.a,
# include/, schedulers/); the stamp changes only when the link does, so
# everything that depends on it (BPF objects, skeletons, initramfs) rebuilds
# only when the kernel really changed. `kernel` (or `ktstr_kernel` when the
# project already has a target named kernel) builds every declared kernel.
#
# Kernel `default` is declared on first use (ktstr_add_scheduler,
# ktstr_add_test) from the CMake variable KTSTR_KERNEL, else the environment
# variable KTSTR_KERNEL at configure time, else the CLI's resolution chain
# (newest cache entry, else /usr/src/linux-source-6.*.tar.xz). Declare it
# yourself, before the first use, to choose its source. A kernel without
# SOURCE uses the default's source. FRAGMENT files and DEBUG (the built-in
# kconfig/debug.kconfig: lockdep, atomic-sleep checks) are appended to
# ktstr.kconfig and are part of the cache key.
#
# ktstr_kernel_info(NAME) sets, in the caller's scope:
#   KTSTR_KERNEL_TARGET    the ExternalProject target (ktstr_kernel_<NAME>)
#   KTSTR_KERNEL_LINK      <build>/ktstr/kernels/<NAME> (exists after the target ran)
#   KTSTR_KERNEL_STAMP     <build>/ktstr/kernels/<NAME>.stamp (DEPENDS on it)
#   KTSTR_KERNEL_PREBUILT  why NAME has no BPF toolchain ("" for a cache entry):
#                          SOURCE is an already built kernel, used as is
include_guard(GLOBAL)
include(ExternalProject)

set(KTSTR_KERNEL "" CACHE STRING
    "ktstr default kernel: version, tarball, source dir, cache key or built kernel (default: the resolution chain)")

# The `ktstr` CLI that builds kernels: the in-tree target or the installed one.
function(_ktstr_kernel_cli out_cli out_dep)
  if(NOT TARGET ktstr::ktstr)
    message(FATAL_ERROR "ktstr kernels: ktstr::ktstr is not defined (find_package(ktstr) or add_subdirectory(ktstr) first)")
  endif()
  set(dep "")
  get_target_property(imported ktstr::ktstr IMPORTED)
  if(NOT imported)
    get_target_property(dep ktstr::ktstr ALIASED_TARGET)
  endif()
  set(${out_cli} "$<TARGET_FILE:ktstr::ktstr>" PARENT_SCOPE)
  set(${out_dep} "${dep}" PARENT_SCOPE)
endfunction()

# The umbrella target: `kernel`, or `ktstr_kernel` when the project has its own `kernel`.
function(_ktstr_kernel_umbrella out)
  get_property(name GLOBAL PROPERTY KTSTR_KERNEL_UMBRELLA)
  if(NOT name)
    set(name kernel)
    if(TARGET kernel)
      set(name ktstr_kernel)
    endif()
    add_custom_target(${name})
    set_property(GLOBAL PROPERTY KTSTR_KERNEL_UMBRELLA ${name})
  endif()
  set(${out} ${name} PARENT_SCOPE)
endfunction()

# The `ktstr kernel` arguments naming NAME's source and fragments.
function(_ktstr_kernel_args out source debug fragments)
  set(args "")
  if(source)
    list(APPEND args --kernel "${source}")
  endif()
  if(debug)
    list(APPEND args --debug)
  endif()
  foreach(f IN LISTS fragments)
    list(APPEND args --fragment "${f}")
  endforeach()
  set(${out} "${args}" PARENT_SCOPE)
endfunction()

# Why an already built kernel (a bzImage, or a directory holding one but no
# bin/bpftool) cannot compile schedulers; "" for anything the CLI builds.
function(_ktstr_kernel_prebuilt out source)
  set(why "")
  if(source AND EXISTS "${source}" AND NOT EXISTS "${source}/bin/bpftool")
    if(NOT IS_DIRECTORY "${source}" OR EXISTS "${source}/bzImage" OR EXISTS "${source}/arch/x86/boot/bzImage")
      set(why "kernel ${source} is an already built kernel, not a ktstr cache entry (no bin/bpftool, lib/libbpf.a, include/)")
    endif()
  endif()
  set(${out} "${why}" PARENT_SCOPE)
endfunction()

# The configure line for NAME: the installed CLI's plan (source, key, cache
# hit or not; never builds), or, in ktstr's own tree where the CLI is built
# later, the source the build will use.
function(_ktstr_kernel_announce name target umbrella args env)
  get_target_property(imported ktstr::ktstr IMPORTED)
  set(head "ktstr: kernel '${name}' (target ${target}, part of `${umbrella}`)")
  if(imported)
    get_target_property(cli ktstr::ktstr LOCATION)
    execute_process(COMMAND ${CMAKE_COMMAND} -E env ${env} "${cli}" kernel plan ${args}
                    OUTPUT_VARIABLE plan ERROR_VARIABLE err RESULT_VARIABLE rc TIMEOUT 60
                    OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_STRIP_TRAILING_WHITESPACE)
    if(rc EQUAL 0)
      message(STATUS "${head}: ${plan}")
    else()
      message(WARNING "${head}: `ktstr kernel plan` failed (${rc}): ${err}\nThe kernel target will fail the same way until this is fixed.")
    endif()
    return()
  endif()
  if(args)
    string(REPLACE ";" " " what "${args}")
  else()
    set(what "the resolution chain (newest cache entry, else /usr/src/linux-source-6.*.tar.xz)")
  endif()
  message(STATUS "${head}: ${what}, built or reused at build time")
endfunction()

function(ktstr_add_kernel name)
  cmake_parse_arguments(PARSE_ARGV 1 arg "DEBUG" "SOURCE" "FRAGMENT")
  if(NOT name MATCHES "^[A-Za-z0-9_]+$")
    message(FATAL_ERROR "ktstr_add_kernel(${name}): use [A-Za-z0-9_] only (the name is part of targets and test names)")
  endif()
  get_property(known GLOBAL PROPERTY KTSTR_KERNELS)
  if(name IN_LIST known)
    message(FATAL_ERROR "ktstr_add_kernel(${name}): declared twice (the default kernel is declared by the first "
                        "ktstr_add_scheduler/ktstr_add_test; declare it before those to choose its source)")
  endif()
  set(source "${arg_SOURCE}")
  if(NOT source AND NOT name STREQUAL "default")
    get_property(source GLOBAL PROPERTY KTSTR_KERNEL_default_SOURCE)
  elseif(NOT source)
    set(source "${KTSTR_KERNEL}")
    if(NOT source AND DEFINED ENV{KTSTR_KERNEL})
      set(source "$ENV{KTSTR_KERNEL}")
    endif()
  endif()
  set(fragments "")
  foreach(f IN LISTS arg_FRAGMENT)
    get_filename_component(f "${f}" ABSOLUTE BASE_DIR "${CMAKE_CURRENT_SOURCE_DIR}")
    if(NOT EXISTS "${f}")
      message(FATAL_ERROR "ktstr_add_kernel(${name}): FRAGMENT ${f} does not exist")
    endif()
    list(APPEND fragments "${f}")
  endforeach()
  _ktstr_kernel_prebuilt(prebuilt "${source}")
  if(prebuilt AND (arg_DEBUG OR fragments))
    message(FATAL_ERROR "ktstr_add_kernel(${name}): ${prebuilt}; DEBUG/FRAGMENT need a source to build (SOURCE version|tarball|dir)")
  endif()

  _ktstr_kernel_cli(cli cli_dep)
  _ktstr_kernel_umbrella(umbrella)
  _ktstr_kernel_args(args "${source}" "${arg_DEBUG}" "${fragments}")
  set(dir "${CMAKE_BINARY_DIR}/ktstr/kernels")
  set(link "${dir}/${name}")
  set(stamp "${dir}/${name}.stamp")
  # The source is fixed here, at configure time: the build must not pick up
  # another KTSTR_KERNEL from its environment. KTSTR_CACHE_DIR set now is kept.
  set(env --unset=KTSTR_KERNEL)
  if(DEFINED ENV{KTSTR_CACHE_DIR})
    list(APPEND env "KTSTR_CACHE_DIR=$ENV{KTSTR_CACHE_DIR}")
  endif()
  set(target ktstr_kernel_${name})
  # Only the stamp is a byproduct: files under the link live in the shared
  # cache, and `ninja clean` deletes byproducts.
  ExternalProject_Add(${target}
    PREFIX "${dir}/ep/${name}"
    STAMP_DIR "${dir}/ep/${name}/stamp"
    LOG_DIR "${dir}/ep/${name}/log"
    DOWNLOAD_COMMAND ""
    UPDATE_COMMAND ""
    PATCH_COMMAND ""
    CONFIGURE_COMMAND ""
    BUILD_COMMAND ${CMAKE_COMMAND} -E env ${env} ${cli} kernel build ${args} --link ${link} --stamp ${stamp}
    BUILD_ALWAYS TRUE
    BUILD_BYPRODUCTS "${stamp}"
    USES_TERMINAL_BUILD TRUE
    INSTALL_COMMAND ""
    TEST_COMMAND ""
    EXCLUDE_FROM_ALL TRUE)
  if(cli_dep)
    add_dependencies(${target} ${cli_dep})
  endif()
  add_dependencies(${umbrella} ${target})

  set_property(GLOBAL APPEND PROPERTY KTSTR_KERNELS ${name})
  foreach(pair "SOURCE|${source}" "TARGET|${target}" "LINK|${link}" "STAMP|${stamp}" "PREBUILT|${prebuilt}")
    string(FIND "${pair}" "|" bar)
    string(SUBSTRING "${pair}" 0 ${bar} key)
    math(EXPR bar "${bar} + 1")
    string(SUBSTRING "${pair}" ${bar} -1 value)
    set_property(GLOBAL PROPERTY KTSTR_KERNEL_${name}_${key} "${value}")
  endforeach()
  _ktstr_kernel_announce(${name} ${target} ${umbrella} "${args}" "${env}")
endfunction()

# Sets KTSTR_KERNEL_{TARGET,LINK,STAMP,PREBUILT} for kernel NAME (see the
# top); declares `default` on first use, fails for other undeclared names.
function(ktstr_kernel_info name)
  get_property(known GLOBAL PROPERTY KTSTR_KERNELS)
  if(NOT name IN_LIST known)
    if(NOT name STREQUAL "default")
      message(FATAL_ERROR "ktstr: kernel '${name}' is not declared: ktstr_add_kernel(${name} ...) first")
    endif()
    ktstr_add_kernel(default)
  endif()
  foreach(key TARGET LINK STAMP PREBUILT)
    get_property(value GLOBAL PROPERTY KTSTR_KERNEL_${name}_${key})
    set(KTSTR_KERNEL_${key} "${value}" PARENT_SCOPE)
  endforeach()
endfunction()
