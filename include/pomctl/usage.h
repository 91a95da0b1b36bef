/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Errors and warnings.  error() prints "pomctl: MESSAGE" on stderr and
 * returns -1, so a failing function reports and returns in one statement:
 *	return error("cannot open '%s': %s", path, strerror(errno));
 * A caller that says a failure in its own words passes a strbuf for it
 * (error_to).  Only main() exits.
 */
#ifndef POMCTL_USAGE_H
#define POMCTL_USAGE_H

#include <stdbool.h>

struct strbuf;

int error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/*
 * The same message appended to err, for a caller that says it in its own
 * words (nothing printed), or reported as error() when err is NULL.
 * Returns -1.
 */
int error_to(struct strbuf *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void warning(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Silence error()/warning() (for tests of failure paths); returns old value. */
bool error_set_quiet(bool quiet);
/* The text of the last error() (without "pomctl: "), "" when none. */
const char *error_last(void);
/*
 * Whether stderr is a terminal that takes control sequences (colour, the
 * progress line's \r and erase): not without TERM, not TERM=dumb.
 */
bool stderr_takes_escapes(void);
/* fn runs before each message is printed (log.c: the progress line is
 * cleared). */
void usage_before_message(void (*fn)(void));

#endif
