# The README's two commands: `make demo` and `make test`. Both install what is
# missing first (scripts/bootstrap.sh), then build.
BUILD ?= build
ASAN_BUILD ?= build-asan
JOBS ?= $(shell nproc)
CMAKE_FLAGS ?=

.PHONY: all deps build test asan-test demo bench format format-check clean

all: build

deps:
	./scripts/bootstrap.sh

$(BUILD)/CMakeCache.txt:
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo $(CMAKE_FLAGS)

build: deps $(BUILD)/CMakeCache.txt
	cmake --build $(BUILD) -j $(JOBS)

test: build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS) --timeout 600

# The test suite under AddressSanitizer + UndefinedBehaviorSanitizer.
asan-test: deps
	cmake -S . -B $(ASAN_BUILD) -DCMAKE_BUILD_TYPE=Debug -DCARELAKE_SANITIZE=ON -DCARELAKE_BUILD_BENCH=OFF $(CMAKE_FLAGS)
	cmake --build $(ASAN_BUILD) -j $(JOBS)
	cd $(ASAN_BUILD) && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
	  ctest --output-on-failure -j $(JOBS) --timeout 900

demo: build
	./examples/quickstart/run.sh $(BUILD)/bin/carelake
	./examples/lumia/run.sh $(BUILD)/bin/carelake
	./examples/mha/run.sh $(BUILD)/bin/carelake
	./examples/billing/run.sh $(BUILD)/bin/carelake
	./examples/medikal/run.sh $(BUILD)/bin/carelake
	./examples/unicornhealth/run.sh $(BUILD)/bin/carelake

bench: build
	$(BUILD)/bench/appender_bench
	$(BUILD)/bench/delta_bench
	$(BUILD)/bench/pipeline_bench
	$(BUILD)/bench/mha_bench
	$(BUILD)/bench/serve_bench
	$(BUILD)/bench/cluster_bench
	$(BUILD)/bench/pgwire_bench
	$(BUILD)/bench/dbsource_bench
	$(BUILD)/bench/cdc_bench

format:
	clang-format -i $$(git ls-files '*.cc' '*.h')

# Fails when a tracked .cc/.h file is not as clang-format (.clang-format)
# would write it; `make format` fixes them.
format-check:
	@command -v clang-format >/dev/null 2>&1 || \
	  { echo "format-check: clang-format is not installed (Debian: apt-get install clang-format)"; exit 1; }
	@clang-format --dry-run --Werror $$(git ls-files '*.cc' '*.h') || \
	  { echo "format-check: the files above are not clang-formatted; run 'make format' to fix them"; exit 1; }

clean:
	rm -rf $(BUILD) $(ASAN_BUILD)
