#!/usr/bin/env bash
# Boot the app in QEMU + OVMF, headless, the log on this terminal.
#
#   run-qemu.sh boot  APP.efi   run the app once from the UEFI Shell's startup.nsh with
#                               exit=qemu, and exit with its verdict (0 passed, 1 failed)
#   run-qemu.sh shell APP.efi   the UEFI Shell with the app at fs0:\uefi-mm.efi
#   run-qemu.sh script APP.efi  run ovmf/startup.nsh lines given in STARTUP_NSH, then power off
#
# Environment: MEM (512M, 4G, 64G...), SMP, NUMA (node sizes, "2G,2G"), CPU (qemu64, max),
# CMDLINE (the app's options), QEMU_EXTRA, QEMU_TIMEOUT (seconds; 0 = none),
# QEMU_WORKDIR (where the ESP folder and sparse RAM files go; default build/qemu),
# ESP_FILES (more files to put beside the app on the ESP, e.g. a Linux kernel).
set -euo pipefail

mode=${1:?usage: run-qemu.sh boot|shell|script APP.efi}
app=${2:?usage: run-qemu.sh boot|shell|script APP.efi}
here=$(cd "$(dirname "$0")" && pwd)

MEM=${MEM:-512M}
SMP=${SMP:-1}
NUMA=${NUMA:-}
CPU=${CPU:-qemu64}
CMDLINE=${CMDLINE:-}
QEMU_EXTRA=${QEMU_EXTRA:-}
QEMU_TIMEOUT=${QEMU_TIMEOUT:-0}
work=${QEMU_WORKDIR:-$(dirname "$app")/qemu}

code=/usr/share/OVMF/OVMF_CODE_4M.fd
vars_template=/usr/share/OVMF/OVMF_VARS_4M.fd
for f in "$code" "$vars_template"; do
	[[ -r $f ]] || { echo "run-qemu: $f is missing (package ovmf; try 'make deps')" >&2; exit 2; }
done

# Size in bytes of "512M", "4G", "64G", "1T" or a plain MiB count (QEMU's -m default unit).
to_bytes() {
	local v=${1^^} n unit
	if [[ $v =~ ^([0-9]+)([KMGT]?)B?$ ]]; then
		n=${BASH_REMATCH[1]}; unit=${BASH_REMATCH[2]}
	else
		echo "run-qemu: bad size '$1' (use e.g. 512M, 4G)" >&2; exit 2
	fi
	case $unit in
	K) echo $((n << 10)) ;; M|"") echo $((n << 20)) ;; G) echo $((n << 30)) ;; T) echo $((n << 40)) ;;
	esac
}

mkdir -p "$work"
esp=$work/esp
rm -rf "$esp"
mkdir -p "$esp"
cp "$app" "$esp/uefi-mm.efi"
for f in ${ESP_FILES:-}; do
	cp "$f" "$esp/"
done
vars=$work/OVMF_VARS.fd
cp "$vars_template" "$vars"

case $mode in
boot)
	printf 'fs0:\r\nuefi-mm.efi exit=qemu %s\r\nreset -s\r\n' "$CMDLINE" >"$esp/startup.nsh" ;;
script)
	printf 'fs0:\r\n%s\r\nreset -s\r\n' "${STARTUP_NSH:?script mode needs STARTUP_NSH}" | sed 's/$/\r/;s/\r\r$/\r/' >"$esp/startup.nsh" ;;
shell)
	echo "run-qemu: UEFI Shell: the app is fs0:\\uefi-mm.efi (e.g. 'fs0:' then 'uefi-mm.efi memblock=debug')." >&2
	echo "run-qemu: leave QEMU with Ctrl-A X (or 'reset -s' in the Shell)." >&2 ;;
*)
	echo "run-qemu: unknown mode '$mode'" >&2; exit 2 ;;
esac

# Guest RAM: plain -m while the host can commit it; above that a sparse file backs it
# (only pages the guest touches take disk). NUMA gets one backend per node.
sparse_limit=$((16 << 30))
mem_args=()
backend() { # backend ID BYTES
	local id=$1 bytes=$2
	if ((bytes > sparse_limit)); then
		local f=$work/ram-$id.img
		rm -f "$f"; truncate -s "$bytes" "$f"
		echo "-object memory-backend-file,id=$id,size=$bytes,mem-path=$f,share=on"
	else
		echo "-object memory-backend-ram,id=$id,size=$bytes"
	fi
}
machine=q35
if [[ -n $NUMA ]]; then
	IFS=, read -r -a nodes <<<"$NUMA"
	total=0; i=0
	for s in "${nodes[@]}"; do
		b=$(to_bytes "$s"); total=$((total + b))
		# shellcheck disable=SC2207
		mem_args+=($(backend "m$i" "$b"))
		cpus=""
		((i < SMP)) && cpus=",cpus=$i"
		mem_args+=(-numa "node,nodeid=$i,memdev=m$i$cpus")
		i=$((i + 1))
	done
	((SMP < ${#nodes[@]})) || true
	mem_args=(-m "$((total >> 20))M" "${mem_args[@]}")
else
	b=$(to_bytes "$MEM")
	if ((b > sparse_limit)); then
		# shellcheck disable=SC2207
		mem_args+=($(backend m0 "$b"))
		machine=q35,memory-backend=m0
	fi
	mem_args=(-m "$((b >> 20))M" "${mem_args[@]}")
fi

qemu=(qemu-system-x86_64
	-machine "$machine" -cpu "$CPU" -smp "$SMP" "${mem_args[@]}"
	-drive "if=pflash,format=raw,unit=0,readonly=on,file=$code"
	-drive "if=pflash,format=raw,unit=1,file=$vars"
	-drive "format=raw,file=fat:rw:$esp"
	-net none -nographic -serial mon:stdio -no-reboot
	-device isa-debug-exit,iobase=0xf4,iosize=0x04)
# shellcheck disable=SC2206
[[ -n $QEMU_EXTRA ]] && qemu+=($QEMU_EXTRA)

if [[ $QEMU_TIMEOUT != 0 ]]; then
	qemu=(timeout --foreground "$QEMU_TIMEOUT" "${qemu[@]}")
fi

set +e
"${qemu[@]}"
rc=$?
set -e

case $mode in
boot)
	# isa-debug-exit: the app wrote 0 (passed) -> 1, 1 (failed) -> 3.
	case $rc in
	1) echo "run-qemu: the app reported success" >&2; exit 0 ;;
	3) echo "run-qemu: the app reported FAILURE" >&2; exit 1 ;;
	124) echo "run-qemu: timed out after ${QEMU_TIMEOUT}s" >&2; exit 124 ;;
	*) echo "run-qemu: QEMU ended with status $rc without a verdict from the app" >&2; exit 1 ;;
	esac ;;
*) exit "$rc" ;;
esac
