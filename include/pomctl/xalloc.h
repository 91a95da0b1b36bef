/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Allocation that does not fail: out of memory, pomctl says so and aborts. */
#ifndef POMCTL_XALLOC_H
#define POMCTL_XALLOC_H

#include <stddef.h>

_Noreturn void die_oom(void);

void *xmalloc(size_t n);
void *xcalloc(size_t nmemb, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
/* *field freed, then a copy of value (NULL: none) in its place. */
void xstrset(char **field, const char *value);

#endif
