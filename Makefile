# uefi-mm: build the UEFI app, the host tests and tools, and boot in QEMU+OVMF.
#
#   make            build build/uefi-mm.efi
#   make run        boot it in QEMU+OVMF (MEM= SMP= NUMA= CPU= CMDLINE= QEMU_EXTRA=)
#   make run-shell  boot into the UEFI Shell with the app on fs0:
#   make test       host tests (GoogleTest), Python tests and QEMU boot tests
#   make check      host tests only
#   make replay     build build/replay; with DMESG=file (or -) run it on a dmesg
#                   (REPLAY_FLAGS="--mem=1G ..." passes options), see docs/replay.md
#   make bench      build and run build/bench (Google Benchmark) against the peer
#                   allocators, print ratios (BENCH_FILTER=regex BENCH_FLAGS=...),
#                   see docs/bench.md

BUILD ?= build
CXX ?= g++
LD ?= ld
OBJCOPY ?= objcopy

MEM ?= 512M
SMP ?= 1
NUMA ?=
CPU ?= qemu64
CMDLINE ?=
QEMU_EXTRA ?=
export MEM SMP NUMA CPU CMDLINE QEMU_EXTRA

# The mm core: compiled once freestanding for the app, once hosted for tests/tools.
CORE_SRCS := $(sort $(wildcard lib/*.cpp mm/*.cpp paging/*.cpp))
EFI_SRCS := $(sort $(wildcard efi/*.cpp))
HOST_SRCS := $(sort $(wildcard host/*.cpp))
TEST_SRCS := $(sort $(wildcard tests/host/*.cpp))
# Host-only tools: the library part is linked into the tests too.
TOOL_LIB_SRCS := tools/dmesg.cpp

WARN := -Wall -Wextra -Werror=format -Wno-unused-parameter -Wno-missing-field-initializers
COMMON_CXXFLAGS := -std=c++20 -O2 -g $(WARN) -I. -MMD -MP

EFI_INC := /usr/include/efi
EFI_LIB := /usr/lib
EFI_CXXFLAGS := $(COMMON_CXXFLAGS) -DUEFI_MM_EFI -DGNU_EFI_USE_MS_ABI \
	-I$(EFI_INC) -I$(EFI_INC)/x86_64 \
	-ffreestanding -fpic -fshort-wchar -mno-red-zone -mgeneral-regs-only \
	-fno-stack-protector -fno-exceptions -fno-rtti -fno-threadsafe-statics \
	-fno-use-cxa-atexit -fno-asynchronous-unwind-tables -fno-unwind-tables \
	-fno-strict-aliasing -fvisibility=hidden
EFI_LDFLAGS := -nostdlib -znocombreloc -shared -Bsymbolic --no-undefined \
	-T efi/uefi-mm.lds -L$(EFI_LIB)
LIBGCC := $(shell $(CXX) -print-libgcc-file-name)

HOST_CXXFLAGS := $(COMMON_CXXFLAGS) -DUEFI_MM_HOST -fsanitize=address,undefined -fno-omit-frame-pointer
HOST_LDFLAGS := -fsanitize=address,undefined

EFI_OBJS := $(patsubst %.cpp,$(BUILD)/efi/%.o,$(CORE_SRCS) $(EFI_SRCS))
HOST_CORE_OBJS := $(patsubst %.cpp,$(BUILD)/host/%.o,$(CORE_SRCS) $(HOST_SRCS))
TEST_OBJS := $(patsubst %.cpp,$(BUILD)/host/%.o,$(TEST_SRCS))
TOOL_LIB_OBJS := $(patsubst %.cpp,$(BUILD)/host/%.o,$(TOOL_LIB_SRCS))

.PHONY: all run run-shell test check qemu-test deps clean replay bench
all: $(BUILD)/uefi-mm.efi

deps:
	@ovmf/deps.sh

$(BUILD)/efi/%.o: %.cpp
	@mkdir -p $(dir $@)
	$(CXX) $(EFI_CXXFLAGS) -c $< -o $@

$(BUILD)/uefi-mm.so: $(EFI_OBJS) efi/uefi-mm.lds
	$(LD) $(EFI_LDFLAGS) $(EFI_LIB)/crt0-efi-x86_64.o $(EFI_OBJS) -o $@ -lefi -lgnuefi $(LIBGCC)

$(BUILD)/uefi-mm.efi: $(BUILD)/uefi-mm.so
	$(OBJCOPY) -j .text -j .rodata -j .data -j .dynamic -j .dynsym -j .rela -j .reloc \
		--target efi-app-x86_64 --subsystem=10 $< $@

$(BUILD)/host/%.o: %.cpp
	@mkdir -p $(dir $@)
	$(CXX) $(HOST_CXXFLAGS) -c $< -o $@

$(BUILD)/host_tests: $(HOST_CORE_OBJS) $(TOOL_LIB_OBJS) $(TEST_OBJS)
	$(CXX) $(HOST_LDFLAGS) $^ -o $@ -lgtest -lgmock -lgtest_main -pthread

$(BUILD)/replay: $(HOST_CORE_OBJS) $(TOOL_LIB_OBJS) $(BUILD)/host/tools/replay.o
	$(CXX) $(HOST_LDFLAGS) $^ -o $@

DMESG ?=
REPLAY_FLAGS ?=
replay: $(BUILD)/replay
ifneq ($(DMESG),)
	$(BUILD)/replay $(REPLAY_FLAGS) $(DMESG)
endif

# make bench: bench/*.cpp and the hosted mm core again, optimised and without the
# sanitizers (build/bench-obj/), the peer allocators dlopen()ed at run time.
BENCH_SRCS := $(sort $(wildcard bench/*.cpp))
BENCH_CXXFLAGS := $(COMMON_CXXFLAGS) -DUEFI_MM_HOST -DNDEBUG
BENCH_OBJS := $(patsubst %.cpp,$(BUILD)/bench-obj/%.o,$(CORE_SRCS) $(HOST_SRCS) $(BENCH_SRCS))
BENCH_FILTER ?=
BENCH_FLAGS ?=

$(BUILD)/bench-obj/%.o: %.cpp
	@mkdir -p $(dir $@)
	$(CXX) $(BENCH_CXXFLAGS) -c $< -o $@

$(BUILD)/bench: $(BENCH_OBJS)
	$(CXX) $^ -o $@ -lbenchmark -lpthread -ldl

bench:
	@ovmf/deps.sh --bench
	@$(MAKE) --no-print-directory $(BUILD)/bench
	$(BUILD)/bench --benchmark_out=$(BUILD)/bench.json --benchmark_out_format=json \
		$(if $(BENCH_FILTER),'--benchmark_filter=$(BENCH_FILTER)') $(BENCH_FLAGS)
	python3 bench/ratios.py $(BUILD)/bench.json

run: deps $(BUILD)/uefi-mm.efi
	@ovmf/run-qemu.sh boot $(BUILD)/uefi-mm.efi

run-shell: deps $(BUILD)/uefi-mm.efi
	@ovmf/run-qemu.sh shell $(BUILD)/uefi-mm.efi

check: $(BUILD)/host_tests
	$(BUILD)/host_tests

qemu-test: deps $(BUILD)/uefi-mm.efi $(BUILD)/replay
	python3 tests/qemu/boot_tests.py --efi $(BUILD)/uefi-mm.efi

# The build is most of `make test`'s time: build on every core unless the caller
# already gave -j (then the sub-make shares its jobserver).
JOBS ?= $(shell nproc 2>/dev/null || echo 1)
SUBMAKE_J = $(if $(filter -j%,$(MAKEFLAGS)),,-j$(JOBS))

test: deps
	@$(MAKE) --no-print-directory $(SUBMAKE_J) $(BUILD)/host_tests $(BUILD)/replay $(BUILD)/uefi-mm.efi
	@tests/run_all.sh $(BUILD)

clean:
	rm -rf $(BUILD)

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
