# The header-only dependencies (xsimd, Boost, nlohmann_json, Catch2) for a cross build.
#
# Their headers are the same for every architecture, so the build machine's /usr/include serves the
# target as well; their CMake packages do not: Debian installs xsimd's and Boost's under
# /usr/lib/<build machine's multiarch>/cmake, where a cross find_package() rightly does not look, and
# the packages would pass /usr/include, whose other headers (glibc's, for one) are the build
# machine's. So each dependency becomes an imported target of the name its package defines, whose
# include directory is <build>/cross-include: symbolic links to just that library's header folders.
# Imported targets' directories are -isystem, searched before the compiler's own: these headers win.
#
#   ctnet_cross_header_library(<target> <min version> <version header> <version macros>
#                              FOLDERS <folders under /usr/include>...)
#
# The version is read from the header's #defines, e.g. XSIMD_VERSION_MAJOR 8 and _MINOR 1 give 8.1
# (a value "1_74", Boost's, gives 1.74), and must be at least <min version>, as find_package would
# require.
include_guard(GLOBAL)

set(CTNET_HOST_INCLUDE_DIR /usr/include CACHE PATH
    "Where the build machine's header-only dependencies are (used when cross-compiling)")
set(CTNET_CROSS_INCLUDE_DIR "${CMAKE_BINARY_DIR}/cross-include")
file(MAKE_DIRECTORY "${CTNET_CROSS_INCLUDE_DIR}")

function(ctnet_cross_header_library target minimum version_header)
  cmake_parse_arguments(PARSE_ARGV 3 arg "" "" "FOLDERS")
  set(macros ${arg_UNPARSED_ARGUMENTS})
  if(TARGET ${target})
    return()
  endif()

  foreach(folder IN LISTS arg_FOLDERS)
    if(NOT IS_DIRECTORY "${CTNET_HOST_INCLUDE_DIR}/${folder}")
      message(FATAL_ERROR "${target}: ${CTNET_HOST_INCLUDE_DIR}/${folder} not found; install the package "
                          "with tools/install-deps.sh (or set CTNET_HOST_INCLUDE_DIR)")
    endif()
    file(CREATE_LINK "${CTNET_HOST_INCLUDE_DIR}/${folder}" "${CTNET_CROSS_INCLUDE_DIR}/${folder}" SYMBOLIC)
  endforeach()

  set(version "")
  foreach(macro IN LISTS macros)
    file(STRINGS "${CTNET_HOST_INCLUDE_DIR}/${version_header}" line REGEX "^#[ \t]*define[ \t]+${macro}[ \t]")
    if(NOT line MATCHES "${macro}[ \t]+\"?([0-9_]+)\"?")
      message(FATAL_ERROR "${target}: no #define ${macro} in ${CTNET_HOST_INCLUDE_DIR}/${version_header}")
    endif()
    string(REPLACE "_" "." part "${CMAKE_MATCH_1}")
    list(APPEND version "${part}")
  endforeach()
  list(JOIN version "." version)
  if(version VERSION_LESS minimum)
    message(FATAL_ERROR "${target}: version ${version} found in ${CTNET_HOST_INCLUDE_DIR}, ${minimum} needed")
  endif()
  message(STATUS "${target} ${version}: headers from ${CTNET_HOST_INCLUDE_DIR} (cross build)")

  add_library(${target} INTERFACE IMPORTED GLOBAL)
  set_target_properties(${target} PROPERTIES INTERFACE_INCLUDE_DIRECTORIES "${CTNET_CROSS_INCLUDE_DIR}")
endfunction()
