// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <string.h>
#include <sys/ioctl.h>
#include <syslog.h>
#include <unistd.h>

#include "pomctl/log.h"
#include "pomctl/util.h"

#define TAIL_MAX_BYTES (256 * 1024)

static struct {
	bool quiet;
	bool verbose;
	bool tty;
	bool drawn;
	bool syslog;
	bool opened;
	unsigned heartbeat; /* seconds; 0: none */
	double beat;	    /* the running command's last one, elapsed */
} console = { .heartbeat = 60 };

void log_syslog_setup(bool enabled)
{
	console.syslog = enabled;
}

void log_event(int priority, const char *fmt, ...)
{
	va_list ap;

	if (!console.syslog)
		return;
	if (!console.opened) {
		openlog("pomctl", LOG_PID, LOG_DAEMON);
		console.opened = true;
	}
	va_start(ap, fmt);
	vsyslog(priority, fmt, ap);
	va_end(ap);
}

void log_setup(bool quiet, bool verbose)
{
	console.quiet = quiet;
	console.verbose = verbose && !quiet;
	console.tty = stderr_takes_escapes();
}

void log_set_heartbeat(unsigned seconds)
{
	console.heartbeat = seconds;
}

bool log_is_quiet(void)
{
	return console.quiet;
}

bool log_is_verbose(void)
{
	return console.verbose;
}

bool log_progress_enabled(void)
{
	return console.tty && !console.quiet;
}

static void vprint(FILE *f, const char *fmt, va_list ap)
{
	progress_clear();
	vfprintf(f, fmt, ap);
	fputc('\n', f);
	fflush(f);
}

static unsigned said;

unsigned say_count(void)
{
	return said;
}

void say(const char *fmt, ...)
{
	va_list ap;

	said++;
	if (console.quiet)
		return;
	va_start(ap, fmt);
	vprint(stdout, fmt, ap);
	va_end(ap);
}

static bool json_said;

void say_json(json_t *doc)
{
	json_dumpf(doc, stdout, JSON_INDENT(2));
	putchar('\n');
	fflush(stdout);
	json_said = true;
}

json_t *json_strings(const struct strvec *sv)
{
	json_t *a = json_array();

	for (size_t i = 0; i < sv->nr; i++)
		json_array_append_new(a, json_string(sv->v[i]));
	return a;
}

/* The length of the UTF-8 sequence p begins, or 0 where none does. */
static size_t utf8_seq(const unsigned char *p)
{
	unsigned cp, min;
	size_t n;

	if (p[0] < 0x80)
		return 1;
	if (p[0] >= 0xc2 && p[0] <= 0xdf)
		n = 2, min = 0x80;
	else if ((p[0] & 0xf0) == 0xe0)
		n = 3, min = 0x800;
	else if (p[0] >= 0xf0 && p[0] <= 0xf4)
		n = 4, min = 0x10000;
	else
		return 0;
	cp = p[0] & (0x7f >> n);
	for (size_t i = 1; i < n; i++) {
		if ((p[i] & 0xc0) != 0x80) /* a NUL ends here too */
			return 0;
		cp = cp << 6 | (p[i] & 0x3f);
	}
	if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

/*
 * text as a JSON string: an error may quote what the user typed or a
 * file held, bytes that are not UTF-8 (JSON cannot carry them); each such
 * byte is '?', as the console shows a control character.
 */
static json_t *json_text(const char *text)
{
	struct strbuf sb = STRBUF_INIT;
	json_t *s = json_string(text);

	if (s)
		return s;
	for (const unsigned char *p = (const void *)text; *p;) {
		size_t n = utf8_seq(p);

		if (n)
			strbuf_add(&sb, p, n);
		else
			strbuf_addch(&sb, '?');
		p += n ? n : 1;
	}
	s = json_string(sb.buf);
	strbuf_clear(&sb);
	return s;
}

void say_json_error(int exit_code)
{
	json_t *doc;

	if (json_said)
		return;
	doc = json_pack("{s:i, s:o, s:i}", "schema", 1, "error",
			json_text(*error_last() ? error_last() : "failed"),
			"exit", exit_code);
	if (doc)
		say_json(doc);
	json_decref(doc);
}

void say_final(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprint(stdout, fmt, ap);
	va_end(ap);
}

void info(const char *fmt, ...)
{
	va_list ap;

	if (console.quiet)
		return;
	va_start(ap, fmt);
	vprint(stderr, fmt, ap);
	va_end(ap);
}

void verbose(const char *fmt, ...)
{
	va_list ap;

	if (!console.verbose)
		return;
	va_start(ap, fmt);
	vprint(stderr, fmt, ap);
	va_end(ap);
}

static unsigned term_width(void)
{
	struct winsize ws;

	if (ioctl(2, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 20)
		return ws.ws_col;
	return 80;
}

/* Only printable bytes of a child's line reach the console. */
static void add_printable(struct strbuf *sb, const char *text, size_t width)
{
	for (const char *p = text; *p && sb->len < width; p++)
		strbuf_addch(sb, (unsigned char)*p >= 0x20 && *p != 0x7f ? *p :
									   '?');
}

/*
 * Without a terminal (a log file, a pipe, cron): one plain line each
 * heartbeat while a command runs long, so that a long build is seen alive.
 */
static void heartbeat(const char *label, double elapsed, const char *text)
{
	struct strbuf sb = STRBUF_INIT;
	unsigned secs = (unsigned)elapsed;

	if (console.quiet || !console.heartbeat ||
	    elapsed - console.beat < console.heartbeat)
		return;
	console.beat = elapsed;
	strbuf_addf(&sb, "[%s %u:%02u] still running%s", label, secs / 60,
		    secs % 60, *text ? ": " : "");
	add_printable(&sb, text, 160);
	fprintf(stderr, "%s\n", sb.buf);
	fflush(stderr);
	strbuf_clear(&sb);
}

void progress_show(const char *label, double elapsed, const char *text)
{
	struct strbuf sb = STRBUF_INIT;
	unsigned secs = (unsigned)elapsed, width = term_width() - 1;

	if (!console.tty) {
		heartbeat(label, elapsed, text);
		return;
	}
	if (!log_progress_enabled())
		return;
	usage_before_message(progress_clear); /* a message clears the line */
	strbuf_addf(&sb, "\r\033[K[%s %u:%02u] ", label, secs / 60, secs % 60);
	add_printable(&sb, text, width + 4);
	fputs(sb.buf, stderr);
	fflush(stderr);
	console.drawn = true;
	strbuf_clear(&sb);
}

void progress_clear(void)
{
	console.beat = 0; /* the next command's heartbeat counts afresh */
	if (!console.drawn)
		return;
	fputs("\r\033[K", stderr);
	fflush(stderr);
	console.drawn = false;
}

int steplog_open(const char *path)
{
	int fd = open(path,
		      O_WRONLY | O_CREAT | O_APPEND | O_NOFOLLOW | O_CLOEXEC,
		      0600);

	if (fd < 0)
		return error("cannot open log '%s': %s", path, strerror(errno));
	return fd;
}

void steplog_work(int fd, double start, const char *fmt, ...)
{
	struct strbuf sb = STRBUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	strbuf_vaddf(&sb, fmt, ap);
	va_end(ap);
	steplog_printf(fd, "work: %s (%.3f s)", sb.buf,
		       monotonic_seconds() - start);
	strbuf_clear(&sb);
}

void steplog_printf(int fd, const char *fmt, ...)
{
	struct strbuf sb = STRBUF_INIT;
	va_list ap;

	if (fd < 0)
		return;
	va_start(ap, fmt);
	strbuf_vaddf(&sb, fmt, ap);
	va_end(ap);
	strbuf_addch(&sb, '\n');
	if (write(fd, sb.buf, sb.len) < 0) {
		/* A log write error must not fail the step it describes. */
	}
	strbuf_clear(&sb);
}

void steplog_tail(const char *path, unsigned n, FILE *out)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct strbuf sb = STRBUF_INIT;
	off_t size;
	const char *p;
	ssize_t got;

	if (fd < 0)
		return;
	size = lseek(fd, 0, SEEK_END);
	if (size > TAIL_MAX_BYTES)
		lseek(fd, size - TAIL_MAX_BYTES, SEEK_SET);
	else
		lseek(fd, 0, SEEK_SET);
	strbuf_grow(&sb, TAIL_MAX_BYTES);
	got = read(fd, sb.buf, TAIL_MAX_BYTES);
	close(fd);
	sb.len = got > 0 ? (size_t)got : 0;
	sb.buf[sb.len] = '\0';
	strbuf_rtrim(&sb);
	p = sb.buf + sb.len;
	while (p > sb.buf && n) {
		p--;
		if (*p == '\n')
			n--;
	}
	if (*p == '\n')
		p++;
	for (const char *line = p; *line;) {
		const char *nl = strchrnul(line, '\n');

		fprintf(out, "    %.*s\n", (int)(nl - line), line);
		line = *nl ? nl + 1 : nl;
	}
	strbuf_clear(&sb);
}

static bool needs_quotes(const char *s)
{
	return !*s || strpbrk(s, " \t\n\"'\\$`;&|<>(){}*?!#~") != NULL;
}

void quote_argv(struct strbuf *sb, const char *const *argv)
{
	for (size_t i = 0; argv[i]; i++) {
		const char *s = argv[i];

		if (i)
			strbuf_addch(sb, ' ');
		if (!needs_quotes(s)) {
			strbuf_addstr(sb, s);
			continue;
		}
		strbuf_addch(sb, '\'');
		for (; *s; s++) {
			if (*s == '\'')
				strbuf_addstr(sb, "'\\''");
			else
				strbuf_addch(sb, *s);
		}
		strbuf_addch(sb, '\'');
	}
}
