// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pomctl/digest.h"
#include "pomctl/treesnap.h"
#include "pomctl/util.h"

#define SNAP_MAX (256 << 20)

/*
 * One line an entry: "TYPE MODE SIZE DIGEST PATH" -- f (file: its
 * SHA-256), l (link: "-", the target after PATH and " -> "), d (dir: "-").
 * Paths are relative to the tree; names with a newline or " -> " are kept
 * out of a kernel tree by the path rule already, and refused here.
 */
static void entry_line(const char *dir, const char *rel, const struct stat *st,
		       struct strbuf *out)
{
	char digest[SHA256_HEX] = "-", target[4096];
	struct strbuf path = STRBUF_INIT;
	ssize_t n;
	char type = S_ISDIR(st->st_mode) ? 'd' :
		    S_ISLNK(st->st_mode) ? 'l' :
					   'f';

	strbuf_addf(&path, "%s/%s", dir, rel);
	if (type == 'f' && sha256_file(path.buf, digest) < 0)
		strcpy(digest, "unreadable");
	strbuf_addf(out, "%c %04o %lld %s %s", type,
		    (unsigned)(st->st_mode & 07777),
		    type == 'f' ? (long long)st->st_size : 0LL, digest, rel);
	if (type == 'l') {
		n = readlink(path.buf, target, sizeof(target) - 1);
		target[n < 0 ? 0 : n] = '\0';
		strbuf_addf(out, " -> %s", target);
	}
	strbuf_addch(out, '\n');
	strbuf_release(&path);
}

/* nftw carries no pointer: the walk in progress. */
static struct {
	const char *dir;
	size_t base;
	struct strbuf *out;  /* take: the list */
	struct strvec *seen; /* restore: every path, for the comparison */
} walk;

static int visit(const char *path, const struct stat *st, int type,
		 struct FTW *ftw)
{
	const char *rel = path + walk.base;

	(void)type;
	(void)ftw;
	if (!*rel)
		return 0; /* the tree itself */
	rel++;
	if (strchr(rel, '\n') || strstr(rel, " -> "))
		return error("'%s' has a name pomctl cannot record", path);
	if (walk.out)
		entry_line(walk.dir, rel, st, walk.out);
	else
		strvec_push(walk.seen, rel);
	return 0;
}

int treesnap_take(const char *dir, const char *file)
{
	struct strbuf out = STRBUF_INIT;
	int ret;

	walk.dir = dir;
	walk.base = strlen(dir);
	walk.out = &out;
	walk.seen = NULL;
	ret = nftw(dir, visit, 32, FTW_PHYS);
	if (ret < 0 && errno)
		ret = error("cannot read the tree '%s': %s", dir,
			    strerror(errno));
	if (!ret)
		ret = write_file_atomic(file, out.buf, out.len, 0600);
	strbuf_release(&out);
	return ret;
}

void treesnap_result_init(struct treesnap_result *r)
{
	strvec_init(&r->added);
	strvec_init(&r->changed);
	strvec_init(&r->missing);
}

void treesnap_result_release(struct treesnap_result *r)
{
	strvec_clear(&r->added);
	strvec_clear(&r->changed);
	strvec_clear(&r->missing);
}

/* The path of a list line (after four fields), without a link's target. */
static void line_path(const char *line, size_t len, struct strbuf *path)
{
	const char *p = line, *end = line + len, *arrow;

	for (int field = 0; field < 4 && p < end; field++) {
		p = memchr(p, ' ', (size_t)(end - p));
		p = p ? p + 1 : end;
	}
	strbuf_reset(path);
	arrow = line[0] == 'l' ? memmem(p, (size_t)(end - p), " -> ", 4) : NULL;
	strbuf_add(path, p, (size_t)((arrow ? arrow : end) - p));
}

/* The list's lines, and their paths sorted (for lookups). */
static int read_list(const char *file, struct strbuf *text,
		     struct strvec *lines, struct strvec *paths)
{
	struct strbuf path = STRBUF_INIT;
	int ret = read_file(file, SNAP_MAX, true, text);

	if (ret)
		return error("cannot read the tree's list '%s': %s", file,
			     strerror(-ret));
	for (const char *l = text->buf; *l;) {
		const char *nl = strchrnul(l, '\n');

		strvec_pushf(lines, "%.*s", (int)(nl - l), l);
		line_path(l, (size_t)(nl - l), &path);
		strvec_push(paths, path.buf);
		l = *nl ? nl + 1 : nl;
	}
	strvec_sort(paths);
	strbuf_release(&path);
	return 0;
}

int treesnap_paths(const char *file, struct strvec *paths)
{
	struct strbuf text = STRBUF_INIT;
	struct strvec lines = STRVEC_INIT;
	int ret = read_list(file, &text, &lines, paths);

	strbuf_release(&text);
	strvec_clear(&lines);
	return ret;
}

bool treesnap_has(const struct strvec *paths, const char *path)
{
	return strvec_has_sorted(paths, path);
}

/* Remove what was added, deepest first (the walk listed parents first). */
static int remove_added(const char *dir, const struct strvec *added)
{
	struct strbuf path = STRBUF_INIT;
	int ret = 0;

	for (size_t i = added->nr; i-- > 0 && !ret;) {
		struct stat st;

		strbuf_reset(&path);
		strbuf_addf(&path, "%s/%s", dir, added->v[i]);
		if (lstat(path.buf, &st) < 0)
			continue; /* inside a directory gone already */
		if (S_ISDIR(st.st_mode) ? remove_tree(path.buf) < 0 :
					  unlink(path.buf) < 0)
			ret = error("cannot remove '%s': %s", path.buf,
				    strerror(errno));
	}
	strbuf_release(&path);
	return ret;
}

/* Each listed entry against the tree as it is now. */
static void compare(const char *dir, const struct strvec *lines,
		    struct treesnap_result *r)
{
	struct strbuf now = STRBUF_INIT, path = STRBUF_INIT, rel = STRBUF_INIT;

	for (size_t i = 0; i < lines->nr; i++) {
		struct stat st;

		line_path(lines->v[i], strlen(lines->v[i]), &rel);
		strbuf_reset(&path);
		strbuf_addf(&path, "%s/%s", dir, rel.buf);
		if (lstat(path.buf, &st) < 0) {
			strvec_push(&r->missing, rel.buf);
			continue;
		}
		strbuf_reset(&now);
		entry_line(dir, rel.buf, &st, &now);
		strbuf_setlen(&now, now.len - 1); /* the newline */
		if (strcmp(now.buf, lines->v[i]) &&
		    !(lines->v[i][0] == 'd' && now.buf[0] == 'd'))
			strvec_push(&r->changed, rel.buf);
	}
	strbuf_release(&now);
	strbuf_release(&path);
	strbuf_release(&rel);
}

int treesnap_restore(const char *dir, const char *file, bool dry,
		     struct treesnap_result *r)
{
	struct strbuf text = STRBUF_INIT;
	struct strvec lines = STRVEC_INIT, listed = STRVEC_INIT,
		      seen = STRVEC_INIT;
	int ret = read_list(file, &text, &lines, &listed);

	walk.dir = dir;
	walk.base = strlen(dir);
	walk.out = NULL;
	walk.seen = &seen;
	if (!ret && nftw(dir, visit, 32, FTW_PHYS) != 0)
		ret = error("cannot read the tree '%s'", dir);
	for (size_t i = 0; !ret && i < seen.nr; i++)
		if (!strvec_has_sorted(&listed, seen.v[i]))
			strvec_push(&r->added, seen.v[i]);
	if (!ret && !dry)
		ret = remove_added(dir, &r->added);
	if (!ret)
		compare(dir, &lines, r);
	if (!ret && (r->changed.nr || r->missing.nr))
		ret = 1;
	strbuf_release(&text);
	strvec_clear(&lines);
	strvec_clear(&listed);
	strvec_clear(&seen);
	return ret;
}
