#!/usr/bin/env python3
"""The compiler catches address and pfn mix-ups (lib/types.h): each snippet that
mixes a physical address, a pfn (pfn_t) or a virtual address (virt_addr_t) with
another of them, a size, a page count or a plain integer must fail to compile
with the expected diagnostic, and each snippet of the allowed forms must compile,
so that a failure is the type's doing and not the harness's.

Run: python3 tests/compile/types_test.py -v   (CXX picks the compiler)
"""
import concurrent.futures
import os
import subprocess
import tempfile
import unittest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CXX = os.environ.get('CXX', 'g++')
# The project's own flags for the host build (Makefile), without the sanitizers.
FLAGS = ['-std=c++20', '-fsyntax-only', '-Wall', '-Wextra', '-Werror=format',
         '-Wno-unused-parameter', '-Wno-unused-variable', '-Wno-unused-but-set-variable',
         '-DUEFI_MM_HOST', '-I' + ROOT]
PRELUDE = '''#include "lib/types.h"
#include "lib/platform.h"
#include "lib/printk.h"
#include "mm/memblock.h"
#include "mm/mmzone.h"
#include "mm/pageblock_flags.h"
#include "mm/sparse.h"
#include "paging/pgtable.h"
#include "paging/ptdump.h"
void snippet()
{
'''

# Each must compile.
ALLOWED = {
    'constants are addresses': 'phys_addr_t a = 0x1000; memblock_add(SZ_1M, SZ_1M); if (a == 0) return;',
    'address plus size': 'phys_addr_t a = SZ_1M; u64 size = SZ_4K; phys_addr_t b = a + size; b -= size;',
    'address minus address is a size': 'phys_addr_t a = SZ_1M, b = SZ_2M; u64 n = b - a; memblock_reserve(a, n);',
    'a pfn through PFN_PHYS': 'pfn_t pfn = 256; phys_addr_t a = PFN_PHYS(pfn); void *p = __va(a); pfn_t back = PHYS_PFN(a);',
    'a number made an address explicitly': 'u64 entry = 0x1000 | 3; phys_addr_t a = phys_addr_t(entry & PAGE_MASK); printk("%#lx\\n", (u64)a);',
    'alignment helpers keep the type': 'phys_addr_t a = SZ_1M + 5; phys_addr_t b = ALIGN(a, PAGE_SIZE); bool ok = IS_ALIGNED(b, PAGE_SIZE);',
    'a size of all of it': 'memblock_set_node(0, U64_MAX, &memblock.memory, 0);',
    # pfn_t
    'constants are pfns': 'pfn_t p = 0x100; pfn_t q = MAX_DMA_PFN; if (p == 0 || !q) return;',
    'pfn and page count': 'pfn_t a = 256; unsigned long n = 16; pfn_t b = a + n; unsigned long c = b - a; b -= n; b++; --b;',
    'buddy and pageblock arithmetic': 'pfn_t pfn = 0x200; unsigned order = 3; pfn_t buddy = pfn ^ (1UL << order); '
                                      'pfn_t first = buddy & pfn; unsigned long off = pfn & (pageblock_nr_pages - 1); '
                                      'pfn_t start = pageblock_start_pfn(pfn); pfn_t up = ALIGN(pfn, pageblock_nr_pages);',
    'a number made a pfn explicitly': 'unsigned long n = 0x1234; pfn_t p = pfn_t(n); printk("%#lx\\n", (unsigned long)p);',
    'pfn and struct page': 'pfn_t p = 0x100; struct page *page = pfn_to_page(p); pfn_t back = page_to_pfn(page); '
                           'bool ok = pfn_valid(back);',
    'pfn and section': 'pfn_t p = 0x8000; unsigned long nr = pfn_to_section_nr(p); pfn_t first = section_nr_to_pfn(nr);',
    # virt_addr_t
    'constants are virtual addresses': 'virt_addr_t va = 0xffff888000000000UL; virt_addr_t k = __START_KERNEL_map; '
                                       'if (va == 0 || !k) return; ptdump_walk_pgd_level(nullptr, 0, va - 1);',
    'virtual address plus size': 'virt_addr_t va = page_offset_base; u64 size = SZ_2M; virt_addr_t end = va + size; '
                                 'u64 n = end - va; va += n; unmap_pages(nullptr, va, size);',
    'level indexes and alignment': 'virt_addr_t va = VMEMMAP_START + 5 * SZ_2M; unsigned long i = pmd_index(va); '
                                   'virt_addr_t b = va & PMD_MASK; virt_addr_t c = ALIGN(va, PMD_SIZE); '
                                   'bool ok = IS_ALIGNED(c, PMD_SIZE);',
    'a pointer made a virtual address and back': 'int x; virt_addr_t va = virt_addr_t(&x); int *p = (int *)va; '
                                                 'printk("%#lx\\n", (unsigned long)va);',
    'a pfn\'s struct page in the vmemmap': 'pt_translation t; virt_addr_t va = pfn_to_vmemmap_va(pfn_t(1)); '
                                            'bool ok = translate_va(nullptr, va, &t);',
}

# Each must fail, with this text in the compiler's output.
REFUSED = {
    'a number passed as an address': ('unsigned long pfn = 256; memblock_add(pfn, SZ_4K);', 'constant expression'),
    'a pfn given to __va': ('unsigned long pfn = 256; void *p = __va(pfn);', 'constant expression'),
    'address and size swapped': ('phys_addr_t base = SZ_1M; memblock_add(SZ_1M, base);', 'cannot convert'),
    'an address used as a number': ('phys_addr_t a = SZ_1M; u64 x = a;', 'cannot convert'),
    'address plus address': ('phys_addr_t a = SZ_1M, b = SZ_2M; phys_addr_t c = a + b;', 'operator+'),
    'address shifted into a pfn': ('phys_addr_t a = SZ_1M; unsigned long pfn = a >> PAGE_SHIFT;', 'operator>>'),
    'flags or-ed into an address': ('phys_addr_t a = SZ_1M; u64 e = a | 3;', 'operator|'),
    'a negative constant': ('phys_addr_t a = -1;', 'phys_addr_t_negative_constant'),
    'printk of an address without (u64)': ('phys_addr_t a = SZ_1M; printk("%lx\\n", a);', '-Werror=format'),
    # pfn_t
    'a pfn passed as an address': ('pfn_t pfn = 256; memblock_add(pfn, SZ_4K);', "from 'pfn_t' to 'phys_addr_t'"),
    'an address passed as a pfn': ('phys_addr_t a = SZ_1M; struct page *p = pfn_to_page(a);', "from 'phys_addr_t' to 'pfn_t'"),
    'a pfn_t given to __va': ('pfn_t pfn = 256; void *p = __va(pfn);', "from 'pfn_t' to 'phys_addr_t'"),
    'a page count passed as a pfn': ('unsigned long nr_pages = 512; struct page *p = pfn_to_page(nr_pages);',
                                     'constant expression'),
    'a pfn used as a count': ('pfn_t pfn = 256; unsigned long n = pfn;', 'cannot convert'),
    'pfn plus pfn': ('pfn_t a = 1, b = 2; pfn_t c = a + b;', 'operator+'),
    'pfn shifted into an address': ('pfn_t pfn = 256; u64 pa = pfn << PAGE_SHIFT;', 'operator<<'),
    'pfn scaled': ('pfn_t pfn = 256; unsigned long off = pfn * 64;', 'operator*'),
    'a masked pfn kept as a pfn': ('pfn_t pfn = 0x201; pfn_t start = pfn & ~(pageblock_nr_pages - 1);',
                                   'constant expression'),
    'a negative pfn constant': ('pfn_t p = -1;', 'pfn_t_negative_constant'),
    'printk of a pfn without a cast': ('pfn_t p = 1; printk("%lx\\n", p);', '-Werror=format'),
    # virt_addr_t
    'a size passed as a virtual address': ('u64 size = SZ_4K; unmap_pages(nullptr, size, SZ_4K);', 'constant expression'),
    'virtual address and size swapped': ('virt_addr_t va = page_offset_base; unmap_pages(nullptr, SZ_4K, va);',
                                         'cannot convert'),
    'a virtual address used as a number': ('virt_addr_t va = page_offset_base; unsigned long x = va;', 'cannot convert'),
    'a physical address passed as a virtual one': ('phys_addr_t pa = SZ_1M; unsigned long i = pgd_index(pa);',
                                                   "from 'phys_addr_t' to 'virt_addr_t'"),
    'a virtual address given to __va': ('virt_addr_t va = page_offset_base; void *p = __va(va);',
                                        "from 'virt_addr_t' to 'phys_addr_t'"),
    'a pfn passed as a virtual address': ('pfn_t pfn = 1; unsigned long i = pmd_index(pfn);',
                                          "from 'pfn_t' to 'virt_addr_t'"),
    'virtual address plus virtual address': ('virt_addr_t a = page_offset_base, b = VMEMMAP_START; virt_addr_t c = a + b;',
                                             'operator+'),
    'virtual address shifted': ('virt_addr_t va = page_offset_base; unsigned long i = va >> PMD_SHIFT;', 'operator>>'),
    'a pointer taken as a virtual address': ('int x; virt_addr_t va = &x;', "from 'int*' to non-scalar type 'virt_addr_t'"),
    'a negative virtual constant': ('virt_addr_t va = -1;', 'virt_addr_t_negative_constant'),
    'printk of a virtual address without a cast': ('virt_addr_t va = page_offset_base; printk("%lx\\n", va);',
                                                   '-Werror=format'),
}


def compile_snippet(body):
    with tempfile.NamedTemporaryFile('w', suffix='.cpp', delete=False) as f:
        f.write(PRELUDE + '\t' + body + '\n}\n')
        path = f.name
    try:
        r = subprocess.run([CXX] + FLAGS + [path], capture_output=True, text=True)
        # g++ quotes with ‘’ in a UTF-8 locale and with '' otherwise.
        return r.returncode, (r.stdout + r.stderr).replace('‘', "'").replace('’', "'")
    finally:
        os.unlink(path)


class TypesTest(unittest.TestCase):
    results = {}

    @classmethod
    def setUpClass(cls):
        cases = list(ALLOWED.values()) + [body for body, _ in REFUSED.values()]
        with concurrent.futures.ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as ex:
            for body, res in zip(cases, ex.map(compile_snippet, cases)):
                cls.results[body] = res


def slug(name):
    return ''.join(c if c.isalnum() else '_' for c in name.lower())


def allowed_test(name, body):
    def test(self):
        rc, out = self.results[body]
        self.assertEqual(rc, 0, f'{name}: {body}\n{out}')
    return test


def refused_test(name, body, want):
    def test(self):
        rc, out = self.results[body]
        self.assertNotEqual(rc, 0, f'{name} compiled: {body}')
        self.assertIn(want, out, f'{name}: {body}\n{out}')
    return test


class TypesStorageTest(unittest.TestCase):
    def test_static_arrays_need_no_constructor(self):
        # The app's globals are constant-initialised (docs/design.md): an array of
        # regions in static storage must be zero-filled .bss, not a constructor.
        src = PRELUDE.replace('void snippet()\n{\n', '') + 'memblock_region regions[128];\nphys_addr_t limit;\npfn_t movable[64];\n' \
              'virt_addr_t markers[9];\n'
        with tempfile.TemporaryDirectory() as d:
            cpp, obj = os.path.join(d, 'g.cpp'), os.path.join(d, 'g.o')
            with open(cpp, 'w') as f:
                f.write(src)
            flags = [x for x in FLAGS if x != '-fsyntax-only'] + ['-O2', '-c', '-o', obj]
            r = subprocess.run([CXX] + flags + [cpp], capture_output=True, text=True)
            self.assertEqual(r.returncode, 0, r.stderr)
            syms = subprocess.run(['nm', obj], capture_output=True, text=True, check=True).stdout
        self.assertNotIn('_GLOBAL__sub_I', syms)
        self.assertIn('regions', syms)
        self.assertIn('movable', syms)
        self.assertIn('markers', syms)


# One test per snippet, so that the count and a failure name the case.
for _name, _body in ALLOWED.items():
    setattr(TypesTest, 'test_compiles_' + slug(_name), allowed_test(_name, _body))
for _name, (_body, _want) in REFUSED.items():
    setattr(TypesTest, 'test_refused_' + slug(_name), refused_test(_name, _body, _want))


if __name__ == '__main__':
    unittest.main()
