// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <sqlite3.h>
#include <string.h>
#include <sys/stat.h>

#include "pomctl/sqlview.h"
#include "pomctl/strbuf.h"

static sqlite3_vfs *base;		  /* the default VFS the view wraps */
static sqlite3_vfs view;		  /* base, but for xOpen */
static const sqlite3_io_methods *base_io; /* the files' methods ... */
static sqlite3_io_methods view_io;	  /* ... but immutable */
static unsigned users, opened;

static int immutable(sqlite3_file *f)
{
	return base_io->xDeviceCharacteristics(f) | SQLITE_IOCAP_IMMUTABLE;
}

/*
 * A main database, opened read-only by the base VFS, its methods saying it
 * is immutable; a temporary file of SQLite's own (in TMPDIR, removed when
 * closed: a large sort's) as the base VFS opens it.  Anything else -- a
 * file to write or to create, a journal -- is refused: an immutable database needs none, and librpm, refused a
 * read-only open, tries to create the database.
 */
static int view_open(sqlite3_vfs *vfs, const char *name, sqlite3_file *f,
		     int flags, int *out)
{
	int rc;

	(void)vfs;
	f->pMethods = NULL;
	if ((flags & SQLITE_OPEN_DELETEONCLOSE) &&
	    !(flags & SQLITE_OPEN_MAIN_DB))
		return base->xOpen(base, name, f, flags, out); /* a sort's */
	if (!(flags & SQLITE_OPEN_MAIN_DB) || !(flags & SQLITE_OPEN_READONLY) ||
	    (flags & (SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE)))
		return SQLITE_CANTOPEN;
	rc = base->xOpen(base, name, f, flags, out);
	if (rc != SQLITE_OK || !f->pMethods)
		return rc;
	if (!base_io) {
		base_io = f->pMethods;
		view_io = *base_io;
		view_io.xDeviceCharacteristics = immutable;
	}
	if (f->pMethods != base_io) { /* a kind of file not foreseen */
		f->pMethods->xClose(f);
		f->pMethods = NULL;
		return SQLITE_CANTOPEN;
	}
	f->pMethods = &view_io;
	opened++;
	return SQLITE_OK;
}

int sqlview_begin(void)
{
	if (users++)
		return 0;
	if (!base) {
		if (sqlite3_initialize() != SQLITE_OK ||
		    !(base = sqlite3_vfs_find(NULL))) {
			users = 0;
			return -1;
		}
		view = *base;
		view.zName = "pomctl-immutable";
		view.pNext = NULL;
		view.xOpen = view_open;
	}
	if (sqlite3_vfs_register(&view, 1) != SQLITE_OK) {
		users = 0;
		return -1;
	}
	return 0;
}

void sqlview_end(void)
{
	if (!users || --users)
		return;
	sqlite3_vfs_register(base, 1);
	sqlite3_vfs_unregister(&view);
}

unsigned sqlview_opened(void)
{
	return opened;
}

bool sqlview_wal_empty(const char *database)
{
	struct strbuf wal = STRBUF_INIT;
	struct stat st;
	bool empty;

	strbuf_addf(&wal, "%s-wal", database);
	empty = stat(wal.buf, &st) < 0 ? errno == ENOENT : st.st_size == 0;
	strbuf_clear(&wal);
	return empty;
}
