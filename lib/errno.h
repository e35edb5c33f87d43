// The error numbers this project returns, with Linux's values (negated on return).
#pragma once

#define EPERM 1
#define ENOENT 2
#define EIO 5
#define E2BIG 7
#define ENOMEM 12
#define EFAULT 14
#define EBUSY 16
#define EEXIST 17
#define EINVAL 22
#define ENOSPC 28
#define ERANGE 34
#define ENOSYS 38
