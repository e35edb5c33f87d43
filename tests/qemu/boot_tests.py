#!/usr/bin/env python3
"""QEMU+OVMF boot tests: the app on real firmware memory.

Each test boots the app (or the UEFI Shell running it) and asserts on its serial log
and on QEMU's exit status. Logs are kept in build/qemu-logs/. Prints one line per
test and a closing 'N passed, M failed' line."""
import argparse
import concurrent.futures
import os
import re
import subprocess
import sys
import time
import traceback

from linux_compare import compare, compare_slab, zone_report
from qemu import ROOT, e820_table, memblock_regions, run_qemu

TESTS = []


def test(fn):
    TESTS.append(fn)
    return fn


def check(cond, msg):
    if not cond:
        raise AssertionError(msg)


def expect_in(needle, run):
    check(needle in run.log, f"{needle!r} not in the log ({run.log_path})")


def parse_size(s):
    units = {"M": 20, "G": 30}
    return int(s[:-1]) << units[s[-1]]


def check_good_boot(run, mem):
    check(run.rc == 0, f"run-qemu exit status {run.rc}, expected 0 (passed) ({run.log_path})")
    expect_in("all checks passed", run)
    check(re.search(r"uefi-mm: [1-9]\d* C\+\+ global constructors run", run.log), "constructors did not run")
    e820 = e820_table(run.log)
    check(len(e820) >= 3, f"expected a BIOS-e820 table, got {len(e820)} lines ({run.log_path})")
    # The table is sorted, non-overlapping, and usable RAM adds up to the guest's RAM
    # minus what OVMF and the VGA/BIOS holes keep.
    for (s0, e0, _), (s1, _, _) in zip(e820, e820[1:]):
        check(e0 <= s1, f"e820 not sorted/overlapping at {s1:#x} ({run.log_path})")
    usable = sum(e - s for s, e, t in e820 if t == "usable")
    total = parse_size(mem)
    check(total * 0.85 <= usable <= total, f"usable {usable:#x} not within 85-100% of {total:#x}")
    # memblock.memory is the usable e820 RAM without page 0 and 640K-1M (trim_bios_range).
    memory = memblock_regions(run.log, "memory")
    check(memory, f"no memblock dump ({run.log_path})")
    for s, e in memory:
        check(any(us <= s and e <= ue for us, ue, t in e820 if t == "usable"),
              f"memblock.memory [{s:#x}-{e:#x}) is not usable e820 RAM")
        check(not (s < 0x100000 and e > 0xa0000), "memblock.memory overlaps 640K-1M")
        check(s >= 0x1000, "memblock.memory contains page 0")
    mem_total = sum(e - s for s, e in memory)
    above_1m = sum(min(e, 1 << 64) - max(s, 0x100000) for s, e, t in e820 if t == "usable" and e > 0x100000)
    check(mem_total >= above_1m, f"memblock memory {mem_total:#x} lacks usable RAM above 1M ({above_1m:#x})")
    # Reserved: what the app does not own; the free rest must all be owned (the app checks
    # it too, and says so).
    expect_in("free memory owned by the app: yes", run)
    m = re.search(r"efi: claimed (\d+) pages \((\d+) MiB\)", run.log)
    check(m and int(m.group(1)) > 0, "the app claimed no memory")
    claimed = int(m.group(1)) * 4096
    check(claimed > usable * 0.5, f"claimed only {claimed:#x} of {usable:#x} usable")
    m = re.search(r"free memory at entry (\d+) pages, at exit (\d+) pages", run.log)
    check(m and m.group(1) == m.group(2), "the firmware's free memory changed across the run")
    # Linux's report_meminit() line, before the hand-over.
    check(re.search(r"mem auto-init: stack:off, heap alloc:(on|off), heap free:(on|off)\n", run.log),
          f"no mem auto-init line ({run.log_path})")


PTDUMP_LINE = re.compile(r"0x([0-9a-f]{16})-0x([0-9a-f]{16}) +(\d+)([BKMGTPE]) +(.*\S)\s+(pgd|p4d|pud|pmd|pte)$")


def check_paging(run, mem, cpu):
    """Issue 3: own tables loaded, checks passed under them, firmware CR3 restored."""
    expect_in("paging: checks on init_top_pgt passed", run)
    fw = re.search(r"paging: firmware CR0 0x[0-9a-f]+ \(WP yes\) CR3 (0x[0-9a-f]+)", run.log)
    check(fw, f"no firmware CR3 line ({run.log_path})")
    switches = re.findall(r"paging: CR3 (0x[0-9a-f]+) -> (0x[0-9a-f]+) \((\w+)\)", run.log)
    check([s[2] for s in switches] == ["early_top_pgt", "init_top_pgt"], f"CR3 switches: {switches}")
    check(switches[0][0] == fw.group(1) and switches[0][1] != fw.group(1), "CR3 did not leave the firmware's table")
    back = re.search(r"paging: CR3 back to the firmware's (0x[0-9a-f]+)", run.log)
    check(back and back.group(1) == fw.group(1), "the firmware's CR3 was not restored exactly")
    for what in ("early_top_pgt: image alias", "init_top_pgt: image alias",
                 "early_top_pgt: firmware services", "init_top_pgt: firmware services"):
        check(re.search(re.escape(what) + r".*: ok$", run.log, re.M), f"check '{what}' not ok ({run.log_path})")
    check(re.search(r"direct map vs identity map on (\d+) free pages.*: ok", run.log), "direct map check missing")
    # The ptdump of the direct map: RAM only, NX, and 1G pages only where the CPU has them.
    dump = run.log.split("Kernel page tables (init_top_pgt), the app's half:")
    check(len(dump) == 2, f"no ptdump ({run.log_path})")
    leaves = [PTDUMP_LINE.search(l) for l in dump[1].splitlines()]
    leaves = [m for m in leaves if m]
    direct = [m for m in leaves if 0xffff888000000000 <= int(m.group(1), 16) < 0xffffc88000000000
              and "RW" in m.group(5)]
    check(direct, "no direct-map lines in the ptdump")
    check(all("NX" in m.group(5) for m in direct), "direct map has executable lines")
    total = sum(int(m.group(2), 16) - int(m.group(1), 16) for m in direct)
    memory = memblock_regions(run.log, "memory")
    check(total == sum(e - s for s, e in memory), f"direct map {total:#x} != memblock.memory")
    has_1g = any(m.group(6) == "pud" for m in direct)
    if cpu == "max" and parse_size(mem) >= 4 << 30:
        check(has_1g, "no 1G pages in the direct map although the CPU has pdpe1gb")
    if cpu == "qemu64":
        check(not has_1g, "1G pages used on a CPU without pdpe1gb")


def replay(efi, run, flags=()):
    """The host replay tool on the log of a run: the same pipeline on the printed map."""
    tool = os.path.join(os.path.dirname(os.path.abspath(efi)), "replay")
    check(os.path.exists(tool), f"{tool} not built")
    out = subprocess.run([tool, *flags, run.log_path], check=True, stdout=subprocess.PIPE,
                         stderr=subprocess.DEVNULL, text=True).stdout
    with open(run.log_path + ".replay", "w") as f:
        f.write(out)
    return out


def check_mm_core(run, efi, nodes=1, deferred=True):
    """Issue 4: vmemmap, nodes, zones, memmap_init and the buddy hand-over on real RAM,
    and zone sizing identical to the replay tool's for the e820 table the run printed."""
    expect_in("uefi-mm: nodes, zones, memmap and buddy hand-over ok", run)
    check(re.search(r"vmemmap: [1-9]\d* struct pages read through vmemmap and the direct map: ok", run.log),
          f"vmemmap vs direct map check missing or failed ({run.log_path})")
    expect_in("all owned by the app: yes", run)
    sums = re.findall(r"On node (\d+), zone (\w+): (\d+) free \+ (\d+) reserved \+ (\d+) in holes = (\d+) "
                      r"spanned: (\w+)", run.log)
    check(sums and all(s[6] == "ok" and int(s[2]) + int(s[3]) + int(s[4]) == int(s[5]) for s in sums),
          f"free + reserved + holes != spanned ({run.log_path})")
    check(len({s[0] for s in sums}) == nodes, f"expected zones on {nodes} node(s): {sums}")
    # mem_init_print_info(): reserved is physpages - totalram_pages(), and
    # totalram_pages() is every page handed over, the deferred ones included (the
    # zones' free pages once deferred init is done); available is what the buddy
    # had when the line was printed, before the deferred pages (all of it when
    # nothing free was deferred, as with claim=2G on 64G).
    mem = re.search(r"Memory: (\d+)K/(\d+)K available \((\d+)K reserved\)", run.log)
    total_free_k = 4 * sum(int(s[2]) for s in sums)
    check(mem and int(mem.group(2)) - int(mem.group(3)) == total_free_k,
          f"Memory: line {mem and mem.group(0)} against {total_free_k}K handed over ({run.log_path})")
    check(mem and (int(mem.group(1)) <= total_free_k if deferred else int(mem.group(1)) == total_free_k),
          f"Memory: available {mem and mem.group(1)}K, {total_free_k}K handed over, deferred {deferred}")
    # One 2 MiB memmap PMD per present section, no base pages when memory allows.
    m = re.search(r"vmemmap: (\d+) PMDs \(2M\), (\d+) base pages, memmap \d+ KiB for (\d+) sections", run.log)
    check(m and int(m.group(1)) == int(m.group(3)) and m.group(2) == "0", f"vmemmap summary {m and m.group(0)}")
    # FLATMEM's cost for comparison: 64 bytes per pfn of the span, which reaches
    # the end of the last RAM range, rounded to 4 MiB; the present sections' 2 MiB each.
    mm = re.search(r"memory model: SPARSEMEM_VMEMMAP, memmap for (\d+) of the (\d+) sections in "
                   r"\[mem (0x[0-9a-f]+)-(0x[0-9a-f]+)\]: (\d+) KiB; FLATMEM's mem_map over the same span "
                   r"would be (\d+) KiB", run.log)
    ram_end = max((int(e, 16) + 1 for e in re.findall(r"  node +\d+: \[mem 0x[0-9a-f]+-(0x[0-9a-f]+)\]",
                                                      run.log)), default=0)
    check(mm and m, f"memory model line {mm and mm.group(0)}")
    if mm and m:
        start, end = int(mm.group(3), 16), int(mm.group(4), 16) + 1
        check(mm.group(1) == m.group(3) and int(mm.group(5)) == int(mm.group(1)) * 2048
              and int(mm.group(2)) == -(-end // (128 << 20)) - start // (128 << 20)
              and int(mm.group(6)) == (end - start) // 65536
              and start == 0 and ram_end <= end < ram_end + (4 << 20) and end % (4 << 20) == 0,
              f"memory model line {mm.group(0)}, RAM up to {ram_end:#x}")
    # Struct pages: every pfn of every present section initialised.
    # (memmap_init(), reserved pages in the deferred range, deferred init together).
    m2 = re.search(r"(\d+) struct pages, \d+ pages freed", run.log)
    check(m2 and int(m2.group(1)) == int(m.group(3)) * 32768, f"struct pages initialised: {m2 and m2.group(1)}")
    if deferred:
        check(re.search(r"node 0 deferred pages initialised in \d+ms", run.log), "no deferred struct page init")
    ar, rr = zone_report(run.log), zone_report(replay(efi, run))
    check(ar["zones"], f"no zone lines ({run.log_path})")
    for key in ("zones", "movable", "nodes", "initmem", "unavailable", "memory_total"):
        check(ar[key] == rr[key], f"{key}: app {ar[key]} != replay {rr[key]} ({run.log_path})")
    # The v5.x detail lines, but for DMA's "pages reserved" (what memblock holds
    # below 16M differs: the app reserves the firmware's memory, the replay nothing).
    keep = [l for l in ar["zone_detail"] if "pages reserved" not in l]
    check(keep == [l for l in rr["zone_detail"] if "pages reserved" not in l],
          f"zone detail: app {ar['zone_detail']} != replay {rr['zone_detail']}")


def boot_at(mem, cpu="qemu64"):
    def t(efi):
        run = run_qemu(f"boot-{mem}-{cpu}", efi, mem=mem, cpu=cpu)
        check_good_boot(run, mem)
        check_paging(run, mem, cpu)
        # Below one section beyond DMA, no struct page waits for deferred init.
        check_mm_core(run, efi, deferred=parse_size(mem) > 256 << 20)
        return run
    t.__name__ = f"boot_{mem}_{cpu}"
    return t


for _mem in ("128M", "512M", "4G"):
    test(boot_at(_mem))
for _mem in ("512M", "4G"):
    test(boot_at(_mem, "max"))


@test
def numa_two_nodes(efi):
    """QEMU's -numa nodes come back through the SRAT: two nodes, NODE_DATA on each,
    struct pages saying their node, zones on both."""
    run = run_qemu("numa-1G-1G", efi, mem="2G", smp=2, numa="1G,1G")
    check_good_boot(run, "2G")
    srat = re.findall(r"ACPI: SRAT: Node (\d+) PXM \d+ \[mem (0x[0-9a-f]+)-(0x[0-9a-f]+)\]", run.log)
    check({n for n, _, _ in srat} == {"0", "1"}, f"SRAT nodes {srat} ({run.log_path})")
    for nid in ("0", "1"):
        m = re.search(rf"NODE_DATA\({nid}\) allocated \[mem (0x[0-9a-f]+)-", run.log)
        check(m, f"no NODE_DATA({nid})")
        pa = int(m.group(1), 16)
        check(any(n == nid and int(s, 16) <= pa <= int(e, 16) for n, s, e in srat),
              f"NODE_DATA({nid}) at {pa:#x} is not on its node")
    check_mm_core(run, efi, nodes=2)


@test
def boot_64G_sparse(efi):
    """64 GiB (a sparse file behind QEMU's RAM): 512 sections of memmap, zones up to
    Normal. claim=2G keeps the buddy hand-over (and OVMF's clearing of what the app
    gives back) small; every page is still sized and has its struct page."""
    run = run_qemu("boot-64G", efi, mem="64G", cmdline="claim=2G", timeout=900)
    check(run.rc == 0, f"exit status {run.rc} ({run.log_path})")
    expect_in("all checks passed", run)
    expect_in("paging: checks on init_top_pgt passed", run)
    check(re.search(r"Normal +\[mem 0x0000000100000000-0x000000107fffffff\]", run.log),
          f"no Normal zone up to 66G ({run.log_path})")
    check_mm_core(run, efi)


def linux_matches(name, mem, numa="", cmdline=""):
    """The app and Debian's Linux 6.1 on identical QEMU machines print the same zone
    ranges, node ranges, Initmem lines, unavailable-range counts and Memory total."""
    def t(efi):
        diffs = compare(efi, name, mem=mem, numa=numa, smp=2 if numa else 1, cmdline=cmdline)
        check(not diffs, "; ".join(diffs))
    t.__name__ = f"linux_6_1_matches_{name}"
    return t


for _args in (("512M", "512M"), ("4G", "4G"), ("numa", "2G", "1G,1G"),
              ("memmap_hole", "1G", "", "memmap=16M$0x10000000")):
    test(linux_matches(*_args))


@test
def linux_6_1_slab_geometry_matches(efi):
    """Debian's Linux 6.1 (with tests/qemu/linux_init.cpp as its initramfs) and the
    app on identical 512M machines: every kmalloc, dma-kmalloc and kmalloc-rcl
    cache has the same object size, objects per slab and pages per slab, and the
    caches the app's summary lists the same slot size, alignment and order."""
    diffs = compare_slab(efi, "512M")
    check(not diffs, "; ".join(diffs))


def buddyinfo_block(log, title):
    """The /proc/buddyinfo lines printed after a 'buddy_test: ... <title>' line."""
    lines = log.splitlines()
    for i, l in enumerate(lines):
        if title in l:
            out = []
            for m in lines[i + 1:]:
                b = re.search(r"(Node \d+, zone +\w+ +(?:\d+ +){11})", m)
                if not b:
                    break
                out.append(b.group(1).split())
            return out
    return []


def check_buddy(run, nodes=1):
    """Issue 5: the buddy allocator's self-test on real RAM: every order, zone, node
    and migratetype allocated, tagged, verified and freed; memory drained to the
    watermarks with failures as answers (and Linux's allocation-failure report);
    misuse refused; the free lists back exactly to their post-boot state."""
    expect_in(f"Built {nodes} zonelists, mobility grouping on.", run)
    # mm_core_init()'s order: the zonelists before mem_init()'s hand-over and its "Memory:" line.
    built, memory = run.log.find("Built "), run.log.find("] Memory: ")
    check(0 <= built < memory, f"'Built N zonelists' ({built}) not before 'Memory:' ({memory}) ({run.log_path})")
    check(re.search(r"buddy_test: \d+ allocations, [1-9]\d* failures as answers, [1-9]\d* words verified, "
                    r"\d+ ms: passed", run.log), f"buddy self-test did not pass ({run.log_path})")
    before, after = (buddyinfo_block(run.log, t) for t in ("buddyinfo before:", "buddyinfo after:"))
    check(before and before == after, f"buddyinfo before {before} != after {after} ({run.log_path})")
    check(len({b[1] for b in before}) == nodes, f"buddyinfo covers nodes {[b[1] for b in before]}")
    expect_in("buddy_test: free lists identical to the post-boot state: yes", run)
    expect_in("swapper/0: page allocation failure: order:0, mode:0xcc0(GFP_KERNEL), nodemask=(null)", run)
    check(re.search(r"Node 0 \w+: (\d+\*\d+kB (\(\w+\) )?){11}= \d+kB", run.log),
          f"no show_free_areas per-order line ({run.log_path})")
    drained = re.findall(r"buddy_test: drained Node (\d+) (\w+): .*: (.*)$", run.log, re.M)
    check(drained and all(d[2] == "at the watermark" for d in drained), f"drain: {drained}")
    check(len({d[0] for d in drained}) == nodes, f"drained zones on {nodes} node(s): {drained}")
    m = re.search(r"buddy_test: misuse: (\d+) of (\d+) refused, free lists (\w+)", run.log)
    check(m and m.group(1) == m.group(2) and int(m.group(1)) >= 5 and m.group(3) == "unchanged",
          f"misuse: {m and m.group(0)}")
    check(re.search(r"buddy_test: TSC: order-0 alloc_pages\+__free_pages pair \d+\.\d ns with the fast paths, "
                    r"\d+\.\d ns by Linux's path \(65536 pairs each\)", run.log),
          f"no order-0 pair timing ({run.log_path})")
    # The orders phase went through every managed zone of every node.
    zones = re.findall(r"buddy_test: Node (\d+) (\w+): orders 0-10 x Unmovable/Movable/Reclaimable", run.log)
    check(len({z[0] for z in zones}) == nodes, f"orders phase zones {zones}")


def buddy_selftest(mem, numa="", extra_cmdline=""):
    def t(efi):
        nodes = 2 if numa else 1
        run = run_qemu(f"buddy-{mem}{'-numa' if numa else ''}", efi, mem=mem, numa=numa, smp=nodes,
                       cmdline=("buddyinfo=all " + extra_cmdline).strip())
        check_good_boot(run, mem)
        check_buddy(run, nodes)
        # check_pages=1: the pages inside a block are checked too, and a flag left on
        # one of them is refused; without it only the first page is read (Linux 6.3+).
        check_pages = "check_pages=1" in extra_cmdline
        expect_in("(check_pages on: the pages inside a block too)" if check_pages
                  else "(check_pages off: the first page of a block)", run)
        check(("page dumped because: PAGE_FLAGS_CHECK_AT_FREE flag(s) set" in run.log) == check_pages,
              f"the spoiled page inside a block: check_pages={int(check_pages)} ({run.log_path})")
        expect_in("mem auto-init: stack:off, heap alloc:off, heap free:off", run)
        check("page_alloc: shuffled" not in run.log, f"shuffled without page_alloc.shuffle=1 ({run.log_path})")
        # buddyinfo=all: /proc/pagetypeinfo and /proc/zoneinfo in Linux's formats.
        expect_in("Free pages count per migrate type at order       0      1      2", run)
        check(re.search(r"Number of blocks type +Unmovable +Movable +Reclaimable +HighAtomic +Isolate", run.log),
              "no pagetypeinfo block counts")
        check(re.search(r"\]\s+protection: \(0, \d+, \d+, \d+, \d+\)", run.log),
              "no zoneinfo protection line")
        if numa:
            expect_in("Fallback order for Node 0: 0 1 ", run)
            expect_in("Fallback order for Node 1: 1 0 ", run)
    t.__name__ = f"buddy_selftest_{mem}{'_numa' if numa else ''}"
    return t


test(buddy_selftest("512M"))
test(buddy_selftest("4G"))
test(buddy_selftest("2G", numa="1G,1G", extra_cmdline="check_pages=1"))


def meminit(option):
    """init_on_alloc=1 (Debian's kernels have it on) or init_on_free=1: every block and
    every object the self-tests take must read zero; the page checks come on with it."""
    def t(efi):
        run = run_qemu(f"meminit-{option}", efi, mem="512M", cmdline=f"{option}=1")
        check_good_boot(run, "512M")
        alloc, free = ("on", "off") if option == "init_on_alloc" else ("off", "on")
        expect_in(f"mem auto-init: stack:off, heap alloc:{alloc}, heap free:{free}", run)
        check(("mem auto-init: clearing system memory may take some time..." in run.log) == (free == "on"),
              f"the clearing line and {option} ({run.log_path})")
        check_buddy(run)
        expect_in(f"buddy_test: {option}: every block handed out must read zero", run)
        expect_in("(check_pages on: the pages inside a block too)", run)
        check(re.search(r"slab: churn: .*, [1-9]\d* objects checked cleared, in \d+ us: ok", run.log),
              f"no cleared objects checked in the churn ({run.log_path})")
        expect_in("slab: self-test passed", run)
    t.__name__ = f"meminit_512M_{option}"
    return t


test(meminit("init_on_alloc"))
test(meminit("init_on_free"))


@test
def page_alloc_shuffle_512M(efi):
    """page_alloc.shuffle=1 (mm/shuffle.c): after the hand-over every zone's free 4 MiB
    blocks swap places at random, and the buddy and slab self-tests pass on the
    shuffled lists with the free lists back to their post-boot state."""
    run = run_qemu("shuffle-512M", efi, mem="512M", cmdline="page_alloc.shuffle=1")
    check_good_boot(run, "512M")
    m = re.search(r"page_alloc: shuffled node 0 zone DMA32: (\d+) of (\d+) order-10 free blocks swapped", run.log)
    check(m, f"no shuffle line for DMA32 ({run.log_path})")
    swapped, blocks = int(m.group(1)), int(m.group(2))
    check(blocks >= 32 and blocks // 2 < swapped <= blocks, f"{swapped} of {blocks} blocks swapped")
    # Shuffled after the deferred pages are free: after their report, before the self-test.
    check(run.log.find("deferred pages initialised") < m.start() < run.log.find("buddy_test:"),
          f"the shuffle is not between the deferred init and the self-test ({run.log_path})")
    check_buddy(run)
    expect_in("slab: self-test passed", run)


def shell_twice(cpu):
    # The Shell keeps one page for itself the first time it launches any image, so a
    # first run (here with a bad option: it must return an error and claim nothing)
    # warms it up; from then on every run must find exactly the same free memory.
    def t(efi):
        run = run_qemu(f"shell-twice-{cpu}", efi, mode="script", mem="512M", cpu=cpu,
                       startup="uefi-mm.efi loglevel=bad\r\necho rc=%lasterror%\r\n"
                               "uefi-mm.efi\r\necho rc=%lasterror%\r\n"
                               "uefi-mm.efi\r\necho rc=%lasterror%")
        claims = re.findall(r"efi: claimed (\d+) pages", run.log)
        check(len(claims) == 2, f"expected two full runs, found {len(claims)} ({run.log_path})")
        check(claims[0] == claims[1], f"the two runs claimed different memory: {claims} ({run.log_path})")
        entry = re.findall(r"free memory at entry (\d+) pages, at exit (\d+) pages", run.log)
        check(len(entry) == 2 and entry[0] == entry[1], f"free memory differs between runs: {entry}")
        check(all(a == b for a, b in entry), f"a run did not give back what it took: {entry}")
        check(run.log.count("all checks passed") == 2, "a run did not pass")
        # Both runs switched to their own tables and back to the firmware's.
        check(run.log.count("paging: checks on init_top_pgt passed") == 2, "paging checks did not pass twice")
        fw = re.findall(r"paging: firmware CR0 0x[0-9a-f]+ \(WP yes\) CR3 (0x[0-9a-f]+)", run.log)
        back = re.findall(r"paging: CR3 back to the firmware's (0x[0-9a-f]+)", run.log)
        check(len(fw) == 2 and fw == back, f"firmware CR3 {fw} not restored: {back}")
        rcs = re.findall(r"^rc=(\S+)", run.log, re.M)
        check(len(rcs) == 3 and rcs[0] != "0x0" and rcs[1:] == ["0x0", "0x0"],
              f"expected an error from the bad run, then EFI_SUCCESS twice: {rcs} ({run.log_path})")
    t.__name__ = f"shell_runs_twice_same_free_memory_{cpu}"
    return t


test(shell_twice("qemu64"))
test(shell_twice("max"))


def bad_option(cmdline, message):
    def t(efi):
        run = run_qemu("bad-" + re.sub(r"\W", "_", cmdline), efi, mem="256M", cmdline=cmdline)
        check(run.rc == 1, f"expected the failure verdict (1), got {run.rc} ({run.log_path})")
        expect_in(message, run)
        expect_in("nothing was done", run)
        check("efi: claimed" not in run.log, "the app claimed memory despite a bad option")
        check("MEMBLOCK configuration" not in run.log, "the app built memblock despite a bad option")
    t.__name__ = "bad_option_" + re.sub(r"\W", "_", cmdline)
    return t


test(bad_option("mem=banana", "Malformed early option 'mem=banana'"))
test(bad_option("memmap=64M@junk", "Malformed early option 'memmap=64M@junk'"))
test(bad_option("loglevel=loud", "Malformed early option 'loglevel=loud'"))
test(bad_option("memblock=verbose", "Malformed early option 'memblock=verbose'"))
test(bad_option("memmap_init=fast", "Malformed early option 'memmap_init=fast'"))


@test
def unknown_option_is_reported_and_ignored(efi):
    run = run_qemu("unknown-option", efi, mem="256M", cmdline="frobnicate=1 memblock=debug")
    check(run.rc == 0, f"exit status {run.rc} ({run.log_path})")
    expect_in('Unknown command line parameters "frobnicate=1"', run)
    # memblock=debug was applied: memblock_add calls are logged.
    check(re.search(r"memblock_add: \[0x[0-9a-f]+-0x[0-9a-f]+\]", run.log), "no memblock=debug output")


@test
def memmap_init_linux_ends_as_streaming(efi):
    # memmap_init=linux writes every struct page twice, as Linux; the default writes
    # each once. The app checks every struct page either way; the free lists after
    # the hand-over and the totals must be the same.
    runs = {}
    for way in ("linux", "streaming"):
        run = run_qemu(f"memmap_init-{way}", efi, mem="256M", cmdline=f"memmap_init={way}")
        check_good_boot(run, "256M")
        expect_in(f"uefi-mm: memmap_init={way}: ", run)
        runs[way] = run
    before = {w: buddyinfo_block(r.log, "buddyinfo before:") for w, r in runs.items()}
    check(before["linux"] and before["linux"] == before["streaming"],
          f"buddyinfo after the hand-over differs: {before}")
    totals = {w: re.findall(r"Memory: \d+K/\d+K available.*", r.log) for w, r in runs.items()}
    check(totals["linux"] and totals["linux"] == totals["streaming"], f"Memory: lines differ: {totals}")


@test
def mem_limits_memblock(efi):
    run = run_qemu("mem-256M", efi, mem="512M", cmdline="mem=256M")
    check(run.rc == 0, f"exit status {run.rc} ({run.log_path})")
    expect_in("user-defined physical RAM map:", run)
    user = e820_table(run.log, "user")
    check(user and max(e for s, e, t in user if t == "usable") <= 256 << 20, "user map has RAM above mem=")
    memory = memblock_regions(run.log, "memory")
    check(memory and max(e for s, e in memory) <= 256 << 20, "memblock has memory above mem=256M")


@test
def memmap_reserves_a_hole(efi):
    # memmap=nn$ss: Linux's reserved-range syntax ($ needs no escaping in the Shell).
    run = run_qemu("memmap-hole", efi, mem="512M", cmdline="memmap=16M$0x2000000")
    check(run.rc == 0, f"exit status {run.rc} ({run.log_path})")
    user = e820_table(run.log, "user")
    check((0x2000000, 0x3000000, "reserved") in user, f"no reserved 32M-48M in the user map ({run.log_path})")
    memory = memblock_regions(run.log, "memory")
    check(memory and all(e <= 0x2000000 or s >= 0x3000000 for s, e in memory),
          "memblock.memory overlaps the memmap= hole")


# The slab allocator on real RAM (issue 6): kmem_cache_init, the churn that must
# give every slab page back to the buddy, the injected corruptions that must each
# be reported, and /proc/slabinfo at the end.
SLAB_INJECTED = ["write past the end (right red zone)", "write before the start (left red zone)",
                 "double free", "write after free", "corrupted free pointer", "free to the wrong cache",
                 "kfree of a stack address", "kfree of a page from alloc_pages", "kfree inside a large kmalloc",
                 "double free without slub_debug", "kmem_cache_destroy with a live object"]


def slab_selftest(mem, debug):
    def t(efi):
        cmdline = f"slub_debug={debug}" if debug else ""
        run = run_qemu(f"slab-{mem}-{debug or 'nodebug'}", efi, mem=mem, cmdline=cmdline)
        check(run.rc == 0, f"exit status {run.rc} ({run.log_path})")
        expect_in("SLUB: HWalign=64, Order=0-3, MinObjects=0, CPUs=1, Nodes=1", run)
        check(re.search(r"slab: churn: [1-9]\d* allocations \(\d+ large, all 13 kmalloc classes: yes\), "
                        r"\d+ frees, [1-9]\d* constructed objects checked, [1-9]\d* constructor calls, .*: ok",
                        run.log), f"no successful churn line ({run.log_path})")
        expect_in("slab: every slab page went back to the buddy (free lists as before the test): yes", run)
        expect_in("slab: after the injected corruptions, free lists as before the test: yes", run)
        injected = dict(re.findall(r"slab: injected (.+): (detected|NOT DETECTED)", run.log))
        for what in SLAB_INJECTED + (["kmalloc-64 write past the end"] if debug else []):
            check(injected.get(what) == "detected", f"injected {what!r}: {injected.get(what)} ({run.log_path})")
        for bug in ("BUG selftest_debug (Not tainted): Right Redzone overwritten",
                    "BUG selftest_debug (Tainted: B): Left Redzone overwritten",
                    "BUG selftest_debug (Tainted: B): Object already free",
                    "BUG selftest_debug (Tainted: B): Poison overwritten",
                    "BUG selftest_debug (Tainted: B): Freepointer corrupt",
                    "kmem_cache_free: Wrong slab cache. selftest_other but object is from selftest_debug",
                    "kmem_cache_destroy selftest_other: Slab cache still has objects"):
            expect_in(bug, run)
        if debug:
            expect_in("BUG kmalloc-64 (Tainted: B): Right Redzone overwritten", run)
        expect_in("slab: self-test passed", run)
        # CONFIG_SLAB_FREELIST_RANDOM, on by default: kmalloc-64's first slots, shuffled.
        # (64 objects a slab; 21 with slub_debug's red zones and tracks)
        m = re.search(r"slab: freelist randomization on \(CONFIG_SLAB_FREELIST_RANDOM\): a new kmalloc-64 slab "
                      r"hands out its (\d+) objects in the order((?: \d+){8}) \.\.\. from a random place in it",
                      run.log)
        check(m, f"no freelist randomization line ({run.log_path})")
        per, slots = int(m.group(1)), [int(x) for x in m.group(2).split()]
        check(per == (21 if debug else 64), f"kmalloc-64 has {per} objects a slab")
        check(len(set(slots)) == 8 and max(slots) < per and slots != list(range(8)),
              f"kmalloc-64's random_seq starts {slots}")
        # ... and a new slab on this RAM follows it.
        check(re.search(r"slab: a new selftest_order slab handed out its \d+ objects in random_seq's order "
                        r"from slot \d+: yes", run.log), f"no new-slab order line ({run.log_path})")
        check(re.search(r"slab: TSC: kmalloc\(64\)\+kfree pair \d+\.\d ns \(65536 pairs"
                         + (r", slub_debug's checks\)" if debug else r"\)"), run.log),
              f"no kmalloc pair timing ({run.log_path})")
        # /proc/slabinfo: the header and a kmalloc-64 line with Linux's columns.
        expect_in("slabinfo - version: 2.1", run)
        m = re.search(r"kmalloc-64\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+) : tunables\s+0\s+0\s+0 : "
                      r"slabdata\s+(\d+)\s+(\d+)\s+0", run.log)
        check(m, f"no kmalloc-64 slabinfo line ({run.log_path})")
        active, num, objsize, perslab, pages, aslabs, nslabs = map(int, m.groups())
        check(active <= num and num == perslab * nslabs and aslabs == nslabs, f"inconsistent slabinfo {m.group(0)}")
        check(objsize == 64 if not debug else objsize > 64, f"kmalloc-64 objsize {objsize}")
        # 5 in selftest_debug, the double free in selftest_other, the refused destroy (+ kmalloc-64).
        bugs = re.findall(r"BUG [\w-]+ \((?:Not tainted|Tainted: B)\): ", run.log)
        check(len(bugs) == (8 if debug else 7), f"{len(bugs)} slab BUG reports ({run.log_path})")
        expect_in("all checks passed", run)
    t.__name__ = f"slab_selftest_{mem}_{debug or 'nodebug'}"
    return t


for _mem in ("512M", "4G"):
    test(slab_selftest(_mem, ""))
    test(slab_selftest(_mem, "FZPU"))


@test
def slab_freelist_random_off_512M(efi):
    # slab_freelist_random=0: no random_seq, address order; the slab self-test
    # (its churn, the injected corruptions, the buddy state after) passes the same.
    run = run_qemu("slab-512M-freelist-ordered", efi, mem="512M", cmdline="slab_freelist_random=0")
    check(run.rc == 0, f"exit status {run.rc} ({run.log_path})")
    expect_in("slab: freelist randomization off (slab_freelist_random=0): new slabs hand out their objects "
              "in address order", run)
    check("CONFIG_SLAB_FREELIST_RANDOM" not in run.log, "randomization reported on")
    expect_in("slab: a new selftest_order slab handed out its 32 objects in address order: yes", run)
    check(re.search(r"slab: churn: .*: ok", run.log), f"no successful churn line ({run.log_path})")
    expect_in("slab: every slab page went back to the buddy (free lists as before the test): yes", run)
    expect_in("slab: self-test passed", run)
    expect_in("all checks passed", run)


test(bad_option("slab_freelist_random=maybe", "Malformed early option 'slab_freelist_random=maybe'"))


@test
def slub_debug_bad_letter_is_refused(efi):
    run = run_qemu("bad-slub_debug", efi, mem="256M", cmdline="slub_debug=FQ")
    check(run.rc == 1, f"expected the failure verdict (1), got {run.rc} ({run.log_path})")
    expect_in("slub_debug option 'Q' unknown", run)
    expect_in("Malformed early option 'slub_debug=FQ'", run)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--efi", required=True)
    ap.add_argument("-k", default="", help="run only tests whose name contains this")
    ap.add_argument("-j", type=int, default=2, help="QEMUs at once")
    args = ap.parse_args()
    tests = [t for t in TESTS if args.k in t.__name__]
    passed = failed = 0

    def one(t):
        start = time.monotonic()
        try:
            t(args.efi)
            return t.__name__, None, time.monotonic() - start
        except Exception as e:  # noqa: BLE001 - report every failure the same way
            detail = str(e) if isinstance(e, AssertionError) else traceback.format_exc()
            return t.__name__, detail, time.monotonic() - start

    with concurrent.futures.ThreadPoolExecutor(max_workers=args.j) as pool:
        for name, err, secs in pool.map(one, tests):
            if err is None:
                passed += 1
                print(f"PASS {name} ({secs:.1f}s)", flush=True)
            else:
                failed += 1
                print(f"FAIL {name} ({secs:.1f}s): {err}", flush=True)
    print(f"qemu: {passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
