/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Text as bytes: files of kernel trees, patch-o-matic trees and specs are
 * not UTF-8 throughout (Configure.help is ISO-8859-1), so they are read,
 * compared and written as bytes, keeping line endings and a missing final
 * newline as they are.
 *
 * struct lines indexes a buffer it owns by line; line_at() gives a line
 * without its newline.  text_diff() writes a unified diff of two versions
 * of a file, for plans and logs.
 */
#ifndef POMCTL_TEXT_H
#define POMCTL_TEXT_H

#include <stdbool.h>
#include <stddef.h>

#include "pomctl/strbuf.h"

struct lines {
	struct strbuf text;
	size_t *start; /* offset of each line in text */
	size_t nr;
};

void lines_init(struct lines *l);
void lines_clear(struct lines *l);
/* Replace l's content with a copy of buf. */
void lines_split(struct lines *l, const char *buf, size_t len);
/* Read a file (at most max bytes): 0, or a negative errno (not reported). */
int lines_read(struct lines *l, const char *path, size_t max);
/* Line i without its line ending ("\n" or "\r\n"). */
const char *line_at(const struct lines *l, size_t i, size_t *len);
/* Line i with its line ending, if it has one. */
const char *line_raw(const struct lines *l, size_t i, size_t *len);
bool line_equals(const struct lines *l, size_t i, const char *s, size_t n);
/* The first line equal to s from line `from` on, or -1. */
long lines_find(const struct lines *l, size_t from, const char *s, size_t n);

/*
 * A unified diff (3 lines of context) turning old into new, labelled with
 * path, appended to out; nothing when they are equal.  It is diffutils'
 * `diff -u` (minimal hunks), run on two files of a private scratch
 * directory; where diff cannot run, one hunk around the region that
 * differs (the common start and end trimmed).  The same diff asked again
 * (a plan asks for one edit more than once) is the one computed before.
 */
void text_diff(const char *path, const char *old, size_t oldlen,
	       const char *new, size_t newlen, struct strbuf *out);

/*
 * "; did you mean 'CAND'?" appended to out when one of the n candidates is
 * within a few edits of word (the closest); nothing otherwise.
 */
void suggest(const char *word, const char *const *cands, size_t n,
	     struct strbuf *out);

#endif
