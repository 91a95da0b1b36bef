/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Growable strings and string vectors.
 *
 * struct strbuf: .buf is never NULL and always NUL-terminated, even when
 * empty (it then points at a shared empty string until the first append).
 * The buffer belongs to the strbuf; strbuf_detach() hands it to the caller,
 * strbuf_clear() frees it and leaves the strbuf ready for reuse.
 *
 * struct strvec: a NULL-terminated vector of strings it owns, usable directly
 * as an argv (.v).  strvec_clear() frees every string and the vector.
 *
 * Allocation failure aborts the program (there is nothing sensible a step can
 * do without memory, and every caller would otherwise need the same check).
 */
#ifndef POMCTL_STRBUF_H
#define POMCTL_STRBUF_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

extern char strbuf_empty[];

struct strbuf {
	char *buf;
	size_t len;
	size_t alloc;
};

/* clang-format off */
#define STRBUF_INIT { strbuf_empty, 0, 0 }
/* clang-format on */

void strbuf_init(struct strbuf *sb);
void strbuf_clear(struct strbuf *sb);
/* Return the buffer (caller frees) and reset sb to empty. */
char *strbuf_detach(struct strbuf *sb);
void strbuf_reset(struct strbuf *sb);
/* Cut sb to its first len bytes (len <= sb->len). */
void strbuf_setlen(struct strbuf *sb, size_t len);
void strbuf_grow(struct strbuf *sb, size_t extra);
void strbuf_add(struct strbuf *sb, const void *data, size_t len);
void strbuf_addstr(struct strbuf *sb, const char *s);
void strbuf_addch(struct strbuf *sb, int c);
void strbuf_addf(struct strbuf *sb, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void strbuf_vaddf(struct strbuf *sb, const char *fmt, va_list ap);
/* Remove trailing whitespace (spaces, tabs, CR, LF). */
void strbuf_rtrim(struct strbuf *sb);
/*
 * Text from outside, for a terminal or a log line: control bytes (ESC
 * among them) and DEL become '?'; a NULL s adds nothing.
 */
void strbuf_addprintable(struct strbuf *sb, const char *s);

struct strvec {
	char **v;
	size_t nr;
	size_t alloc;
};

/* clang-format off */
#define STRVEC_INIT { NULL, 0, 0 }
/* clang-format on */

void strvec_init(struct strvec *sv);
void strvec_clear(struct strvec *sv);
/* Append a copy of s; returns the copy. */
const char *strvec_push(struct strvec *sv, const char *s);
const char *strvec_pushf(struct strvec *sv, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Append copies of every string of a NULL-terminated array. */
void strvec_pushv(struct strvec *sv, const char *const *v);
/* Append the words of s separated by any of delims (empty words skipped). */
void strvec_split(struct strvec *sv, const char *s, const char *delims);
/* The argv: never NULL, always NULL-terminated. */
const char *const *strvec_argv(struct strvec *sv);
/* Whether sv (may be NULL) holds s. */
bool strvec_has(const struct strvec *sv, const char *s);
/* Sort sv's strings (strcmp order); strvec_has_sorted looks one up. */
void strvec_sort(struct strvec *sv);
bool strvec_has_sorted(const struct strvec *sv, const char *s);
/* The strings of sv, sep between them, appended to sb. */
void strvec_join(const struct strvec *sv, const char *sep, struct strbuf *sb);

#endif
