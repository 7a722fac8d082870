# Registers the install/find_package test. Include it from tests/CMakeLists.txt:
#
#   include(${PROJECT_SOURCE_DIR}/tests/install/install_test.cmake)
#
# The test installs the ctnet build tree into <build>/tests/install-test/prefix (never the
# real CMAKE_INSTALL_PREFIX) and builds tests/install/consumer against it with the same
# compiler and build type.
include_guard(GLOBAL)

add_test(NAME install.find_package
  COMMAND "${CMAKE_COMMAND}"
    "-DSOURCE_DIR=${ctnet_SOURCE_DIR}"
    "-DBINARY_DIR=${ctnet_BINARY_DIR}"
    "-DWORK_DIR=${CMAKE_CURRENT_BINARY_DIR}/install-test"
    "-DCXX_COMPILER=${CMAKE_CXX_COMPILER}"
    "-DCONFIG=$<CONFIG>"
    "-DGENERATOR=${CMAKE_GENERATOR}"
    -P "${CMAKE_CURRENT_LIST_DIR}/check_install.cmake")

# Configuring + compiling a whole project (and ResNet-20 at compile time) takes a while. COST: the
# longest test starts first, beside the others, instead of running alone at the end (a fresh build
# tree has no timings for ctest to order by).
set_tests_properties(install.find_package PROPERTIES
  LABELS "install"
  TIMEOUT 900
  COST 1000)
