// SPDX-License-Identifier: GPL-2.0-or-later
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <linux/fs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "pomctl/util.h"

int read_fd(int fd, size_t max, struct strbuf *sb)
{
	struct stat st;
	ssize_t n;
	size_t total = 0;

	if (fstat(fd, &st) < 0)
		return -errno;
	if (!S_ISREG(st.st_mode))
		return S_ISDIR(st.st_mode) ? -EISDIR : -EINVAL;
	for (;;) {
		strbuf_grow(sb, 8192);
		n = read(fd, sb->buf + sb->len, 8192);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			return 0;
		total += (size_t)n;
		if (total > max)
			return -EFBIG;
		sb->len += (size_t)n;
		sb->buf[sb->len] = '\0';
	}
}

int read_file(const char *path, size_t max, bool nofollow, struct strbuf *sb)
{
	int flags = O_RDONLY | O_CLOEXEC | (nofollow ? O_NOFOLLOW : 0);
	int fd = open(path, flags);
	int err;

	if (fd < 0)
		return -errno;
	err = read_fd(fd, max, sb);
	close(fd);
	return err;
}

int write_all(int fd, const void *data, size_t len)
{
	const char *p = data;

	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static int fsync_dir_of(const char *path)
{
	struct strbuf dir = STRBUF_INIT;
	const char *slash = strrchr(path, '/');
	int fd, ret = 0;

	if (slash == path)
		strbuf_addstr(&dir, "/");
	else if (slash)
		strbuf_add(&dir, path, (size_t)(slash - path));
	else
		strbuf_addstr(&dir, ".");
	fd = open(dir.buf, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || fsync(fd) < 0)
		ret = -1;
	if (fd >= 0)
		close(fd);
	strbuf_clear(&dir);
	return ret;
}

/*
 * path.tmp, fsync, rename over path, fsync of the directory.  The new file
 * gets exactly mode (the umask aside) and, when like is given, like's
 * owner and group.
 */
static int write_atomic(const char *path, const void *data, size_t len,
			mode_t mode, const struct stat *like)
{
	struct strbuf tmp = STRBUF_INIT;
	int fd, ret = -1;

	strbuf_addf(&tmp, "%s.tmp", path);
	/* A leftover from a crash is garbage by definition. */
	if (unlink(tmp.buf) < 0 && errno != ENOENT) {
		error("cannot remove '%s': %s", tmp.buf, strerror(errno));
		goto out;
	}
	fd = open(tmp.buf, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
		  mode & 0600);
	if (fd < 0) {
		error("cannot create '%s': %s", tmp.buf, strerror(errno));
		goto out;
	}
	if ((like && fchown(fd, like->st_uid, like->st_gid) < 0) ||
	    fchmod(fd, mode) < 0 || write_all(fd, data, len) < 0 ||
	    fsync(fd) < 0) {
		error("cannot write '%s': %s", tmp.buf, strerror(errno));
		close(fd);
		unlink(tmp.buf);
		goto out;
	}
	close(fd);
	if (rename(tmp.buf, path) < 0) {
		error("cannot rename '%s' to '%s': %s", tmp.buf, path,
		      strerror(errno));
		unlink(tmp.buf);
		goto out;
	}
	if (fsync_dir_of(path) < 0) {
		error("cannot sync the directory of '%s': %s", path,
		      strerror(errno));
		goto out;
	}
	ret = 0;
out:
	strbuf_clear(&tmp);
	return ret;
}

int write_file_atomic(const char *path, const void *data, size_t len,
		      mode_t mode)
{
	mode_t mask = umask(0);

	umask(mask);
	return write_atomic(path, data, len, mode & ~mask, NULL);
}

int write_file_keep(const char *path, const void *data, size_t len, mode_t mode)
{
	struct stat st;

	if (lstat(path, &st) < 0 || !S_ISREG(st.st_mode))
		return write_file_atomic(path, data, len, mode);
	return write_atomic(path, data, len, st.st_mode & 07777, &st);
}

static int copy_fd(int in, int out)
{
	char buf[65536];
	ssize_t n;

	while ((n = read(in, buf, sizeof(buf))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 || write_all(out, buf, (size_t)n) < 0)
			return -1;
	}
	return 0;
}

int copy_file_atomic(const char *src, const char *dst, mode_t mode)
{
	struct strbuf tmp = STRBUF_INIT;
	int in = open(src, O_RDONLY | O_CLOEXEC), out = -1, ret = -1;

	strbuf_addf(&tmp, "%s.tmp", dst);
	if (in < 0) {
		error("cannot open '%s': %s", src, strerror(errno));
		goto done;
	}
	unlink(tmp.buf);
	out = open(tmp.buf,
		   O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
	if (out < 0)
		error("cannot create '%s': %s", tmp.buf, strerror(errno));
	else if (fchmod(out, mode) <
		 0) /* as asked: not as the umask trims it */
		error("cannot set the mode of '%s': %s", tmp.buf,
		      strerror(errno));
	else if (copy_fd(in, out) < 0 || fsync(out) < 0)
		error("cannot copy '%s' to '%s': %s", src, tmp.buf,
		      strerror(errno));
	else if (rename(tmp.buf, dst) < 0)
		error("cannot rename '%s' to '%s': %s", tmp.buf, dst,
		      strerror(errno));
	else
		ret = 0;
done:
	if (out >= 0)
		close(out);
	if (in >= 0)
		close(in);
	if (ret)
		unlink(tmp.buf);
	strbuf_clear(&tmp);
	return ret;
}

int mkdir_p(const char *path, mode_t mode)
{
	struct strbuf sb = STRBUF_INIT;
	int ret = 0;

	strbuf_addstr(&sb, path);
	for (char *p = sb.buf + 1; ret == 0; p++) {
		char c = *p;

		if (c != '/' && c != '\0')
			continue;
		*p = '\0';
		if (mkdir(sb.buf, mode) < 0 && errno != EEXIST)
			ret = error("cannot create directory '%s': %s", sb.buf,
				    strerror(errno));
		else if (!is_dir(sb.buf))
			ret = error("'%s' exists and is not a directory",
				    sb.buf);
		*p = c;
		if (c == '\0')
			break;
	}
	strbuf_clear(&sb);
	return ret;
}

bool path_exists(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0;
}

int mkdir_parent(const char *path, mode_t mode)
{
	struct strbuf dir = STRBUF_INIT;
	const char *slash = strrchr(path, '/');
	int ret = 0;

	if (slash && slash != path) {
		strbuf_add(&dir, path, (size_t)(slash - path));
		ret = mkdir_p(dir.buf, mode);
	}
	strbuf_clear(&dir);
	return ret;
}

int list_dir(const char *dir, struct strvec *out)
{
	struct dirent **names;
	int n = scandir(dir, &names, NULL, alphasort);

	if (n < 0)
		return -1;
	for (int i = 0; i < n; i++) {
		if (strcmp(names[i]->d_name, ".") &&
		    strcmp(names[i]->d_name, ".."))
			strvec_push(out, names[i]->d_name);
		free(names[i]);
	}
	free(names);
	return 0;
}

int write_file_scratch(const char *path, const void *data, size_t len)
{
	int fd = open(path,
		      O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
		      0600);

	if (fd < 0 || write_all(fd, data, len) < 0) {
		error("cannot write '%s': %s", path, strerror(errno));
		if (fd >= 0) {
			close(fd);
			unlink(path);
		}
		return -1;
	}
	close(fd);
	return 0;
}

int copy_file_scratch(const char *src, const char *dst)
{
	int in = open(src, O_RDONLY | O_CLOEXEC), out = -1, ret = -1;

	if (in < 0) {
		error("cannot open '%s': %s", src, strerror(errno));
		return -1;
	}
	out = open(dst, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
		   0600);
	if (out < 0)
		error("cannot create '%s': %s", dst, strerror(errno));
	else if (ioctl(out, FICLONE, in) == 0 || copy_fd(in, out) == 0)
		ret = 0;
	else
		error("cannot copy '%s' to '%s': %s", src, dst,
		      strerror(errno));
	if (out >= 0)
		close(out);
	close(in);
	if (ret && out >= 0)
		unlink(dst);
	return ret;
}

bool is_file(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

bool is_dir(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

bool path_is_clean(const char *path)
{
	const char *p = path;

	if (*p != '/' || strlen(p) > 4096)
		return false;
	for (const char *c = p; *c; c++)
		if ((unsigned char)*c < 0x20 || *c == 0x7f)
			return false;
	while (*p) {
		const char *end;
		size_t n;

		while (*p == '/')
			p++;
		end = strchrnul(p, '/');
		n = (size_t)(end - p);
		if ((n == 2 && !strncmp(p, "..", 2)) || (n == 1 && *p == '.'))
			return false;
		p = end;
	}
	return true;
}

bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n > m && !strcmp(s + n - m, suffix);
}

double monotonic_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void utc_now(char out[32])
{
	time_t t = time(NULL);
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

void human_size(struct strbuf *sb, unsigned long long bytes)
{
	static const char *const units[] = { "KiB", "MiB", "GiB", "TiB" };
	double v = (double)bytes;
	size_t u = 0;

	if (bytes < 1024) {
		strbuf_addf(sb, "%llu B", bytes);
		return;
	}
	v /= 1024;
	while (v >= 1024 && u + 1 < ARRAY_SIZE(units)) {
		v /= 1024;
		u++;
	}
	strbuf_addf(sb, "%.1f %s", v, units[u]);
}

static int unlink_one(const char *p, const struct stat *st, int type,
		      struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	return (type == FTW_DP ? rmdir(p) : unlink(p)) < 0 ? -1 : 0;
}

int remove_tree(const char *path)
{
	if (!path_exists(path))
		return 0;
	return nftw(path, unlink_one, 16, FTW_DEPTH | FTW_PHYS) == 0 ? 0 : -1;
}
