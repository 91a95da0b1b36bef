// SPDX-License-Identifier: GPL-2.0-or-later
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>

#include "pomctl/archive.h"
#include "pomctl/config.h"
#include "pomctl/safepath.h"
#include "pomctl/util.h"

/*
 * Reading an archive.  A compressed one is undone in a second thread: one
 * libarchive reader takes the gzip, bzip2 or xz off (format "raw") and
 * writes the tar into a pipe, the other reads the entries from the pipe.
 * On two CPUs the two overlap, as tar and its xz child do.
 */
struct reader {
	struct archive *a;   /* the entries */
	struct archive *raw; /* the thread's decompressor, or NULL */
	pthread_t thread;
	int pipe[2];
	atomic_bool failed; /* decompression stopped (the thread's) */
	char why[256];	    /* ... because of this, set before failed */
};

/* Why reading stopped: the decompressor's reason first, it comes first. */
static const char *reader_error(struct reader *r)
{
	if (r->raw && atomic_load(&r->failed))
		return r->why;
	return archive_error_string(r->a);
}

static struct archive *new_reader(const char *path, bool tar, bool filters)
{
	struct archive *a = archive_read_new();

	if (tar) {
		archive_read_support_format_tar(a);
		archive_read_support_format_gnutar(a);
	} else {
		archive_read_support_format_raw(a);
	}
	if (filters) {
		archive_read_support_filter_gzip(a);
		archive_read_support_filter_bzip2(a);
		archive_read_support_filter_xz(a);
	}
	if (path && archive_read_open_filename(a, path, 65536) != ARCHIVE_OK) {
		error("archive '%s' is damaged or truncated: %s", path,
		      archive_error_string(a));
		archive_read_free(a);
		return NULL;
	}
	return a;
}

static void *decompress(void *arg)
{
	struct reader *r = arg;
	sigset_t pipe_signal;
	const void *buf;
	size_t size;
	la_int64_t offset;
	int ret;

	/* a reader that stops early closes the pipe: EPIPE, not SIGPIPE */
	sigemptyset(&pipe_signal);
	sigaddset(&pipe_signal, SIGPIPE);
	pthread_sigmask(SIG_BLOCK, &pipe_signal, NULL);
	while ((ret = archive_read_data_block(r->raw, &buf, &size, &offset)) ==
	       ARCHIVE_OK)
		if (write_all(r->pipe[1], buf, size) < 0)
			break;
	if (ret != ARCHIVE_OK && ret != ARCHIVE_EOF) {
		snprintf(r->why, sizeof(r->why), "%s",
			 archive_error_string(r->raw));
		atomic_store(&r->failed, true);
	}
	close(r->pipe[1]);
	return NULL;
}

/*
 * Done reading (ret: how it went so far): the thread joined.  A stream
 * that stopped half way is damaged even when the entries read so far
 * looked whole.  Returns ret, or -1 (reported) for that.
 */
static int reader_close(struct reader *r, const char *path, int ret)
{
	archive_read_free(r->a);
	if (r->raw) {
		char rest[4096];

		/* after the last entry: the stream to its end (checksums) */
		while (!ret && read(r->pipe[0], rest, sizeof(rest)) > 0)
			;
		close(r->pipe[0]); /* a thread still writing stops */
		pthread_join(r->thread, NULL);
		archive_read_free(r->raw);
		if (atomic_load(&r->failed) && !ret)
			ret = error("archive '%s' is damaged or truncated: %s",
				    path, r->why);
	}
	return ret;
}

/*
 * Start the thread when the file is compressed: 0; -1 to read the file
 * directly; -2 when it cannot be read at all (reported).
 */
static int start_decompressing(struct reader *r, const char *path)
{
	struct archive_entry *e;

	r->raw = new_reader(path, false, true);
	if (!r->raw)
		return -2; /* reported */
	if (archive_filter_code(r->raw, 0) == ARCHIVE_FILTER_NONE ||
	    archive_read_next_header(r->raw, &e) != ARCHIVE_OK ||
	    pipe2(r->pipe, O_CLOEXEC) < 0)
		goto direct;
	fcntl(r->pipe[1], F_SETPIPE_SZ, 1 << 20);
	if (pthread_create(&r->thread, NULL, decompress, r) != 0) {
		close(r->pipe[0]);
		close(r->pipe[1]);
		goto direct;
	}
	/* opening reads the first block: the thread must be running */
	r->a = new_reader(NULL, true, false);
	if (archive_read_open_fd(r->a, r->pipe[0], 65536) == ARCHIVE_OK)
		return 0;
	error("archive '%s' is damaged or truncated: %s", path,
	      archive_error_string(r->a));
	reader_close(r, path, -1);
	return -2; /* reported */
direct:
	archive_read_free(r->raw);
	r->raw = NULL;
	return -1;
}

static int reader_open(struct reader *r, const char *path)
{
	memset(r, 0, sizeof(*r));
	atomic_init(&r->failed, false);
	if (access(path, R_OK) < 0)
		return error("cannot read archive '%s': %s", path,
			     strerror(errno));
	switch (start_decompressing(r, path)) {
	case 0:
		return 0;
	case -2:
		return -1;
	}
	r->a = new_reader(path, true, true);
	return r->a ? 0 : -1;
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

/* Where a symlink in entry's directory pointing at target ends up. */
static bool link_escapes(const char *entry, const char *target)
{
	const char *slash = strrchr(entry, '/');
	struct strbuf dir = STRBUF_INIT;
	int depth;

	if (slash)
		strbuf_add(&dir, entry, (size_t)(slash - entry));
	depth = depth_of(dir.buf, 0);
	strbuf_clear(&dir);
	return *target == '/' || depth < 0 || depth_of(target, depth) < 0;
}

/* NULL when the entry is safe to write; otherwise why it is not. */
static const char *unsafe(struct archive_entry *e)
{
	const char *name = archive_entry_pathname(e);
	const char *hard = archive_entry_hardlink(e);
	const char *sym = archive_entry_symlink(e);
	mode_t type = archive_entry_filetype(e);
	const char *why;

	if (!name)
		return "has no name";
	if ((why = relpath_check(name)))
		return why;
	if (hard && relpath_check(hard))
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
#define EXTRACT_FLAGS                                             \
	(ARCHIVE_EXTRACT_TIME | ARCHIVE_EXTRACT_SECURE_NODOTDOT | \
	 ARCHIVE_EXTRACT_SECURE_NOABSOLUTEPATHS)

/* The symbolic links extracted so far, by normalised path: a hash set. */
struct links {
	char **slot;
	size_t size; /* a power of two, or 0 */
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

	while (l->slot[i] &&
	       (strlen(l->slot[i]) != n || memcmp(l->slot[i], path, n)))
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

static void links_clear(struct links *l)
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

	strbuf_addprintable(&name, archive_entry_pathname(e));
	ret = error("archive '%s' is unsafe: entry '%s' %s; nothing was "
		    "extracted",
		    path, name.buf, why);
	strbuf_clear(&name);
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

/* What one extraction has written so far, against its limits. */
struct budget {
	const struct archive_limits *lim;
	unsigned long long packed; /* the archive file's size */
	unsigned long long bytes;
	unsigned long entries;
};

/* Below this, any ratio is fine: small archives of padded files. */
#define RATIO_FLOOR (64ULL << 20)

/* NULL when e fits in what is left; otherwise why it does not. */
static const char *over_budget(struct budget *b, struct archive_entry *e,
			       struct strbuf *why)
{
	la_int64_t size = archive_entry_size(e);

	b->bytes += size > 0 ? (unsigned long long)size : 0;
	strbuf_reset(why);
	if (++b->entries > b->lim->entries)
		strbuf_addf(why,
			    "is one entry more than the limit of %lu "
			    "([limits] extract_entries)",
			    b->lim->entries);
	else if (b->bytes > b->lim->bytes)
		strbuf_addf(why,
			    "takes the contents over the limit of %llu MiB "
			    "([limits] extract_mib)",
			    b->lim->bytes >> 20);
	else if (b->bytes > RATIO_FLOOR && b->packed &&
		 b->bytes / b->packed > b->lim->ratio)
		strbuf_addf(why,
			    "takes the contents over %lu times the "
			    "archive's size ([limits] extract_ratio): a "
			    "decompression bomb?",
			    b->lim->ratio);
	return why->len ? why->buf : NULL;
}

/* Every entry of in, checked, written by out (cwd: the temporary dir). */
static int extract_checked(const char *path, struct reader *rd,
			   struct archive *out, struct links *links,
			   struct budget *b)
{
	struct archive *in = rd->a;
	struct archive_entry *e;
	struct strbuf tmp = STRBUF_INIT;
	const char *why;
	int r, ret = 0;

	while (!ret && (r = archive_read_next_header(in, &e)) == ARCHIVE_OK) {
		if ((why = unsafe(e)) || (why = via_link(links, e, &tmp)) ||
		    (why = over_budget(b, e, &tmp)))
			ret = refuse(path, e, why);
		else if (archive_write_header(out, e) != ARCHIVE_OK)
			ret = cannot_write(path, out);
		else if ((r = archive_entry_size(e) > 0 ? copy_data(in, out) :
							  0))
			ret = r == LOCAL ?
				      cannot_write(path, out) :
				      error("archive '%s' is damaged or truncated: %s",
					    path, reader_error(rd));
		else if (archive_write_finish_entry(out) != ARCHIVE_OK)
			ret = cannot_write(path, out);
	}
	strbuf_clear(&tmp);
	if (!ret && r != ARCHIVE_EOF)
		ret = error("archive '%s' is damaged or truncated: %s", path,
			    reader_error(rd));
	return ret;
}

/*
 * Each link alone pointed inside; followed through one another (l1 ->
 * l0/.. with l0 -> .) they may not.  Every link of the extracted tree is
 * resolved as the kernel would, beneath the tree.
 */
static int links_stay_inside(const char *path, const struct links *l)
{
	struct strbuf where = STRBUF_INIT, name = STRBUF_INIT;
	int ret = 0;

	for (size_t i = 0; i < l->size && !ret; i++) {
		int r;

		if (!l->slot[i])
			continue;
		r = path_walk(".", l->slot[i], BENEATH_TREE, true, &where,
			      NULL);
		if (r == -EXDEV || r == -ELOOP) {
			strbuf_addprintable(&name, l->slot[i]);
			ret = error(
				"archive '%s' is unsafe: symbolic link '%s' "
				"leads %s; nothing was extracted",
				path, name.buf,
				r == -EXDEV ?
					"outside the archive through other links" :
					"round in a loop");
		}
	}
	strbuf_clear(&where);
	strbuf_clear(&name);
	return ret;
}

static int extract_entries(const char *path, struct reader *in,
			   struct archive *out,
			   const struct archive_limits *lim)
{
	struct links links = { NULL, 0, 0 };
	struct budget b = { lim, 0, 0, 0 };
	struct stat st;
	int ret;

	if (stat(path, &st) == 0)
		b.packed = (unsigned long long)st.st_size;
	ret = extract_checked(path, in, out, &links, &b);
	if (!ret)
		ret = links_stay_inside(path, &links);
	links_clear(&links);
	return ret;
}

/* Extract into tmp with it as the working directory, then come back. */
static int extract_into(const char *path, struct reader *in, const char *tmp,
			const struct archive_limits *lim)
{
	struct archive *out = archive_write_disk_new();
	int cwd = open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int ret;

	if (cwd < 0 || chdir(tmp) < 0) {
		error("cannot enter '%s': %s", tmp, strerror(errno));
		ret = LOCAL;
	} else {
		archive_write_disk_set_options(out, EXTRACT_FLAGS);
		ret = extract_entries(path, in, out, lim);
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
	strbuf_clear(&dir);
	strbuf_clear(&prefix);
	strbuf_clear(&stale);
}

static const struct archive_limits default_limits = ARCHIVE_LIMITS_DEFAULT;

int archive_extract(const char *path, const char *dest,
		    const struct archive_limits *lim)
{
	struct strbuf tmp = STRBUF_INIT;
	struct reader in;
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
	if (reader_open(&in, path) == 0) {
		ret = extract_into(path, &in, tmp.buf,
				   lim ? lim : &default_limits);
		ret = reader_close(&in, path, ret);
	}
	if (!ret && rename(tmp.buf, dest) < 0) {
		error("cannot rename '%s' to '%s': %s", tmp.buf, dest,
		      strerror(errno));
		ret = LOCAL;
	}
	if (ret)
		remove_tree(tmp.buf);
out:
	strbuf_clear(&tmp);
	return ret;
}

/*
 * The top directory of an archive extracted into dir before (the
 * extraction is renamed into place whole): its one entry, a directory.
 * 0, or -1 when dir holds anything else.
 */
static int extracted_top(const char *dir, struct strbuf *top)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	if (!d)
		return -1;
	strbuf_reset(top);
	while ((e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..") && !n++)
			strbuf_addstr(top, e->d_name);
	closedir(d);
	if (n == 1) {
		struct strbuf sub = STRBUF_INIT;
		bool ok;

		strbuf_addf(&sub, "%s/%s", dir, top->buf);
		ok = is_dir(sub.buf);
		strbuf_clear(&sub);
		if (ok)
			return 0;
	}
	return -1;
}

int archive_extract_top(const char *path, struct strbuf *dest,
			const struct archive_limits *lim)
{
	struct strbuf top = STRBUF_INIT;
	int ret = 0;

	/* extracted before: its top is there, the archive is not read again */
	if (!is_dir(dest->buf) || extracted_top(dest->buf, &top) < 0)
		ret = archive_top_dir(path, &top);
	if (!ret && !is_dir(dest->buf))
		ret = archive_extract(path, dest->buf, lim);
	strbuf_addf(dest, "/%s", top.buf);
	strbuf_clear(&top);
	return ret;
}

int archive_top_dir(const char *path, struct strbuf *top)
{
	struct reader in;
	struct archive *a;
	struct archive_entry *e;
	int r, ret = 0;

	if (reader_open(&in, path) < 0)
		return -1;
	a = in.a;
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
				    "directory ('%s' and '%.*s')",
				    path, top->buf, (int)n, name);
	}
	if (!ret && r != ARCHIVE_EOF)
		ret = error("archive '%s' is damaged or truncated: %s", path,
			    reader_error(&in));
	ret = reader_close(&in, path, ret);
	if (!ret && !top->len)
		ret = error("archive '%s' is empty", path);
	return ret;
}

void archive_limits_from_config(const struct config *cfg,
				struct archive_limits *lim)
{
	lim->bytes = (unsigned long long)config_get_uint(cfg, "limits",
							 "extract_mib")
		     << 20;
	lim->entries = config_get_uint(cfg, "limits", "extract_entries");
	lim->ratio = config_get_uint(cfg, "limits", "extract_ratio");
}

/* --- writing ---------------------------------------------------------------- */

/* One regular file into the archive as name: 0, or -1 (reported). */
static int write_entry(struct archive *a, const char *name, const char *file)
{
	struct archive_entry *e;
	struct stat st;
	char buf[65536];
	ssize_t n;
	int fd = open(file, O_RDONLY | O_NOFOLLOW | O_CLOEXEC), ret = 0;

	if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		if (fd >= 0)
			close(fd);
		return error("cannot read '%s' for the archive: %s", file,
			     fd < 0 ? strerror(errno) : "not a regular file");
	}
	e = archive_entry_new();
	archive_entry_set_pathname(e, name);
	archive_entry_set_filetype(e, AE_IFREG);
	archive_entry_set_perm(e, 0644);
	archive_entry_set_size(e, st.st_size);
	archive_entry_set_mtime(e, st.st_mtime, 0);
	if (archive_write_header(a, e) != ARCHIVE_OK)
		ret = error("cannot write '%s' into the archive: %s", name,
			    archive_error_string(a));
	while (!ret && (n = read(fd, buf, sizeof(buf))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 || archive_write_data(a, buf, (size_t)n) != n)
			ret = error("cannot write '%s' into the archive: %s",
				    name,
				    n < 0 ? strerror(errno) :
					    archive_error_string(a));
	}
	archive_entry_free(e);
	close(fd);
	return ret;
}

int archive_write_tar(const char *path, const struct strvec *names,
		      const struct strvec *files)
{
	struct strbuf tmp = STRBUF_INIT;
	struct archive *a = archive_write_new();
	int ret = 0;

	strbuf_addf(&tmp, "%s.tmp", path);
	unlink(tmp.buf);
	if (archive_write_set_format_pax_restricted(a) != ARCHIVE_OK ||
	    archive_write_open_filename(a, tmp.buf) != ARCHIVE_OK)
		ret = error("cannot write '%s': %s", tmp.buf,
			    archive_error_string(a));
	for (size_t i = 0; !ret && i < names->nr; i++)
		ret = write_entry(a, names->v[i], files->v[i]);
	if (archive_write_close(a) != ARCHIVE_OK && !ret)
		ret = error("cannot write '%s': %s", tmp.buf,
			    archive_error_string(a));
	archive_write_free(a);
	if (!ret && rename(tmp.buf, path) < 0)
		ret = error("cannot rename '%s' to '%s': %s", tmp.buf, path,
			    strerror(errno));
	if (ret)
		unlink(tmp.buf);
	strbuf_clear(&tmp);
	return ret;
}
