# Install test: install ctnet into a scratch prefix, then configure, build and run a
# separate consumer project that finds it with find_package(ctnet).
#
# Usage (cmake -P script):
#   cmake -DSOURCE_DIR=<ctnet source> -DBINARY_DIR=<ctnet build dir>
#         -DWORK_DIR=<scratch dir> -DCXX_COMPILER=<c++ compiler>
#         [-DCONFIG=<Release|Debug|...>] [-DGENERATOR=<cmake generator>]
#         -P check_install.cmake
#
# Fails with message(FATAL_ERROR) carrying the captured output of the failing step.
cmake_minimum_required(VERSION 3.21)

foreach(var IN ITEMS SOURCE_DIR BINARY_DIR WORK_DIR CXX_COMPILER)
  if(NOT DEFINED ${var} OR "${${var}}" STREQUAL "")
    message(FATAL_ERROR "check_install.cmake: -D${var}=... is required")
  endif()
endforeach()
if(NOT DEFINED CONFIG OR "${CONFIG}" STREQUAL "")
  set(CONFIG Release)
endif()

set(prefix "${WORK_DIR}/prefix")
set(consumer_src "${SOURCE_DIR}/tests/install/consumer")
set(consumer_bin "${WORK_DIR}/consumer-build")

# Start from scratch so a stale install or cache cannot make the test pass.
file(REMOVE_RECURSE "${prefix}" "${consumer_bin}")
file(MAKE_DIRECTORY "${WORK_DIR}")
# DESTDIR would silently redirect the install away from ${prefix}.
unset(ENV{DESTDIR})

# run_step(<name> COMMAND ...): run a command, fail with its output if it fails.
function(run_step name)
  execute_process(${ARGN}
    RESULT_VARIABLE rc
    OUTPUT_VARIABLE out
    ERROR_VARIABLE out)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "install test: step '${name}' failed (${rc}):\n${out}")
  endif()
  set(step_output "${out}" PARENT_SCOPE)
endfunction()

# 1. Install the ctnet build tree into the scratch prefix.
run_step(install
  COMMAND "${CMAKE_COMMAND}" --install "${BINARY_DIR}" --prefix "${prefix}" --config "${CONFIG}")

# 2. Configure the consumer against the prefix only. The package registries are disabled so
#    the test cannot pick up some other ctnet (e.g. one exported from a build tree).
set(configure_args
  -S "${consumer_src}"
  -B "${consumer_bin}"
  "-DCMAKE_PREFIX_PATH=${prefix}"
  "-DCMAKE_CXX_COMPILER=${CXX_COMPILER}"
  "-DCMAKE_BUILD_TYPE=${CONFIG}"
  -DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF
  -DCMAKE_FIND_USE_SYSTEM_PACKAGE_REGISTRY=OFF)
if(DEFINED GENERATOR AND NOT "${GENERATOR}" STREQUAL "")
  list(APPEND configure_args -G "${GENERATOR}")
endif()
run_step(configure COMMAND "${CMAKE_COMMAND}" ${configure_args})

# The consumer must have found *our* install, not a system-wide ctnet.
file(STRINGS "${consumer_bin}/CMakeCache.txt" ctnet_dir_line REGEX "^ctnet_DIR:")
string(REGEX REPLACE "^ctnet_DIR:[A-Z]+=" "" ctnet_dir "${ctnet_dir_line}")
file(REAL_PATH "${prefix}" real_prefix)
file(REAL_PATH "${ctnet_dir}" real_ctnet_dir)
string(FIND "${real_ctnet_dir}/" "${real_prefix}/" pos)
if(NOT pos EQUAL 0)
  message(FATAL_ERROR
    "install test: consumer found ctnet in '${ctnet_dir}', expected it under '${prefix}'")
endif()

# 3. Build it.
run_step(build COMMAND "${CMAKE_COMMAND}" --build "${consumer_bin}" --config "${CONFIG}")

# 4. Run it. Single-config generators put the binary in the build dir, multi-config ones
#    in a per-config subdirectory.
set(exe "")
foreach(candidate IN ITEMS
    "${consumer_bin}/consumer${CMAKE_EXECUTABLE_SUFFIX}"
    "${consumer_bin}/${CONFIG}/consumer${CMAKE_EXECUTABLE_SUFFIX}"
    "${consumer_bin}/consumer.exe"
    "${consumer_bin}/${CONFIG}/consumer.exe")
  if(EXISTS "${candidate}")
    set(exe "${candidate}")
    break()
  endif()
endforeach()
if(exe STREQUAL "")
  message(FATAL_ERROR "install test: consumer executable not found under ${consumer_bin}")
endif()

run_step(run COMMAND "${exe}")
message(STATUS "install test: consumer ran OK:\n${step_output}")
