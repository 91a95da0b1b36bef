// SPDX-License-Identifier: GPL-2.0-or-later
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>

#include "pomctl/archive.h"
#include "pomctl/util.h"


static struct archive *open_archive(const char *path)
{
	struct archive *a;

	if (access(path, R_OK) < 0) {
		error("cannot read archive '%s': %s", path, strerror(errno));
		return NULL;
	}
	a = archive_read_new();
	archive_read_support_format_tar(a);
	archive_read_support_format_gnutar(a);
	archive_read_support_filter_gzip(a);
	archive_read_support_filter_bzip2(a);
	archive_read_support_filter_xz(a);
	if (archive_read_open_filename(a, path, 65536) != ARCHIVE_OK) {
		error("archive '%s' is damaged or truncated: %s", path,
		      archive_error_string(a));
		archive_read_free(a);
		return NULL;
	}
	return a;
}

/* An entry name, printable: control bytes become '?'. */
static void printable(const char *s, struct strbuf *sb)
{
	strbuf_reset(sb);
	for (; s && *s; s++)
		strbuf_addch(sb, (unsigned char)*s < 0x20 || *s == 0x7f ?
				 '?' : *s);
}

/*
 * The depth a relative path reaches below its start, walking its
 * components; -1 as soon as ".." climbs above the start.
 */
static int depth_of(const char *path, int depth)
{
	while (*path) {
		const char *end = strchrnul(path, '/');
		size_t n = (size_t)(end - path);

		if (n == 2 && !strncmp(path, "..", 2))
			depth--;
		else if (n && !(n == 1 && *path == '.'))
			depth++;
		if (depth < 0)
			return -1;
		path = *end ? end + 1 : end;
	}
	return depth;
}

static bool has_dotdot(const char *path)
{
	for (const char *p = path; (p = strstr(p, "..")); p += 2)
		if ((p == path || p[-1] == '/') && (p[2] == '/' || !p[2]))
			return true;
	return false;
}

/* Where a symlink in entry's directory pointing at target ends up. */
static bool link_escapes(const char *entry, const char *target)
{
	const char *slash = strrchr(entry, '/');
	struct strbuf dir = STRBUF_INIT;
	int depth;

	if (slash)
		strbuf_add(&dir, entry, (size_t)(slash - entry));
	depth = depth_of(dir.buf, 0);
	strbuf_release(&dir);
	return *target == '/' || depth < 0 || depth_of(target, depth) < 0;
}

/* NULL when the entry is safe to write; otherwise why it is not. */
static const char *unsafe(struct archive_entry *e)
{
	const char *name = archive_entry_pathname(e);
	const char *hard = archive_entry_hardlink(e);
	const char *sym = archive_entry_symlink(e);
	mode_t type = archive_entry_filetype(e);

	if (!name || !*name)
		return "has no name";
	if (*name == '/')
		return "has an absolute path";
	if (has_dotdot(name))
		return "has a '..' component";
	if (hard && (*hard == '/' || has_dotdot(hard)))
		return "is a hard link to outside the archive";
	if (type == AE_IFLNK && (!sym || link_escapes(name, sym)))
		return "is a symbolic link pointing outside the archive";
	if (!hard && type != AE_IFREG && type != AE_IFDIR && type != AE_IFLNK)
		return "is a device node, FIFO or socket";
	if (archive_entry_mode(e) & (S_ISUID | S_ISGID))
		return "has a set-user-id or set-group-id bit";
	return NULL;
}

/*
 * libarchive's ARCHIVE_EXTRACT_SECURE_SYMLINKS is not among the flags: it
 * opens and lstat()s every directory of every entry's path, eight system
 * calls an entry, which made extracting a kernel source twice as slow as
 * tar.  Its rule is kept in memory instead (struct links below): nothing is
 * written through a symbolic link the archive itself created.  The
 * temporary directory is new and private, so it holds no other links.
 */
#define EXTRACT_FLAGS \
	(ARCHIVE_EXTRACT_TIME | \
	 ARCHIVE_EXTRACT_SECURE_NODOTDOT | \
	 ARCHIVE_EXTRACT_SECURE_NOABSOLUTEPATHS)

/* The symbolic links extracted so far, by normalised path: a hash set. */
struct links {
	char **slot;
	size_t size;		/* a power of two, or 0 */
	size_t nr;
};

static size_t path_hash(const char *s, size_t n)
{
	size_t h = 14695981039346656037ULL;

	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 1099511628211ULL;
	return h;
}

/* The slot holding the first n bytes of path, or the empty one for them. */
static char **links_slot(const struct links *l, const char *path, size_t n)
{
	size_t i = path_hash(path, n) & (l->size - 1);

	while (l->slot[i] && (strlen(l->slot[i]) != n ||
			      memcmp(l->slot[i], path, n)))
		i = (i + 1) & (l->size - 1);
	return &l->slot[i];
}

static bool links_has(const struct links *l, const char *path, size_t n)
{
	return l->nr && *links_slot(l, path, n);
}

static void links_add(struct links *l, const char *path)
{
	char **slot;

	if (2 * (l->nr + 1) > l->size) {
		struct links bigger = { NULL, l->size ? 2 * l->size : 64,
					l->nr };

		bigger.slot = xcalloc(bigger.size, sizeof(*bigger.slot));
		for (size_t i = 0; i < l->size; i++)
			if (l->slot[i])
				*links_slot(&bigger, l->slot[i],
					    strlen(l->slot[i])) = l->slot[i];
		free(l->slot);
		*l = bigger;
	}
	slot = links_slot(l, path, strlen(path));
	if (!*slot) {
		*slot = xstrdup(path);
		l->nr++;
	}
}

static void links_release(struct links *l)
{
	for (size_t i = 0; i < l->size; i++)
		free(l->slot[i]);
	free(l->slot);
}

/* name without "." and empty components: "./a//b/./c" -> "a/b/c". */
static void normalise(const char *name, struct strbuf *sb)
{
	strbuf_reset(sb);
	while (*name) {
		const char *end = strchrnul(name, '/');
		size_t n = (size_t)(end - name);

		if (n && !(n == 1 && *name == '.')) {
			if (sb->len)
				strbuf_addch(sb, '/');
			strbuf_add(sb, name, n);
		}
		name = *end ? end + 1 : end;
	}
}

/*
 * Whether the normalised path goes through one of the links: one of its
 * directories is one (or, when whole, the path itself is).
 */
static bool through_link(const struct links *l, const struct strbuf *path,
			 bool whole)
{
	for (size_t i = 0; i < path->len; i++)
		if (path->buf[i] == '/' && links_has(l, path->buf, i))
			return true;
	return whole && links_has(l, path->buf, path->len);
}

/*
 * NULL when writing the entry goes through none of the links extracted so
 * far (it is added when it is one itself); otherwise why it does.
 */
static const char *via_link(struct links *l, struct archive_entry *e,
			    struct strbuf *tmp)
{
	const char *hard = archive_entry_hardlink(e);

	if (hard) {
		normalise(hard, tmp);
		if (through_link(l, tmp, true))
			return "is a hard link through a symbolic link";
	}
	normalise(archive_entry_pathname(e), tmp);
	if (through_link(l, tmp, false))
		return "is under a symbolic link of the archive";
	if (links_has(l, tmp->buf, tmp->len))
		return "replaces a symbolic link of the archive";
	if (archive_entry_filetype(e) == AE_IFLNK && !hard)
		links_add(l, tmp->buf);
	return NULL;
}

/* 0, -1 when reading failed, LOCAL when writing did. */
#define LOCAL ARCHIVE_EXTRACT_LOCAL
static int copy_data(struct archive *in, struct archive *out)
{
	const void *buf;
	size_t size;
	la_int64_t offset;
	int r;

	while ((r = archive_read_data_block(in, &buf, &size, &offset)) ==
	       ARCHIVE_OK)
		if (archive_write_data_block(out, buf, size, offset) !=
		    ARCHIVE_OK)
			return LOCAL;
	return r == ARCHIVE_EOF ? 0 : -1;
}

static int refuse(const char *path, struct archive_entry *e, const char *why)
{
	struct strbuf name = STRBUF_INIT;
	int ret;

	printable(archive_entry_pathname(e), &name);
	ret = error("archive '%s' is unsafe: entry '%s' %s; nothing was "
		    "extracted", path, name.buf, why);
	strbuf_release(&name);
	return ret;
}

/* Writing failed (a full disk, a quota): reported, LOCAL. */
static int cannot_write(const char *path, struct archive *out)
{
	int err = archive_errno(out);

	error("cannot extract '%s': %s%s%s", path, archive_error_string(out),
	      err > 0 ? ": " : "", err > 0 ? strerror(err) : "");
	return LOCAL;
}

/* Every entry of in, checked, written by out (cwd: the temporary dir). */
static int extract_checked(const char *path, struct archive *in,
			   struct archive *out, struct links *links,
			   struct strbuf *tmp)
{
	struct archive_entry *e;
	const char *why;
	int r;

	while ((r = archive_read_next_header(in, &e)) == ARCHIVE_OK) {
		if ((why = unsafe(e)) || (why = via_link(links, e, tmp)))
			return refuse(path, e, why);
		if (archive_write_header(out, e) != ARCHIVE_OK)
			return cannot_write(path, out);
		r = archive_entry_size(e) > 0 ? copy_data(in, out) : 0;
		if (r == LOCAL)
			return cannot_write(path, out);
		if (r < 0)
			return error("archive '%s' is damaged or truncated: %s",
				     path, archive_error_string(in));
		if (archive_write_finish_entry(out) != ARCHIVE_OK)
			return cannot_write(path, out);
	}
	if (r != ARCHIVE_EOF)
		return error("archive '%s' is damaged or truncated: %s", path,
			     archive_error_string(in));
	return 0;
}

static int extract_entries(const char *path, struct archive *in,
			   struct archive *out)
{
	struct links links = { NULL, 0, 0 };
	struct strbuf tmp = STRBUF_INIT;
	int ret = extract_checked(path, in, out, &links, &tmp);

	links_release(&links);
	strbuf_release(&tmp);
	return ret;
}

/* Extract into tmp with it as the working directory, then come back. */
static int extract_into(const char *path, struct archive *in, const char *tmp)
{
	struct archive *out = archive_write_disk_new();
	int cwd = open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int ret;

	if (cwd < 0 || chdir(tmp) < 0) {
		error("cannot enter '%s': %s", tmp, strerror(errno));
		ret = LOCAL;
	} else {
		archive_write_disk_set_options(out, EXTRACT_FLAGS);
		ret = extract_entries(path, in, out);
		if (archive_write_close(out) != ARCHIVE_OK && !ret)
			ret = cannot_write(path, out);
	}
	if (cwd >= 0) {
		if (fchdir(cwd) < 0 && !ret) {
			error("cannot return to the working directory: %s",
			      strerror(errno));
			ret = LOCAL;
		}
		close(cwd);
	}
	archive_write_free(out);
	return ret;
}

/*
 * DEST.tmp-XXXXXX directories of an extraction that a killed pomctl left
 * behind (callers hold the state lock, or extract into a fresh directory
 * of their own): removed before extracting again.
 */
static void remove_stale_temps(const char *dest)
{
	const char *slash = strrchr(dest, '/');
	const char *base = slash ? slash + 1 : dest;
	struct strbuf dir = STRBUF_INIT, prefix = STRBUF_INIT,
		      stale = STRBUF_INIT;
	struct dirent *e;
	DIR *d;

	strbuf_add(&dir, dest, slash ? (size_t)(slash - dest) : 0);
	if (!dir.len)
		strbuf_addstr(&dir, slash ? "/" : ".");
	strbuf_addf(&prefix, "%s.tmp-", base);
	d = opendir(dir.buf);
	while (d && (e = readdir(d))) {
		if (strncmp(e->d_name, prefix.buf, prefix.len) ||
		    strlen(e->d_name) != prefix.len + 6)
			continue;
		strbuf_reset(&stale);
		strbuf_addf(&stale, "%s/%s", dir.buf, e->d_name);
		remove_tree(stale.buf);
	}
	if (d)
		closedir(d);
	strbuf_release(&dir);
	strbuf_release(&prefix);
	strbuf_release(&stale);
}

int archive_extract(const char *path, const char *dest)
{
	struct strbuf tmp = STRBUF_INIT;
	struct archive *in;
	int ret = -1;

	if (path_exists(dest))
		return error("cannot extract '%s': '%s' exists already", path,
			     dest);
	remove_stale_temps(dest);
	strbuf_addf(&tmp, "%s.tmp-XXXXXX", dest);
	if (!mkdtemp(tmp.buf)) {
		error("cannot create '%s': %s", tmp.buf, strerror(errno));
		ret = LOCAL;
		goto out;
	}
	in = open_archive(path);
	if (in) {
		ret = extract_into(path, in, tmp.buf);
		archive_read_free(in);
	}
	if (!ret && rename(tmp.buf, dest) < 0) {
		error("cannot rename '%s' to '%s': %s", tmp.buf, dest,
		      strerror(errno));
		ret = LOCAL;
	}
	if (ret)
		remove_tree(tmp.buf);
out:
	strbuf_release(&tmp);
	return ret;
}

int archive_top_dir(const char *path, struct strbuf *top)
{
	struct archive *a = open_archive(path);
	struct archive_entry *e;
	int r, ret = 0;

	if (!a)
		return -1;
	strbuf_reset(top);
	while (!ret && (r = archive_read_next_header(a, &e)) == ARCHIVE_OK) {
		const char *name = archive_entry_pathname(e);
		size_t n;

		while (!strncmp(name, "./", 2))
			name += 2;
		n = strcspn(name, "/");
		if (!top->len && n)
			strbuf_add(top, name, n);
		else if (n && (n != top->len || strncmp(name, top->buf, n)))
			ret = error("archive '%s' has more than one top-level "
				    "directory ('%s' and '%.*s')", path,
				    top->buf, (int)n, name);
	}
	if (!ret && r != ARCHIVE_EOF)
		ret = error("archive '%s' is damaged or truncated: %s", path,
			    archive_error_string(a));
	if (!ret && !top->len)
		ret = error("archive '%s' is empty", path);
	archive_read_free(a);
	return ret;
}
