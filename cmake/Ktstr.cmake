# The functions a scheduler project uses: ktstr_add_kernel(),
# ktstr_add_scheduler() and ktstr_add_test(). Included by ktstrConfig.cmake
# (find_package(ktstr)) and by ktstr's own cmake/install.cmake (add_subdirectory /
# FetchContent).
include_guard(GLOBAL)
include(${CMAKE_CURRENT_LIST_DIR}/KtstrKernel.cmake)
include(${CMAKE_CURRENT_LIST_DIR}/KtstrAddScheduler.cmake)
include(${CMAKE_CURRENT_LIST_DIR}/KtstrAddTest.cmake)
