#include "lib/vsprintf.h"

namespace {

// A bounded output cursor: counts everything, stores what fits (size - 1 bytes).
struct out_buf {
	char *buf;
	size_t size;
	size_t pos;

	void put(char c)
	{
		if (pos + 1 < size)
			buf[pos] = c;
		pos++;
	}
	void pad(char c, int n)
	{
		while (n-- > 0)
			put(c);
	}
};

enum : unsigned {
	F_LEFT = 1,
	F_ZERO = 2,
	F_PLUS = 4,
	F_SPACE = 8,
	F_SPECIAL = 16,
	F_UPPER = 32,
};

void put_number(out_buf &o, u64 num, bool negative, unsigned base, unsigned flags,
		int width, int precision)
{
	const char *digits = (flags & F_UPPER) ? "0123456789ABCDEF" : "0123456789abcdef";
	char tmp[24];
	int n = 0;

	if (num == 0 && precision != 0)
		tmp[n++] = '0';
	while (num) {
		tmp[n++] = digits[num % base];
		num /= base;
	}

	char sign = 0;
	if (negative)
		sign = '-';
	else if (flags & F_PLUS)
		sign = '+';
	else if (flags & F_SPACE)
		sign = ' ';

	const char *prefix = "";
	if (flags & F_SPECIAL) {
		if (base == 16)
			prefix = (flags & F_UPPER) ? "0X" : "0x";
		else if (base == 8 && !(n > 0 && tmp[n - 1] == '0'))
			prefix = "0";
	}
	int prefix_len = 0;
	while (prefix[prefix_len])
		prefix_len++;

	int digits_len = n > precision ? n : precision;
	int total = digits_len + prefix_len + (sign ? 1 : 0);
	// A precision disables zero padding, as in C.
	bool zero_pad = (flags & F_ZERO) && !(flags & F_LEFT) && precision < 0;

	if (!(flags & F_LEFT) && !zero_pad)
		o.pad(' ', width - total);
	if (sign)
		o.put(sign);
	for (int i = 0; i < prefix_len; i++)
		o.put(prefix[i]);
	if (zero_pad)
		o.pad('0', width - total);
	o.pad('0', precision - n);
	while (n > 0)
		o.put(tmp[--n]);
	if (flags & F_LEFT)
		o.pad(' ', width - total);
}

void put_string(out_buf &o, const char *s, unsigned flags, int width, int precision)
{
	if (!s)
		s = "(null)";
	int len = 0;
	while (s[len] && (precision < 0 || len < precision))
		len++;
	if (!(flags & F_LEFT))
		o.pad(' ', width - len);
	for (int i = 0; i < len; i++)
		o.put(s[i]);
	if (flags & F_LEFT)
		o.pad(' ', width - len);
}

} // namespace

int vscnprintf(char *buf, size_t size, const char *fmt, va_list args)
{
	out_buf o{buf, size, 0};

	while (*fmt) {
		if (*fmt != '%') {
			o.put(*fmt++);
			continue;
		}
		fmt++;

		unsigned flags = 0;
		for (;; fmt++) {
			if (*fmt == '-')
				flags |= F_LEFT;
			else if (*fmt == '0')
				flags |= F_ZERO;
			else if (*fmt == '+')
				flags |= F_PLUS;
			else if (*fmt == ' ')
				flags |= F_SPACE;
			else if (*fmt == '#')
				flags |= F_SPECIAL;
			else
				break;
		}

		int width = -1;
		if (*fmt == '*') {
			width = va_arg(args, int);
			if (width < 0) {
				flags |= F_LEFT;
				width = -width;
			}
			fmt++;
		} else {
			while (*fmt >= '0' && *fmt <= '9')
				width = (width < 0 ? 0 : width * 10) + (*fmt++ - '0');
		}

		int precision = -1;
		if (*fmt == '.') {
			fmt++;
			precision = 0;
			if (*fmt == '*') {
				precision = va_arg(args, int);
				if (precision < 0)
					precision = -1;
				fmt++;
			} else {
				while (*fmt >= '0' && *fmt <= '9')
					precision = precision * 10 + (*fmt++ - '0');
			}
		}

		// Length modifier: 0 int, 1 long, 2 long long, -1 short, -2 char, 3 size_t.
		int len = 0;
		switch (*fmt) {
		case 'h':
			len = -1;
			if (*++fmt == 'h') {
				len = -2;
				fmt++;
			}
			break;
		case 'l':
			len = 1;
			if (*++fmt == 'l') {
				len = 2;
				fmt++;
			}
			break;
		case 'L':
			// Linux accepts L as a synonym of ll for integers (e820's %#018Lx).
			len = 2;
			fmt++;
			break;
		case 'z':
		case 't':
		case 'j':
			len = 3;
			fmt++;
			break;
		}

		char conv = *fmt;
		if (!conv)
			break;
		fmt++;

		unsigned base = 10;
		bool is_signed = false;
		switch (conv) {
		case '%':
			o.put('%');
			continue;
		case 'c': {
			char c = (char)va_arg(args, int);
			if (!(flags & F_LEFT))
				o.pad(' ', width - 1);
			o.put(c);
			if (flags & F_LEFT)
				o.pad(' ', width - 1);
			continue;
		}
		case 's':
			put_string(o, va_arg(args, const char *), flags, width, precision);
			continue;
		case 'p': {
			if (*fmt == 'a') {
				// %pa: phys_addr_t by reference, full width with 0x (Linux's special_hex_number).
				fmt++;
				const phys_addr_t *pa = va_arg(args, const phys_addr_t *);
				put_number(o, (u64)*pa, false, 16, F_SPECIAL | F_ZERO, 2 + 2 * sizeof(phys_addr_t), -1);
				continue;
			}
			if (*fmt == 'x')
				fmt++;
			const void *p = va_arg(args, const void *);
			put_number(o, (u64)(uintptr_t)p, false, 16, flags | F_SPECIAL | F_ZERO,
				   width < 0 ? 2 + 2 * (int)sizeof(void *) : width, -1);
			continue;
		}
		case 'd':
		case 'i':
			is_signed = true;
			break;
		case 'u':
			break;
		case 'X':
			flags |= F_UPPER;
			base = 16;
			break;
		case 'x':
			base = 16;
			break;
		case 'o':
			base = 8;
			break;
		default:
			// Unknown conversion: print it verbatim so the mistake is visible.
			o.put('%');
			o.put(conv);
			continue;
		}

		u64 num;
		bool negative = false;
		if (is_signed) {
			s64 v;
			switch (len) {
			case 1: v = va_arg(args, long); break;
			case 2: v = va_arg(args, long long); break;
			case 3: v = (s64)va_arg(args, ptrdiff_t); break;
			case -1: v = (short)va_arg(args, int); break;
			case -2: v = (signed char)va_arg(args, int); break;
			default: v = va_arg(args, int); break;
			}
			negative = v < 0;
			num = negative ? (u64)0 - (u64)v : (u64)v;
		} else {
			switch (len) {
			case 1: num = va_arg(args, unsigned long); break;
			case 2: num = va_arg(args, unsigned long long); break;
			case 3: num = va_arg(args, size_t); break;
			case -1: num = (unsigned short)va_arg(args, unsigned int); break;
			case -2: num = (unsigned char)va_arg(args, unsigned int); break;
			default: num = va_arg(args, unsigned int); break;
			}
		}
		put_number(o, num, negative, base, flags, width, precision);
	}

	if (size)
		buf[o.pos < size ? o.pos : size - 1] = '\0';
	return (int)(o.pos < size ? o.pos : (size ? size - 1 : 0));
}

int scnprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list args;
	va_start(args, fmt);
	int n = vscnprintf(buf, size, fmt, args);
	va_end(args);
	return n;
}
