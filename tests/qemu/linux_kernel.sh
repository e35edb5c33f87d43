#!/usr/bin/env bash
# Fetch Debian's cloud kernel (it has an EFI stub) into build/linux/ and print the
# path of its vmlinuz, for booting a real Linux on the same QEMU machine as the app.
# Downloads from Debian's archive with apt-get (no install); cached after the first run.
set -euo pipefail
dir=${1:-build/linux}
mkdir -p "$dir"
if ! ls "$dir"/pkg/boot/vmlinuz-* >/dev/null 2>&1; then
	pkg=$(apt-cache depends linux-image-cloud-amd64 2>/dev/null | sed -n 's/^ *Depends: \(linux-image-[0-9].*-cloud-amd64\)$/\1/p' | head -1)
	if [[ -z $pkg ]]; then
		apt-get update -qq >/dev/null 2>&1 || true
		pkg=$(apt-cache depends linux-image-cloud-amd64 | sed -n 's/^ *Depends: \(linux-image-[0-9].*-cloud-amd64\)$/\1/p' | head -1)
	fi
	[[ -n $pkg ]] || { echo "linux_kernel: cannot find Debian's linux-image-*-cloud-amd64" >&2; exit 1; }
	(cd "$dir" && rm -f ./*.deb && apt-get download -qq "$pkg" >/dev/null)
	dpkg-deb -x "$dir"/*.deb "$dir/pkg"
fi
cp "$(ls "$dir"/pkg/boot/vmlinuz-* | head -1)" "$dir/linux.efi"
echo "$dir/linux.efi"
