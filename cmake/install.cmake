# Install and export rules for the whole ktstr package, in one place, plus the
# ktstr:: aliases that let in-tree users (add_subdirectory / FetchContent)
# write the same target names as find_package(ktstr) users.
# Included from the top-level CMakeLists.txt after every target exists.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

set(_ktstr_cmake_dir "${CMAKE_INSTALL_LIBDIR}/cmake/ktstr")

# Exported targets and their public names (ktstr::<name>). ktstr::guest is the
# doctest adapter, which brings the guest runtime libraries behind it.
set(_ktstr_targets ktstr_doctest ktstr_guest ktstr_guest_channel ktstr_gauntlet ktstr_base ktstr ktstr-vm)
set(_ktstr_names   guest         guest_runtime guest_channel    gauntlet       base       ktstr ktstr-vm)

foreach(_target _name IN ZIP_LISTS _ktstr_targets _ktstr_names)
  if(NOT TARGET ${_target})
    message(FATAL_ERROR "ktstr install: target ${_target} is missing")
  endif()
  set_target_properties(${_target} PROPERTIES EXPORT_NAME ${_name})
  if(NOT TARGET ktstr::${_name})
    get_target_property(_type ${_target} TYPE)
    if(_type STREQUAL "EXECUTABLE")
      add_executable(ktstr::${_name} ALIAS ${_target})
    else()
      add_library(ktstr::${_name} ALIAS ${_target})
    endif()
  endif()
endforeach()

# Installed headers keep their source-relative paths ("base/error.hpp",
# "guest/guest_run.hpp") under include/ktstr, plus <ktstr/doctest.hpp>.
foreach(_lib ktstr_base ktstr_guest ktstr_guest_channel ktstr_gauntlet)
  target_include_directories(${_lib} PUBLIC $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}/ktstr>)
endforeach()
install(DIRECTORY ${PROJECT_SOURCE_DIR}/lib/base ${PROJECT_SOURCE_DIR}/lib/guest
        DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/ktstr
        FILES_MATCHING PATTERN "*.hpp" PATTERN "*.h")
install(FILES ${PROJECT_SOURCE_DIR}/doctest-adapter/include/ktstr/doctest.hpp
        DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/ktstr)

install(TARGETS ${_ktstr_targets} EXPORT ktstrTargets
        RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR}
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
        LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR})
install(EXPORT ktstrTargets NAMESPACE ktstr:: DESTINATION ${_ktstr_cmake_dir})
# `ktstr run` / `ktstr shell` look for the guest init next to the ktstr binary.
install(TARGETS ktstr-guest-init RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})

configure_package_config_file(${CMAKE_CURRENT_LIST_DIR}/ktstrConfig.cmake.in
                              ${PROJECT_BINARY_DIR}/ktstrConfig.cmake
                              INSTALL_DESTINATION ${_ktstr_cmake_dir})
write_basic_package_version_file(${PROJECT_BINARY_DIR}/ktstrConfigVersion.cmake
                                 VERSION ${PROJECT_VERSION} COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/ktstrConfig.cmake ${PROJECT_BINARY_DIR}/ktstrConfigVersion.cmake
              ${CMAKE_CURRENT_LIST_DIR}/Ktstr.cmake
              ${CMAKE_CURRENT_LIST_DIR}/KtstrKernel.cmake
              ${CMAKE_CURRENT_LIST_DIR}/KtstrAddScheduler.cmake
              ${CMAKE_CURRENT_LIST_DIR}/KtstrAddTest.cmake
              ${CMAKE_CURRENT_LIST_DIR}/KtstrDiscover.cmake
        DESTINATION ${_ktstr_cmake_dir})
install(PROGRAMS ${CMAKE_CURRENT_LIST_DIR}/ktstr_gauntlet_gate.sh DESTINATION ${_ktstr_cmake_dir})

# The functions, for in-tree users (functions are global once defined).
include(${CMAKE_CURRENT_LIST_DIR}/Ktstr.cmake)
# ktstr's own tree: the `kernel` target exists from the start (scripts/test.sh,
# scripts/quickstart.sh). As a subproject the consumer's first use declares it.
if(PROJECT_IS_TOP_LEVEL)
  ktstr_kernel_info(default)
endif()
