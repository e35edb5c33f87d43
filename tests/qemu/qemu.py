"""Run the app in QEMU+OVMF through ovmf/run-qemu.sh and capture its serial log."""
import os
import re
import subprocess
import time
from dataclasses import dataclass

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
RUN_QEMU = os.path.join(ROOT, "ovmf", "run-qemu.sh")
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b[()][A-Z0-9]|\x1b[=>c]")


@dataclass
class Run:
    name: str
    rc: int
    log: str       # serial output, ANSI escapes and CRs removed
    seconds: float
    log_path: str


def clean(raw: bytes) -> str:
    text = raw.decode("utf-8", errors="replace")
    text = ANSI.sub("", text)
    return text.replace("\r", "")


def run_qemu(name, efi, mode="boot", mem="512M", cmdline="", startup="", cpu="qemu64",
             smp=1, numa="", extra="", timeout=240, logdir=None, esp_files=(), stop_on=None):
    """Boot once. mode 'boot' runs the app with exit=qemu; 'script' runs the
    startup.nsh lines in `startup` and powers off."""
    logdir = logdir or os.path.join(os.path.dirname(os.path.abspath(efi)), "qemu-logs")
    os.makedirs(logdir, exist_ok=True)
    workdir = os.path.join(os.path.dirname(os.path.abspath(efi)), "qemu-work", name)
    env = dict(os.environ, MEM=mem, CMDLINE=cmdline, CPU=cpu, SMP=str(smp), NUMA=numa,
               QEMU_EXTRA=extra, QEMU_TIMEOUT=str(timeout), QEMU_WORKDIR=workdir,
               STARTUP_NSH=startup, ESP_FILES=" ".join(esp_files))
    start = time.monotonic()
    # The Shell counts down 5 s before startup.nsh unless a key is pressed: press one
    # (Enter) when the prompt shows, as a person at the console would.
    proc = subprocess.Popen([RUN_QEMU, mode, efi], env=env, stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    out = bytearray()
    pressed = False
    while True:
        chunk = os.read(proc.stdout.fileno(), 65536)
        if not chunk:
            break
        out += chunk
        if stop_on and any(p in out for p in stop_on):
            # Let the last lines through, then end QEMU (a kernel with no root fs
            # would otherwise wait forever).
            time.sleep(0.5)
            proc.terminate()
            stop_on = None
        if not pressed and b"any other key to continue" in out:
            pressed = True
            try:
                proc.stdin.write(b"\r")
                proc.stdin.flush()
            except BrokenPipeError:
                pass
    proc.wait()
    proc.stdout.close()
    try:
        proc.stdin.close()
    except BrokenPipeError:
        pass
    seconds = time.monotonic() - start
    log = clean(bytes(out))
    path = os.path.join(logdir, name + ".log")
    with open(path, "w") as f:
        f.write(log)
    return Run(name, proc.returncode, log, seconds, path)


E820_LINE = re.compile(r"(BIOS-e820|user): \[mem (0x[0-9a-f]+)-(0x[0-9a-f]+)\] (.+)$")
MEMBLOCK_LINE = re.compile(r" (memory|reserved)\[0x[0-9a-f]+\]\s+\[(0x[0-9a-f]+)-(0x[0-9a-f]+)\], (0x[0-9a-f]+) bytes")


def e820_table(log, who="BIOS-e820"):
    """The e820 entries printed with prefix `who`, first printing only."""
    out = []
    for line in log.splitlines():
        m = E820_LINE.search(line)
        if m and m.group(1) == who:
            out.append((int(m.group(2), 16), int(m.group(3), 16) + 1, m.group(4).strip()))
    return out


def memblock_regions(log, kind):
    """Regions of memblock.<kind> from the last MEMBLOCK configuration dump."""
    dumps = log.split("MEMBLOCK configuration:")
    if len(dumps) < 2:
        return None
    out = []
    for line in dumps[-1].splitlines():
        m = MEMBLOCK_LINE.search(line)
        if m and m.group(1) == kind:
            out.append((int(m.group(2), 16), int(m.group(3), 16) + 1))
    return out
