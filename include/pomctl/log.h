/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Console output and step logs.
 *
 * Results go to stdout, progress and diagnostics to stderr.  log_setup()
 * is called once by main() with the verbosity; the console functions then
 * honour it:
 *	say()		a result line on stdout (silenced by --quiet)
 *	say_final()	the final line of a command (never silenced)
 *	say_json()	a command's JSON document on stdout (--json)
 *	info()		a progress line on stderr (silenced by --quiet)
 *	verbose()	only with --verbose
 * The live progress line (progress_show/progress_clear) is drawn only when
 * stderr is a terminal that takes control sequences and --quiet is off;
 * elsewhere, a plain heartbeat line each log_set_heartbeat() seconds
 * (60 unless set; 0: none) while a command runs.
 *
 * A step log is a file appended to for the whole run (O_APPEND, mode 0600);
 * the process runner writes each command's argv, output and exit into it.
 */
#ifndef POMCTL_LOG_H
#define POMCTL_LOG_H

#include <stdbool.h>
#include <stdio.h>

#include <jansson.h>

#include "pomctl/strbuf.h"

void log_setup(bool quiet, bool verbose);
void log_set_heartbeat(unsigned seconds);
/*
 * Step events (start, finish, failure, pause) also go to syslog, facility
 * LOG_DAEMON, ident "pomctl", unless disabled (--no-syslog).
 */
void log_syslog_setup(bool enabled);
void log_event(int priority, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
bool log_is_quiet(void);
bool log_is_verbose(void);
/* true when the live progress line is drawn */
bool log_progress_enabled(void);

void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* How many say() lines this process has said (--quiet or not): a dry
 * rollback says one an action. */
unsigned say_count(void);
/* The final line of a command: printed on stdout even with --quiet. */
void say_final(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* doc, indented, and a newline on stdout; doc is not consumed. */
void say_json(json_t *doc);
/* The strings of sv as a new JSON array. */
json_t *json_strings(const struct strvec *sv);
/*
 * With --json, a command that printed no document and ends in error
 * prints {"schema": 1, "error": the last error, "exit": code} instead, so
 * that stdout is JSON either way.
 */
void say_json_error(int exit_code);
void info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void verbose(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Redraw "[label m:ss] text" on one stderr line; text is cut to fit. */
void progress_show(const char *label, double elapsed, const char *text);
void progress_clear(void);

/* Open (create, append) a step log; returns the fd or -1 (reported). */
int steplog_open(const char *path);
/* Append a formatted line to a step log (write errors are ignored). */
void steplog_printf(int fd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/*
 * "work: WHAT (T s)", T the seconds since start (monotonic_seconds()): the
 * time of in-process work that a command would otherwise do (downloads,
 * extraction, rpm transactions), which the benchmarks tell from pomctl's
 * own time.
 */
void steplog_work(int fd, double start, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Copy the last n lines of the file at path to out, each indented. */
void steplog_tail(const char *path, unsigned n, FILE *out);

/* Append argv quoted for display (never for execution) to sb. */
void quote_argv(struct strbuf *sb, const char *const *argv);

#endif
