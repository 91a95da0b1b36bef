/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * An immutable view of the SQLite files this process opens: how a plan
 * reads the host's rpm database without writing to it.
 *
 * SQLite writes to a database in WAL mode even when it is opened
 * read-only: its shared-memory index (the -shm file) takes the reader's
 * marks, and as root it gives the -wal and -shm files the database's
 * owner again.  A file SQLite is told is immutable (the "immutable=1" of
 * its URIs, SQLITE_IOCAP_IMMUTABLE of its VFS) is read with no lock and
 * no -wal or -shm at all.  librpm opens its database by path, with the
 * default VFS; while a view is on, that default is this one: SQLite's
 * own, opening read-only and saying every file is immutable.  A view is on
 * only while the database is opened: a database file opened then stays
 * immutable until it is closed, and every other open (librpm's for a
 * transaction) has SQLite's own VFS.
 *
 * Immutable is the truth only while nothing waits in the -wal (a
 * transaction committed and not yet copied into the database); the
 * caller checks that first (sqlview_wal_empty) and reads a copy
 * otherwise.
 *
 *	if (sqlview_wal_empty(file) && sqlview_begin() == 0) {
 *		... open the database with librpm ...
 *		sqlview_end();
 *		if (sqlview_opened() did not grow) ... it did not go through
 *	}						the view
 */
#ifndef POMCTL_SQLVIEW_H
#define POMCTL_SQLVIEW_H

#include <stdbool.h>

/* The view as the default VFS (nested calls count): 0, or -1 when SQLite
 * has no default VFS to wrap. */
int sqlview_begin(void);
/* The default VFS as it was, once the last sqlview_begin() is ended. */
void sqlview_end(void);
/* How many database files were opened through the view so far. */
unsigned sqlview_opened(void);
/* Whether database file (a path) has no -wal file or an empty one. */
bool sqlview_wal_empty(const char *database);

#endif
