# Compile-fail tests: every tests/compile_fail/*.cpp is a tiny program that must NOT compile.
# Each becomes the CTest test compile_fail.<stem>, which runs the C++ compiler with -fsyntax-only
# on it (check_compile_error.cmake) and passes only if the compiler
#   - exits non-zero,
#   - prints the snippet's `// expect: <regex>` (the static_assert message) on an `error:` line
#     within the first 10 lines of its output,
#   - prints a line matching the snippet's `// shapes: <regex>` (the diagnostic type with the
#     shapes as its template arguments), and
#   - reports exactly one `error:` line: ctnet is designed to emit a single error per mistake.
# A snippet whose first line is `// expect-success` must compile instead (a control for the
# harness itself). No build step: the tests compile the snippets when they run.
#
# Included from tests/CMakeLists.txt.
include_guard(GLOBAL)

if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
  set(_ctnet_cf_no_color -fdiagnostics-color=never)
elseif(CMAKE_CXX_COMPILER_ID MATCHES "Clang")  # Clang, AppleClang
  set(_ctnet_cf_no_color -fno-color-diagnostics)
else()
  message(STATUS "ctnet: compile-fail tests skipped (they know g++'s and clang's output, "
                 "not ${CMAKE_CXX_COMPILER_ID}'s)")
  return()
endif()

# ctnet's own headers come from the source tree; its dependencies' (xsimd, Boost) from their
# targets, minus the compiler's implicit directories: -isystem /usr/include would break
# libstdc++'s #include_next. Joined with '|', as a ';' list does not survive add_test intact.
set(_ctnet_cf_includes "-I${PROJECT_SOURCE_DIR}/include")
foreach(_ctnet_cf_dep IN ITEMS xsimd Boost::headers)
  if(TARGET ${_ctnet_cf_dep})
    get_target_property(_ctnet_cf_dirs ${_ctnet_cf_dep} INTERFACE_INCLUDE_DIRECTORIES)
    foreach(_ctnet_cf_dir IN LISTS _ctnet_cf_dirs)
      if(_ctnet_cf_dir AND NOT _ctnet_cf_dir IN_LIST CMAKE_CXX_IMPLICIT_INCLUDE_DIRECTORIES
         AND NOT _ctnet_cf_dir MATCHES "\\$<")
        string(APPEND _ctnet_cf_includes "|-isystem|${_ctnet_cf_dir}")
      endif()
    endforeach()
  endif()
endforeach()

set(_ctnet_cf_script "${CMAKE_CURRENT_LIST_DIR}/check_compile_error.cmake")
set(_ctnet_cf_outdir "${CMAKE_CURRENT_BINARY_DIR}/compile_fail")

file(GLOB _ctnet_cf_snippets CONFIGURE_DEPENDS "${CMAKE_CURRENT_LIST_DIR}/*.cpp")
foreach(_ctnet_cf_snippet IN LISTS _ctnet_cf_snippets)
  get_filename_component(_ctnet_cf_stem "${_ctnet_cf_snippet}" NAME_WE)
  add_test(NAME compile_fail.${_ctnet_cf_stem}
           COMMAND ${CMAKE_COMMAND}
                   "-DCOMPILER=${CMAKE_CXX_COMPILER}"
                   "-DCOMPILER_ID=${CMAKE_CXX_COMPILER_ID}"
                   "-DCOMPILER_VERSION=${CMAKE_CXX_COMPILER_VERSION}"
                   "-DFLAGS=-std=c++20|-fsyntax-only|${_ctnet_cf_no_color}|${_ctnet_cf_includes}"
                   "-DSNIPPET=${_ctnet_cf_snippet}"
                   "-DOUTPUT_FILE=${_ctnet_cf_outdir}/${_ctnet_cf_stem}.txt"
                   -P "${_ctnet_cf_script}")
  set_tests_properties(compile_fail.${_ctnet_cf_stem} PROPERTIES LABELS compile_fail TIMEOUT 300)
endforeach()

# The harness must also say no: control_ok.cpp compiles, so checked as a must-fail snippet
# (EXPECT overrides its first line) it has to be rejected, with the harness's own words.
if(EXISTS "${CMAKE_CURRENT_LIST_DIR}/control_ok.cpp")
  add_test(NAME compile_fail.harness_rejects_compiling_snippet
           COMMAND ${CMAKE_COMMAND}
                   "-DCOMPILER=${CMAKE_CXX_COMPILER}"
                   "-DCOMPILER_ID=${CMAKE_CXX_COMPILER_ID}"
                   "-DCOMPILER_VERSION=${CMAKE_CXX_COMPILER_VERSION}"
                   "-DFLAGS=-std=c++20|-fsyntax-only|${_ctnet_cf_no_color}|${_ctnet_cf_includes}"
                   "-DSNIPPET=${CMAKE_CURRENT_LIST_DIR}/control_ok.cpp"
                   "-DEXPECT=residual"
                   "-DSHAPES=residual_shape_mismatch"
                   "-DOUTPUT_FILE=${_ctnet_cf_outdir}/harness_rejects_compiling_snippet.txt"
                   -P "${_ctnet_cf_script}")
  # Pass on the harness's verdict, not on its exit code (which any crash would also give).
  set_tests_properties(compile_fail.harness_rejects_compiling_snippet PROPERTIES
                       LABELS compile_fail TIMEOUT 300
                       PASS_REGULAR_EXPRESSION "FAIL: the snippet compiled")
endif()

unset(_ctnet_cf_no_color)
unset(_ctnet_cf_includes)
unset(_ctnet_cf_dirs)
unset(_ctnet_cf_dir)
unset(_ctnet_cf_dep)
unset(_ctnet_cf_script)
unset(_ctnet_cf_outdir)
unset(_ctnet_cf_snippets)
unset(_ctnet_cf_snippet)
unset(_ctnet_cf_stem)
