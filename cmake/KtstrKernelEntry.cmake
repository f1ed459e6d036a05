# Locating the resolved ktstr kernel entry at configure time, for
# ktstr_add_scheduler (BPF toolchain from the entry) and ktstr_add_test
# (the kernel the CTest entries boot).
#
# ktstr_resolve_kernel_entry() sets, in the caller's scope:
#   KTSTR_KERNEL_FOUND       TRUE/FALSE
#   KTSTR_KERNEL_REASON      why not found (one line), when FALSE
#   KTSTR_KERNEL_DIR         the entry (or external kernel) directory
#   KTSTR_KERNEL_BZIMAGE     bzImage to boot
#   KTSTR_KERNEL_VMLINUX     vmlinux with BTF (empty if none)
#   KTSTR_KERNEL_BPFTOOL     <entry>/bin/bpftool (empty if not a cache entry)
#   KTSTR_KERNEL_LIBBPF      <entry>/lib/libbpf.a (empty if not a cache entry)
#   KTSTR_KERNEL_INCLUDE     <entry>/include: bpf/*.h, scx/*.h, uapi (empty if not a cache entry)
#   KTSTR_KERNEL_SCHEDULERS  <entry>/schedulers (empty if not a cache entry)
# The choice is the CMake cache variable KTSTR_KERNEL, else the environment
# variable KTSTR_KERNEL. A built kernel (cache entry dir, build dir, bzImage)
# is used directly; anything else (a version, tarball, cache key, or no
# choice) is resolved by `ktstr kernel path` (lib/host/kernel/resolve.hpp) of
# the installed ktstr::ktstr or an already built in-tree ktstr.
include_guard(GLOBAL)

set(KTSTR_KERNEL "" CACHE STRING
    "ktstr kernel: cache entry dir, kernel build dir or bzImage (default: `ktstr kernel path`)")

# Fills the KTSTR_KERNEL_* variables from a directory or bzImage path.
function(_ktstr_entry_from_path path out_ok)
  set(ok FALSE)
  if(IS_DIRECTORY "${path}")
    foreach(cand "${path}/bzImage" "${path}/arch/x86/boot/bzImage")
      if(EXISTS "${cand}")
        set(KTSTR_KERNEL_BZIMAGE "${cand}" PARENT_SCOPE)
        set(ok TRUE)
        break()
      endif()
    endforeach()
    set(dir "${path}")
  elseif(EXISTS "${path}")
    set(KTSTR_KERNEL_BZIMAGE "${path}" PARENT_SCOPE)
    get_filename_component(dir "${path}" DIRECTORY)
    set(ok TRUE)
  endif()
  if(NOT ok)
    set(${out_ok} FALSE PARENT_SCOPE)
    return()
  endif()
  set(KTSTR_KERNEL_DIR "${dir}" PARENT_SCOPE)
  set(KTSTR_KERNEL_VMLINUX "" PARENT_SCOPE)
  if(EXISTS "${dir}/vmlinux")
    set(KTSTR_KERNEL_VMLINUX "${dir}/vmlinux" PARENT_SCOPE)
  endif()
  foreach(pair "BPFTOOL;bin/bpftool" "LIBBPF;lib/libbpf.a" "INCLUDE;include" "SCHEDULERS;schedulers")
    list(GET pair 0 var)
    list(GET pair 1 rel)
    if(EXISTS "${dir}/${rel}")
      set(KTSTR_KERNEL_${var} "${dir}/${rel}" PARENT_SCOPE)
    else()
      set(KTSTR_KERNEL_${var} "" PARENT_SCOPE)
    endif()
  endforeach()
  set(${out_ok} TRUE PARENT_SCOPE)
endfunction()

# Finds the `ktstr` host CLI: the installed package's, or an in-tree build's.
function(_ktstr_cli_path out)
  set(cli "")
  if(TARGET ktstr::ktstr)
    get_target_property(imported ktstr::ktstr IMPORTED)
    if(imported)
      get_target_property(cli ktstr::ktstr LOCATION)
    else()
      get_target_property(aliased ktstr::ktstr ALIASED_TARGET)
      get_target_property(dir ${aliased} RUNTIME_OUTPUT_DIRECTORY)
      if(dir AND EXISTS "${dir}/ktstr")
        set(cli "${dir}/ktstr")
      endif()
    endif()
  endif()
  set(${out} "${cli}" PARENT_SCOPE)
endfunction()

# Resolves once per configure run (a global property keeps the answer), so
# every ktstr_add_* call sees the same kernel and `ktstr kernel path` runs once.
macro(ktstr_resolve_kernel_entry)
  get_property(_ktstr_resolved GLOBAL PROPERTY KTSTR_KERNEL_RESOLVED SET)
  if(NOT _ktstr_resolved)
    _ktstr_resolve_kernel_entry_impl()
    foreach(_v FOUND REASON DIR BZIMAGE VMLINUX BPFTOOL LIBBPF INCLUDE SCHEDULERS)
      set_property(GLOBAL PROPERTY KTSTR_KERNEL_${_v} "${KTSTR_KERNEL_${_v}}")
    endforeach()
    set_property(GLOBAL PROPERTY KTSTR_KERNEL_RESOLVED TRUE)
  else()
    foreach(_v FOUND REASON DIR BZIMAGE VMLINUX BPFTOOL LIBBPF INCLUDE SCHEDULERS)
      get_property(KTSTR_KERNEL_${_v} GLOBAL PROPERTY KTSTR_KERNEL_${_v})
    endforeach()
  endif()
endmacro()

function(_ktstr_resolve_kernel_entry_impl)
  set(found FALSE)
  set(reason "")
  set(choice "${KTSTR_KERNEL}")
  if(NOT choice AND DEFINED ENV{KTSTR_KERNEL})
    set(choice "$ENV{KTSTR_KERNEL}")
  endif()
  # A built kernel (entry dir, build dir, bzImage) is used as it is.
  if(choice AND EXISTS "${choice}")
    _ktstr_entry_from_path("${choice}" found)
  endif()
  # Anything else (version, tarball, cache key, nothing) goes through the
  # CLI's resolution chain, which may build and cache a kernel.
  if(NOT found)
    _ktstr_cli_path(cli)
    if(cli)
      execute_process(COMMAND ${CMAKE_COMMAND} -E env "KTSTR_KERNEL=${choice}" "${cli}" kernel path
                      OUTPUT_VARIABLE out ERROR_VARIABLE err
                      RESULT_VARIABLE rc OUTPUT_STRIP_TRAILING_WHITESPACE)
      if(rc EQUAL 0 AND out)
        _ktstr_entry_from_path("${out}" found)
      endif()
      if(NOT found)
        string(STRIP "${err}" err)
        set(reason "`ktstr kernel path` found no kernel (${err})")
      endif()
    elseif(choice)
      set(reason "KTSTR_KERNEL=${choice} is not a built kernel and the ktstr CLI is not built yet")
    else()
      set(reason "no kernel: set -DKTSTR_KERNEL=DIR or build one with `ktstr kernel build`")
    endif()
  endif()
  foreach(var DIR BZIMAGE VMLINUX BPFTOOL LIBBPF INCLUDE SCHEDULERS)
    set(KTSTR_KERNEL_${var} "${KTSTR_KERNEL_${var}}" PARENT_SCOPE)
  endforeach()
  set(KTSTR_KERNEL_FOUND ${found} PARENT_SCOPE)
  set(KTSTR_KERNEL_REASON "${reason}" PARENT_SCOPE)
  if(found)
    message(STATUS "ktstr: kernel ${KTSTR_KERNEL_BZIMAGE}")
  else()
    message(STATUS "ktstr: ${reason}")
  endif()
endfunction()
