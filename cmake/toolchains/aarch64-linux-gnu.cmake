# Cross-compiling ctnet's tests for 64-bit Arm (xsimd's neon64 kernels) on a Debian x86-64 machine,
# and running them there under user-mode QEMU:
#
#   tools/install-deps.sh g++-aarch64-linux-gnu qemu-user
#   cmake -S . -B build/neon -DCMAKE_TOOLCHAIN_FILE=cmake/toolchains/aarch64-linux-gnu.cmake
#   cmake --build build/neon -j2 && ctest --test-dir build/neon
#
# (`make test-neon` does exactly this.) The header-only dependencies come from the build machine's
# /usr/include: see cmake/ctnet_cross_dependencies.cmake.
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)

# Debian's cross toolchain (g++-aarch64-linux-gnu) and its target root (libc6-dev-arm64-cross).
set(CTNET_AARCH64_PREFIX aarch64-linux-gnu CACHE STRING "Target triple of the aarch64 cross compiler")
set(CTNET_AARCH64_SYSROOT /usr/${CTNET_AARCH64_PREFIX} CACHE PATH "The target's libraries, for QEMU and find_*")
if(NOT CMAKE_CXX_COMPILER)
  set(CMAKE_CXX_COMPILER ${CTNET_AARCH64_PREFIX}-g++)
endif()

# add_test() runs target executables through this, so ctest works unchanged. -L: QEMU looks for the
# dynamic loader and libstdc++ there instead of in the build machine's (x86-64) /lib.
set(CMAKE_CROSSCOMPILING_EMULATOR qemu-aarch64 -L ${CTNET_AARCH64_SYSROOT})

# Libraries and headers from the target root only, programs (python, qemu) from the build machine.
# Packages too come from the target root, which has none: the header-only ones are provided by
# ctnet_cross_dependencies.cmake instead of the build machine's x86-64 CMake packages.
set(CMAKE_FIND_ROOT_PATH ${CTNET_AARCH64_SYSROOT})
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)
