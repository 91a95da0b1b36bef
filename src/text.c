// SPDX-License-Identifier: GPL-2.0-or-later
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pomctl/run-command.h"
#include "pomctl/scratch.h"
#include "pomctl/text.h"
#include "pomctl/util.h"

#define CONTEXT 3

void lines_init(struct lines *l)
{
	strbuf_init(&l->text);
	l->start = NULL;
	l->nr = 0;
}

void lines_clear(struct lines *l)
{
	strbuf_clear(&l->text);
	free(l->start);
	lines_init(l);
}

static void index_lines(struct lines *l)
{
	size_t alloc = 64;

	free(l->start);
	l->start = xmalloc(alloc * sizeof(*l->start));
	l->nr = 0;
	for (size_t pos = 0; pos < l->text.len;) {
		const char *nl = memchr(l->text.buf + pos, '\n',
					l->text.len - pos);

		if (l->nr == alloc) {
			alloc *= 2;
			l->start = xrealloc(l->start,
					    alloc * sizeof(*l->start));
		}
		l->start[l->nr++] = pos;
		pos = nl ? (size_t)(nl - l->text.buf) + 1 : l->text.len;
	}
}

void lines_split(struct lines *l, const char *buf, size_t len)
{
	strbuf_reset(&l->text);
	strbuf_add(&l->text, buf, len);
	index_lines(l);
}

int lines_read(struct lines *l, const char *path, size_t max)
{
	int ret;

	strbuf_reset(&l->text);
	ret = read_file(path, max, false, &l->text);
	if (!ret)
		index_lines(l);
	return ret;
}

const char *line_raw(const struct lines *l, size_t i, size_t *len)
{
	size_t end = i + 1 < l->nr ? l->start[i + 1] : l->text.len;

	*len = end - l->start[i];
	return l->text.buf + l->start[i];
}

const char *line_at(const struct lines *l, size_t i, size_t *len)
{
	const char *s = line_raw(l, i, len);

	if (*len && s[*len - 1] == '\n')
		(*len)--;
	if (*len && s[*len - 1] == '\r')
		(*len)--;
	return s;
}

bool line_equals(const struct lines *l, size_t i, const char *s, size_t n)
{
	size_t len;
	const char *line = line_at(l, i, &len);

	return len == n && !memcmp(line, s, n);
}

long lines_find(const struct lines *l, size_t from, const char *s, size_t n)
{
	for (size_t i = from; i < l->nr; i++)
		if (line_equals(l, i, s, n))
			return (long)i;
	return -1;
}

static bool same_line(const struct lines *a, size_t i, const struct lines *b,
		      size_t j)
{
	size_t la, lb;
	const char *x = line_raw(a, i, &la), *y = line_raw(b, j, &lb);

	return la == lb && !memcmp(x, y, la);
}

static void emit(struct strbuf *out, char mark, const struct lines *l, size_t i)
{
	size_t len;
	const char *s = line_raw(l, i, &len);

	strbuf_addch(out, mark);
	strbuf_add(out, s, len);
	if (!len || s[len - 1] != '\n')
		strbuf_addstr(out, "\n\\ No newline at end of file\n");
}

/*
 * diffutils' diff -u of the two texts (minimal hunks, three lines of
 * context), through two files of a private scratch directory: 0 with the
 * diff in out, or -1 when diff could not do it.
 */
static int diff_u(const char *path, const char *old, size_t oldlen,
		  const char *new, size_t newlen, struct strbuf *out)
{
	struct child_process cp = CHILD_PROCESS_INIT;
	struct strbuf dir = STRBUF_INIT, a = STRBUF_INIT, b = STRBUF_INIT,
		      got = STRBUF_INIT;
	bool quiet = error_set_quiet(true);
	int null_fd = -1, ret = -1;

	if (scratch_make("diff", &dir) < 0)
		goto out;
	strbuf_addf(&a, "%s/a", dir.buf);
	strbuf_addf(&b, "%s/b", dir.buf);
	null_fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
	if (null_fd < 0 || write_file_scratch(a.buf, old, oldlen) < 0 ||
	    write_file_scratch(b.buf, new, newlen) < 0)
		goto out;
	strvec_pushv(&cp.args, (const char *const[]){ "diff", "-u", "--label",
						      path, "--label", path,
						      a.buf, b.buf, NULL });
	cp.log_fd = null_fd;
	cp.out = &got;
	cp.label = "diff";
	if (run_command(&cp) == 1 && !strncmp(got.buf, "--- ", 4)) {
		strbuf_add(out, got.buf, got.len);
		ret = 0;
	}
out:
	if (null_fd >= 0)
		close(null_fd);
	if (dir.len)
		remove_tree(dir.buf);
	error_set_quiet(quiet);
	strbuf_clear(&dir);
	strbuf_clear(&a);
	strbuf_clear(&b);
	strbuf_clear(&got);
	return ret;
}

/* The last diffs diff(1) made, by their inputs: the same asked again. */
static struct diff_memo {
	struct strbuf key; /* path, NUL, old, new */
	size_t oldlen;
	struct strbuf diff;
} memo[4] = { { STRBUF_INIT, 0, STRBUF_INIT },
	      { STRBUF_INIT, 0, STRBUF_INIT },
	      { STRBUF_INIT, 0, STRBUF_INIT },
	      { STRBUF_INIT, 0, STRBUF_INIT } };
static size_t memo_next;

static void memo_key(struct strbuf *key, const char *path, const char *old,
		     size_t oldlen, const char *new, size_t newlen)
{
	strbuf_addstr(key, path);
	strbuf_addch(key, '\0');
	strbuf_add(key, old, oldlen);
	strbuf_add(key, new, newlen);
}

static int diff_u_memo(const char *path, const char *old, size_t oldlen,
		       const char *new, size_t newlen, struct strbuf *out)
{
	struct strbuf key = STRBUF_INIT;
	struct diff_memo *m;

	memo_key(&key, path, old, oldlen, new, newlen);
	for (size_t i = 0; i < ARRAY_SIZE(memo); i++) {
		m = &memo[i];
		if (m->oldlen == oldlen && m->key.len == key.len &&
		    !memcmp(m->key.buf, key.buf, key.len)) {
			strbuf_add(out, m->diff.buf, m->diff.len);
			strbuf_clear(&key);
			return 0;
		}
	}
	m = &memo[memo_next++ % ARRAY_SIZE(memo)];
	strbuf_clear(&m->key);
	strbuf_reset(&m->diff);
	if (diff_u(path, old, oldlen, new, newlen, &m->diff) < 0) {
		strbuf_clear(&key);
		return -1;
	}
	m->key = key;
	m->oldlen = oldlen;
	strbuf_add(out, m->diff.buf, m->diff.len);
	return 0;
}

/* GNU diff's range of a unified hunk: "START[,COUNT]" (START the line
 * before when COUNT is 0, COUNT left out when 1). */
static void hunk_range(struct strbuf *out, size_t from, size_t count)
{
	strbuf_addf(out, "%zu", count ? from + 1 : from);
	if (count != 1)
		strbuf_addf(out, ",%zu", count);
}

/*
 * The diff of a and b as one hunk: their first pre and last suf lines
 * alike, the lines between removed, then added, three lines of context.
 */
static void one_hunk(struct strbuf *out, const char *path,
		     const struct lines *a, const struct lines *b, size_t pre,
		     size_t suf)
{
	size_t from = pre > CONTEXT ? pre - CONTEXT : 0;
	size_t a_end = a->nr - suf + (suf > CONTEXT ? CONTEXT : suf);
	size_t b_end = b->nr - suf + (suf > CONTEXT ? CONTEXT : suf);

	strbuf_addf(out, "--- %s\n+++ %s\n@@ -", path, path);
	hunk_range(out, from, a_end - from);
	strbuf_addstr(out, " +");
	hunk_range(out, from, b_end - from);
	strbuf_addstr(out, " @@\n");
	for (size_t i = from; i < pre; i++)
		emit(out, ' ', a, i);
	for (size_t i = pre; i < a->nr - suf; i++)
		emit(out, '-', a, i);
	for (size_t i = pre; i < b->nr - suf; i++)
		emit(out, '+', b, i);
	for (size_t i = a->nr - suf; i < a_end; i++)
		emit(out, ' ', a, i);
}

/*
 * Whether the lines a and b differ in (a's and b's lines pre up to their
 * last suf) replace one another whole: neither side empty, no line of one
 * among the other's.  Then diff -u's minimal diff is one_hunk()'s -- no
 * common line to align, no boundary to shift -- and no diff(1) is run.
 * (At most 65536 comparisons; beyond, diff(1) answers.)
 */
static bool replaced_whole(const struct lines *a, const struct lines *b,
			   size_t pre, size_t suf)
{
	size_t na = a->nr - suf - pre, nb = b->nr - suf - pre;

	if (!na || !nb || na > 65536 / nb)
		return false;
	for (size_t i = pre; i < a->nr - suf; i++)
		for (size_t j = pre; j < b->nr - suf; j++)
			if (same_line(a, i, b, j))
				return false;
	return true;
}

void text_diff(const char *path, const char *old, size_t oldlen,
	       const char *new, size_t newlen, struct strbuf *out)
{
	struct lines a, b;
	size_t pre = 0, suf = 0;

	lines_init(&a);
	lines_init(&b);
	lines_split(&a, old, oldlen);
	lines_split(&b, new, newlen);
	if (oldlen == newlen && !memcmp(old, new, oldlen))
		goto out;
	while (pre < a.nr && pre < b.nr && same_line(&a, pre, &b, pre))
		pre++;
	while (suf < a.nr - pre && suf < b.nr - pre &&
	       same_line(&a, a.nr - 1 - suf, &b, b.nr - 1 - suf))
		suf++;
	if (pre == a.nr && pre == b.nr)
		goto out;
	/* no diff(1) where it could only say the same; nor where it fails */
	if (replaced_whole(&a, &b, pre, suf) ||
	    diff_u_memo(path, old, oldlen, new, newlen, out) < 0)
		one_hunk(out, path, &a, &b, pre, suf);
out:
	lines_clear(&a);
	lines_clear(&b);
}

/*
 * Edit distance with adjacent transpositions (optimal string alignment):
 * "jbos" is one edit from "jobs".  Both at most 64 bytes.
 */
static size_t distance(const char *a, const char *b)
{
	size_t n = strlen(a), m = strlen(b), d[65][65];

	for (size_t i = 0; i <= n; i++)
		d[i][0] = i;
	for (size_t j = 0; j <= m; j++)
		d[0][j] = j;
	for (size_t i = 1; i <= n; i++)
		for (size_t j = 1; j <= m; j++) {
			size_t best = d[i - 1][j - 1] + (a[i - 1] != b[j - 1]);

			if (d[i - 1][j] + 1 < best)
				best = d[i - 1][j] + 1;
			if (d[i][j - 1] + 1 < best)
				best = d[i][j - 1] + 1;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] &&
			    a[i - 2] == b[j - 1] && d[i - 2][j - 2] + 1 < best)
				best = d[i - 2][j - 2] + 1;
			d[i][j] = best;
		}
	return d[n][m];
}

void suggest(const char *word, const char *const *cands, size_t n,
	     struct strbuf *out)
{
	size_t best = (size_t)-1, limit = strlen(word) / 3 + 1;
	const char *pick = NULL;

	if (strlen(word) > 64)
		return;
	for (size_t i = 0; i < n; i++) {
		size_t d = strlen(cands[i]) > 64 ? best :
						   distance(word, cands[i]);

		if (d < best) {
			best = d;
			pick = cands[i];
		}
	}
	if (pick && best <= limit && best > 0)
		strbuf_addf(out, "; did you mean '%s'?", pick);
}
