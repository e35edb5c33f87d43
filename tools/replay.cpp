// replay: run this project's memory setup on the firmware map of a Linux dmesg (or
// of this app's own log) and print what it computes, in Linux's words.
//
//   build/replay [options] FILE      (FILE "-": standard input)
//   make replay DMESG=FILE [REPLAY_FLAGS="--mem=1G ..."]
//
// See docs/replay.md for what is read from the log and how.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <string>

#include "host/platform.h"
#include "tools/dmesg.h"

namespace {

void usage(FILE *f)
{
	fprintf(f,
		"usage: replay [options] FILE|-\n"
		"  --mem=SIZE --memmap=SPEC --kernelcore=X --movablecore=X\n"
		"                         appended to the log's command line\n"
		"  --cmdline=STRING       appended to the log's command line as is\n"
		"  --ignore-cmdline       do not use the log's command line\n"
		"  --numa-off             numa=off: one fake node, SRAT lines ignored\n"
		"  --struct-page-size=N   bytes per struct page for the memmap estimate (64)\n");
}

bool read_all(FILE *f, std::string *out)
{
	char buf[65536];
	size_t n;
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		out->append(buf, n);
	return !ferror(f);
}

} // namespace

int main(int argc, char **argv)
{
	replay_options opt;
	const char *file = nullptr;
	static const char *const passthrough[] = {"mem=", "memmap=", "kernelcore=", "movablecore="};

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		bool done = false;
		if (!strncmp(a, "--", 2) && a[2]) {
			for (const char *p : passthrough) {
				if (!strncmp(a + 2, p, strlen(p))) {
					if (!opt.extra_cmdline.empty())
						opt.extra_cmdline += ' ';
					opt.extra_cmdline += a + 2;
					done = true;
				}
			}
			if (done)
				continue;
			if (!strncmp(a, "--cmdline=", 10)) {
				if (!opt.extra_cmdline.empty())
					opt.extra_cmdline += ' ';
				opt.extra_cmdline += a + 10;
			} else if (!strcmp(a, "--ignore-cmdline")) {
				opt.ignore_log_cmdline = true;
			} else if (!strcmp(a, "--numa-off")) {
				opt.numa_off = true;
			} else if (!strncmp(a, "--struct-page-size=", 19)) {
				char *e;
				unsigned long v = strtoul(a + 19, &e, 0);
				if (*e || v == 0 || v > 4096) {
					fprintf(stderr, "replay: bad struct page size '%s'\n", a + 19);
					return 2;
				}
				opt.struct_page_size = v;
			} else if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
				usage(stdout);
				return 0;
			} else {
				fprintf(stderr, "replay: unknown option '%s'\n", a);
				usage(stderr);
				return 2;
			}
		} else if (!file) {
			file = a;
		} else {
			usage(stderr);
			return 2;
		}
	}
	if (!file) {
		usage(stderr);
		return 2;
	}

	std::string text;
	FILE *f = strcmp(file, "-") ? fopen(file, "r") : stdin;
	if (!f) {
		perror(file);
		return 1;
	}
	bool ok = read_all(f, &text);
	if (f != stdin)
		fclose(f);
	if (!ok) {
		perror(file);
		return 1;
	}

	dmesg_log log;
	dmesg_parse(text, &log);
	fprintf(stderr,
		"replay: %zu BIOS-e820 entries, %zu EFI descriptors, %zu e820 changes applied, "
		"%u after memblock setup ignored, %zu SRAT memory affinities, %d-level paging\n",
		log.bios_e820.size(), log.efi_mem.size(), log.events.size(), log.ignored_after_freeze,
		log.srat.size(), log.la57 ? 5 : 4);

	int err = replay_dmesg(log, opt);
	std::string out = host_console_take();
	fwrite(out.data(), 1, out.size(), stdout);
	if (err) {
		fprintf(stderr, "replay: failed (%d)\n", err);
		return 1;
	}
	return 0;
}
