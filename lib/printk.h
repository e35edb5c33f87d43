// Kernel-style logging, mirroring include/linux/printk.h and kernel/printk/printk.c:
// a message starts with an optional KERN_<LEVEL> prefix, is printed with a
// "[    0.001234] " timestamp, and reaches the console only when its level is below
// console_loglevel (loglevel=, quiet).
#pragma once

#include <stdarg.h>

#include "lib/types.h"

#define KERN_SOH "\001"
#define KERN_EMERG KERN_SOH "0"
#define KERN_ALERT KERN_SOH "1"
#define KERN_CRIT KERN_SOH "2"
#define KERN_ERR KERN_SOH "3"
#define KERN_WARNING KERN_SOH "4"
#define KERN_NOTICE KERN_SOH "5"
#define KERN_INFO KERN_SOH "6"
#define KERN_DEBUG KERN_SOH "7"
#define KERN_DEFAULT ""
#define KERN_CONT KERN_SOH "c"

constexpr int LOGLEVEL_ERR = 3;
constexpr int LOGLEVEL_WARNING = 4;
constexpr int LOGLEVEL_INFO = 6;
constexpr int LOGLEVEL_DEBUG = 7;
constexpr int CONSOLE_LOGLEVEL_DEFAULT = 7; // as CONFIG_CONSOLE_LOGLEVEL_DEFAULT
constexpr int CONSOLE_LOGLEVEL_QUIET = 4;
constexpr int CONSOLE_LOGLEVEL_MOTORMOUTH = 15;
constexpr int MESSAGE_LOGLEVEL_DEFAULT = 4;
// The app's console is what its readers compare with `dmesg`, which shows every
// level; so by default it prints KERN_DEBUG too (loglevel=7 gives Linux's console).
constexpr int CONSOLE_LOGLEVEL_APP_DEFAULT = 8;

extern int console_loglevel;

int printk(const char *fmt, ...) __printf(1, 2);
int vprintk(const char *fmt, va_list args);

// Restore the defaults (console_loglevel, line state); used at app start and by tests.
void printk_reset();

// Early parameters owned by printk: "loglevel=N" and "quiet".
int loglevel_setup(const char *val);
int quiet_setup(const char *val);

#ifndef pr_fmt
#define pr_fmt(fmt) fmt
#endif

#define pr_emerg(fmt, ...) printk(KERN_EMERG pr_fmt(fmt), ##__VA_ARGS__)
#define pr_alert(fmt, ...) printk(KERN_ALERT pr_fmt(fmt), ##__VA_ARGS__)
#define pr_crit(fmt, ...) printk(KERN_CRIT pr_fmt(fmt), ##__VA_ARGS__)
#define pr_err(fmt, ...) printk(KERN_ERR pr_fmt(fmt), ##__VA_ARGS__)
#define pr_warn(fmt, ...) printk(KERN_WARNING pr_fmt(fmt), ##__VA_ARGS__)
#define pr_notice(fmt, ...) printk(KERN_NOTICE pr_fmt(fmt), ##__VA_ARGS__)
#define pr_info(fmt, ...) printk(KERN_INFO pr_fmt(fmt), ##__VA_ARGS__)
#define pr_debug(fmt, ...) printk(KERN_DEBUG pr_fmt(fmt), ##__VA_ARGS__)
#define pr_cont(fmt, ...) printk(KERN_CONT fmt, ##__VA_ARGS__)
