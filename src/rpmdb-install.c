// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Install transactions through librpm: a source package into a build
 * tree; the installed packages a set of package files would replace;
 * packages installed (upgrading what they replace) or put back, and
 * erased, in one transaction with its problems in words; the leftovers
 * of a transaction librpm was cut out of; whether a package is signed by
 * a key the database knows.  Opening and reading the database is
 * rpmdb.c.
 */
#include <dirent.h>
#include <stdlib.h>
#include <string.h>

#include <rpm/header.h>
#include <rpm/rpmdb.h>
#include <rpm/rpmfi.h>
#include <rpm/rpmlib.h>
#include <rpm/rpmps.h>
#include <rpm/rpmcallback.h>
#include <rpm/rpmmacro.h>
#include <rpm/rpmts.h>

#include "pomctl/rpmdb.h"
#include "pomctl/safepath.h"
#include "pomctl/util.h"
#include "rpmdb-internal.h"

/* --- install transactions ---------------------------------------------------- */

static void *notify(const void *h, const rpmCallbackType what,
		    const rpm_loff_t amount, const rpm_loff_t total,
		    fnpyKey key, rpmCallbackData data)
{
	static FD_t fd;

	(void)h;
	(void)amount;
	(void)total;
	(void)data;
	if (what == RPMCALLBACK_INST_OPEN_FILE) {
		fd = Fopen((const char *)key, "r.ufdio");
		return fd;
	}
	if (what == RPMCALLBACK_INST_CLOSE_FILE && fd) {
		Fclose(fd);
		fd = NULL;
	}
	return NULL;
}

static void problems_in_words(rpmts ts, struct strbuf *sb)
{
	rpmps ps = rpmtsProblems(ts);
	rpmpsi psi = rpmpsInitIterator(ps);
	rpmProblem p;

	while ((p = rpmpsiNext(psi))) {
		char *s = rpmProblemString(p);

		strbuf_addf(sb, "%s%s", sb->len ? "; " : "", s);
		free(s);
	}
	rpmpsFreeIterator(psi);
	rpmpsFree(ps);
}

/* "NAME;6b0954d6": rpm's temporary for NAME, named by a transaction id. */
static bool is_rpm_temp(const char *entry, const struct strvec *names)
{
	size_t n = strlen(entry);

	if (n < 10 || entry[n - 9] != ';' ||
	    strspn(entry + n - 8, "0123456789abcdef") != 8)
		return false;
	for (size_t i = 0; i < names->nr; i++)
		if (strlen(names->v[i]) == n - 9 &&
		    !strncmp(entry, names->v[i], n - 9))
			return true;
	return false;
}

/* The temporaries of names in dir under root go; how many did. */
static size_t remove_temps_in(const char *root, const char *dir,
			      const struct strvec *names)
{
	struct strbuf path = STRBUF_INIT;
	struct dirent *e;
	size_t removed = 0;
	DIR *d;

	root_path(&path, root, dir);
	d = opendir(path.buf);
	while (d && (e = readdir(d))) {
		if (e->d_type == DT_DIR || !is_rpm_temp(e->d_name, names))
			continue;
		root_path(&path, root, dir);
		strbuf_addf(&path, "%s%s",
			    dir[strlen(dir) - 1] == '/' ? "" : "/", e->d_name);
		removed += unlink(path.buf) == 0;
	}
	if (d)
		closedir(d);
	strbuf_clear(&path);
	return removed;
}

static void report_temps(Header h, size_t removed)
{
	if (removed)
		warning("%s: removed %zu temporary files left by an rpm "
			"transaction that was cut short",
			headerGetString(h, RPMTAG_NAME), removed);
}

/*
 * An rpm transaction killed half way leaves its files' temporaries,
 * "PATH;TID".  They are junk, and a new transaction started within the
 * same second (the same TID) fails on them ("cpio: open failed"): the
 * ones of h's files go before it is installed.
 */
static void remove_rpm_temps(rpmts ts, const char *root, Header h)
{
	rpmfi fi = rpmfiNew(ts, h, RPMTAG_BASENAMES, RPMFI_KEEPHEADER);
	struct strvec names = STRVEC_INIT;
	char *dir = NULL;
	size_t removed = 0;

	while (fi && rpmfiNext(fi) >= 0) {
		if (dir && strcmp(dir, rpmfiDN(fi))) { /* the next directory */
			removed += remove_temps_in(root, dir, &names);
			strvec_clear(&names);
			free(dir);
			dir = NULL;
		}
		if (!dir)
			dir = xstrdup(rpmfiDN(fi));
		strvec_push(&names, rpmfiBN(fi));
	}
	if (dir)
		removed += remove_temps_in(root, dir, &names);
	report_temps(h, removed);
	free(dir);
	strvec_clear(&names);
	rpmfiFree(fi);
}

/*
 * A source package's files land in %{_sourcedir} and %{_specdir}, not
 * where its header says; their temporaries are looked for there.
 */
static void remove_srpm_temps(rpmts ts, Header h)
{
	static const char *const dirs[] = { "%{_sourcedir}", "%{_specdir}" };
	rpmfi fi = rpmfiNew(ts, h, RPMTAG_BASENAMES, RPMFI_KEEPHEADER);
	struct strvec names = STRVEC_INIT;
	size_t removed = 0;

	while (fi && rpmfiNext(fi) >= 0)
		strvec_push(&names, rpmfiBN(fi));
	for (size_t i = 0; i < sizeof(dirs) / sizeof(*dirs); i++) {
		char *dir = rpmExpand(dirs[i], NULL);

		removed += remove_temps_in(NULL, dir, &names);
		free(dir);
	}
	report_temps(h, removed);
	strvec_clear(&names);
	rpmfiFree(fi);
}

int rpmdb_install_srpm(const char *path, const char *topdir,
		       struct strbuf *spec)
{
	rpmts ts;
	Header h = NULL;
	FD_t fd;
	char *specfile = NULL, *cookie = NULL;
	rpmRC rc;
	int ret = 0;

	if (rpmdb_init() < 0)
		return -1;
	ts = rpmtsCreate();
	if (rpmdb_read_header(ts, path, path, &h) < 0) {
		rpmtsFree(ts);
		return -1;
	}
	rpmPushMacro(NULL, "_topdir", NULL, topdir, RMIL_CMDLINE);
	remove_srpm_temps(ts, h);
	headerFree(h);
	fd = Fopen(path, "r.ufdio");
	rpmdb_reset_message();
	rc = fd ? rpmInstallSourcePackage(ts, fd, &specfile, &cookie) :
		  RPMRC_FAIL;
	if (fd)
		Fclose(fd);
	if (rc != RPMRC_OK || !specfile)
		ret = error("cannot install source package '%s' into '%s': %s",
			    path, topdir, rpmdb_last_message("unknown error"));
	else
		strbuf_addstr(spec, specfile);
	free(specfile);
	free(cookie);
	rpmtsFree(ts);
	rpmPopMacro(NULL, "_topdir");
	return ret;
}

/* Whether the installed package old is the very build in header h. */
static bool same_build(Header old, Header h)
{
	char *a = rpmdb_header_digest(old), *b = rpmdb_header_digest(h);
	bool same = *a && !strcmp(a, b);

	free(a);
	free(b);
	return same;
}

/*
 * The installed packages called like the package in h, appended to *out
 * (grown; *n updated), passing over the very build h is.
 */
static void installed_like(rpmts ts, Header h, struct rpmpkg **out, size_t *n)
{
	rpmdbMatchIterator mi = rpmtsInitIterator(ts, RPMDBI_NAME,
						  headerGetString(h,
								  RPMTAG_NAME),
						  0);
	Header old;

	while (mi && (old = rpmdbNextIterator(mi))) {
		if (same_build(old, h))
			continue;
		*out = xrealloc(*out, (*n + 1) * sizeof(**out));
		rpmdb_pkg_from_header(old, &(*out)[(*n)++]);
	}
	rpmdbFreeIterator(mi);
}

static rpmts transaction_for(const char *root, const char *dbpath)
{
	rpmts ts;

	rpmdb_forget(); /* its view would not see what this does */
	rpmPushMacro(NULL, "_dbpath", NULL, dbpath, RMIL_CMDLINE);
	ts = rpmtsCreate();
	rpmtsSetRootDir(ts, *root ? root : "/");
	rpmtsSetNotifyCallback(ts, notify, NULL);
	return ts;
}

static void transaction_done(rpmts ts)
{
	rpmtsFree(ts);
	rpmPopMacro(NULL, "_dbpath");
}

int rpmdb_replaced_by(const char *root, const char *dbpath,
		      const struct strvec *paths, struct rpmpkg **out,
		      size_t *n)
{
	rpmts ts;
	int ret = 0;

	if (rpmdb_init() < 0)
		return -1;
	ts = transaction_for(root, dbpath);
	for (size_t i = 0; i < paths->nr && !ret; i++) {
		Header h = NULL;

		ret = rpmdb_read_header(ts, paths->v[i], paths->v[i], &h);
		if (!ret)
			installed_like(ts, h, out, n);
		headerFree(h);
	}
	transaction_done(ts);
	return ret;
}

/* Add one package file to install (upgrading what it replaces). */
static int add_package(rpmts ts, const char *root, const char *path)
{
	Header h = NULL;
	int ret = rpmdb_read_header(ts, path, path, &h);

	if (ret)
		return -1;
	remove_rpm_temps(ts, root, h);
	if (rpmtsAddInstallElement(ts, h, (fnpyKey)path, 1, NULL) != 0)
		ret = error("cannot add '%s' to the transaction: %s", path,
			    rpmdb_last_message("unknown error"));
	headerFree(h);
	return ret;
}

/* Add the installed package "NAME-VERSION-RELEASE" to erase. */
static int add_erasure(rpmts ts, const char *nvr)
{
	rpmdbMatchIterator mi = rpmtsInitIterator(ts, RPMDBI_LABEL, nvr, 0);
	Header h;
	int ret = 1;

	while (mi && (h = rpmdbNextIterator(mi)))
		ret = rpmtsAddEraseElement(ts, h, rpmdbGetIteratorOffset(mi)) ?
			      error("cannot add the removal of %s to the transaction",
				    nvr) :
			      0;
	rpmdbFreeIterator(mi);
	return ret > 0 ? error("package %s is not installed", nvr) : ret;
}

/* One transaction: install, erase, with what problems it may pass over. */
static int transaction(const char *root, const char *dbpath,
		       const struct strvec *install, const struct strvec *erase,
		       bool nodeps, rpmprobFilterFlags filter)
{
	struct strbuf why = STRBUF_INIT;
	rpmts ts;
	int ret = 0;

	if (rpmdb_init() < 0)
		return -1;
	ts = transaction_for(root, dbpath);
	for (size_t i = 0; install && i < install->nr && !ret; i++)
		ret = add_package(ts, root, install->v[i]);
	for (size_t i = 0; erase && i < erase->nr && !ret; i++)
		ret = add_erasure(ts, erase->v[i]);
	if (!ret && !nodeps && rpmtsCheck(ts) == 0) {
		problems_in_words(ts, &why);
		if (why.len)
			ret = error("the packages cannot be installed: %s",
				    why.buf);
	}
	if (!ret) {
		rpmtsOrder(ts);
		rpmdb_reset_message();
		if (rpmtsRun(ts, NULL, filter) != 0) {
			problems_in_words(ts, &why);
			ret = error("the rpm transaction failed: %s",
				    why.len ? why.buf :
					      rpmdb_last_message(
						      "unknown error"));
		}
	}
	transaction_done(ts);
	strbuf_clear(&why);
	return ret;
}

int rpmdb_install_packages(const char *root, const char *dbpath,
			   const struct strvec *paths, bool nodeps)
{
	/* a rebuild of the same version replaces the installed one */
	return transaction(root, dbpath, paths, NULL, nodeps,
			   RPMPROB_FILTER_REPLACEPKG);
}

int rpmdb_restore_packages(const char *root, const char *dbpath,
			   const struct strvec *install,
			   const struct strvec *erase, bool nodeps)
{
	/* back to the older packages that were there before */
	return transaction(root, dbpath, install, erase, nodeps,
			   RPMPROB_FILTER_REPLACEPKG |
				   RPMPROB_FILTER_OLDPACKAGE);
}

int rpmdb_signed_by_known_key(struct rpmdb *db, const char *path,
			      struct strbuf *why)
{
	rpmts ts = db->ts;
	rpmVSFlags flags;
	Header h = NULL;
	FD_t fd;
	rpmRC rc;
	int ret = 0;

	fd = Fopen(path, "r.ufdio");
	if (!fd || Ferror(fd)) {
		if (fd)
			Fclose(fd);
		strbuf_addf(why, "cannot open '%s'", path);
		return -1;
	}
	/* the keyring: the gpg-pubkey packages of the database */
	flags = rpmtsSetVSFlags(ts, RPMVSF_DEFAULT);
	rpmdb_reset_message();
	rc = rpmReadPackageFile(ts, fd, path, &h);
	Fclose(fd);
	if (rc == RPMRC_NOKEY || rc == RPMRC_NOTTRUSTED)
		ret = error_to(why, "signed with a key this host's rpm "
				    "database does not hold (rpm --import "
				    "the signer's public key)");
	else if (rc != RPMRC_OK)
		ret = error_to(
			why, "damaged or wrongly signed: %s",
			rpmdb_without_path(rpmdb_last_message(
						   "its signature does not "
						   "verify"),
					   path));
	else if (!headerIsEntry(h, RPMTAG_RSAHEADER) &&
		 !headerIsEntry(h, RPMTAG_DSAHEADER) &&
		 !headerIsEntry(h, RPMTAG_SIGPGP) &&
		 !headerIsEntry(h, RPMTAG_SIGGPG))
		ret = error_to(why, "not signed");
	headerFree(h);
	rpmtsSetVSFlags(ts, flags);
	return ret;
}
