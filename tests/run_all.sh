#!/usr/bin/env bash
# make test: the host tests (GoogleTest), the tests in Python (the tools',
# tests/bench/, and the compiler's refusals, tests/compile/), then the QEMU+OVMF
# boot tests; one closing "N passed, M failed" line over all three.
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

tool_log=$(mktemp)
tool_rc=0
tool_pass=0; tool_fail=0
for t in "$here"/bench/*_test.py "$here"/compile/*_test.py; do
	python3 "$t" -v 2>&1 | tee "$tool_log"
	rc=${PIPESTATUS[0]}
	ran=$(sed -n 's/^Ran \([0-9]*\) test.*/\1/p' "$tool_log" | tail -1)
	bad=$(grep -c -E ' \.\.\. (FAIL|ERROR)$' "$tool_log")
	ran=${ran:-0}
	if [[ $rc -ne 0 ]]; then tool_rc=$rc; [[ $bad -eq 0 ]] && bad=1; fi
	tool_pass=$((tool_pass + ran - bad)); tool_fail=$((tool_fail + bad))
done
rm -f "$tool_log"

qemu_log=$(mktemp)
python3 "$here/qemu/boot_tests.py" --efi "$build/uefi-mm.efi" 2>&1 | tee "$qemu_log"
qemu_rc=${PIPESTATUS[0]}
qemu_pass=$(sed -n 's/^qemu: \([0-9]*\) passed, \([0-9]*\) failed$/\1/p' "$qemu_log" | tail -1)
qemu_fail=$(sed -n 's/^qemu: \([0-9]*\) passed, \([0-9]*\) failed$/\2/p' "$qemu_log" | tail -1)
qemu_pass=${qemu_pass:-0}; qemu_fail=${qemu_fail:-0}
if [[ $qemu_rc -ne 0 && $qemu_fail -eq 0 ]]; then qemu_fail=1; fi
rm -f "$qemu_log"

echo
echo "host tests: $host_pass passed, $host_fail failed; Python tests: $tool_pass passed, $tool_fail failed;" \
	"QEMU boot tests: $qemu_pass passed, $qemu_fail failed"
echo "$((host_pass + tool_pass + qemu_pass)) passed, $((host_fail + tool_fail + qemu_fail)) failed"
[[ $host_rc -eq 0 && $tool_rc -eq 0 && $qemu_rc -eq 0 ]]
