// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <linux/openat2.h>

#include "pomctl/safepath.h"
#include "pomctl/util.h"

#define MAX_LINKS 40 /* as the kernel's path walk */

const char *relpath_check(const char *path)
{
	const char *p = path;

	if (!*path)
		return "is empty";
	if (*path == '/')
		return "is an absolute path";
	if (strlen(path) > RELPATH_MAX)
		return "is too long";
	for (const char *c = path; *c; c++)
		if ((unsigned char)*c < 0x20 || *c == 0x7f)
			return "has a control character";
	while (*p) {
		const char *end = strchrnul(p, '/');
		size_t n = (size_t)(end - p);

		if (n == 2 && !strncmp(p, "..", 2))
			return "has a '..' component";
		if (n > NAME_MAX)
			return "has a component over 255 bytes";
		p = *end ? end + 1 : end;
	}
	return NULL;
}

const char *path_under(const char *base, const char *path)
{
	size_t n = strlen(base);

	while (n > 1 && base[n - 1] == '/')
		n--;
	if (strncmp(path, base, n) || path[n] != '/')
		return NULL;
	return path + n + 1;
}

const char *root_relative(const char *root, const char *path)
{
	const char *rest;

	if (!*root)
		return *path == '/' ? path : NULL;
	rest = path_under(root, path);
	return rest ? rest - 1 : NULL;
}

const char *root_own(const char *root, const char *path)
{
	const char *own = root_relative(root, path);

	return own ? own : path;
}

/* The first component of todo into c, and off todo. */
static void next_component(struct strbuf *todo, struct strbuf *c)
{
	size_t n = strcspn(todo->buf, "/");

	strbuf_reset(c);
	strbuf_add(c, todo->buf, n);
	while (todo->buf[n] == '/')
		n++;
	memmove(todo->buf, todo->buf + n, todo->len - n + 1);
	todo->len -= n;
}

static void drop_last(struct strbuf *done)
{
	char *slash = strrchr(done->buf, '/');

	strbuf_setlen(done, slash ? (size_t)(slash - done->buf) : 0);
}

/* todo becomes target + "/" + todo. */
static void splice_link(struct strbuf *todo, const char *target)
{
	struct strbuf sb = STRBUF_INIT;

	strbuf_addstr(&sb, target);
	if (todo->len)
		strbuf_addf(&sb, "/%s", todo->buf);
	strbuf_clear(todo);
	*todo = sb;
}

struct walk {
	int base; /* the base directory */
	enum beneath how;
	bool follow_last;
	struct strbuf todo, done, c;
	int links;
	bool diverged;
};

/*
 * One component of w->todo: 0 when taken, 1 when it was a link and its
 * target now heads todo, or a negative errno.
 */
static int walk_step(struct walk *w)
{
	char target[PATH_MAX];
	struct stat st;
	size_t keep = w->done.len;
	ssize_t n;

	next_component(&w->todo, &w->c);
	if (!w->c.len || !strcmp(w->c.buf, "."))
		return 0;
	if (!strcmp(w->c.buf, "..")) {
		if (!w->done.len && w->how == BENEATH_TREE)
			return -EXDEV;
		w->diverged |= !w->done.len;
		drop_last(&w->done);
		return 0;
	}
	strbuf_addf(&w->done, "%s%s", w->done.len ? "/" : "", w->c.buf);
	if (fstatat(w->base, w->done.buf, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return errno == ENOENT ? 0 : -errno;
	if (!S_ISLNK(st.st_mode) || (!w->todo.len && !w->follow_last))
		return 0;
	if (++w->links > MAX_LINKS)
		return -ELOOP;
	n = readlinkat(w->base, w->done.buf, target, sizeof(target) - 1);
	if (n < 0)
		return -errno;
	target[n] = '\0';
	strbuf_setlen(&w->done, keep);
	if (*target == '/') {
		if (w->how == BENEATH_TREE)
			return -EXDEV;
		w->diverged = true;
		strbuf_reset(&w->done);
	}
	splice_link(&w->todo, target);
	return 1;
}

int path_walk(const char *base, const char *rel, enum beneath how,
	      bool follow_last, struct strbuf *out, bool *diverged)
{
	struct walk w = { .how = how, .follow_last = follow_last };
	int ret = 0;

	w.base = open(base, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (w.base < 0)
		return -errno;
	strbuf_init(&w.todo);
	strbuf_init(&w.done);
	strbuf_init(&w.c);
	strbuf_addstr(&w.todo, rel);
	if (*rel == '/' && how == BENEATH_TREE)
		ret = -EXDEV;
	while (!ret && w.todo.len) {
		int r = walk_step(&w);

		ret = r < 0 ? r : 0;
	}
	close(w.base);
	if (!ret) {
		strbuf_reset(out);
		strbuf_add(out, w.done.buf, w.done.len);
	}
	if (diverged)
		*diverged = w.diverged;
	strbuf_clear(&w.todo);
	strbuf_clear(&w.done);
	strbuf_clear(&w.c);
	return ret;
}

static bool no_openat2; /* ENOSYS once: the kernel has none */

static int open_how(const char *base, const char *rel, int flags, mode_t mode,
		    enum beneath how)
{
	struct open_how oh = {
		.flags = (unsigned long long)(flags | O_CLOEXEC),
		.mode = (flags & (O_CREAT | O_TMPFILE)) ? mode : 0,
		.resolve = RESOLVE_NO_MAGICLINKS |
			   (how == BENEATH_ROOT ? RESOLVE_IN_ROOT :
						  RESOLVE_BENEATH),
	};
	int dir = open(base, O_PATH | O_DIRECTORY | O_CLOEXEC);
	long fd;

	if (dir < 0)
		return -errno;
	do
		fd = syscall(SYS_openat2, dir, rel, &oh, sizeof(oh));
	while (fd < 0 && errno == EAGAIN);
	if (fd < 0)
		fd = -errno;
	close(dir);
	return (int)fd;
}

int open_beneath_walk(const char *base, const char *rel, int flags, mode_t mode,
		      enum beneath how)
{
	struct strbuf where = STRBUF_INIT;
	bool follow = !(flags & O_NOFOLLOW);
	int dir, fd = path_walk(base, rel, how, follow, &where, NULL);

	if (fd < 0)
		goto out;
	dir = open(base, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (dir < 0) {
		fd = -errno;
		goto out;
	}
	/* the walk left no link: one appearing now is a race, refused */
	fd = openat(dir, where.len ? where.buf : ".",
		    flags | O_NOFOLLOW | O_CLOEXEC, mode);
	if (fd < 0)
		fd = -errno;
	close(dir);
out:
	strbuf_clear(&where);
	return fd;
}

int open_beneath(const char *base, const char *rel, int flags, mode_t mode,
		 enum beneath how)
{
	int fd;

	if (!no_openat2) {
		fd = open_how(base, rel, flags, mode, how);
		if (fd != -ENOSYS)
			return fd;
		no_openat2 = true;
	}
	return open_beneath_walk(base, rel, flags, mode, how);
}

int read_beneath(const char *base, const char *rel, size_t max,
		 enum beneath how, struct strbuf *sb)
{
	int fd = open_beneath(base, rel, O_RDONLY, 0, how);
	int ret;

	if (fd < 0)
		return fd;
	ret = read_fd(fd, max, sb);
	close(fd);
	return ret;
}

void root_path(struct strbuf *sb, const char *root, const char *path)
{
	struct strbuf rel = STRBUF_INIT;
	bool diverged = false;

	strbuf_reset(sb);
	if (!root || !*root || !strcmp(root, "/")) {
		strbuf_addstr(sb, path);
		return;
	}
	strbuf_addstr(sb, root);
	/*
	 * Where plain resolution of ROOT/path would leave the root (an
	 * absolute link, ".." above it), the path as resolved in the root;
	 * otherwise as joined, links and all, as the user knows it.  When
	 * the walk fails (a loop), the kernel's own open fails the same way.
	 */
	if (path_walk(root, path, BENEATH_ROOT, true, &rel, &diverged) == 0 &&
	    diverged)
		strbuf_addf(sb, "/%s", rel.buf);
	else
		strbuf_addstr(sb, path);
	strbuf_clear(&rel);
}

int root_resolve(const char *root, const char *path, struct strbuf *sb)
{
	struct strbuf rel = STRBUF_INIT;
	const char *base = root && *root ? root : "/";
	int ret = path_walk(base, path, BENEATH_ROOT, true, &rel, NULL);

	strbuf_reset(sb);
	if (!ret)
		strbuf_addf(sb, "%s/%s", strcmp(base, "/") ? base : "",
			    rel.buf);
	strbuf_clear(&rel);
	return ret;
}
