/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * pomctl list-patches: every patch of a patch-o-matic tree and how it
 * stands against a kernel tree, tested in parallel (-j workers, each a
 * forked process running patch --dry-run on scratch copies).  Reads only:
 * a tarball given with --pom is extracted into a private temporary
 * directory, removed afterwards.
 */
#ifndef POMCTL_LISTING_H
#define POMCTL_LISTING_H

struct ctx;

/*
 * kernel: a tree (host path) or NULL for [kernel] tree under the root;
 * pom: a tree or tarball, or NULL for the one the fetch step extracted.
 * workers: parallel dry runs; 0 prints only the names, testing nothing.
 * Returns an exit code.
 */
int list_patches(struct ctx *ctx, const char *kernel, const char *pom,
		 unsigned workers);

#endif
