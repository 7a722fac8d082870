# ctnet_warnings(<target>)
#
# Turns on strict warnings for one of ctnet's own (compiled) targets: tests, examples,
# benchmarks. They are PRIVATE so they never leak to consumers of ctnet::ctnet; the library
# itself is an INTERFACE target and cannot carry private flags, so its headers are checked
# through the targets that include them.
#
# -Werror is controlled by CTNET_WARNINGS_AS_ERRORS (ON by default), so a newer compiler's
# new warning can be turned off locally without editing the build.
include_guard(GLOBAL)

function(ctnet_warnings target)
  if(NOT TARGET "${target}")
    message(FATAL_ERROR "ctnet_warnings: '${target}' is not a target")
  endif()

  if(MSVC)
    set(_ctnet_flags /W4 /permissive-)
    set(_ctnet_werror /WX)
  else()
    set(_ctnet_flags -Wall -Wextra -Wpedantic)
    set(_ctnet_werror -Werror)
  endif()

  if(NOT DEFINED CTNET_WARNINGS_AS_ERRORS OR CTNET_WARNINGS_AS_ERRORS)
    list(APPEND _ctnet_flags ${_ctnet_werror})
  endif()

  target_compile_options("${target}" PRIVATE ${_ctnet_flags})
endfunction()
