#!/usr/bin/env bash
# make test: the host tests (GoogleTest), then the QEMU+OVMF boot tests; one closing
# "N passed, M failed" line over both.
set -uo pipefail
build=${1:-build}
here=$(cd "$(dirname "$0")" && pwd)

host_log=$(mktemp)
"$build/host_tests" 2>&1 | tee "$host_log"
host_rc=${PIPESTATUS[0]}
host_pass=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' "$host_log" | tail -1)
host_fail=$(sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' "$host_log" | tail -1)
host_pass=${host_pass:-0}; host_fail=${host_fail:-0}
if [[ $host_rc -ne 0 && $host_fail -eq 0 ]]; then host_fail=1; fi
rm -f "$host_log"

qemu_log=$(mktemp)
python3 "$here/qemu/boot_tests.py" --efi "$build/uefi-mm.efi" 2>&1 | tee "$qemu_log"
qemu_rc=${PIPESTATUS[0]}
qemu_pass=$(sed -n 's/^qemu: \([0-9]*\) passed, \([0-9]*\) failed$/\1/p' "$qemu_log" | tail -1)
qemu_fail=$(sed -n 's/^qemu: \([0-9]*\) passed, \([0-9]*\) failed$/\2/p' "$qemu_log" | tail -1)
qemu_pass=${qemu_pass:-0}; qemu_fail=${qemu_fail:-0}
if [[ $qemu_rc -ne 0 && $qemu_fail -eq 0 ]]; then qemu_fail=1; fi
rm -f "$qemu_log"

echo
echo "host tests: $host_pass passed, $host_fail failed; QEMU boot tests: $qemu_pass passed, $qemu_fail failed"
echo "$((host_pass + qemu_pass)) passed, $((host_fail + qemu_fail)) failed"
[[ $host_rc -eq 0 && $qemu_rc -eq 0 ]]
