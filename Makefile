# The two set-up commands of the README:
#   make run   installs what is missing, builds, and starts twofoldd on its defaults
#   make test  installs what is missing, builds with ASan/UBSan, and runs every test
JOBS ?= $(shell nproc)
RELEASE := build/release
ASAN := build/asan
FUZZ := build/fuzz

.PHONY: all deps build run stop test unit fuzz bench format clean

all: build

deps:
	@bash scripts/deps.sh

build: deps
	@cmake -S . -B $(RELEASE) -DCMAKE_BUILD_TYPE=Release -DTWOFOLD_TESTS=OFF >/dev/null
	@cmake --build $(RELEASE) -j$(JOBS) --target twofoldd twofold twofold-auth

run: build
	@bash scripts/run.sh $(RELEASE)

stop:
	@$(RELEASE)/apps/twofold/twofold --config var/twofold.toml stop

# One sanitizer build (ASan + UBSan, warnings as errors) runs the unit and integration
# tests; a small clang build runs the fuzzers for a bounded time.
test: deps
	@cmake -S . -B $(ASAN) -DCMAKE_BUILD_TYPE=Debug -DTWOFOLD_SANITIZE=ON -DTWOFOLD_WERROR=ON >/dev/null
	@cmake --build $(ASAN) -j$(JOBS)
	@cmake -S tests/fuzz -B $(FUZZ) -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_C_COMPILER=clang >/dev/null
	@cmake --build $(FUZZ) -j$(JOBS)
	@bash scripts/test.sh $(ASAN) $(FUZZ)

bench: deps
	@bash bench/run

format:
	@git ls-files '*.cpp' '*.hpp' | xargs clang-format -i

clean:
	rm -rf build
