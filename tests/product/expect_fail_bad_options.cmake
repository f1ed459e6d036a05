# Every way ktstr-vm can refuse its command line still passes through
# --expect-fail: a bad --topology or --engine, an option that does not
# convert (which CLI11 rejects before it stores --expect-fail), a missing
# required option, an unknown argument, --help. Each must exit non-zero and
# print the launcher's one line saying what happened instead. No VM boots.
# Variables: LAUNCHER.
cmake_minimum_required(VERSION 3.25)

set(base --kernel /nonexistent/bzImage --initramfs /nonexistent.cpio --test t --expect-fail stall)
set(prefix "ktstr-vm: expected failure matching 'stall' not established: no verdict")
# Each case: NAME|EXTRA ARGS (';'-separated as ',')|what the line must say.
set(cases
    "topology|--topology,bogus|\\(exit 70\\): --topology: invalid topology 'bogus'"
    "engine|--engine,warp|\\(exit 70\\): --engine: unknown engine 'warp'"
    "timeout_text|--timeout,abc|\\(exit [0-9]+\\): --timeout: Value abc not in range"
    "timeout_zero|--timeout,0|\\(exit [0-9]+\\): --timeout: Value 0 not in range"
    "unknown_option|--warp-speed|\\(exit [0-9]+\\): The following argument was not expected: --warp-speed"
    "help|--help|\\(exit 0\\): printed the usage, no run"
    "missing_kernel|-|\\(exit 70\\): kernel [^\n]*/nonexistent/bzImage not found")
foreach(c IN LISTS cases)
  string(REPLACE "|" ";" parts "${c}")
  list(GET parts 0 name)
  list(GET parts 1 extra)
  list(GET parts 2 want)
  if(extra STREQUAL "-")
    set(extra "")
  endif()
  string(REPLACE "," ";" extra "${extra}")
  execute_process(COMMAND "${LAUNCHER}" ${base} ${extra} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(rc EQUAL 0)
    message(FATAL_ERROR "${name}: ktstr-vm ${extra} with --expect-fail exited 0:\n${out}${err}")
  endif()
  if(NOT err MATCHES "${prefix} ${want}")
    message(FATAL_ERROR "${name}: expected the line '${prefix} ${want}' on stderr (exit ${rc}):\n${err}")
  endif()
  message(STATUS "${name}: exit ${rc}")
endforeach()
