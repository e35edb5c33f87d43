"""Boot Debian's Linux and the app on identical QEMU machines; compare what both
print about zones and nodes, line by line (issue: Linux-identical sizing)."""
import os
import re
import subprocess

from qemu import ROOT, run_qemu

STAMP = re.compile(r"^\[ *\d+\.\d+\] ")


def strip(log):
    return [STAMP.sub("", l) for l in log.splitlines()]


def zone_report(log):
    """The lines both Linux and the app print for zone/node sizing."""
    lines = strip(log)
    out = {"zones": [], "movable": [], "nodes": [], "initmem": [], "unavailable": [], "memory_total": None,
           "zone_detail": []}
    section = None
    for l in lines:
        if l == "Zone ranges:":
            section = "zones"
            continue
        if l == "Movable zone start for each node":
            section = "movable"
            continue
        if l == "Early memory node ranges":
            section = "nodes"
            continue
        if section and l.startswith("  "):
            out[section].append(l.rstrip())
            continue
        section = None
        if l.startswith("Initmem setup node"):
            out["initmem"].append(l)
        elif re.match(r"On node \d+, zone \w+: \d+ pages in unavailable ranges", l):
            out["unavailable"].append(l)
        elif (re.match(r"On node \d+ totalpages: \d+$", l) or
              re.match(r"  \w+ zone: \d+ pages( used for memmap| reserved|, LIFO batch:\d+)$", l)):
            # v5.x KERN_DEBUG lines: Linux 6.1 no longer prints them.
            out["zone_detail"].append(l)
        m = re.match(r"Memory: \d+K/(\d+)K available", l)
        if m:
            out["memory_total"] = int(m.group(1))
    return out


def linux_kernel():
    path = subprocess.run([os.path.join(ROOT, "tests", "qemu", "linux_kernel.sh"),
                           os.path.join(ROOT, "build", "linux")],
                          check=True, stdout=subprocess.PIPE, text=True).stdout.strip()
    return path


def cpio_newc(entries):
    """An initramfs: a cpio archive in the "newc" format the kernel unpacks.
    entries: (name, mode, data) with mode a full st_mode (file or directory)."""
    out = bytearray()

    def add(name, mode, data, ino):
        name_b = name.encode() + b"\0"
        fields = (ino, mode, 0, 0, 1, 0, len(data), 0, 0, 0, 0, len(name_b), 0)
        out.extend(b"070701" + b"".join(b"%08X" % f for f in fields) + name_b)
        out.extend(b"\0" * (-len(out) % 4))
        out.extend(data)
        out.extend(b"\0" * (-len(out) % 4))

    for ino, (name, mode, data) in enumerate(entries, 1):
        add(name, mode, data, ino)
    add("TRAILER!!!", 0, b"", 0)
    return bytes(out)


def linux_initrd():
    """build/linux/initrd.img: tests/qemu/linux_init.cpp, static, as /init."""
    src = os.path.join(ROOT, "tests", "qemu", "linux_init.cpp")
    d = os.path.join(ROOT, "build", "linux")
    init, img = os.path.join(d, "init"), os.path.join(d, "initrd.img")
    os.makedirs(d, exist_ok=True)
    if not os.path.exists(img) or os.path.getmtime(img) < os.path.getmtime(src):
        subprocess.run(["g++", "-std=c++20", "-static", "-O2", "-s", "-o", init, src], check=True)
        with open(init, "rb") as f:
            data = f.read()
        with open(img, "wb") as f:
            f.write(cpio_newc([("init", 0o100755, data)]))
    return img


def linux_sections(log):
    """{name: [lines]} of what linux_init.cpp printed between '=== name ===' markers."""
    out, cur = {}, None
    for l in strip(log):
        m = re.match(r"^=== (\w+) ===$", l)
        if m:
            cur = None if m.group(1) == "end" else out.setdefault(m.group(1), [])
            continue
        if cur is not None and l:
            cur.append(l)
    return out


def run_linux_init(name, efi, mem="512M", numa="", smp=1, cmdline=""):
    """Linux with linux_init.cpp as its initramfs: /proc and /sys printed, then off."""
    kernel, initrd = linux_kernel(), linux_initrd()
    return run_qemu(name, efi, mode="script", mem=mem, numa=numa, smp=smp,
                    startup=f"linux.efi console=ttyS0 initrd=\\initrd.img {cmdline}".strip(),
                    esp_files=[kernel, initrd], timeout=240,
                    stop_on=[b"=== end ===", b"Kernel panic"])


def run_linux(name, efi, mem="512M", numa="", smp=1, cmdline=""):
    kernel = linux_kernel()
    return run_qemu(name, efi, mode="script", mem=mem, numa=numa, smp=smp,
                    startup=f"linux.efi console=ttyS0 loglevel=8 ignore_loglevel {cmdline}".strip(),
                    esp_files=[kernel], timeout=180,
                    stop_on=[b"Unable to mount root", b"Kernel panic", b"VFS: Cannot open root"])


def compare(efi, name, mem="512M", numa="", smp=1, cmdline=""):
    """Returns a list of differences (empty when Linux and the app agree)."""
    linux = run_linux(f"linux-{name}", efi, mem=mem, numa=numa, smp=smp, cmdline=cmdline)
    app = run_qemu(f"app-{name}", efi, mem=mem, numa=numa, smp=smp, cmdline=cmdline)
    lr, ar = zone_report(linux.log), zone_report(app.log)
    diffs = []
    if not lr["zones"]:
        diffs.append(f"Linux printed no zone ranges ({linux.log_path})")
    for key in ("zones", "movable", "nodes", "initmem", "unavailable", "memory_total"):
        if lr[key] != ar[key]:
            diffs.append(f"{key}: Linux {lr[key]} != app {ar[key]} ({linux.log_path}, {app.log_path})")
    return diffs


# /proc/slabinfo lines of the kmalloc caches both have (Linux's kmalloc-cg-*
# need memcg, the app's dma32-kmalloc-* are its own): objsize, objperslab,
# pagesperslab.
SLABINFO = re.compile(r"^((?:dma-)?kmalloc(?:-rcl)?-\d+k?)\s+\d+\s+\d+\s+(\d+)\s+(\d+)\s+(\d+) : tunables")
# /sys/kernel/slab/<cache>/ as linux_init.cpp prints it, and the app's summary line.
SYS_SLAB = re.compile(r"^(kmalloc-\d+k?) object_size=(\d+) slab_size=(\d+) align=(\d+) order=(\d+) "
                      r"objs_per_slab=(\d+)")
APP_SUMMARY = re.compile(r"^slab: (kmalloc-\d+k?)\s+obj\s+(\d+) size\s+(\d+) offset\s+\d+ align\s+(\d+) "
                         r"order (\d+) objs/slab\s+(\d+)")


def matches(lines, pattern):
    out = {}
    for l in lines:
        m = pattern.match(l)
        if m:
            out[m.group(1)] = tuple(int(x) for x in m.groups()[1:])
    return out


def compare_slab(efi, mem="512M"):
    """Differences between the kmalloc caches of Debian's Linux and of the app on
    identical QEMU machines: /proc/slabinfo's geometry for every cache, and the
    object size, slot size, alignment, order and objects per slab of /sys/kernel/slab
    for the caches the app's summary lists (those holding slabs)."""
    linux = run_linux_init(f"linux-slab-{mem}", efi, mem=mem)
    app = run_qemu(f"app-slab-{mem}", efi, mem=mem)
    sections = linux_sections(linux.log)
    lg, ag = matches(sections.get("slabinfo", []), SLABINFO), matches(strip(app.log), SLABINFO)
    ls, asum = matches(sections.get("sys_slab", []), SYS_SLAB), matches(strip(app.log), APP_SUMMARY)
    where = f"({linux.log_path}, {app.log_path})"
    diffs = []
    if len(lg) != 39:
        diffs.append(f"Linux's slabinfo has {len(lg)} kmalloc, dma-kmalloc and kmalloc-rcl caches, not 3 x 13 {where}")
    if len(asum) < 3:
        diffs.append(f"the app's summary lists {len(asum)} kmalloc caches {where}")
    for name in sorted(lg):
        if name not in ag:
            diffs.append(f"{name}: in Linux's slabinfo, not in the app's {where}")
        elif lg[name] != ag[name]:
            diffs.append(f"{name}: objsize, objperslab, pagesperslab Linux {lg[name]} != app {ag[name]} {where}")
    for name in sorted(asum):
        if ls.get(name) != asum[name]:
            diffs.append(f"{name}: object_size, slab_size, align, order, objs_per_slab Linux {ls.get(name)} "
                         f"!= app {asum[name]} {where}")
    return diffs

