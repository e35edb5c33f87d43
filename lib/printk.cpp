// Mirrors kernel/printk/printk.c in miniature: no ring buffer readers yet, one console.
#include "lib/printk.h"

#include "lib/platform.h"
#include "lib/vsprintf.h"

int console_loglevel = CONSOLE_LOGLEVEL_APP_DEFAULT;

namespace {

// Whether the last record ended without a newline, so KERN_CONT may continue it.
bool line_open = false;
int open_line_level = MESSAGE_LOGLEVEL_DEFAULT;

void emit(const char *s, size_t n, int level)
{
	if (level < console_loglevel)
		platform_console_write(s, n);
}

} // namespace

void printk_reset()
{
	console_loglevel = CONSOLE_LOGLEVEL_APP_DEFAULT;
	line_open = false;
	open_line_level = MESSAGE_LOGLEVEL_DEFAULT;
}

int vprintk(const char *fmt, va_list args)
{
	int level = MESSAGE_LOGLEVEL_DEFAULT;
	bool cont = false;

	while (fmt[0] == KERN_SOH[0] && fmt[1]) {
		if (fmt[1] >= '0' && fmt[1] <= '7')
			level = fmt[1] - '0';
		else if (fmt[1] == 'c')
			cont = true;
		fmt += 2;
	}

	char text[1024];
	int len = vscnprintf(text, sizeof(text), fmt, args);

	if (cont && line_open) {
		level = open_line_level;
	} else {
		if (line_open)
			emit("\n", 1, open_line_level);
		u64 ns = platform_clock_ns();
		char stamp[32];
		int n = scnprintf(stamp, sizeof(stamp), "[%5llu.%06llu] ",
				  (unsigned long long)(ns / 1000000000ULL),
				  (unsigned long long)(ns % 1000000000ULL / 1000ULL));
		emit(stamp, n, level);
	}
	emit(text, len, level);
	line_open = len == 0 || text[len - 1] != '\n';
	open_line_level = level;
	return len;
}

int printk(const char *fmt, ...)
{
	va_list args;
	va_start(args, fmt);
	int n = vprintk(fmt, args);
	va_end(args);
	return n;
}

int loglevel_setup(const char *val)
{
	if (!val || *val < '0' || *val > '9')
		return -1;
	int v = 0;
	for (const char *p = val; *p; p++) {
		if (*p < '0' || *p > '9' || v > 100)
			return -1;
		v = v * 10 + (*p - '0');
	}
	console_loglevel = v;
	return 0;
}

int quiet_setup(const char *val)
{
	if (val)
		return -1;
	console_loglevel = CONSOLE_LOGLEVEL_QUIET;
	return 0;
}
