// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <libgen.h>
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
	strbuf_clear(&path);
}

/* nftw carries no pointer: the walk in progress. */
static struct {
	const char *dir;
	size_t base;
	struct strbuf *out;  /* take: the list */
	struct strvec *seen; /* restore, shelving: every path, parents first */
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
	strbuf_clear(&out);
	return ret;
}

void treesnap_result_init(struct treesnap_result *r)
{
	strvec_init(&r->added);
	strvec_init(&r->changed);
	strvec_init(&r->missing);
}

void treesnap_result_clear(struct treesnap_result *r)
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
	strbuf_clear(&path);
	return 0;
}

int treesnap_paths(const char *file, struct strvec *paths)
{
	struct strbuf text = STRBUF_INIT;
	struct strvec lines = STRVEC_INIT;
	int ret = read_list(file, &text, &lines, paths);

	strbuf_clear(&text);
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
	strbuf_clear(&path);
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
	strbuf_clear(&now);
	strbuf_clear(&path);
	strbuf_clear(&rel);
}

int treesnap_restore(const char *dir, const char *file, bool plan_only,
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
	if (!ret && !plan_only)
		ret = remove_added(dir, &r->added);
	if (!ret)
		compare(dir, &lines, r);
	if (!ret && (r->changed.nr || r->missing.nr))
		ret = 1;
	strbuf_clear(&text);
	strvec_clear(&lines);
	strvec_clear(&listed);
	strvec_clear(&seen);
	return ret;
}

/* --- the shelf ------------------------------------------------------------ */

/* Every path under dir, parents first, into seen: 0 or -1 (reported). */
static int walk_paths(const char *dir, struct strvec *seen)
{
	walk.dir = dir;
	walk.base = strlen(dir);
	walk.out = NULL;
	walk.seen = seen;
	if (nftw(dir, visit, 32, FTW_PHYS) != 0)
		return error("cannot read the tree '%s': %s", dir,
			     errno ? strerror(errno) :
				     "a name it cannot record");
	return 0;
}

/*
 * src to dst (a new name): renamed, or across file systems copied with
 * its mode and times (a link made again); src is gone after.
 */
static int move_keeping(const char *src, const char *dst)
{
	struct timespec times[2];
	struct stat st;
	char target[4096];
	ssize_t n;
	int ret;

	if (rename(src, dst) == 0)
		return 0;
	if (errno != EXDEV || lstat(src, &st) < 0)
		return error("cannot move '%s' to '%s': %s", src, dst,
			     strerror(errno));
	if (S_ISLNK(st.st_mode)) {
		n = readlink(src, target, sizeof(target) - 1);
		target[n < 0 ? 0 : n] = '\0';
		ret = n < 0 || symlink(target, dst) < 0 ?
			      error("cannot move the link '%s' to '%s': %s",
				    src, dst, strerror(errno)) :
			      0;
	} else {
		ret = copy_file_atomic(src, dst, st.st_mode & 07777);
		times[0] = st.st_atim;
		times[1] = st.st_mtim;
		if (!ret && utimensat(AT_FDCWD, dst, times, 0) < 0)
			ret = error("cannot set the times of '%s': %s", dst,
				    strerror(errno));
	}
	if (!ret && unlink(src) < 0)
		ret = error("cannot remove '%s': %s", src, strerror(errno));
	return ret;
}

/* The links' paths gone from dir that were shipped, onto the shelf. */
static int shelve_gone(const char *dir, const char *links, const char *shelf,
		       const struct strvec *shipped)
{
	struct strvec paths = STRVEC_INIT;
	struct strbuf now = STRBUF_INIT, link = STRBUF_INIT, kept = STRBUF_INIT;
	int ret = walk_paths(links, &paths);

	for (size_t i = 0; !ret && i < paths.nr; i++) {
		struct stat st;

		strbuf_reset(&now);
		strbuf_reset(&link);
		strbuf_reset(&kept);
		strbuf_addf(&now, "%s/%s", dir, paths.v[i]);
		strbuf_addf(&link, "%s/%s", links, paths.v[i]);
		strbuf_addf(&kept, "%s/%s", shelf, paths.v[i]);
		if (lstat(now.buf, &st) == 0 || errno != ENOENT ||
		    !treesnap_has(shipped, paths.v[i]) || path_exists(kept.buf))
			continue; /* still there, not shipped, or kept */
		if (lstat(link.buf, &st) < 0)
			continue;
		ret = mkdir_parent(kept.buf, 0700);
		if (!ret && S_ISDIR(st.st_mode))
			ret = mkdir(kept.buf, 0700) < 0 && errno != EEXIST ?
				      error("cannot make '%s': %s", kept.buf,
					    strerror(errno)) :
				      0;
		else if (!ret)
			ret = move_keeping(link.buf, kept.buf);
	}
	strvec_clear(&paths);
	strbuf_clear(&now);
	strbuf_clear(&link);
	strbuf_clear(&kept);
	return ret;
}

/* The links beside dir (while a cleaning make runs). */
static char *links_of(const char *dir)
{
	struct strbuf sb = STRBUF_INIT;
	char *copy = xstrdup(dir);
	const char *base = strrchr(dir, '/');

	strbuf_addf(&sb, "%s/.%s.pomctl-shelving", dirname(copy),
		    base ? base + 1 : dir);
	free(copy);
	return strbuf_detach(&sb);
}

int treesnap_shelf_recover(const char *dir, const char *shelf,
			   const struct strvec *shipped)
{
	char *links = links_of(dir);
	int ret = 0;

	if (is_dir(links)) {
		ret = shelve_gone(dir, links, shelf, shipped);
		if (!ret && remove_tree(links) < 0)
			ret = error("cannot remove '%s': %s", links,
				    strerror(errno));
	}
	free(links);
	return ret;
}

int treesnap_shelf_begin(struct treesnap_shelf *s, const char *dir,
			 const char *shelf, const struct strvec *shipped)
{
	struct strvec paths = STRVEC_INIT;
	struct strbuf from = STRBUF_INIT, to = STRBUF_INIT;
	/* an interrupted make's links first: what it deleted is kept */
	int ret = treesnap_shelf_recover(dir, shelf, shipped);

	if (ret)
		return ret; /* its links stay: what they keep is not lost */
	s->dir = xstrdup(dir);
	s->shelf = xstrdup(shelf);
	s->links = links_of(dir);
	if (mkdir(s->links, 0700) < 0)
		ret = error("cannot make '%s': %s", s->links, strerror(errno));
	if (!ret)
		ret = walk_paths(dir, &paths);
	for (size_t i = 0; !ret && i < paths.nr; i++) {
		struct stat st;

		strbuf_reset(&from);
		strbuf_reset(&to);
		strbuf_addf(&from, "%s/%s", dir, paths.v[i]);
		strbuf_addf(&to, "%s/%s", s->links, paths.v[i]);
		if (lstat(from.buf, &st) < 0)
			continue; /* gone while we looked */
		if (!(S_ISDIR(st.st_mode) ? mkdir(to.buf, 0700) < 0 :
					    linkat(AT_FDCWD, from.buf, AT_FDCWD,
						   to.buf, 0) < 0))
			continue;
		/* a tree that is a mount point of its own: no links */
		ret = errno == EXDEV ? 1 :
				       error("cannot link '%s' beside the tree "
					     "(%s)",
					     from.buf, strerror(errno));
	}
	if (ret) {
		remove_tree(s->links);
		free(s->dir);
		free(s->links);
		free(s->shelf);
	}
	strvec_clear(&paths);
	strbuf_clear(&from);
	strbuf_clear(&to);
	return ret;
}

int treesnap_shelf_end(struct treesnap_shelf *s, const struct strvec *shipped)
{
	int ret = shelve_gone(s->dir, s->links, s->shelf, shipped);

	if (!ret && remove_tree(s->links) < 0)
		ret = error("cannot remove '%s': %s", s->links,
			    strerror(errno));
	free(s->dir);
	free(s->links);
	free(s->shelf);
	return ret;
}

int treesnap_unshelve(const char *dir, const char *shelf, bool plan_only,
		      struct strvec *back)
{
	struct strvec paths = STRVEC_INIT;
	struct strbuf from = STRBUF_INIT, to = STRBUF_INIT;
	int ret = 0;

	if (!is_dir(shelf))
		return 0;
	ret = walk_paths(shelf, &paths);
	for (size_t i = 0; !ret && i < paths.nr; i++) {
		struct stat st;

		strbuf_reset(&from);
		strbuf_reset(&to);
		strbuf_addf(&from, "%s/%s", shelf, paths.v[i]);
		strbuf_addf(&to, "%s/%s", dir, paths.v[i]);
		if (lstat(from.buf, &st) < 0)
			continue;
		if (S_ISDIR(st.st_mode)) {
			if (!plan_only && !is_dir(to.buf) &&
			    mkdir(to.buf, 0755) < 0)
				ret = error("cannot make '%s': %s", to.buf,
					    strerror(errno));
			continue;
		}
		strvec_push(back, paths.v[i]);
		if (plan_only)
			continue;
		/* what the run made there instead goes */
		if (lstat(to.buf, &st) == 0 &&
		    (S_ISDIR(st.st_mode) ? remove_tree(to.buf) :
					   unlink(to.buf)) < 0)
			ret = error("cannot remove '%s': %s", to.buf,
				    strerror(errno));
		if (!ret)
			ret = move_keeping(from.buf, to.buf);
	}
	if (!ret && !plan_only)
		ret = remove_tree(shelf);
	strvec_clear(&paths);
	strbuf_clear(&from);
	strbuf_clear(&to);
	return ret;
}
