// SPDX-License-Identifier: GPL-2.0-or-later
/* Allocation that does not fail: out of memory, pomctl says so and stops. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pomctl/xalloc.h"

void die_oom(void)
{
	static const char msg[] = "pomctl: out of memory\n";

	if (write(2, msg, sizeof(msg) - 1) < 0)
		abort();
	abort();
}

void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (!p)
		die_oom();
	return p;
}

void *xcalloc(size_t nmemb, size_t size)
{
	void *p = calloc(nmemb ? nmemb : 1, size ? size : 1);

	if (!p)
		die_oom();
	return p;
}

void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p)
		die_oom();
	return p;
}

char *xstrdup(const char *s)
{
	char *p = strdup(s);

	if (!p)
		die_oom();
	return p;
}

void xstrset(char **field, const char *value)
{
	free(*field);
	*field = value ? xstrdup(value) : NULL;
}
