# README.md "Your scheduler project from zero", run as written: the project's
# CMakeLists.txt is the README's cmake block, its sources are
# projects/from_zero (the src/ and tests/ files that block names), and the
# commands are the README's second sh block (cmake configure, build, ctest,
# build again), with /opt/ktstr standing for WORK_DIR/prefix. In order:
#   1. install ktstr to WORK_DIR/prefix; lay out WORK_DIR/my_sched
#   2. the README's configure with KTSTR_CACHE_DIR at an empty directory: the
#      "not cached" line, no cache entry made, timed (goal < 30 s)
#   3. the same configure in a fresh build dir against the real cache (skips
#      when the default kernel is not cached: no cold kernel build here)
#   4. the README's build (the kernel step in its log), ctest (green), and
#      second build (nothing rebuilt), each timed
# Figures go to WORK_DIR/figures.txt and the output.
cmake_minimum_required(VERSION 3.25)
include(${CMAKE_CURRENT_LIST_DIR}/product_lib.cmake)

set(prefix "${WORK_DIR}/prefix")
set(proj "${WORK_DIR}/my_sched")
file(REMOVE_RECURSE "${WORK_DIR}")
file(MAKE_DIRECTORY "${WORK_DIR}")
unset(ENV{KTSTR_KERNEL})

# The README section's text; ';' stood in for by a marker so lines can be
# list elements (restored when a block is written out).
function(readme_section out)
  file(READ "${SOURCE_DIR}/README.md" text)
  string(FIND "${text}" "## Your scheduler project from zero\n" begin)
  if(begin LESS 0)
    message(FATAL_ERROR "ktstr-product: README.md has no section 'Your scheduler project from zero'")
  endif()
  string(SUBSTRING "${text}" ${begin} -1 text)
  string(FIND "${text}" "\n## " end)
  string(SUBSTRING "${text}" 0 ${end} text)
  string(REPLACE ";" "<semicolon>" text "${text}")
  set(${out} "${text}" PARENT_SCOPE)
endfunction()

# The lines of the index-th fenced block of kind lang (```lang) in text.
function(fenced_block out text lang index)
  string(REPLACE "\n" ";" lines "${text}")
  set(n -1)
  set(inside OFF)
  set(block "")
  foreach(l IN LISTS lines)
    if(inside AND l STREQUAL "```")
      set(inside OFF)
    elseif(inside AND n EQUAL index)
      list(APPEND block "${l}")
    elseif(l STREQUAL "```${lang}")
      set(inside ON)
      math(EXPR n "${n} + 1")
    endif()
  endforeach()
  if(NOT block)
    message(FATAL_ERROR "ktstr-product: README 'from zero' has no ${lang} block #${index}")
  endif()
  set(${out} "${block}" PARENT_SCOPE)
endfunction()

# 1. Install; the project: README's CMakeLists.txt + the fixture sources.
install_ktstr("${prefix}")
readme_section(section)
fenced_block(cmake_lines "${section}" cmake 0)
string(REPLACE ";" "\n" cmakelists "${cmake_lines}")
string(REPLACE "<semicolon>" ";" cmakelists "${cmakelists}")
file(COPY "${CMAKE_CURRENT_LIST_DIR}/projects/from_zero/" DESTINATION "${proj}")
file(WRITE "${proj}/CMakeLists.txt" "${cmakelists}\n")

# The README's commands, comments dropped: configure, build, ctest, build.
fenced_block(sh_lines "${section}" sh 1)
set(commands "")
foreach(l IN LISTS sh_lines)
  if(NOT l MATCHES "^#" AND NOT l STREQUAL "")
    string(REPLACE "/opt/ktstr" "${prefix}" l "${l}")
    list(APPEND commands "${l}")
  endif()
endforeach()
list(TRANSFORM commands REPLACE " .*" "" OUTPUT_VARIABLE programs)
if(NOT programs STREQUAL "cmake;cmake;ctest;cmake")
  message(FATAL_ERROR "ktstr-product: README 'from zero' commands are not configure, build, ctest, build: ${commands}")
endif()

# Runs the README's command i in WORK_DIR, timed: run_rc, run_out, run_ms.
function(readme_command i)
  list(GET commands ${i} line)
  separate_arguments(argv UNIX_COMMAND "${line}")
  string(TIMESTAMP t0 "%s%f")
  execute_process(COMMAND ${argv} WORKING_DIRECTORY "${WORK_DIR}"
                  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
  string(TIMESTAMP t1 "%s%f")
  math(EXPR ms "(${t1} - ${t0}) / 1000")
  file(WRITE "${WORK_DIR}/step${i}.log" "${out}")
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "ktstr-product: README command `${line}` failed (${rc}; ${WORK_DIR}/step${i}.log):\n${out}")
  endif()
  set(run_out "${out}" PARENT_SCOPE)
  set(run_ms ${ms} PARENT_SCOPE)
endfunction()

# 2. Configure with an empty kernel cache: one line, no kernel work.
set(saved_cache "$ENV{KTSTR_CACHE_DIR}")
set(ENV{KTSTR_CACHE_DIR} "${WORK_DIR}/empty-cache")
file(MAKE_DIRECTORY "$ENV{KTSTR_CACHE_DIR}")
readme_command(0)
file(WRITE "${WORK_DIR}/configure-empty-cache.log" "${run_out}")
string(REGEX MATCHALL "ktstr: kernel '[^\n]*" cold_line "${run_out}")
expect_match("${cold_line}" "target ktstr_kernel_default, part of `kernel`[^\n]*not cached: built at build time"
             "the cold configure line")
file(GLOB entries LIST_DIRECTORIES true "$ENV{KTSTR_CACHE_DIR}/*")
list(FILTER entries EXCLUDE REGEX "/\\.digests\\.")
if(entries)
  message(FATAL_ERROR "ktstr-product: configure made cache entries: ${entries}")
endif()
if(run_ms GREATER 30000)
  message(FATAL_ERROR "ktstr-product: configure with an empty cache took ${run_ms} ms (goal < 30 s)")
endif()
set(figures "configure, empty KTSTR_CACHE_DIR: ${run_ms} ms\n  ${cold_line}\n")

# 3. The same configure against the real cache, in a fresh build dir.
file(REMOVE_RECURSE "${proj}/build")
if(saved_cache STREQUAL "")
  unset(ENV{KTSTR_CACHE_DIR})
else()
  set(ENV{KTSTR_CACHE_DIR} "${saved_cache}")
endif()
readme_command(0)
string(APPEND figures "configure, cached kernel: ${run_ms} ms\n")
if(NOT run_out MATCHES "ktstr: kernel 'default'[^\n]*cache hit")
  message("ktstr-product: skip: the default kernel is not cached (run `cmake --build build --target kernel`):\n${run_out}")
  return()
endif()

# 4. Build, test, build again.
readme_command(1)
string(APPEND figures "first build (kernel cached): ${run_ms} ms\n")
expect_match("${run_out}" "Performing build step for 'ktstr_kernel_default'" "the kernel ExternalProject step")
expect_match("${run_out}" "ktstr: kernel [^\n]* via [^\n]*: cache hit" "the kernel step's cache hit")
expect_match("${run_out}" "ktstr: mine_tests: 1 CTest entries" "discovery of mine_tests")
readme_command(2)
string(APPEND figures "ctest: ${run_ms} ms\n")
expect_match("${run_out}" "100% tests passed, 0 tests failed out of 1" "ctest of the README project")
readme_command(3)
string(APPEND figures "second build: ${run_ms} ms\n")
if(run_out MATCHES "Building C|Linking C|ktstr: BPF|ktstr: initramfs|discovering tests|CTest entries")
  message(FATAL_ERROR "ktstr-product: the second build rebuilt something:\n${run_out}")
endif()
expect_match("${run_out}" "ktstr: kernel [^\n]*: cache hit" "the second build's kernel check")
file(WRITE "${WORK_DIR}/figures.txt" "${figures}")
message(STATUS "ktstr-product: README 'from zero' as written: configured, built, green, second build a no-op\n${figures}")
