/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What the unit tests share: scratch directories and files. */
#ifndef POMCTL_UNIT_H
#define POMCTL_UNIT_H

#include <stddef.h>

/*
 * A new empty directory $TMPDIR/pomctl-NAME-XXXXXX (/tmp without TMPDIR),
 * its path in dir (at least UNIT_DIR_MAX bytes): 0, or -1.
 */
#define UNIT_DIR_MAX 4096
int unit_tmpdir(const char *name, char *dir);
/* The same for a new empty file: its open descriptor, or -1. */
int unit_tmpfile(const char *name, char *path);
/* $TMPDIR, or /tmp. */
const char *unit_tmp(void);
/* DIR/REL written with text (its directories made): 0, or -1. */
int unit_write(const char *dir, const char *rel, const char *text);
/* DIR/REL read whole into a new string (NULL: unreadable). */
char *unit_read(const char *dir, const char *rel);

#endif
