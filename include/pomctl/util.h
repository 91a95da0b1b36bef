/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Shared helpers: files, paths, names, time.  Error reporting is
 * usage.h's and allocation xalloc.h's (included here for every user).
 *
 * Error convention: functions return 0 on success and a negative value on
 * failure.  error() prints "pomctl: MESSAGE" on stderr and returns -1, so a
 * failing function reports and returns in one statement:
 *	return error("cannot open '%s': %s", path, strerror(errno));
 * Only main() exits (and die_oom(), when memory runs out).
 *
 * Names: FOO_clear(x) frees what x holds, not x (x is the caller's, on
 * the stack or inside something); FOO_free(x) frees x too.  Each header's
 * functions share one prefix, its own.
 */
#ifndef POMCTL_UTIL_H
#define POMCTL_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "pomctl/strbuf.h" /* export */
#include "pomctl/usage.h"  /* export */
#include "pomctl/xalloc.h" /* export */

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* Exit codes, as documented in README and pomctl(8). */
enum pomctl_exit {
	EXIT_DONE = 0,	  /* done */
	EXIT_FAILED = 1,  /* a step failed; state saved, resume continues */
	EXIT_USAGE = 2,	  /* usage or configuration error */
	EXIT_PAUSED = 3,  /* paused, awaiting a reboot */
	EXIT_LOCKED = 4,  /* another pomctl holds the lock */
	EXIT_CHANGES = 5, /* --plan --detailed-exitcode found changes */
};

/*
 * Read a whole regular file into sb (appending), refusing files over max
 * bytes.  Opens with O_NOFOLLOW when nofollow is set.  Returns 0, or a
 * negative errno (-EFBIG when too large) without printing anything.
 */
int read_file(const char *path, size_t max, bool nofollow, struct strbuf *sb);
/* The same from an open fd (left open). */
int read_fd(int fd, size_t max, struct strbuf *sb);

/*
 * Replace path with data atomically: write path.tmp (O_EXCL, mode), fsync,
 * rename over path, fsync the directory.  A crash at any moment leaves
 * either the old or the new file, never a mix.  Returns 0 or -1 (reported).
 */
int write_file_atomic(const char *path, const void *data, size_t len,
		      mode_t mode);

/*
 * The same for a file pomctl edits but does not own (a boot config, a
 * kernel tree's Makefile): path keeps its mode, owner and group (mode is
 * for a file that is not there yet).  A 0600 grub.conf with a password
 * hash stays 0600.  0 or -1 (reported).
 */
int write_file_keep(const char *path, const void *data, size_t len,
		    mode_t mode);

/*
 * Copy the regular file src to dst atomically (dst.tmp, fsync, rename),
 * dst of exactly mode (not as the umask trims it): 0 or -1 (reported).
 */
int copy_file_atomic(const char *src, const char *dst, mode_t mode);
/*
 * A scratch copy of the regular file src at dst (new, 0600): shared blocks
 * where the file system clones files, never synced -- it is read and
 * removed, and a crash loses nothing.  0 or -1 (reported).
 */
int copy_file_scratch(const char *src, const char *dst);
/* The same for data written to a new file path. */
int write_file_scratch(const char *path, const void *data, size_t len);

/* All of len bytes to fd, EINTR retried: 0, or -1 with errno set. */
int write_all(int fd, const void *data, size_t len);
/* mkdir -p with mode for the directories it creates; 0 or -1 (reported). */
int mkdir_p(const char *path, mode_t mode);
/* mkdir_p of the directory path is in: 0 or -1 (reported). */
int mkdir_parent(const char *path, mode_t mode);
bool path_exists(const char *path);
/* The names in dir, sorted, . and .. aside: 0, or -1 (errno set). */
int list_dir(const char *dir, struct strvec *out);
/* rm -rf of a directory pomctl made (no symlink followed): 0 or -1. */
int remove_tree(const char *path);
bool is_dir(const char *path);
bool is_file(const char *path);

/* An absolute path without "..", empty components or control characters. */
bool path_is_clean(const char *path);

/* Whether s ends with suffix and has something before it. */
bool ends_with(const char *s, const char *suffix);

/* Current time as "2026-11-27T06:11:03Z". */
void utc_now(char out[32]);
/* Seconds on the monotonic clock, for durations. */
double monotonic_seconds(void);
/* "1.5 KiB", "4.2 MiB" ... */
void human_size(struct strbuf *sb, unsigned long long bytes);

#endif
