// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Saying what went wrong: "pomctl: MESSAGE" on stderr (in colour on a
 * terminal), the last error kept for the run's state, or the message put
 * in the caller's strbuf (error_to).  Below everything but strbuf and
 * xalloc: the console's progress line is cleared through a hook that
 * log.c sets, not by a call up into it.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pomctl/strbuf.h"
#include "pomctl/usage.h"

static bool quiet_errors;
static void (*before_message)(void);

void usage_before_message(void (*fn)(void))
{
	before_message = fn;
}

bool error_set_quiet(bool quiet)
{
	bool old = quiet_errors;

	quiet_errors = quiet;
	return old;
}

static struct strbuf last_error = STRBUF_INIT;

bool stderr_takes_escapes(void)
{
	const char *term = getenv("TERM");

	return isatty(2) == 1 && term && *term && strcmp(term, "dumb") != 0;
}

/* Colour only on a terminal that takes it, never when NO_COLOR is set. */
static bool use_colour(void)
{
	static int decided = -1;

	if (decided < 0)
		decided = stderr_takes_escapes() && !getenv("NO_COLOR");
	return decided;
}

const char *error_last(void)
{
	return last_error.buf;
}

static void report(const char *prefix, const char *fmt, va_list ap)
{
	va_list cp;

	if (!*prefix) {
		va_copy(cp, ap);
		strbuf_reset(&last_error);
		strbuf_vaddf(&last_error, fmt, cp);
		va_end(cp);
	}
	if (quiet_errors)
		return;
	fflush(stdout);
	if (before_message)
		before_message();
	if (use_colour())
		fprintf(stderr, "%spomctl:\033[0m %s",
			*prefix ? "\033[1;33m" : "\033[1;31m", prefix);
	else
		fprintf(stderr, "pomctl: %s", prefix);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

int error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	report("", fmt, ap);
	va_end(ap);
	return -1;
}

int error_to(struct strbuf *err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	if (err) {
		strbuf_vaddf(err, fmt, ap);
	} else {
		report("", fmt, ap);
	}
	va_end(ap);
	return -1;
}

void warning(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	report("warning: ", fmt, ap);
	va_end(ap);
}
