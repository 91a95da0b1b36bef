/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Inside the rpm database code, and only there (the rest of pomctl has
 * pomctl/rpmdb.h): what rpmdb.c (opening, reading, packages) gives
 * rpmdb-install.c (install transactions).
 */
#ifndef POMCTL_RPMDB_INTERNAL_H
#define POMCTL_RPMDB_INTERNAL_H

#include <rpm/header.h>
#include <rpm/rpmts.h>

#include "pomctl/rpmdb.h"

/* A package's fields from its header. */
void rpmdb_pkg_from_header(Header h, struct rpmpkg *p);
/* What makes a package this very build: "SHA1/MD5" of its header. */
char *rpmdb_header_digest(Header h);
/* The header of the package file path (label names it in messages):
 * 0, or -1 (reported). */
int rpmdb_read_header(rpmts ts, const char *path, const char *label, Header *h);
/* A message of librpm's without the file's path it starts with. */
const char *rpmdb_without_path(const char *msg, const char *path);
/* Forget librpm's last message (not the count of errors). */
void rpmdb_reset_message(void);

#endif
