// Kernel command-line parsing, mirroring lib/cmdline.c (memparse) and
// kernel/params.c (next_arg, parse_args) with the early_param idea of init/main.c.
#pragma once

#include "lib/types.h"

// Parse "<number>[KMGTPE]" like memparse(): decimal, 0x hex or 0 octal, with an
// optional binary suffix. *retptr points past what was parsed; when nothing was
// parsed it equals ptr.
u64 memparse(const char *ptr, const char **retptr);

// Like memparse() but the whole string must be a number with optional suffix.
// Returns false on anything else (empty, trailing garbage, overflow).
bool memparse_full(const char *s, u64 *out);

// Parse an unsigned integer (base 0: decimal, 0x hex, 0 octal); whole string.
bool kstrtou64(const char *s, unsigned base, u64 *out);

// kstrtobool() (lib/kstrtox.c): 0 and *res set for the words Linux takes as a
// boolean (1 y yes t true on, 0 n no f false off, any case), -EINVAL for
// anything else or a null @s, *res untouched. Linux looks at the first one or
// two characters only ("yfoo" is true); here the whole word must be one of
// these, so a typo is an error rather than a guess.
int kstrtobool(const char *s, bool *res);

// match_string() (lib/string.c): the index of @string in @array of @n strings, or
// -EINVAL when it is not there (also for a null @string: a bare option that needs
// a value). For options that take one of a few words.
int match_string(const char *const *array, size_t n, const char *string);

// One early parameter: "name=value" or a bare "name" (val == nullptr).
// The handler returns 0, or a negative errno when the value is malformed.
struct kernel_param {
	const char *name;
	int (*setup)(const char *val);
};

enum parse_result {
	PARSE_OK = 0,
	PARSE_MALFORMED = -1, // some handler rejected its value: stop, touch nothing
	PARSE_TOO_LONG = -2,  // command line longer than COMMAND_LINE_SIZE
};

constexpr size_t COMMAND_LINE_SIZE = 2048;

// Split @cmdline (spaces, double quotes as in Linux) and call the matching handler
// of @params for each argument. Unknown arguments are collected, space separated,
// into @unknown (as Linux reports "Unknown kernel command line parameters").
// A malformed value is reported with pr_err naming the parameter.
parse_result parse_args(const char *cmdline, const kernel_param *params, size_t nparams,
			char *unknown, size_t unknown_size);
