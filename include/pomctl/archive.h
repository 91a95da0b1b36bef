/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Tarballs, through libarchive: tar (ustar, pax, GNU) plain or compressed
 * with gzip, bzip2 or xz.
 *
 * Extraction is always secure: libarchive's ARCHIVE_EXTRACT_SECURE_* flags
 * and our own checks refuse absolute paths, ".." components, symbolic or
 * hard links that point outside the destination, device nodes, FIFOs and
 * sockets, and set-user-id or set-group-id bits.  Entries are written into
 * a temporary directory beside the destination, which is renamed into
 * place only when the whole archive was read without error: a refused or
 * truncated archive leaves nothing behind.
 */
#ifndef POMCTL_ARCHIVE_H
#define POMCTL_ARCHIVE_H

#include "pomctl/strbuf.h"

/*
 * Extract the archive at path into dest, a directory that must not exist
 * yet (its parent must).  0; -1 when the archive is unreadable, damaged or
 * unsafe; ARCHIVE_EXTRACT_LOCAL when writing failed (a full disk): the
 * archive may well be good.  Errors are reported, nothing is left behind.
 */
#define ARCHIVE_EXTRACT_LOCAL (-2)
int archive_extract(const char *path, const char *dest);

/*
 * The one top-level directory every entry of the archive is under, e.g.
 * "patch-o-matic-20030107"; -1 (reported) when there is not exactly one.
 */
int archive_top_dir(const char *path, struct strbuf *top);

/*
 * A tarball of one top-level directory (patch-o-matic, iptables): into
 * dest, unless dest is a directory already (the same archive extracted
 * before), then "/TOP" appended to dest.  Returns as archive_extract(),
 * or -1 when the archive has not exactly one top-level directory.
 */
int archive_extract_top(const char *path, struct strbuf *dest);

#endif
