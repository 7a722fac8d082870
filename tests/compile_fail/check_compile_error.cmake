# cmake -DCOMPILER=... -DCOMPILER_ID=... -DFLAGS=a|b|c -DSNIPPET=x.cpp -DOUTPUT_FILE=x.txt
#       [-DCOMPILER_VERSION=...] [-DEXPECT=regex -DSHAPES=regex] -P check_compile_error.cmake
#
# Compiles one compile-fail snippet and checks what the compiler prints (see compile_fail.cmake).
# The snippet's first lines say what to expect:
#   // expect: <regex>     the static_assert's message, on an `error:` line in the first 10 lines
#   // shapes: <regex>     the diagnostic type with its shape arguments, on some line
# or
#   // expect-success      the snippet must compile
# EXPECT and SHAPES, when given, override the snippet's lines (to test the harness itself).
# Prints one `measure:` line (for tests/compile_fail/README.md) and the first 15 lines of output.
cmake_minimum_required(VERSION 3.21)

set(max_message_line 10)
set(shown_lines 15)

foreach(var COMPILER COMPILER_ID FLAGS SNIPPET OUTPUT_FILE)
  if(NOT DEFINED ${var} OR "${${var}}" STREQUAL "")
    message(FATAL_ERROR "check_compile_error.cmake: -D${var}=... is required")
  endif()
endforeach()
get_filename_component(stem "${SNIPPET}" NAME_WE)

# --- What the snippet expects -------------------------------------------------------------
file(READ "${SNIPPET}" source)
string(REPLACE "\r" "" source "${source}")
if(DEFINED EXPECT)
  set(mode fail)
  set(expect "${EXPECT}")
  set(shapes "${SHAPES}")
elseif(source MATCHES "^// expect-success[ \t]*\n")
  set(mode success)
elseif(source MATCHES "^// expect: ([^\n]+)\n// shapes: ([^\n]+)\n")
  set(mode fail)
  set(expect "${CMAKE_MATCH_1}")
  set(shapes "${CMAKE_MATCH_2}")
else()
  message(FATAL_ERROR "${SNIPPET}: the first line must be `// expect-success`, or `// expect: <regex>` "
                      "followed by `// shapes: <regex>` on the second")
endif()
if(mode STREQUAL "fail")
  string(STRIP "${expect}" expect)
  string(STRIP "${shapes}" shapes)
  if(expect STREQUAL "" OR shapes STREQUAL "")
    message(FATAL_ERROR "${SNIPPET}: empty `expect` or `shapes` regex")
  endif()
endif()

# --- Compile ------------------------------------------------------------------------------
string(REPLACE "|" ";" flags "${FLAGS}")
execute_process(COMMAND "${COMPILER}" ${flags} "${SNIPPET}"
                RESULT_VARIABLE exit_code
                OUTPUT_VARIABLE output
                ERROR_VARIABLE output  # the same variable: stdout and stderr, interleaved
                TIMEOUT 240)
string(REPLACE "\r" "" output "${output}")
get_filename_component(output_dir "${OUTPUT_FILE}" DIRECTORY)
file(MAKE_DIRECTORY "${output_dir}")
file(WRITE "${OUTPUT_FILE}" "${output}")

# --- Read the output line by line (not as a CMake list: the output holds ';' and '[') ------
set(line_count 0)
set(error_lines 0)
set(message_line 0)  # first `error:` line matching `expect`
set(shapes_line 0)   # first line matching `shapes`
set(first_lines "")
set(rest "${output}")
while(NOT "${rest}" STREQUAL "")
  string(FIND "${rest}" "\n" newline)
  if(newline EQUAL -1)
    set(line "${rest}")
    set(rest "")
  else()
    string(SUBSTRING "${rest}" 0 ${newline} line)
    math(EXPR after "${newline} + 1")
    string(SUBSTRING "${rest}" ${after} -1 rest)
  endif()
  math(EXPR line_count "${line_count} + 1")
  if(line_count LESS_EQUAL shown_lines)
    string(APPEND first_lines "  ${line_count}| ${line}\n")
  endif()
  if(line MATCHES "error:")
    math(EXPR error_lines "${error_lines} + 1")
    if(mode STREQUAL "fail" AND message_line EQUAL 0 AND line MATCHES "${expect}")
      set(message_line ${line_count})
    endif()
  endif()
  if(mode STREQUAL "fail" AND shapes_line EQUAL 0 AND line MATCHES "${shapes}")
    set(shapes_line ${line_count})
  endif()
endwhile()

set(compiler "${COMPILER_ID} ${COMPILER_VERSION}")
message("measure: ${stem} | ${compiler} | exit ${exit_code} | message on line ${message_line} | "
        "shapes on line ${shapes_line} | ${error_lines} error line(s) | ${line_count} lines in all")
if(line_count GREATER 0)
  message("first ${shown_lines} lines of output (all of it in ${OUTPUT_FILE}):\n${first_lines}")
endif()

# --- Verdict ------------------------------------------------------------------------------
set(failures "")
if(mode STREQUAL "success")
  if(NOT exit_code STREQUAL "0")
    list(APPEND failures "the snippet is marked `// expect-success` but did not compile (exit ${exit_code})")
  endif()
else()
  if(exit_code STREQUAL "0")
    list(APPEND failures "the snippet compiled, but it must not")
  elseif(NOT exit_code MATCHES "^[0-9]+$")
    list(APPEND failures "the compiler did not run to completion: ${exit_code}")
  endif()
  if(message_line EQUAL 0)
    list(APPEND failures "no `error:` line matches the expected message `${expect}`")
  elseif(message_line GREATER max_message_line)
    list(APPEND failures "the message is on line ${message_line}, not within the first ${max_message_line}")
  endif()
  if(shapes_line EQUAL 0)
    list(APPEND failures "no line names the diagnostic with its shapes: `${shapes}`")
  endif()
  if(NOT error_lines EQUAL 1 AND NOT exit_code STREQUAL "0")
    list(APPEND failures "${error_lines} lines say `error:`, not exactly one")
  endif()
endif()

if(failures)
  list(JOIN failures "\n  - " failure_text)
  message(FATAL_ERROR "FAIL: ${failure_text}\n(${SNIPPET} with ${compiler})")
endif()
message("PASS: ${stem} with ${compiler}")
