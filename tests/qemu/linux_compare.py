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
