#!/usr/bin/env bash
# Install (as root) or name (otherwise) the Debian packages uefi-mm needs.
# With --bench (make bench), also the peer allocators bench/ compares against:
# optional, so as non-root a missing one is only named (bench/ skips it).
set -euo pipefail

missing=()
optional=()
need() { # need PACKAGE TEST-PATH-OR-COMMAND
	local pkg=$1 what=$2
	if [[ $what == /* ]]; then [[ -e $what ]] || missing+=("$pkg")
	else command -v "$what" >/dev/null 2>&1 || missing+=("$pkg"); fi
}
need gnu-efi /usr/lib/crt0-efi-x86_64.o
need ovmf /usr/share/OVMF/OVMF_CODE_4M.fd
need qemu-system-x86 qemu-system-x86_64
need mtools mcopy
need dosfstools mkfs.fat
need libgtest-dev /usr/include/gtest/gtest.h
need libgmock-dev /usr/include/gmock/gmock.h
need libbenchmark-dev /usr/include/benchmark/benchmark.h
need python3 python3
need g++ g++
need make make
if [[ ${1:-} == --bench ]]; then
	want() { [[ -e $2 ]] || optional+=("$1"); }
	want libjemalloc-dev /usr/include/jemalloc/jemalloc.h
	want libmimalloc-dev /usr/include/mimalloc.h
	want libgoogle-perftools-dev /usr/include/gperftools/tcmalloc.h
fi

if [[ ${#optional[@]} -ne 0 && $(id -u) -ne 0 ]]; then
	echo "deps: peer allocators not installed (bench/ skips them): ${optional[*]}" >&2
	echo "deps: install them with: sudo apt-get install -y ${optional[*]}" >&2
	optional=()
fi
missing+=("${optional[@]}")
[[ ${#missing[@]} -eq 0 ]] && exit 0

if [[ $(id -u) -eq 0 ]]; then
	echo "deps: installing ${missing[*]}" >&2
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
	echo "deps: missing Debian packages: ${missing[*]}" >&2
	echo "deps: install them with: sudo apt-get update && sudo apt-get install -y ${missing[*]}" >&2
	exit 1
fi
