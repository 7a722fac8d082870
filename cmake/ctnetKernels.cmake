# ctnet_add_kernels(<target> ARCHS <arch>... SOURCES <kernel source>...)
#
# Compiles each kernel source once per architecture, with that architecture's flags, and links
# the objects into <target>; <target>'s own sources then learn (CTNET_DISPATCH_ARCHS) which
# architectures exist, and model<Net> runs the best one the CPU has (CTNET_ARCH forces one).
# A kernel source holds only includes and CTNET_INSTANTIATE_KERNELS(Net); lines, one per network
# the target runs (see include/ctnet/runtime/kernel_set.hpp).
#
#   ARCHS  x86-64: sse2 sse4_2 avx avx2 (with FMA) avx512f avx512bw;  aarch64: neon64
#          Names of the other processor family are skipped, so one list serves both.
#
# Every architecture is compiled whatever the build machine runs: avx512 kernels compile on
# a CPU without AVX-512, and are simply never chosen there.
function(ctnet_add_kernels target)
  cmake_parse_arguments(PARSE_ARGV 1 arg "" "" "ARCHS;SOURCES")
  if(NOT arg_ARCHS OR NOT arg_SOURCES OR arg_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "ctnet_add_kernels(${target} ARCHS <arch>... SOURCES <file>...): "
                        "got '${ARGN}'")
  endif()

  # name -> flags and the ctnet::isa type the flags make xsimd::default_arch.
  set(x86_sse2 "")
  set(x86_sse4_2 -msse4.2)
  set(x86_avx -mavx)
  set(x86_avx2 -mavx2 -mfma)
  # AVX-512 comes with FMA on every CPU that has it; gemm's narrow column tails use AVX2 + FMA vectors.
  set(x86_avx512f -mavx512f -mfma)
  set(x86_avx512bw -mavx512f -mavx512cd -mavx512dq -mavx512bw -mavx512vl -mfma)
  set(arm_neon64 "")
  if(CMAKE_SYSTEM_PROCESSOR MATCHES "x86_64|AMD64|amd64")
    set(family x86)
  elseif(CMAKE_SYSTEM_PROCESSOR MATCHES "aarch64|arm64|ARM64")
    set(family arm)
  else()
    message(FATAL_ERROR "ctnet_add_kernels: no architectures known for processor '${CMAKE_SYSTEM_PROCESSOR}'")
  endif()

  set(dispatched "")
  foreach(arch IN LISTS arg_ARCHS)
    if(NOT DEFINED x86_${arch} AND NOT DEFINED arm_${arch})
      message(FATAL_ERROR "ctnet_add_kernels(${target}): unknown architecture '${arch}'; the choices are "
                          "sse2 sse4_2 avx avx2 avx512f avx512bw neon64")
    endif()
    if(NOT DEFINED ${family}_${arch})
      continue()  # the other processor family's
    endif()
    set(objects ${target}_kernels_${arch})
    add_library(${objects} OBJECT ${arg_SOURCES})
    target_link_libraries(${objects} PRIVATE ctnet::ctnet)
    target_compile_options(${objects} PRIVATE ${${family}_${arch}})
    target_compile_definitions(${objects} PRIVATE CTNET_KERNEL_ARCH=ctnet::isa::${arch})
    # Listed after the target's own sources: where both define the same inline function, the
    # linker keeps the first, baseline-compiled one (see kernel_set.hpp).
    target_sources(${target} PRIVATE $<TARGET_OBJECTS:${objects}>)
    list(APPEND dispatched ctnet::isa::${arch})
  endforeach()
  list(JOIN dispatched "," dispatched)
  target_compile_definitions(${target} PRIVATE "CTNET_DISPATCH_ARCHS=${dispatched}")
endfunction()
