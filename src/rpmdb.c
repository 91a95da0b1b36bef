// SPDX-License-Identifier: GPL-2.0-or-later
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>

#include <rpm/header.h>
#include <rpm/rpmdb.h>
#include <rpm/rpmfi.h>
#include <rpm/rpmlib.h>
#include <rpm/rpmlog.h>
#include <rpm/rpmmacro.h>
#include <rpm/rpmts.h>
#include <rpm/rpmver.h>

#include "pomctl/rpmdb.h"
#include "pomctl/safepath.h"
#include "pomctl/scratch.h"
#include "pomctl/sqlview.h"
#include "pomctl/util.h"
#include "rpmdb-internal.h"

/* librpm's messages, kept for our own: the last error-level one. */
static struct strbuf rpm_message = STRBUF_INIT;
static unsigned rpm_errors; /* error-level messages since the reset */

/*
 * librpm's warnings and errors since the last reset, joined with "; ": the
 * last one alone ("install failed") often hides the cause before it.
 */
static int capture(rpmlogRec rec, rpmlogCallbackData data)
{
	(void)data;
	if (rpmlogRecPriority(rec) <= RPMLOG_ERR)
		rpm_errors++;
	if (rpmlogRecPriority(rec) <= RPMLOG_WARNING &&
	    rpm_message.len < 2048) {
		if (rpm_message.len)
			strbuf_addstr(&rpm_message, "; ");
		strbuf_addstr(&rpm_message, rpmlogRecMessage(rec));
		strbuf_rtrim(&rpm_message);
	}
	return 0;
}

static int rpm_setup(void)
{
	static int state; /* 0 not yet, 1 ready, -1 failed */

	if (state)
		return state > 0 ? 0 : -1;
	rpmlogSetCallback(capture, NULL);
	state = rpmReadConfigFiles(NULL, NULL) == 0 ? 1 : -1;
	if (state < 0)
		return error("librpm cannot read its configuration: %s",
			     rpm_message.buf);
	return 0;
}

/* librpm's last message, or fallback. */
static const char *rpm_said(const char *fallback)
{
	return rpm_message.len ? rpm_message.buf : fallback;
}

int rpmdb_init(void)
{
	return rpm_setup();
}

const char *rpmdb_last_message(const char *fallback)
{
	return rpm_said(fallback);
}

void rpmdb_reset_message(void)
{
	strbuf_reset(&rpm_message);
}

void rpmdb_clear_message(void)
{
	strbuf_reset(&rpm_message);
	rpm_errors = 0;
}

unsigned rpmdb_error_count(void)
{
	return rpm_errors;
}

static char *tag_string(Header h, rpmTagVal tag)
{
	const char *s = headerGetString(h, tag);

	return xstrdup(s ? s : "");
}

/*
 * What makes a package this very build: its header's SHA-1 and the MD5 of
 * header and payload, as recorded when it was built.  The rpm database
 * keeps both for an installed package, a package file carries them in its
 * signature: equal digests, the same package.
 */
char *rpmdb_header_digest(Header h)
{
	char *sha1 = headerGetAsString(h, RPMTAG_SHA1HEADER);
	char *md5 = headerGetAsString(h, RPMTAG_SIGMD5);
	struct strbuf sb = STRBUF_INIT;

	if (sha1 || md5)
		strbuf_addf(&sb, "%s/%s", sha1 ? sha1 : "", md5 ? md5 : "");
	free(sha1);
	free(md5);
	return strbuf_detach(&sb);
}

void rpmdb_pkg_from_header(Header h, struct rpmpkg *p)
{
	memset(p, 0, sizeof(*p));
	p->name = tag_string(h, RPMTAG_NAME);
	p->version = tag_string(h, RPMTAG_VERSION);
	p->release = tag_string(h, RPMTAG_RELEASE);
	p->arch = tag_string(h, RPMTAG_ARCH);
	p->sourcerpm = tag_string(h, RPMTAG_SOURCERPM);
	p->digest = rpmdb_header_digest(h);
	p->has_epoch = headerIsEntry(h, RPMTAG_EPOCH);
	p->epoch = p->has_epoch ?
			   (unsigned long)headerGetNumber(h, RPMTAG_EPOCH) :
			   0;
}

void rpmdb_pkg_clear(struct rpmpkg *p)
{
	free(p->name);
	free(p->version);
	free(p->release);
	free(p->arch);
	free(p->sourcerpm);
	free(p->digest);
	memset(p, 0, sizeof(*p));
}

void rpmdb_pkgs_free(struct rpmpkg *pkgs, size_t n)
{
	for (size_t i = 0; i < n; i++)
		rpmdb_pkg_clear(&pkgs[i]);
	free(pkgs);
}

void rpmdb_pkg_nvr(const struct rpmpkg *p, struct strbuf *sb)
{
	strbuf_addf(sb, "%s-%s-%s", p->name, p->version, p->release);
}

void rpmdb_pkg_vr(const struct rpmpkg *p, struct strbuf *sb)
{
	strbuf_addf(sb, "%s-%s", p->version, p->release);
}

void rpmdb_pkg_evr(const struct rpmpkg *p, struct strbuf *sb)
{
	if (p->has_epoch)
		strbuf_addf(sb, "%lu:", p->epoch);
	rpmdb_pkg_vr(p, sb);
}

int rpmdb_pkg_cmp(const struct rpmpkg *a, const struct rpmpkg *b)
{
	int c;

	if (a->epoch != b->epoch)
		return a->epoch < b->epoch ? -1 : 1;
	c = rpmvercmp(a->version, b->version);
	return c ? c : rpmvercmp(a->release, b->release);
}

/*
 * The files of an rpm database a reader needs: not its locks, not a
 * Berkeley DB environment (__db.*), not SQLite's -shm (rebuilt from the
 * -wal by whoever reads the copy).
 */
static bool db_file_wanted(const char *name)
{
	size_t n = strlen(name);

	return name[0] != '.' && strncmp(name, "__db.", 5) &&
	       !(n > 4 && !strcmp(name + n - 4, "-shm"));
}

/*
 * A private copy of the database files of dir: not synced (it is read
 * once and removed), shared blocks where the file system clones.
 */
static char *snapshot_of(const char *dir)
{
	struct strbuf copy = STRBUF_INIT, from = STRBUF_INIT, to = STRBUF_INIT;
	DIR *d = opendir(dir);
	struct dirent *de;
	int ret = 0;

	if (!d || scratch_make("rpmdb", &copy) < 0) {
		if (!d)
			error("cannot copy the rpm database '%s': %s", dir,
			      strerror(errno));
		if (d)
			closedir(d);
		strbuf_clear(&copy);
		return NULL;
	}
	while (!ret && (de = readdir(d))) {
		strbuf_reset(&from);
		strbuf_addf(&from, "%s/%s", dir, de->d_name);
		if (!db_file_wanted(de->d_name) || is_dir(from.buf))
			continue;
		strbuf_reset(&to);
		strbuf_addf(&to, "%s/%s", copy.buf, de->d_name);
		ret = copy_file_scratch(from.buf, to.buf);
	}
	closedir(d);
	strbuf_clear(&from);
	strbuf_clear(&to);
	if (ret) {
		remove_tree(copy.buf);
		strbuf_clear(&copy);
		return NULL;
	}
	return strbuf_detach(&copy);
}

static int open_ts(struct rpmdb *db, const char *root, const char *dbpath)
{
	rpmts ts;

	rpmPushMacro(NULL, "_dbpath", NULL, dbpath, RMIL_CMDLINE);
	ts = rpmtsCreate();
	rpmtsSetRootDir(ts, *root ? root : "/");
	strbuf_reset(&rpm_message);
	if (rpmtsOpenDB(ts, O_RDONLY) != 0) {
		error("cannot open the rpm database at '%s': %s", db->where,
		      rpm_said("unknown error"));
		rpmtsFree(ts);
		rpmPopMacro(NULL, "_dbpath");
		return -1;
	}
	db->ts = ts;
	return 0;
}

static void close_ts(struct rpmdb *db)
{
	if (db->ts) {
		rpmtsFree(db->ts);
		rpmPopMacro(NULL, "_dbpath");
	}
	if (db->snapshot)
		remove_tree(db->snapshot);
	free(db->snapshot);
	free(db->where);
	memset(db, 0, sizeof(*db));
}

/*
 * The database read in place as SQLite's immutable file: 0, or 1 when it
 * cannot be (not SQLite, a transaction waiting in the -wal, a librpm
 * whose SQLite is not the one this process sees), nothing written.
 */
static int open_view(struct rpmdb *db, const char *root, const char *dbpath)
{
	struct strbuf file = STRBUF_INIT;
	unsigned before = sqlview_opened();
	bool usable;
	int ret;

	strbuf_addf(&file, "%s/rpmdb.sqlite", db->where);
	usable = is_file(file.buf) && sqlview_wal_empty(file.buf);
	strbuf_clear(&file);
	if (!usable || sqlview_begin() < 0)
		return 1;
	/* librpm opens its SQLite database with the rpmts, and only then */
	ret = open_ts(db, root, dbpath);
	sqlview_end();
	if (ret < 0 || sqlview_opened() == before) {
		rpmdb_clear_message();
		if (db->ts) {
			rpmtsFree(db->ts);
			rpmPopMacro(NULL, "_dbpath");
			db->ts = NULL;
		}
		return 1;
	}
	db->view = true;
	return 0;
}

/*
 * A read-only view is opened once per process and shared by every
 * rpmdb_open(..., true) of the same database until rpmdb_forget(): a plan
 * asks the database a dozen questions.
 */
static struct rpmdb shared;

void rpmdb_forget(void)
{
	close_ts(&shared);
}

static int open_readonly(struct rpmdb *db, const char *root, const char *dbpath)
{
	if (shared.ts && !strcmp(shared.where, db->where)) {
		free(db->where);
		*db = shared;
		db->shared = true;
		return 0;
	}
	rpmdb_forget();
	shared.where = db->where;
	db->where = NULL;
	if (open_view(&shared, root, dbpath) &&
	    (!(shared.snapshot = snapshot_of(shared.where)) ||
	     open_ts(&shared, "", shared.snapshot) < 0)) {
		close_ts(&shared);
		return -1;
	}
	if (!shared.ts) {
		close_ts(&shared);
		return -1;
	}
	*db = shared;
	db->shared = true;
	return 0;
}

int rpmdb_open(struct rpmdb *db, const char *root, const char *dbpath,
	       bool readonly)
{
	struct strbuf where = STRBUF_INIT;
	static bool registered;

	memset(db, 0, sizeof(*db));
	if (rpm_setup() < 0)
		return -1;
	root_path(&where, root, dbpath);
	db->where = strbuf_detach(&where);
	if (!is_dir(db->where)) {
		error("there is no rpm database at '%s' (see [rpm] dbpath)",
		      db->where);
		close_ts(db);
		return -1;
	}
	if (readonly) {
		if (!registered)
			registered = !atexit(rpmdb_forget);
		return open_readonly(db, root, dbpath);
	}
	rpmdb_forget(); /* what this process reads next may change it */
	if (open_ts(db, root, dbpath) < 0) {
		close_ts(db);
		return -1;
	}
	return 0;
}

void rpmdb_close(struct rpmdb *db)
{
	if (db->shared)
		memset(db, 0, sizeof(*db));
	else
		close_ts(db);
}

int rpmdb_find(struct rpmdb *db, const char *name, struct rpmpkg **pkgs,
	       size_t *n)
{
	rpmdbMatchIterator mi = rpmtsInitIterator(db->ts, RPMDBI_NAME, name, 0);
	int found = 0;
	Header h;

	while (mi && (h = rpmdbNextIterator(mi))) {
		*pkgs = xrealloc(*pkgs, (*n + 1) * sizeof(**pkgs));
		rpmdb_pkg_from_header(h, &(*pkgs)[(*n)++]);
		found++;
	}
	rpmdbFreeIterator(mi);
	return found;
}

int rpmdb_newest(struct rpmdb *db, const char *name, struct rpmpkg *out)
{
	struct rpmpkg *pkgs = NULL;
	size_t n = 0, best = 0;

	rpmdb_find(db, name, &pkgs, &n);
	if (!n) {
		free(pkgs);
		return 1;
	}
	for (size_t i = 1; i < n; i++)
		if (rpmdb_pkg_cmp(&pkgs[i], &pkgs[best]) > 0)
			best = i;
	*out = pkgs[best];
	memset(&pkgs[best], 0, sizeof(pkgs[best]));
	rpmdb_pkgs_free(pkgs, n);
	return 0;
}

/* librpm starts its messages with the file's path: drop it. */
const char *rpmdb_without_path(const char *msg, const char *path)
{
	size_t n = strlen(path);

	if (!strncmp(msg, path, n) && !strncmp(msg + n, ": ", 2))
		return msg + n + 2;
	return msg;
}

int rpmdb_read_header(rpmts ts, const char *path, const char *label, Header *h)
{
	FD_t fd = Fopen(path, "r.ufdio");
	rpmRC rc;

	if (!fd || Ferror(fd)) {
		int err = errno;

		if (fd)
			Fclose(fd);
		return error("cannot open package '%s': %s", path,
			     strerror(err));
	}
	strbuf_reset(&rpm_message);
	rc = rpmReadPackageFile(ts, fd, path, h);
	Fclose(fd);
	/* NOKEY/NOTTRUSTED: intact, but signed with a key we do not hold */
	if (rc == RPMRC_OK || rc == RPMRC_NOKEY || rc == RPMRC_NOTTRUSTED)
		return 0;
	return error(
		"package '%s' is damaged or not a package: %s", label,
		rpmdb_without_path(rpm_said(rc == RPMRC_NOTFOUND ?
						    "not an rpm package" :
						    "its digests do not match"),
				   path));
}

int rpmdb_check_package(const char *path, const char *label, struct rpmpkg *pkg)
{
	rpmts ts;
	Header h = NULL;
	int ret;

	if (rpm_setup() < 0)
		return -1;
	ts = rpmtsCreate();
	ret = rpmdb_read_header(ts, path, label ? label : path, &h);
	if (!ret && pkg)
		rpmdb_pkg_from_header(h, pkg);
	headerFree(h);
	rpmtsFree(ts);
	return ret;
}

int rpmdb_package_files(const char *path, struct strvec *out)
{
	rpmts ts;
	Header h = NULL;
	rpmfi fi;
	int ret;

	if (rpm_setup() < 0)
		return -1;
	ts = rpmtsCreate();
	ret = rpmdb_read_header(ts, path, path, &h);
	if (!ret) {
		fi = rpmfiNew(ts, h, RPMTAG_BASENAMES, RPMFI_KEEPHEADER);
		while (fi && rpmfiNext(fi) >= 0)
			strvec_push(out, rpmfiFN(fi));
		rpmfiFree(fi);
	}
	headerFree(h);
	rpmtsFree(ts);
	return ret;
}

/*
 * What a package runs when it is installed or erased, and what runs when
 * others are: each scriptlet as "KIND: BODY", each trigger's as
 * "trigger: BODY".
 */
static void header_scripts(Header h, struct strvec *out)
{
	static const struct {
		rpmTagVal tag;
		const char *kind;
	} one[] = {
		{ RPMTAG_PRETRANS, "pretrans" },
		{ RPMTAG_PREIN, "pre" },
		{ RPMTAG_POSTIN, "post" },
		{ RPMTAG_PREUN, "preun" },
		{ RPMTAG_POSTUN, "postun" },
		{ RPMTAG_POSTTRANS, "posttrans" },
		{ RPMTAG_VERIFYSCRIPT, "verify" },
	};
	static const rpmTagVal many[] = { RPMTAG_TRIGGERSCRIPTS,
					  RPMTAG_FILETRIGGERSCRIPTS,
					  RPMTAG_TRANSFILETRIGGERSCRIPTS };
	struct rpmtd_s td;

	for (size_t i = 0; i < ARRAY_SIZE(one); i++)
		if (headerIsEntry(h, one[i].tag))
			strvec_pushf(out, "%s: %s", one[i].kind,
				     headerGetString(h, one[i].tag) ?: "");
	for (size_t i = 0; i < ARRAY_SIZE(many); i++) {
		const char *body;

		if (!headerGet(h, many[i], &td, HEADERGET_MINMEM))
			continue;
		while ((body = rpmtdNextString(&td)))
			strvec_pushf(out, "trigger: %s", body);
		rpmtdFreeData(&td);
	}
}

int rpmdb_package_claims(const char *path, struct strvec *scripts,
			 struct strvec *provides)
{
	rpmts ts;
	Header h = NULL;
	rpmds ds;
	int ret;

	if (rpm_setup() < 0)
		return -1;
	ts = rpmtsCreate();
	ret = rpmdb_read_header(ts, path, path, &h);
	if (!ret) {
		header_scripts(h, scripts);
		ds = rpmdsNew(h, RPMTAG_PROVIDENAME, 0);
		while (rpmdsNext(ds) >= 0)
			strvec_push(provides, rpmdsDNEVR(ds) + 2); /* "P " */
		rpmdsFree(ds);
	}
	headerFree(h);
	rpmtsFree(ts);
	return ret;
}

int rpmdb_installed_files(struct rpmdb *db, const char *name,
			  struct strvec *out)
{
	rpmdbMatchIterator mi = rpmtsInitIterator(db->ts, RPMDBI_NAME, name, 0);
	Header h;
	int found = 0;

	while (mi && (h = rpmdbNextIterator(mi))) {
		rpmfi fi = rpmfiNew(db->ts, h, RPMTAG_BASENAMES, 0);

		while (fi && rpmfiNext(fi) >= 0)
			strvec_push(out, rpmfiFN(fi));
		rpmfiFree(fi);
		found++;
	}
	rpmdbFreeIterator(mi);
	return found;
}

int rpmdb_installed_scripts(struct rpmdb *db, const char *name,
			    struct strvec *scripts)
{
	rpmdbMatchIterator mi = rpmtsInitIterator(db->ts, RPMDBI_NAME, name, 0);
	Header h;
	int found = 0;

	while (mi && (h = rpmdbNextIterator(mi))) {
		header_scripts(h, scripts);
		found++;
	}
	rpmdbFreeIterator(mi);
	return found;
}
