# Developer / CI entry points for ctnet. CMake does the real work; this file only fixes the
# build directories, compilers and order so that `make test` locally == CI (`.ci/run`).
#
#   make deps    install missing Debian packages (tools/install-deps.sh)
#   make test    build + ctest with GCC (build/gcc), then Clang (build/clang), then test-neon
#   make test-neon  cross-compile the run-time tests for aarch64 (build/neon), run them under QEMU
#   make demo    build and run examples/demo (GCC, Release)
#   make bench   build and run the benchmark suites (models, GEMM, Winograd, every layer), then measure compile cost
#   make compare ctnet beside ONNX Runtime and PyTorch, interleaved (benchmarks/compare/compare.py)
#   make compare-ab BASELINE=<commit>  ctnet beside itself at another commit, interleaved
#   make clean   remove build/
#
# Override anything on the command line, e.g. `make test JOBS=8 GCC_CXX=g++-13`.

.DEFAULT_GOAL := test

BUILD_ROOT ?= build
BUILD_TYPE ?= Release
# The machines have 2 cores; more jobs would only add memory pressure for template-heavy TUs.
JOBS ?= 2

# Prefer the exact compiler versions the project is tested with, fall back to the default
# ones. These are recursive (lazy) variables on purpose: they are expanded only in recipes,
# i.e. after `deps` has had a chance to install the compilers.
GCC_CXX ?= $(shell command -v g++-12 || command -v g++)
CLANG_CXX ?= $(shell command -v clang++-14 || command -v clang++)

GCC_DIR := $(BUILD_ROOT)/gcc
CLANG_DIR := $(BUILD_ROOT)/clang
NEON_DIR := $(BUILD_ROOT)/neon

# --no-tests=error: an empty test suite must fail CI instead of passing silently.
CTEST_FLAGS ?= --output-on-failure -j$(JOBS) --no-tests=error

# $(call configure,<build dir>,<c++ compiler>[,<more cmake options>[,<source dir, default .>]])
# Fails early with a clear message if the compiler could not be found.
define configure
	@test -n "$(2)" || { echo "error: no C++ compiler found for $(1) (see tools/install-deps.sh)" >&2; exit 1; }
	cmake -S $(or $(4),.) -B $(1) -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) -DCMAKE_CXX_COMPILER=$(2) $(3)
endef

# $(call build_and_test,<build dir>,<c++ compiler>[,<more cmake options>])
# One command per recipe line, so make stops at the first failing step.
define build_and_test
	$(call configure,$(1),$(2),$(3))
	cmake --build $(1) -j$(JOBS)
	ctest --test-dir $(1) $(CTEST_FLAGS)
endef

# e.g. make bench LAYER_BENCH_FLAGS="--benchmark_filter=resnet50/layer1"
LAYER_BENCH_FLAGS ?=

.PHONY: deps test-deps test test-neon demo bench compare-deps compare compare-layers compare-ab clean

deps:
	bash tools/install-deps.sh

# The tests also compare against PyTorch (tests/interop), which needs Debian's torch.
test-deps:
	bash tools/install-deps.sh python3-torch python3-torchvision

# GCC first, then Clang, then the NEON cross build: all must pass; the first failure stops everything.
# Clang builds every test suite but not what GCC already shows compiles and works (examples,
# benchmarks, the per-architecture copies of the kernel tests: its dispatch tests still run every
# architecture's kernels; the comparison with PyTorch: Clang's build of the same loader and kernels
# is checked by the io tests and against the oracle), which keeps CI within its time budget on two
# cores.
CLANG_TEST_OPTIONS ?= -DCTNET_BUILD_EXAMPLES=OFF -DCTNET_BUILD_BENCHMARKS=OFF -DCTNET_ARCH_TESTS=OFF \
  -DCTNET_INTEROP_TESTS=OFF
test: test-deps
	$(call build_and_test,$(GCC_DIR),$(GCC_CXX))
	$(call build_and_test,$(CLANG_DIR),$(CLANG_CXX),$(CLANG_TEST_OPTIONS))
	$(MAKE) test-neon

# xsimd's neon64 kernels, cross-compiled with Debian's aarch64 g++ and run under qemu-aarch64 (the
# toolchain file sets both). Only the run-time suite, without its [slow] cases: tests/CMakeLists.txt.
test-neon:
	bash tools/install-deps.sh g++-aarch64-linux-gnu qemu-user
	cmake -S . -B $(NEON_DIR) -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) \
	  -DCMAKE_TOOLCHAIN_FILE=$(CURDIR)/cmake/toolchains/aarch64-linux-gnu.cmake
	cmake --build $(NEON_DIR) -j$(JOBS)
	ctest --test-dir $(NEON_DIR) $(CTEST_FLAGS)

demo: deps
	$(call configure,$(GCC_DIR),$(GCC_CXX))
	cmake --build $(GCC_DIR) --target demo -j$(JOBS)
	$(GCC_DIR)/examples/demo

# The Google Benchmark suites, then the compile-cost probe (README: "Compile cost").
bench: deps
	$(call configure,$(GCC_DIR),$(GCC_CXX))
	cmake --build $(GCC_DIR) --target ctnet_bench ctnet_gemm_bench ctnet_layer_bench ctnet_winograd_bench \
	  ctnet_blocked_bench -j$(JOBS)
	$(GCC_DIR)/benchmarks/ctnet_gemm_bench --benchmark_repetitions=3 --benchmark_report_aggregates_only=true
	$(GCC_DIR)/benchmarks/ctnet_winograd_bench --benchmark_repetitions=3 --benchmark_report_aggregates_only=true
	$(GCC_DIR)/benchmarks/ctnet_blocked_bench --benchmark_repetitions=3 --benchmark_report_aggregates_only=true
	$(GCC_DIR)/benchmarks/ctnet_bench
	$(GCC_DIR)/benchmarks/ctnet_layer_bench $(LAYER_BENCH_FLAGS)
	benchmarks/compile_cost.sh

# make compare: the peers' packages, ctnet's worker built as `bench` builds its suites, onnxruntime-node
# pinned by benchmarks/compare/package-lock.json in build/compare, then the interleaved run.
# Pass options to the driver with COMPARE_ARGS, e.g. `make compare COMPARE_ARGS="--rounds 4"`.
COMPARE_DIR := $(BUILD_ROOT)/compare
COMPARE_NPM_STAMP := $(COMPARE_DIR)/node_modules/.package-lock.json
COMPARE_ARGS ?=

# nodejs and npm only when missing: a nodejs package from another source may bundle npm and
# conflict with Debian's npm package, and any working node + npm will do.
compare-deps:
	bash tools/install-deps.sh python3-torch python3-torchvision libopenblas0-pthread \
	  $$(command -v node >/dev/null && command -v npm >/dev/null || echo nodejs npm)

# npm ci installs exactly the lockfile's versions. CUDA=skip: the package's install script would
# otherwise try to download CUDA libraries, which the CPU benchmark does not use.
$(COMPARE_NPM_STAMP): benchmarks/compare/package.json benchmarks/compare/package-lock.json | compare-deps
	mkdir -p $(COMPARE_DIR)
	cp benchmarks/compare/package.json benchmarks/compare/package-lock.json $(COMPARE_DIR)/
	cd $(COMPARE_DIR) && ONNXRUNTIME_NODE_INSTALL_CUDA=skip npm ci --no-audit --no-fund

compare: compare-deps $(COMPARE_NPM_STAMP)
	$(call configure,$(GCC_DIR),$(GCC_CXX))
	cmake --build $(GCC_DIR) --target ctnet_timer -j$(JOBS)
	/usr/bin/python3 benchmarks/compare/compare.py --ctnet-timer $(GCC_DIR)/benchmarks/ctnet_timer \
	  --node-modules $(COMPARE_DIR)/node_modules --onnx-dir $(COMPARE_DIR)/onnx \
	  --out $(COMPARE_DIR)/results.json $(COMPARE_ARGS)

# make compare-layers: one model layer by layer, ctnet's model::profile beside ONNX Runtime's own
# profile of the same network (benchmarks/compare/layers.py), e.g.
# `make compare-layers COMPARE_LAYERS_ARGS="--model resnet18 --rounds 3"`.
COMPARE_LAYERS_ARGS ?=
compare-layers: compare-deps $(COMPARE_NPM_STAMP)
	$(call configure,$(GCC_DIR),$(GCC_CXX))
	cmake --build $(GCC_DIR) --target ctnet_timer -j$(JOBS)
	/usr/bin/python3 benchmarks/compare/layers.py --ctnet-timer $(GCC_DIR)/benchmarks/ctnet_timer \
	  --node-modules $(COMPARE_DIR)/node_modules --onnx-dir $(COMPARE_DIR)/onnx $(COMPARE_LAYERS_ARGS)

# make compare-ab BASELINE=<commit>: ctnet against itself at another commit, interleaved the same way
# (a change's gain, measured). The baseline's sources are exported to build/baseline and its
# ctnet_timer built there with the same flags.
BASELINE_DIR := $(BUILD_ROOT)/baseline
compare-ab: deps
	@test -n "$(BASELINE)" || { echo "usage: make compare-ab BASELINE=<commit> [COMPARE_ARGS=...]" >&2; exit 1; }
	$(call configure,$(GCC_DIR),$(GCC_CXX))
	cmake --build $(GCC_DIR) --target ctnet_timer -j$(JOBS)
	rm -rf $(BASELINE_DIR)/src && mkdir -p $(BASELINE_DIR)/src
	git archive $(BASELINE) | tar -x -C $(BASELINE_DIR)/src
	$(call configure,$(BASELINE_DIR)/build,$(GCC_CXX),,$(BASELINE_DIR)/src)
	cmake --build $(BASELINE_DIR)/build --target ctnet_timer -j$(JOBS)
	/usr/bin/python3 benchmarks/compare/compare.py --ctnet-timer $(GCC_DIR)/benchmarks/ctnet_timer \
	  --baseline-timer $(BASELINE_DIR)/build/benchmarks/ctnet_timer \
	  --out $(BASELINE_DIR)/results.json $(COMPARE_ARGS)

clean:
	rm -rf $(BUILD_ROOT)
