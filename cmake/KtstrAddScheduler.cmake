# ktstr_add_scheduler(NAME SOURCES x.bpf.c loader.c|cpp [INCLUDE_DIRECTORIES dir...])
#
# Builds a sched_ext scheduler executable NAME against the resolved ktstr
# kernel entry (KtstrKernelEntry.cmake):
#   vmlinux.h   `bpftool btf dump file <entry>/vmlinux format c` (once per build tree)
#   x.bpf.o     clang-19 -target bpf -O2 -g -D__TARGET_ARCH_x86 with vmlinux.h,
#               the entry's include/ (scx/common.bpf.h, bpf/*.h) and the source dir
#   x.bpf.skel.h  `bpftool gen skeleton x.bpf.o name x` (include it from the loader)
#   NAME        the loader sources linked with the entry's libbpf.a, -lelf -lz
# Without a usable kernel entry NAME becomes a stub target carrying the reason
# (property KTSTR_SCHEDULER_MISSING); tests using it skip (exit 77) saying why.
include_guard(GLOBAL)
include(${CMAKE_CURRENT_LIST_DIR}/KtstrKernelEntry.cmake)

# vmlinux.h for the whole build tree, regenerated when the entry's vmlinux changes.
function(_ktstr_vmlinux_h out)
  set(dir "${CMAKE_BINARY_DIR}/ktstr/bpf-include")
  set(header "${dir}/vmlinux.h")
  if(NOT TARGET ktstr_vmlinux_h)
    add_custom_command(
      OUTPUT "${header}"
      COMMAND ${CMAKE_COMMAND} -E make_directory "${dir}"
      COMMAND sh -c "\"$0\" btf dump file \"$1\" format c > \"$2.tmp\" && mv \"$2.tmp\" \"$2\""
              "${KTSTR_KERNEL_BPFTOOL}" "${KTSTR_KERNEL_VMLINUX}" "${header}"
      DEPENDS "${KTSTR_KERNEL_VMLINUX}"
      COMMENT "ktstr: vmlinux.h from ${KTSTR_KERNEL_VMLINUX}"
      VERBATIM)
    add_custom_target(ktstr_vmlinux_h DEPENDS "${header}")
  endif()
  set(${out} "${header}" PARENT_SCOPE)
endfunction()

function(ktstr_add_scheduler name)
  cmake_parse_arguments(PARSE_ARGV 1 arg "" "" "SOURCES;INCLUDE_DIRECTORIES")
  if(NOT arg_SOURCES)
    message(FATAL_ERROR "ktstr_add_scheduler(${name}): SOURCES is required")
  endif()
  ktstr_resolve_kernel_entry()
  set(missing "")
  if(NOT KTSTR_KERNEL_FOUND)
    set(missing "${KTSTR_KERNEL_REASON}")
  elseif(NOT KTSTR_KERNEL_BPFTOOL OR NOT KTSTR_KERNEL_LIBBPF OR NOT KTSTR_KERNEL_INCLUDE OR NOT KTSTR_KERNEL_VMLINUX)
    set(missing "kernel ${KTSTR_KERNEL_DIR} is not a ktstr cache entry (needs vmlinux, bin/bpftool, lib/libbpf.a, include/)")
  endif()
  find_program(KTSTR_BPF_CLANG NAMES clang-19 clang DOC "clang that targets BPF (clang-19)")
  if(NOT missing AND NOT KTSTR_BPF_CLANG)
    set(missing "clang-19 not found (apt-get install clang-19)")
  endif()
  find_library(KTSTR_LIBELF elf)
  find_library(KTSTR_LIBZ z)
  if(NOT missing AND (NOT KTSTR_LIBELF OR NOT KTSTR_LIBZ))
    set(missing "libelf/libz not found (apt-get install libelf-dev zlib1g-dev)")
  endif()
  if(missing)
    message(WARNING "ktstr_add_scheduler(${name}): not built: ${missing}")
    add_custom_target(${name})
    set_target_properties(${name} PROPERTIES KTSTR_SCHEDULER_MISSING "${missing}")
    return()
  endif()

  _ktstr_vmlinux_h(vmlinux_h)
  get_filename_component(vmlinux_dir "${vmlinux_h}" DIRECTORY)
  set(gen "${CMAKE_CURRENT_BINARY_DIR}/${name}.ktstr")
  set(loader_sources "")
  set(skeletons "")
  set(bpf_includes -I${vmlinux_dir} -I${KTSTR_KERNEL_INCLUDE} -I${CMAKE_CURRENT_SOURCE_DIR})
  foreach(dir IN LISTS arg_INCLUDE_DIRECTORIES)
    list(APPEND bpf_includes -I${dir})
  endforeach()
  foreach(src IN LISTS arg_SOURCES)
    get_filename_component(abs "${src}" ABSOLUTE)
    if(NOT abs MATCHES "\\.bpf\\.c$")
      list(APPEND loader_sources "${abs}")
      continue()
    endif()
    get_filename_component(file "${abs}" NAME)
    string(REGEX REPLACE "\\.bpf\\.c$" "" stem "${file}")
    set(obj "${gen}/${stem}.bpf.o")
    set(skel "${gen}/${stem}.bpf.skel.h")
    add_custom_command(
      OUTPUT "${obj}"
      COMMAND ${CMAKE_COMMAND} -E make_directory "${gen}"
      COMMAND "${KTSTR_BPF_CLANG}" -target bpf -O2 -g -D__TARGET_ARCH_x86 -mcpu=v3 ${bpf_includes}
              -MD -MF "${obj}.d" -c "${abs}" -o "${obj}"
      DEPENDS "${abs}" "${vmlinux_h}" ktstr_vmlinux_h
      DEPFILE "${obj}.d"
      COMMENT "ktstr: BPF ${file}"
      VERBATIM)
    add_custom_command(
      OUTPUT "${skel}"
      COMMAND sh -c "\"$0\" gen skeleton \"$1\" name \"$2\" > \"$3.tmp\" && mv \"$3.tmp\" \"$3\""
              "${KTSTR_KERNEL_BPFTOOL}" "${obj}" "${stem}" "${skel}"
      DEPENDS "${obj}"
      COMMENT "ktstr: skeleton ${stem}.bpf.skel.h"
      VERBATIM)
    list(APPEND skeletons "${skel}")
  endforeach()
  if(NOT loader_sources)
    message(FATAL_ERROR "ktstr_add_scheduler(${name}): SOURCES needs a loader (.c or .cpp) besides the .bpf.c files")
  endif()
  add_executable(${name} ${loader_sources} ${skeletons})
  target_include_directories(${name} PRIVATE "${gen}" "${KTSTR_KERNEL_INCLUDE}" ${arg_INCLUDE_DIRECTORIES})
  target_link_libraries(${name} PRIVATE "${KTSTR_KERNEL_LIBBPF}" "${KTSTR_LIBELF}" "${KTSTR_LIBZ}")
  set_target_properties(${name} PROPERTIES KTSTR_SCHEDULER TRUE)
endfunction()
