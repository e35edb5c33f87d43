#include "lib/cmdline.h"

#include <string.h>

#include "lib/errno.h"
#include "lib/printk.h"

namespace {

int digit_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return 99;
}

// simple_strtoull() with base 0 detection and overflow report.
u64 parse_number(const char *s, unsigned base, const char **end, bool *overflow)
{
	*overflow = false;
	if (base == 0) {
		if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X') && digit_value(s[2]) < 16) {
			base = 16;
			s += 2;
		} else if (s[0] == '0') {
			base = 8;
		} else {
			base = 10;
		}
	} else if (base == 16 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		s += 2;
	}
	u64 v = 0;
	const char *p = s;
	while (digit_value(*p) < (int)base) {
		u64 d = (u64)digit_value(*p);
		if (v > (~(u64)0 - d) / base)
			*overflow = true;
		v = v * base + d;
		p++;
	}
	*end = p;
	return v;
}

} // namespace

u64 memparse(const char *ptr, const char **retptr)
{
	const char *end;
	bool overflow;
	u64 ret = parse_number(ptr, 0, &end, &overflow);

	unsigned shift = 0;
	switch (*end) {
	case 'E': case 'e': shift = 60; break;
	case 'P': case 'p': shift = 50; break;
	case 'T': case 't': shift = 40; break;
	case 'G': case 'g': shift = 30; break;
	case 'M': case 'm': shift = 20; break;
	case 'K': case 'k': shift = 10; break;
	}
	if (shift && end != ptr) {
		ret <<= shift;
		end++;
	}
	if (retptr)
		*retptr = end;
	return ret;
}

bool memparse_full(const char *s, u64 *out)
{
	if (!s || !*s)
		return false;
	const char *end;
	bool overflow;
	u64 digits = parse_number(s, 0, &end, &overflow);
	if (end == s || overflow)
		return false;
	unsigned shift = 0;
	switch (*end) {
	case 'E': case 'e': shift = 60; break;
	case 'P': case 'p': shift = 50; break;
	case 'T': case 't': shift = 40; break;
	case 'G': case 'g': shift = 30; break;
	case 'M': case 'm': shift = 20; break;
	case 'K': case 'k': shift = 10; break;
	}
	if (shift) {
		if (shift < 64 && (digits >> (64 - shift)) != 0)
			return false;
		digits <<= shift;
		end++;
	}
	if (*end)
		return false;
	*out = digits;
	return true;
}

bool kstrtou64(const char *s, unsigned base, u64 *out)
{
	if (!s || !*s)
		return false;
	const char *end;
	bool overflow;
	u64 v = parse_number(s, base, &end, &overflow);
	if (end == s || *end || overflow)
		return false;
	*out = v;
	return true;
}

int kstrtobool(const char *s, bool *res)
{
	static const char *const yes[] = {"1", "y", "yes", "t", "true", "on"};
	static const char *const no[] = {"0", "n", "no", "f", "false", "off"};
	char word[8];
	size_t i = 0;

	if (!s)
		return -EINVAL;
	for (; s[i] && i + 1 < sizeof(word); i++)
		word[i] = s[i] >= 'A' && s[i] <= 'Z' ? (char)(s[i] - 'A' + 'a') : s[i];
	if (s[i])
		return -EINVAL;
	word[i] = '\0';
	if (match_string(yes, ARRAY_SIZE(yes), word) >= 0)
		*res = true;
	else if (match_string(no, ARRAY_SIZE(no), word) >= 0)
		*res = false;
	else
		return -EINVAL;
	return 0;
}

parse_result parse_args(const char *cmdline, const kernel_param *params, size_t nparams,
			char *unknown, size_t unknown_size)
{
	static char buf[COMMAND_LINE_SIZE];
	size_t len = strlen(cmdline);
	if (unknown_size)
		unknown[0] = '\0';
	if (len >= sizeof(buf)) {
		pr_err("Command line is %zu bytes, longer than COMMAND_LINE_SIZE (%zu)\n", len,
		       COMMAND_LINE_SIZE);
		return PARSE_TOO_LONG;
	}
	memcpy(buf, cmdline, len + 1);

	size_t unknown_len = 0;
	char *p = buf;
	for (;;) {
		// next_arg(): skip spaces, take one argument honouring double quotes.
		while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
			p++;
		if (!*p)
			break;
		char *param = p;
		char *eq = nullptr;
		bool in_quote = false;
		for (; *p; p++) {
			if (*p == '"')
				in_quote = !in_quote;
			else if (!in_quote && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
				break;
			else if (*p == '=' && !eq)
				eq = p;
		}
		if (*p)
			*p++ = '\0';

		char *val = nullptr;
		if (eq) {
			*eq = '\0';
			val = eq + 1;
		}
		// Strip one pair of quotes around the value (or around the whole argument).
		if (val && *val == '"') {
			val++;
			size_t vl = strlen(val);
			if (vl && val[vl - 1] == '"')
				val[vl - 1] = '\0';
		}
		if (*param == '"')
			param++;

		const kernel_param *kp = nullptr;
		for (size_t i = 0; i < nparams; i++) {
			if (strcmp(params[i].name, param) == 0) {
				kp = &params[i];
				break;
			}
		}
		if (!kp) {
			size_t pl = strlen(param);
			size_t need = pl + (val ? strlen(val) + 1 : 0) + (unknown_len ? 1 : 0);
			if (unknown_len + need + 1 <= unknown_size) {
				if (unknown_len)
					unknown[unknown_len++] = ' ';
				memcpy(unknown + unknown_len, param, pl);
				unknown_len += pl;
				if (val) {
					unknown[unknown_len++] = '=';
					size_t vl = strlen(val);
					memcpy(unknown + unknown_len, val, vl);
					unknown_len += vl;
				}
				unknown[unknown_len] = '\0';
			}
			continue;
		}
		int err = kp->setup(val);
		if (err) {
			if (val)
				pr_err("Malformed early option '%s=%s' (error %d)\n", param, val, err);
			else
				pr_err("Malformed early option '%s': it needs a value (error %d)\n", param, err);
			return PARSE_MALFORMED;
		}
	}
	return PARSE_OK;
}

int match_string(const char *const *array, size_t n, const char *string)
{
	if (!string)
		return -EINVAL;
	for (size_t i = 0; i < n; i++)
		if (array[i] && !strcmp(array[i], string))
			return (int)i;
	return -EINVAL;
}
