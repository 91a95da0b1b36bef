/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The rpm database and packages, through librpm.  Nothing here parses the
 * output of the rpm command.
 *
 *	struct rpmdb db;
 *	rpmdb_open(&db, root, dbpath);		1. a read-only rpmts under root
 *	rpmdb_newest(&db, "kernel", &pkg);	2. queries
 *	rpmdb_close(&db);
 *
 * librpm's own messages are captured (not printed) and become part of our
 * error messages.  Every function returns 0 or -1 (reported) unless said
 * otherwise.
 */
#ifndef POMCTL_RPMDB_H
#define POMCTL_RPMDB_H

#include <stdbool.h>
#include <stddef.h>

#include "pomctl/strbuf.h"

/* librpm ready (its configuration read, its messages captured): 0 or -1. */
int rpmdb_init(void);
/* librpm's last warning or error message, or fallback. */
const char *rpmdb_last_message(const char *fallback);
/* Forget the last message (before a call whose message matters). */
void rpmdb_clear_message(void);
/* How many error-level messages librpm logged since rpmdb_clear_message()
 * (a spec that parses may still have logged "No patch number 5"). */
unsigned rpmdb_error_count(void);

/* The files a package file holds, full paths appended to out: 0 or -1. */
int rpmdb_package_files(const char *path, struct strvec *out);
/*
 * What a package file would run (its scriptlets as "KIND: BODY", its
 * triggers' as "trigger: BODY") and what it provides ("kernel =
 * 2.4.20-13.8custom1"), appended: 0 or -1.
 */
int rpmdb_package_claims(const char *path, struct strvec *scripts,
			 struct strvec *provides);

struct rpmpkg {
	char *name;
	char *version;
	char *release;
	char *arch;
	char *sourcerpm; /* "" for a source package */
	char *digest;	 /* the build's header digests: equal, same
				 * package ("" when it has none) */
	unsigned long epoch;
	bool has_epoch;
};

void rpmdb_pkg_clear(struct rpmpkg *p);
/* "VERSION-RELEASE", with "EPOCH:" first when there is one. */
void rpmdb_pkg_evr(const struct rpmpkg *p, struct strbuf *sb);
/* "NAME-VERSION-RELEASE". */
void rpmdb_pkg_nvr(const struct rpmpkg *p, struct strbuf *sb);
/* "VERSION-RELEASE" only: what a kernel release is made of. */
void rpmdb_pkg_vr(const struct rpmpkg *p, struct strbuf *sb);
/* <0, 0, >0 as a is older, equal, newer than b (epoch, version, release). */
int rpmdb_pkg_cmp(const struct rpmpkg *a, const struct rpmpkg *b);

struct rpmdb {
	void *ts;	/* rpmts */
	char *where;	/* ROOT/DBPATH, for messages */
	char *snapshot; /* the private copy read instead, or NULL */
	bool view;	/* read in place, as SQLite's immutable file */
	bool shared;	/* the process's read-only handle (rpmdb_forget) */
};

/*
 * The database at root (a host path, "" for /) and dbpath under it.
 *
 * With readonly (--plan, status), nothing is written to the host, and the
 * database is opened once per process: every later read-only open of it
 * shares that handle until rpmdb_forget().  An SQLite database is read in
 * place as an immutable file (see sqlview.h); one SQLite cannot read so
 * (a transaction waiting in its -wal) and a Berkeley DB database are
 * copied once, unsynced, into the scratch place and the copy is read.
 * (Even a read-only open of an SQLite database writes its -shm file.)
 *
 * Without readonly (a run), each open is the database itself, read-only,
 * and the shared handle is forgotten first: a run changes the database.
 */
int rpmdb_open(struct rpmdb *db, const char *root, const char *dbpath,
	       bool readonly);
/* Close the shared read-only handle (also at exit). */
void rpmdb_forget(void);
void rpmdb_close(struct rpmdb *db);

/*
 * Every installed package called name, appended to *pkgs (grown with
 * realloc; *n updated).  Returns the number found.
 */
int rpmdb_find(struct rpmdb *db, const char *name, struct rpmpkg **pkgs,
	       size_t *n);
/* The newest installed package called name: 0; 1 when there is none. */
int rpmdb_newest(struct rpmdb *db, const char *name, struct rpmpkg *out);
/* The files of the installed packages called name, full paths appended to
 * out: how many packages there are. */
int rpmdb_installed_files(struct rpmdb *db, const char *name,
			  struct strvec *out);
/*
 * The scriptlets and triggers of the installed packages called name, as
 * rpmdb_package_claims() gives them: how many packages there are.
 */
int rpmdb_installed_scripts(struct rpmdb *db, const char *name,
			    struct strvec *scripts);
/* An array rpmdb_find() made: each package released, then the array. */
void rpmdb_pkgs_free(struct rpmpkg *pkgs, size_t n);

/*
 * Read a package file with librpm, verifying its digests (and signatures
 * where a key is known): 0 when intact; -1 (reported, naming the package
 * as label, or path when label is NULL) when the file is not a package or
 * is damaged.  *pkg, when given, describes it.
 */
int rpmdb_check_package(const char *path, const char *label,
			struct rpmpkg *pkg);

/*
 * Install a source package into the build tree topdir (%_topdir): its
 * sources into SOURCES, its spec into SPECS; spec gets the spec's path.
 */
int rpmdb_install_srpm(const char *path, const char *topdir,
		       struct strbuf *spec);

/*
 * The installed packages that installing the package files paths would
 * replace (those of the same names, the very same builds passed over),
 * appended to *out (grown with realloc; *n updated).
 */
int rpmdb_replaced_by(const char *root, const char *dbpath,
		      const struct strvec *paths, struct rpmpkg **out,
		      size_t *n);

/*
 * Install (upgrading what they replace) the package files paths into the
 * rpm database at root/dbpath in one transaction.  With nodeps,
 * dependencies are not checked (sandboxes whose database holds only a few
 * packages).  Problems are reported in rpm's words.
 */
int rpmdb_install_packages(const char *root, const char *dbpath,
			   const struct strvec *paths, bool nodeps);

/*
 * Put packages back, in one transaction: install the package files
 * install (older versions allowed: what a run replaced) and erase the
 * installed packages erase ("NAME-VERSION-RELEASE"); either may be NULL.
 */
int rpmdb_restore_packages(const char *root, const char *dbpath,
			   const struct strvec *install,
			   const struct strvec *erase, bool nodeps);

/*
 * Whether the package file at path carries a signature that verifies with
 * a key of the open rpm database db (its gpg-pubkey packages, put there by
 * rpm --import): 0; -1 with why not in why (not signed, signed
 * with a key it does not hold, damaged).
 */
int rpmdb_signed_by_known_key(struct rpmdb *db, const char *path,
			      struct strbuf *why);

#endif
