/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Paths that come from outside: diffs, line-add names, -ng file lists,
 * spec Source/Patch names, archive entries, links in trees, and every host
 * path under --root.
 *
 * Two rules, each in one place:
 *
 * 1. An untrusted relative path (relpath_check) is not empty, not absolute,
 *    has no ".." component, no control byte, at most RELPATH_MAX bytes and
 *    components of at most 255.  Everything pomctl reads from a tree or a
 *    tarball that names a file is checked by it before it reaches a path.
 *
 * 2. A file under a base directory is opened beneath it (open_beneath):
 *    the kernel's openat2() with RESOLVE_BENEATH (a tree: a link leading
 *    out of it is an error, EXDEV) or RESOLVE_IN_ROOT (the root: a link is
 *    followed as if the base were "/", never out of it).  Where the kernel
 *    has no openat2 (2.4 and 2.6 hosts), path_walk() resolves the path one
 *    component at a time with the same rules and the last open is
 *    O_NOFOLLOW.
 */
#ifndef POMCTL_SAFEPATH_H
#define POMCTL_SAFEPATH_H

#include <stdbool.h>
#include <sys/types.h>

#include "pomctl/strbuf.h"

#define RELPATH_MAX 1024

/*
 * NULL when path is a safe relative path; otherwise why it is not, as a
 * phrase ("has a '..' component").
 */
const char *relpath_check(const char *path);

enum beneath {
	BENEATH_TREE, /* a link out of the base: EXDEV */
	BENEATH_ROOT, /* the base is "/" for links and ".." */
};

/*
 * Resolve rel under base as `how` says, following every link (the last
 * component's too when follow_last).  out gets the path relative to base
 * with no link left in it ("" for the base itself); components that do not
 * exist are kept as written.  0, or a negative errno: -EXDEV (a link or
 * ".." leading out of a tree), -ELOOP (more than 40 links), -ENOTDIR.
 * *diverged (may be NULL) is set when the result differs from what the
 * kernel would find by following the joined path plainly: an absolute
 * link or a ".." clamped at the root.
 */
int path_walk(const char *base, const char *rel, enum beneath how,
	      bool follow_last, struct strbuf *out, bool *diverged);

/*
 * open(2) of rel beneath base: openat2() where the kernel has it,
 * path_walk() and an O_NOFOLLOW open where it does not.  Returns the fd, or
 * a negative errno.
 */
int open_beneath(const char *base, const char *rel, int flags, mode_t mode,
		 enum beneath how);
/* The same, always by path_walk(): for the tests of the old kernels' way. */
int open_beneath_walk(const char *base, const char *rel, int flags, mode_t mode,
		      enum beneath how);

/*
 * Read the regular file rel beneath base (how) into sb, refusing files
 * over max bytes: 0, or a negative errno (-EFBIG when too large), nothing
 * printed.
 */
int read_beneath(const char *base, const char *rel, size_t max,
		 enum beneath how, struct strbuf *sb);

/*
 * A file path (as read from a tree walk) that lies under base: the part
 * after "base/", or NULL when it does not.
 */
const char *path_under(const char *base, const char *path);

/*
 * The root's own name for a host path under it: ("/tmp/r", "/tmp/r/boot/x")
 * -> "/boot/x"; ("", "/boot/x") -> "/boot/x"; NULL if path is not under
 * root.  Points into path.
 */
const char *root_relative(const char *root, const char *path);

/* root_relative(), or path itself where it is not under root. */
const char *root_own(const char *root, const char *path);

/*
 * Join the root and an absolute host path: ("", "/boot") -> "/boot",
 * ("/tmp/r", "/boot") -> "/tmp/r/boot".  A link inside the root that would
 * lead out of it (ROOT/boot -> /elsewhere) is followed as if the root were
 * "/": ROOT/elsewhere.  Replaces sb's content.
 */
void root_path(struct strbuf *sb, const char *root, const char *path);

/*
 * The file path names in root, every link resolved in the root (the last
 * component's too): the file a write must go to, so that a link such as
 * /etc/grub.conf -> ../boot/grub/grub.conf stays a link.  0, or a
 * negative errno (path_walk's).
 */
int root_resolve(const char *root, const char *path, struct strbuf *sb);

#endif
