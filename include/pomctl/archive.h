/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Tarballs, through libarchive: tar (ustar, pax, GNU) plain or compressed
 * with gzip, bzip2 or xz.
 *
 * Extraction is always secure: libarchive's ARCHIVE_EXTRACT_SECURE_* flags
 * and our own checks refuse absolute paths, ".." components, symbolic or
 * hard links that point outside the destination, device nodes, FIFOs and
 * sockets, and set-user-id or set-group-id bits; a link that leads out
 * through other links of the archive (resolved as the kernel would, after
 * the last entry) refuses the whole archive.  lim (NULL: the defaults)
 * bounds what is written.  Entries are written into
 * a temporary directory beside the destination, which is renamed into
 * place only when the whole archive was read without error: a refused or
 * truncated archive leaves nothing behind.
 */
#ifndef POMCTL_ARCHIVE_H
#define POMCTL_ARCHIVE_H

#include "pomctl/strbuf.h"

struct config;

/*
 * What one extraction may write, so that a hostile tarball cannot fill the
 * disk or memory: the contents' total size, the number of entries, and
 * (past 64 MiB) the contents' size over the archive file's.  Entry names
 * are bounded by safepath.h's rule.  The defaults take the biggest real
 * kernel, iptables and patch-o-matic tarballs with room to spare.
 */
struct archive_limits {
	unsigned long long bytes;
	unsigned long entries;
	unsigned long ratio;
};

/* clang-format off */
#define ARCHIVE_LIMITS_DEFAULT { 8ULL << 30, 1000000, 200 }
/* clang-format on */

/* The [limits] extract_* keys of cfg. */
void archive_limits_from_config(const struct config *cfg,
				struct archive_limits *lim);

/*
 * Extract the archive at path into dest, a directory that must not exist
 * yet (its parent must), within lim (NULL: the defaults).  0; -1 when the archive is unreadable, damaged or
 * unsafe; ARCHIVE_EXTRACT_LOCAL when writing failed (a full disk): the
 * archive may well be good.  Errors are reported, nothing is left behind.
 */
#define ARCHIVE_EXTRACT_LOCAL (-2)
int archive_extract(const char *path, const char *dest,
		    const struct archive_limits *lim);

/*
 * The one top-level directory every entry of the archive is under, e.g.
 * "patch-o-matic-20030107"; -1 (reported) when there is not exactly one.
 */
int archive_top_dir(const char *path, struct strbuf *top);

/*
 * A tarball of one top-level directory (patch-o-matic, iptables): into
 * dest, unless dest is a directory already (the same archive extracted
 * before: then the archive is not read, its top is dest's one directory),
 * then "/TOP" appended to dest.  Returns as archive_extract(),
 * or -1 when the archive has not exactly one top-level directory.
 */
int archive_extract_top(const char *path, struct strbuf *dest,
			const struct archive_limits *lim);

/*
 * A tar file (pax) at path holding each regular file files->v[i] as
 * names->v[i]; written beside path and renamed into place when whole.
 * 0, or -1 (reported; nothing left behind).
 */
int archive_write_tar(const char *path, const struct strvec *names,
		      const struct strvec *files);

#endif
