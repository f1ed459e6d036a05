# ktstr_add_scheduler(NAME SOURCES x.bpf.c loader.c|cpp [INCLUDE_DIRECTORIES dir...])
#
# Builds a sched_ext scheduler executable NAME with the BPF toolchain of the
# default kernel's cache entry (KtstrKernel.cmake), which the build provides
# before any of these steps run (nothing needs a kernel at configure time):
#   x.bpf.o       clang-19 -target bpf -O2 -g -D__TARGET_ARCH_x86, includes in this order:
#                 INCLUDE_DIRECTORIES, the calling source dir, the target's own
#                 INCLUDE_DIRECTORIES property (target_include_directories(NAME ...)
#                 works, also after this call), then the entry's include/
#                 (vmlinux.h, scx/common.bpf.h, bpf/*.h)
#   x.bpf.skel.h  `<entry>/bin/bpftool gen skeleton x.bpf.o name x` (include it from the loader)
#   NAME          the loader sources linked with <entry>/lib/libbpf.a, -lelf -lz;
#                 the same include order (the entry's include/ last)
# A project that ships its own, newer scx/*.h therefore gets its own headers
# for the BPF program and the loader alike. The BPF object is compiled once,
# against the default kernel's BTF; CO-RE relocates it on every kernel a test
# boots (ktstr_add_test KERNELS).
# When the scheduler cannot be built here (no clang, libelf/libz, or the
# default kernel is an already built kernel without a toolchain), NAME is a
# stub target carrying the reason (property KTSTR_SCHEDULER_MISSING); tests
# using it skip (exit 77) saying why.
include_guard(GLOBAL)
include(${CMAKE_CURRENT_LIST_DIR}/KtstrKernel.cmake)

# Why NAME cannot be built here, or "" (sets KTSTR_BPF_CLANG, KTSTR_LIBELF, KTSTR_LIBZ).
function(_ktstr_scheduler_missing out prebuilt)
  set(missing "${prebuilt}")
  find_program(KTSTR_BPF_CLANG NAMES clang-19 clang DOC "clang that targets BPF (clang-19)")
  if(NOT missing AND NOT KTSTR_BPF_CLANG)
    set(missing "clang-19 not found (apt-get install clang-19)")
  endif()
  find_library(KTSTR_LIBELF elf)
  find_library(KTSTR_LIBZ z)
  if(NOT missing AND (NOT KTSTR_LIBELF OR NOT KTSTR_LIBZ))
    set(missing "libelf/libz not found (apt-get install libelf-dev zlib1g-dev)")
  endif()
  set(${out} "${missing}" PARENT_SCOPE)
endfunction()

# Adds the commands for one x.bpf.c: object, then skeleton; returns the skeleton.
function(_ktstr_bpf_object out name src gen includes)
  get_filename_component(file "${src}" NAME)
  string(REGEX REPLACE "\\.bpf\\.c$" "" stem "${file}")
  set(obj "${gen}/${stem}.bpf.o")
  set(skel "${gen}/${stem}.bpf.skel.h")
  add_custom_command(
    OUTPUT "${obj}"
    COMMAND ${CMAKE_COMMAND} -E make_directory "${gen}"
    COMMAND "${KTSTR_BPF_CLANG}" -target bpf -O2 -g -D__TARGET_ARCH_x86 -mcpu=v3 ${includes}
            -MD -MF "${obj}.d" -c "${src}" -o "${obj}"
    DEPENDS "${src}" "${KTSTR_KERNEL_STAMP}"
    DEPFILE "${obj}.d"
    COMMENT "ktstr: BPF ${file}"
    COMMAND_EXPAND_LISTS
    VERBATIM)
  add_custom_command(
    OUTPUT "${skel}"
    COMMAND sh -c "\"$0\" gen skeleton \"$1\" name \"$2\" > \"$3.tmp\" && mv \"$3.tmp\" \"$3\""
            "${KTSTR_KERNEL_LINK}/bin/bpftool" "${obj}" "${stem}" "${skel}"
    DEPENDS "${obj}" "${KTSTR_KERNEL_STAMP}"
    COMMENT "ktstr: skeleton ${stem}.bpf.skel.h"
    VERBATIM)
  set(${out} "${skel}" PARENT_SCOPE)
endfunction()

function(ktstr_add_scheduler name)
  cmake_parse_arguments(PARSE_ARGV 1 arg "" "" "SOURCES;INCLUDE_DIRECTORIES")
  if(NOT arg_SOURCES)
    message(FATAL_ERROR "ktstr_add_scheduler(${name}): SOURCES is required")
  endif()
  ktstr_kernel_info(default)
  _ktstr_scheduler_missing(missing "${KTSTR_KERNEL_PREBUILT}")
  if(missing)
    message(WARNING "ktstr_add_scheduler(${name}): not built: ${missing}")
    add_custom_target(${name})
    set_target_properties(${name} PROPERTIES KTSTR_SCHEDULER_MISSING "${missing}")
    return()
  endif()

  set(gen "${CMAKE_CURRENT_BINARY_DIR}/${name}.ktstr")
  set(own "")
  foreach(dir IN LISTS arg_INCLUDE_DIRECTORIES)
    get_filename_component(dir "${dir}" ABSOLUTE BASE_DIR "${CMAKE_CURRENT_SOURCE_DIR}")
    list(APPEND own "${dir}")
  endforeach()
  set(entry_include "${KTSTR_KERNEL_LINK}/include")
  # The target's include directories (evaluated at generate time, so later
  # target_include_directories calls count), then the entry's.
  set(prop "$<TARGET_PROPERTY:${name},INCLUDE_DIRECTORIES>")
  set(bpf_includes "$<$<BOOL:${prop}>:-I$<JOIN:${prop},$<SEMICOLON>-I>>" "-I${entry_include}")
  set(loader_sources "")
  set(skeletons "")
  foreach(src IN LISTS arg_SOURCES)
    get_filename_component(abs "${src}" ABSOLUTE)
    if(abs MATCHES "\\.bpf\\.c$")
      _ktstr_bpf_object(skel ${name} "${abs}" "${gen}" "${bpf_includes}")
      list(APPEND skeletons "${skel}")
    else()
      list(APPEND loader_sources "${abs}")
    endif()
  endforeach()
  if(NOT loader_sources)
    message(FATAL_ERROR "ktstr_add_scheduler(${name}): SOURCES needs a loader (.c or .cpp) besides the .bpf.c files")
  endif()
  add_executable(${name} ${loader_sources} ${skeletons})
  target_include_directories(${name} PRIVATE ${own} "${CMAKE_CURRENT_SOURCE_DIR}" "${gen}")
  # The compile rule is `<DEFINES> <INCLUDES> <FLAGS>` (CMAKE_<LANG>_COMPILE_OBJECT):
  # as a flag, the entry's include dir comes after every include directory of
  # the target, whenever they were added, and before the system's.
  target_compile_options(${name} PRIVATE "-I${entry_include}")
  # -l: flags, not file paths: the library lives behind the kernel link, which
  # does not exist before the kernel target ran (a path would be a missing input).
  target_link_options(${name} PRIVATE "-L${KTSTR_KERNEL_LINK}/lib")
  target_link_libraries(${name} PRIVATE -l:libbpf.a "${KTSTR_LIBELF}" "${KTSTR_LIBZ}")
  add_dependencies(${name} ${KTSTR_KERNEL_TARGET})
  set_target_properties(${name} PROPERTIES KTSTR_SCHEDULER TRUE KTSTR_SCHEDULER_STAMP "${KTSTR_KERNEL_STAMP}")
endfunction()
