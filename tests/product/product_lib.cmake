# Helpers of the product tests (cmake -P scripts that install ktstr and build
# scheduler projects against it as a user would). Every failure is
# FATAL_ERROR naming the command and its output.

# Runs a command; run_rc / run_out (stdout + stderr) in the caller.
function(run)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
  set(run_rc ${rc} PARENT_SCOPE)
  set(run_out "${out}" PARENT_SCOPE)
endfunction()

# run() that must succeed.
function(must)
  run(${ARGN})
  if(NOT run_rc EQUAL 0)
    string(REPLACE ";" " " cmd "${ARGN}")
    message(FATAL_ERROR "ktstr-product: `${cmd}` failed (${run_rc}):\n${run_out}")
  endif()
  set(run_out "${run_out}" PARENT_SCOPE)
endfunction()

# must() timed: run_ms is the wall time in milliseconds.
function(timed_must)
  string(TIMESTAMP t0 "%s%f")
  must(${ARGN})
  string(TIMESTAMP t1 "%s%f")
  math(EXPR ms "(${t1} - ${t0}) / 1000")
  set(run_ms ${ms} PARENT_SCOPE)
  set(run_out "${run_out}" PARENT_SCOPE)
endfunction()

# Fails unless haystack contains needle (a regex).
function(expect_match haystack regex what)
  if(NOT haystack MATCHES "${regex}")
    message(FATAL_ERROR "ktstr-product: ${what}: no match for '${regex}' in:\n${haystack}")
  endif()
endfunction()

# Installs the ktstr build BUILD_DIR to prefix and checks the package files.
function(install_ktstr prefix)
  must(${CMAKE_COMMAND} --install "${BUILD_DIR}" --prefix "${prefix}")
  foreach(f bin/ktstr bin/ktstr-vm lib/cmake/ktstr/ktstrConfig.cmake lib/cmake/ktstr/ktstrConfigVersion.cmake
            lib/cmake/ktstr/KtstrKernel.cmake include/ktstr/doctest.hpp)
    if(NOT EXISTS "${prefix}/${f}")
      message(FATAL_ERROR "ktstr-product: install is missing ${f}")
    endif()
  endforeach()
endfunction()

# The generator argument: Ninja when available.
function(generator_args out)
  find_program(KTSTR_PRODUCT_NINJA ninja)
  set(gen "")
  if(KTSTR_PRODUCT_NINJA)
    set(gen -G Ninja)
  endif()
  set(${out} ${gen} PARENT_SCOPE)
endfunction()

# Configures project src into bin against the package at prefix (timed: run_ms).
function(configure_project src bin prefix)
  generator_args(gen)
  timed_must(${CMAKE_COMMAND} -S "${src}" -B "${bin}" ${gen} "-DCMAKE_PREFIX_PATH=${prefix}" ${ARGN})
  set(run_ms ${run_ms} PARENT_SCOPE)
  set(run_out "${run_out}" PARENT_SCOPE)
endfunction()

# `ctest -N` of bin: names (list) and, per name, labels_<name> (sorted) and command_<name>.
function(ctest_entries bin)
  must(${CMAKE_CTEST_COMMAND} --test-dir "${bin}" -N --show-only=json-v1)
  set(json "${run_out}")
  string(JSON ntests LENGTH "${json}" tests)
  set(names "")
  if(ntests GREATER 0)
    math(EXPR last "${ntests} - 1")
    foreach(i RANGE ${last})
      string(JSON name GET "${json}" tests ${i} name)
      list(APPEND names "${name}")
      string(JSON command ERROR_VARIABLE no_command GET "${json}" tests ${i} command)
      string(REGEX REPLACE "([[,])[\n ]+" "\\1" command "${command}")  # ["a","b"] on one line
      set(labels "")
      string(JSON nprops LENGTH "${json}" tests ${i} properties)
      math(EXPR plast "${nprops} - 1")
      foreach(p RANGE ${plast})
        string(JSON pname GET "${json}" tests ${i} properties ${p} name)
        string(JSON pvalue GET "${json}" tests ${i} properties ${p} value)
        set("prop_${name}_${pname}" "${pvalue}" PARENT_SCOPE)
        if(pname STREQUAL "LABELS")
          string(JSON nl LENGTH "${pvalue}")
          math(EXPR llast "${nl} - 1")
          foreach(l RANGE ${llast})
            string(JSON lab GET "${pvalue}" ${l})
            list(APPEND labels "${lab}")
          endforeach()
        endif()
      endforeach()
      list(SORT labels)
      set("labels_${name}" "${labels}" PARENT_SCOPE)
      set("command_${name}" "${command}" PARENT_SCOPE)
    endforeach()
  endif()
  set(names "${names}" PARENT_SCOPE)
endfunction()

# Fails unless entry name exists with exactly the labels want (any order).
function(expect_entry name want)
  if(NOT name IN_LIST names)
    message(FATAL_ERROR "ktstr-product: ctest -N lacks ${name}; has:\n${names}")
  endif()
  list(SORT want)
  if(NOT "${labels_${name}}" STREQUAL "${want}")
    message(FATAL_ERROR "ktstr-product: ${name} labels '${labels_${name}}', expected '${want}'")
  endif()
endfunction()
