// SPDX-License-Identifier: GPL-2.0-or-later
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pomctl/strbuf.h"
#include "pomctl/xalloc.h"

char strbuf_empty[1];

void strbuf_init(struct strbuf *sb)
{
	sb->buf = strbuf_empty;
	sb->len = 0;
	sb->alloc = 0;
}

void strbuf_clear(struct strbuf *sb)
{
	if (sb->alloc)
		free(sb->buf);
	strbuf_init(sb);
}

char *strbuf_detach(struct strbuf *sb)
{
	char *res = sb->alloc ? sb->buf : xstrdup("");

	strbuf_init(sb);
	return res;
}

void strbuf_reset(struct strbuf *sb)
{
	sb->len = 0;
	if (sb->alloc)
		sb->buf[0] = '\0';
}

void strbuf_setlen(struct strbuf *sb, size_t len)
{
	if (len >= sb->len)
		return;
	sb->len = len;
	sb->buf[len] = '\0';
}

void strbuf_grow(struct strbuf *sb, size_t extra)
{
	size_t want;

	if (extra >= SIZE_MAX - sb->len - 1)
		die_oom();
	want = sb->len + extra + 1;
	if (want <= sb->alloc)
		return;
	if (want < 2 * sb->alloc)
		want = 2 * sb->alloc;
	if (want < 64)
		want = 64;
	if (!sb->alloc) {
		sb->buf = xmalloc(want);
		sb->buf[0] = '\0';
	} else {
		sb->buf = xrealloc(sb->buf, want);
	}
	sb->alloc = want;
}

void strbuf_add(struct strbuf *sb, const void *data, size_t len)
{
	strbuf_grow(sb, len);
	memcpy(sb->buf + sb->len, data, len);
	sb->len += len;
	sb->buf[sb->len] = '\0';
}

void strbuf_addstr(struct strbuf *sb, const char *s)
{
	strbuf_add(sb, s, strlen(s));
}

void strbuf_addch(struct strbuf *sb, int c)
{
	char ch = (char)c;

	strbuf_add(sb, &ch, 1);
}

void strbuf_vaddf(struct strbuf *sb, const char *fmt, va_list ap)
{
	va_list cp;
	int n;

	va_copy(cp, ap);
	n = vsnprintf(NULL, 0, fmt, cp);
	va_end(cp);
	if (n < 0)
		die_oom();
	strbuf_grow(sb, (size_t)n);
	vsnprintf(sb->buf + sb->len, (size_t)n + 1, fmt, ap);
	sb->len += (size_t)n;
}

void strbuf_addf(struct strbuf *sb, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	strbuf_vaddf(sb, fmt, ap);
	va_end(ap);
}

void strbuf_addprintable(struct strbuf *sb, const char *s)
{
	for (; s && *s; s++)
		strbuf_addch(sb,
			     (unsigned char)*s < 0x20 || *s == 0x7f ? '?' : *s);
}

void strbuf_rtrim(struct strbuf *sb)
{
	while (sb->len && strchr(" \t\r\n", sb->buf[sb->len - 1]))
		sb->len--;
	if (sb->alloc)
		sb->buf[sb->len] = '\0';
}

void strvec_init(struct strvec *sv)
{
	sv->v = NULL;
	sv->nr = 0;
	sv->alloc = 0;
}

void strvec_clear(struct strvec *sv)
{
	for (size_t i = 0; i < sv->nr; i++)
		free(sv->v[i]);
	free(sv->v);
	strvec_init(sv);
}

static const char *strvec_push_owned(struct strvec *sv, char *s)
{
	if (sv->nr + 2 > sv->alloc) {
		sv->alloc = sv->alloc ? 2 * sv->alloc : 8;
		sv->v = xrealloc(sv->v, sv->alloc * sizeof(*sv->v));
	}
	sv->v[sv->nr++] = s;
	sv->v[sv->nr] = NULL;
	return s;
}

const char *strvec_push(struct strvec *sv, const char *s)
{
	return strvec_push_owned(sv, xstrdup(s));
}

const char *strvec_pushf(struct strvec *sv, const char *fmt, ...)
{
	struct strbuf sb = STRBUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	strbuf_vaddf(&sb, fmt, ap);
	va_end(ap);
	return strvec_push_owned(sv, strbuf_detach(&sb));
}

void strvec_pushv(struct strvec *sv, const char *const *v)
{
	for (; v && *v; v++)
		strvec_push(sv, *v);
}

void strvec_split(struct strvec *sv, const char *s, const char *delims)
{
	while (s && *s) {
		size_t n = strcspn(s, delims);

		if (n) {
			char *w = strndup(s, n);

			if (!w)
				die_oom();
			strvec_push_owned(sv, w);
		}
		s += n;
		s += strspn(s, delims);
	}
}

const char *const *strvec_argv(struct strvec *sv)
{
	static const char *const none[] = { NULL };

	return sv->nr ? (const char *const *)sv->v : none;
}

void strvec_join(const struct strvec *sv, const char *sep, struct strbuf *sb)
{
	for (size_t i = 0; i < sv->nr; i++)
		strbuf_addf(sb, "%s%s", i ? sep : "", sv->v[i]);
}

bool strvec_has(const struct strvec *sv, const char *s)
{
	for (size_t i = 0; sv && i < sv->nr; i++)
		if (!strcmp(sv->v[i], s))
			return true;
	return false;
}

static int by_string(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

void strvec_sort(struct strvec *sv)
{
	if (sv->nr) /* v is NULL when there are none */
		qsort(sv->v, sv->nr, sizeof(*sv->v), by_string);
}

bool strvec_has_sorted(const struct strvec *sv, const char *s)
{
	return sv->nr &&
	       bsearch(&s, sv->v, sv->nr, sizeof(*sv->v), by_string) != NULL;
}
