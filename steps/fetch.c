// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Step 3, fetch: the distribution's iptables SRPM (named by the installed
 * package's SOURCERPM tag), the newer iptables tarball and the
 * patch-o-matic tarball.  The SRPM is checked and installed into the rpm
 * build tree with librpm; the tarballs go to SOURCES; the patch-o-matic
 * tree is extracted into the state directory for the patch step.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pomctl/archive.h"
#include "pomctl/digest.h"
#include "pomctl/fetch.h"
#include "pomctl/ktree.h"
#include "pomctl/log.h"
#include "pomctl/manifest.h"
#include "pomctl/pom.h"
#include "pomctl/rpmdb.h"
#include "pomctl/safepath.h"
#include "pomctl/util.h"
#include "steps.h"

#define S "sources"

/* One of the two tarballs: config keys and outputs. */
struct tarball {
	const char *version_key, *url_key, *pin_key, *output;
};

static const struct tarball iptables_tarball = {
	"iptables_version", "iptables_url", "iptables_sha256", "iptables"
};
static const struct tarball pom_tarball = { "pom_version", "pom_url",
					    "pom_sha256", "pom" };

static void cache_dir(struct ctx *ctx, struct strbuf *sb)
{
	strbuf_reset(sb);
	strbuf_addf(sb, "%s/cache", ctx->state_dir.buf);
}

/* The URL with %{version} replaced by the configured version. */
static void tarball_url(struct ctx *ctx, const struct tarball *t,
			struct strbuf *sb)
{
	url_of_version(config_get(ctx->env.cfg, S, t->url_key),
		       config_get(ctx->env.cfg, S, t->version_key), sb);
}

/*
 * A download over the network without a sha256 pin: its content is not
 * checked.  A warning, or with [sources] require_checksums (or
 * --require-checksums) an error.  file: URLs are local: nothing to say.
 */
static bool unpinned(struct ctx *ctx, const char *url, const char *pin_key)
{
	return !*config_get(ctx->env.cfg, S, pin_key) &&
	       strncmp(url, "file:", 5);
}

static int check_pin(struct ctx *ctx, const char *url, const char *pin_key,
		     struct strbuf *err)
{
	if (!unpinned(ctx, url, pin_key))
		return 0;
	if (config_get_bool(ctx->env.cfg, S, "require_checksums"))
		return error_to(err,
				"no sha256 pin for %s ([sources] %s) and "
				"checksums are required: set the pin in "
				"pomctl.conf",
				url, pin_key);
	warning("no sha256 pin for %s ([sources] %s): its content is not "
		"checked",
		url, pin_key);
	return 0;
}

static void request(struct ctx *ctx, const char *url, const char *pin_key,
		    struct strvec *mirrors, struct fetch_request *req)
{
	static struct strbuf pin_name = STRBUF_INIT;

	strbuf_reset(&pin_name);
	if (pin_key)
		strbuf_addf(&pin_name, "[sources] %s", pin_key);
	config_get_words(ctx->env.cfg, S, "mirrors", mirrors);
	req->url = url;
	req->mirrors = mirrors;
	req->sha256 = pin_key ? config_get(ctx->env.cfg, S, pin_key) : NULL;
	req->pin_name = pin_name.buf;
	fetch_limits_from_config(ctx->env.cfg, req);
	req->log_fd = ctx->env.log_fd;
	req->err = NULL;
}

/*
 * The SRPM's name: the SOURCERPM of the iptables installed when the run
 * began (the update step records it: the install step replaces it).
 */
static int srpm_name(struct ctx *ctx, struct strbuf *name)
{
	const char *recorded = step_output(ctx, "update", "iptables_srpm");
	struct rpmdb db;
	struct rpmpkg pkg;
	int ret;

	if (recorded && *recorded) {
		strbuf_addstr(name, recorded);
		return 0;
	}
	if (ctx_rpmdb_open(ctx, &db))
		return -1;
	ret = rpmdb_newest(&db, "iptables", &pkg);
	rpmdb_close(&db);
	if (ret)
		return error("iptables is not installed: pomctl rebuilds the "
			     "distribution's iptables package");
	update_distribution_srpm(ctx, &pkg, name);
	rpmdb_pkg_clear(&pkg);
	if (!name->len || strchr(name->buf, '/'))
		return error("the installed iptables names no usable source "
			     "package (SOURCERPM '%s')",
			     name->buf);
	return 0;
}

static bool is_dir_location(const char *loc)
{
	return *loc == '/';
}

static void location_url(const char *loc, const char *name, struct strbuf *sb)
{
	size_t n = strlen(loc);

	strbuf_reset(sb);
	strbuf_addf(sb, "%s%s%s", loc, n && loc[n - 1] == '/' ? "" : "/", name);
}

/* Take the file from a local directory (under the root): 0 or -1. */
static int from_dir(struct ctx *ctx, const char *loc, const char *name,
		    struct strbuf *path, struct strbuf *why)
{
	struct strbuf rel = STRBUF_INIT;

	location_url(loc, name, &rel);
	env_path(&ctx->env, rel.buf, path);
	strbuf_clear(&rel);
	if (access(path->buf, R_OK) == 0)
		return 0;
	strbuf_addf(why, "%s: not there", path->buf);
	return -1;
}

/* Fetch the file from a URL location into the cache: 0 or -1. */
static int from_url(struct ctx *ctx, const char *loc, const char *name,
		    const char *pin_key, struct strbuf *path,
		    struct strbuf *why)
{
	struct strbuf url = STRBUF_INIT, cache = STRBUF_INIT;
	struct strvec none = STRVEC_INIT;
	struct fetch_request req;
	struct fetch_result res;
	int ret = 0;

	location_url(loc, name, &url);
	cache_dir(ctx, &cache);
	request(ctx, url.buf, pin_key, &none, &req);
	req.mirrors = NULL;
	fetch_result_init(&res);
	if (pin_key)
		ret = check_pin(ctx, url.buf, pin_key, why);
	if (!ret) {
		req.err = why;
		ret = fetch(cache.buf, &req, &res);
	}
	if (!ret)
		strbuf_addstr(path, res.path.buf);
	fetch_result_clear(&res);
	strvec_clear(&none);
	strbuf_clear(&url);
	strbuf_clear(&cache);
	return ret;
}

int fetch_from_location(struct ctx *ctx, const char *loc, const char *name,
			const char *pin_key, struct strbuf *path,
			struct strbuf *why)
{
	if (why->len)
		strbuf_addstr(why, "; ");
	strbuf_reset(path);
	return is_dir_location(loc) ?
		       from_dir(ctx, loc, name, path, why) :
		       from_url(ctx, loc, name, pin_key, path, why);
}

/* A cached object that turned out bad must not be used again. */
static void forget_cached(struct ctx *ctx, const char *path)
{
	struct strbuf cache = STRBUF_INIT;

	cache_dir(ctx, &cache);
	if (!strncmp(path, cache.buf, cache.len))
		unlink(path);
	strbuf_clear(&cache);
}

/*
 * Where the SRPM is looked for: the configured locations, in order; then
 * the rpm top directory's SRPMS, where the SRPM of a package pomctl built
 * is (a run on a host an earlier run upgraded) and no mirror has it.
 */
static void srpm_locations(struct ctx *ctx, struct strvec *locs)
{
	config_get_words(ctx->env.cfg, S, "srpm_locations", locs);
	strvec_pushf(locs, "%s/SRPMS",
		     config_get(ctx->env.cfg, "rpm", "topdir"));
}

static int get_srpm(struct ctx *ctx, const char *name, struct strbuf *path)
{
	struct strvec locs = STRVEC_INIT;
	struct strbuf why = STRBUF_INIT;
	int ret = -1;

	srpm_locations(ctx, &locs);
	for (size_t i = 0; i < locs.nr && ret; i++)
		ret = fetch_from_location(ctx, locs.v[i], name, "srpm_sha256",
					  path, &why);
	if (ret)
		error("cannot get %s from [sources] srpm_locations: %s", name,
		      why.buf);
	strvec_clear(&locs);
	strbuf_clear(&why);
	return ret;
}

static void topdir(struct ctx *ctx, struct strbuf *sb)
{
	env_path(&ctx->env, config_get(ctx->env.cfg, "rpm", "topdir"), sb);
}

/* The path under the root, as the host will see it after the run. */
static const char *unrooted(struct ctx *ctx, const char *path)
{
	size_t n = strlen(ctx->env.root);

	return n && !strncmp(path, ctx->env.root, n) ? path + n : path;
}

/* The files the source package at path puts into top: SPECS/ the spec,
 * SOURCES/ the rest. */
static int record_srpm(struct manifest *m, const char *path, const char *top)
{
	struct strvec files = STRVEC_INIT;
	struct strbuf dest = STRBUF_INIT;
	int ret = rpmdb_package_files(path, &files);

	for (size_t i = 0; i < files.nr && !ret; i++) {
		const char *base = strrchr(files.v[i], '/');

		base = base ? base + 1 : files.v[i];
		strbuf_reset(&dest);
		strbuf_addf(&dest, "%s/%s/%s", top,
			    ends_with(base, ".spec") ? "SPECS" : "SOURCES",
			    base);
		ret = manifest_will_write(m, dest.buf);
	}
	strvec_clear(&files);
	strbuf_clear(&dest);
	return ret;
}

static int install_srpm(struct ctx *ctx, struct manifest *m, const char *name)
{
	struct strbuf path = STRBUF_INIT, top = STRBUF_INIT, spec = STRBUF_INIT;
	char digest[SHA256_HEX];
	int ret = get_srpm(ctx, name, &path);

	/* librpm checks the package again before installing it */
	if (!ret && rpmdb_check_package(path.buf, name, NULL) < 0) {
		forget_cached(ctx, path.buf);
		ret = -1;
	}
	topdir(ctx, &top);
	if (!ret)
		ret = mkdir_p(top.buf, 0755);
	if (!ret)
		ret = record_srpm(m, path.buf, top.buf);
	if (!ret) {
		double start = monotonic_seconds();

		ret = rpmdb_install_srpm(path.buf, top.buf, &spec);
		steplog_work(ctx->env.log_fd, start, "install %s", name);
	}
	if (!ret && sha256_file(path.buf, digest) == 0) {
		ctx_set_output(ctx, "fetch", "srpm", name);
		ctx_set_output(ctx, "fetch", "srpm_sha256", digest);
		ctx_set_output(ctx, "fetch", "spec", unrooted(ctx, spec.buf));
		steplog_printf(ctx->env.log_fd, "installed %s: %s", name,
			       spec.buf);
		info("  installed %s into %s", name, top.buf);
	}
	strbuf_clear(&path);
	strbuf_clear(&top);
	strbuf_clear(&spec);
	return ret;
}

/* Fetch a tarball and copy it into SOURCES; res describes it. */
static int get_tarball(struct ctx *ctx, struct manifest *m,
		       const struct tarball *t, struct fetch_result *res,
		       struct strbuf *name)
{
	struct strbuf url = STRBUF_INIT, cache = STRBUF_INIT,
		      dest = STRBUF_INIT, key = STRBUF_INIT;
	struct strvec mirrors = STRVEC_INIT;
	struct fetch_request req;
	int ret;

	tarball_url(ctx, t, &url);
	url_basename(url.buf, name);
	cache_dir(ctx, &cache);
	request(ctx, url.buf, t->pin_key, &mirrors, &req);
	ret = check_pin(ctx, url.buf, t->pin_key, NULL);
	if (!ret)
		ret = fetch(cache.buf, &req, res);
	topdir(ctx, &dest);
	strbuf_addstr(&dest, "/SOURCES");
	if (!ret)
		ret = mkdir_p(dest.buf, 0755);
	strbuf_addf(&dest, "/%s", name->buf);
	if (!ret)
		ret = manifest_will_write(m, dest.buf);
	if (!ret)
		ret = copy_file_atomic(res->path.buf, dest.buf, 0644);
	if (!ret) {
		strbuf_addf(&key, "%s_tarball", t->output);
		ctx_set_output(ctx, "fetch", key.buf, name->buf);
		strbuf_reset(&key);
		strbuf_addf(&key, "%s_sha256", t->output);
		ctx_set_output(ctx, "fetch", key.buf, res->digest);
	}
	strvec_clear(&mirrors);
	strbuf_clear(&url);
	strbuf_clear(&cache);
	strbuf_clear(&dest);
	strbuf_clear(&key);
	return ret;
}

/*
 * STATE/pom/DIGEST16: the extracted tree, made once per tarball, into dir.
 * 0, -1 for a bad tarball, ARCHIVE_EXTRACT_LOCAL when the disk failed us.
 */
static int extract_pom_into(struct ctx *ctx, const struct fetch_result *res,
			    struct strbuf *dir)
{
	double start = monotonic_seconds();
	int ret;

	strbuf_reset(dir);
	strbuf_addf(dir, "%s/pom", ctx->state_dir.buf);
	ret = mkdir_p(dir->buf, 0700) < 0 ? ARCHIVE_EXTRACT_LOCAL : 0;
	strbuf_addf(dir, "/%.16s", res->digest);
	if (!ret) {
		struct archive_limits lim;

		archive_limits_from_config(ctx->env.cfg, &lim);
		ret = archive_extract_top(res->path.buf, dir, &lim);
		steplog_work(ctx->env.log_fd, start, "extract %s",
			     res->path.buf);
	}
	if (!ret && !is_dir(dir->buf))
		ret = error(
			"patch-o-matic tarball '%s' holds no directory '%s'",
			res->path.buf, strrchr(dir->buf, '/') + 1);
	return ret;
}

const char *fetch_pom_dir(struct ctx *ctx, struct strbuf *sb)
{
	return ctx_state_dir_output(ctx, "fetch", "pom_dir", sb);
}

static int extract_pom(struct ctx *ctx, const struct fetch_result *res)
{
	struct strbuf dir = STRBUF_INIT;
	int ret = extract_pom_into(ctx, res, &dir);

	if (!ret) /* by its place in the state: see fetch_pom_dir() */
		ctx_set_output(ctx, "fetch", "pom_dir",
			       path_under(ctx->state_dir.buf, dir.buf));
	strbuf_clear(&dir);
	return ret;
}

/*
 * The patch-o-matic tree, into pomctl's cache and state directory, for a
 * plan as for a run (nothing on the host changes): the names and the fit
 * of the requested patches are checked before anything is trusted.  Not
 * downloaded unless fill.  0 with dir set; 1 when it cannot be had now
 * (why says so, or is empty when the fetch step will say it: a pin
 * required and missing, or not in the cache and not fill).
 */
static int pom_tree_early(struct ctx *ctx, bool fill, struct strbuf *dir,
			  struct strbuf *why)
{
	struct strbuf url = STRBUF_INIT, cache = STRBUF_INIT;
	struct strvec mirrors = STRVEC_INIT;
	struct fetch_request req;
	struct fetch_result res;
	bool quiet = error_set_quiet(true);
	int ret = 0;

	tarball_url(ctx, &pom_tarball, &url);
	cache_dir(ctx, &cache);
	request(ctx, url.buf, pom_tarball.pin_key, &mirrors, &req);
	fetch_result_init(&res);
	if (!fetch_cached(cache.buf, &req, &res)) {
		ret = 1;
		if (fill &&
		    (!unpinned(ctx, url.buf, pom_tarball.pin_key) ||
		     !config_get_bool(ctx->env.cfg, S, "require_checksums"))) {
			req.err = why;
			ret = fetch(cache.buf, &req, &res) ? 1 : 0;
		}
	}
	if (!ret && extract_pom_into(ctx, &res, dir) < 0) {
		strbuf_addstr(why, error_last());
		ret = 1;
	}
	error_set_quiet(quiet);
	fetch_result_clear(&res);
	strvec_clear(&mirrors);
	strbuf_clear(&url);
	strbuf_clear(&cache);
	return ret;
}

/*
 * Whether the patch-o-matic tree at dir has every requested patch (and
 * what they depend on) for the configured kernel, and the set applies to
 * its tree: 0, or -1 with the error said.  Checked as soon as the tree is
 * there, so that a misspelt name or a patch that does not apply stops the
 * run before the system update and the trial build, not after them.
 */
static int check_requested(struct ctx *ctx, const char *dir)
{
	struct ktree kt;
	int ret;

	if (ktree_open_configured(&ctx->env, &kt) < 0)
		return -1;
	ret = pom_check_request(&ctx->env, dir, &ctx->state->patches, &kt);
	ktree_clear(&kt);
	return ret;
}

int fetch_pom_cached(struct ctx *ctx, struct strbuf *dir)
{
	struct strbuf why = STRBUF_INIT;
	int ret = pom_tree_early(ctx, false, dir, &why);

	strbuf_clear(&why);
	return ret ? -1 : 0;
}

int fetch_check_names(struct ctx *ctx)
{
	struct strbuf dir = STRBUF_INIT, why = STRBUF_INIT;
	int ret;

	if (check_all_available(ctx))
		return 0; /* the run ends at check: no tree needed */
	ret = pom_tree_early(ctx, true, &dir, &why);
	if (ret == 1 && why.len)
		warning("patch-o-matic %s: %s; the patch names are checked "
			"once the run fetches it",
			config_get(ctx->env.cfg, S, "pom_version"), why.buf);
	else if (!ret)
		ret = check_requested(ctx, dir.buf);
	strbuf_clear(&dir);
	strbuf_clear(&why);
	return ret < 0 ? -1 : 0;
}

void fetch_fingerprint(struct ctx *ctx, struct fingerprint *fp)
{
	static const char *const keys[] = {
		"srpm_locations", "iptables_version", "iptables_url",
		"pom_version",	  "pom_url",	      "mirrors",
		"srpm_sha256",	  "iptables_sha256",  "pom_sha256",
	};

	/* not the installed iptables: the install step replaces it */
	for (size_t i = 0; i < ARRAY_SIZE(keys); i++)
		fp_add_config(fp, ctx, S, keys[i]);
	fp_add_config(fp, ctx, "rpm", "topdir");
	fp_add_config(fp, ctx, "rpm", "dbpath");
	fp_add_step(fp, ctx->state, "update");
}

static void plan_download_of(struct ctx *ctx, const char *url,
			     const char *pin_key, const char *dest)
{
	struct strbuf cache = STRBUF_INIT;
	struct strvec mirrors = STRVEC_INIT;
	struct fetch_request req;
	struct fetch_result res;

	cache_dir(ctx, &cache);
	request(ctx, url, pin_key, &mirrors, &req);
	fetch_result_init(&res);
	if (fetch_cached(cache.buf, &req, &res))
		plan_note(ctx->env.plan,
			  "%s: in the cache already (sha256 %s): copied from "
			  "there to %s",
			  url, res.digest, dest);
	else
		plan_download(ctx->env.plan, url,
			      fetch_remote_size(url, req.connect_timeout),
			      dest);
	if (unpinned(ctx, url, pin_key))
		plan_note(ctx->env.plan,
			  "%s: no sha256 pin for %s ([sources] %s)",
			  config_get_bool(ctx->env.cfg, S,
					  "require_checksums") ?
				  "error, checksums are required" :
				  "warning, its content is not checked",
			  url, pin_key);
	fetch_result_clear(&res);
	strvec_clear(&mirrors);
	strbuf_clear(&cache);
}

static void plan_srpm(struct ctx *ctx, const char *name, const char *top)
{
	struct strvec locs = STRVEC_INIT;
	struct strbuf url = STRBUF_INIT, path = STRBUF_INIT;

	srpm_locations(ctx, &locs);
	plan_note(ctx->env.plan,
		  "the iptables source package: %s (the distribution's "
		  "source package of the installed iptables), tried in "
		  "[sources] srpm_locations in order, then in the rpm SRPMS",
		  name);
	for (size_t i = 0; i < locs.nr; i++) {
		location_url(locs.v[i], name, &url);
		if (!is_dir_location(locs.v[i])) {
			plan_download_of(ctx, url.buf, "srpm_sha256", top);
			continue;
		}
		env_path(&ctx->env, url.buf, &path);
		plan_note(ctx->env.plan, "%s: %s", url.buf,
			  access(path.buf, R_OK) ? "not there" : "there");
	}
	plan_note(ctx->env.plan,
		  "check its digests and install it into %s with "
		  "librpm (the spec into SPECS, the sources into SOURCES)",
		  top);
	strvec_clear(&locs);
	strbuf_clear(&url);
	strbuf_clear(&path);
}

int fetch_plan(struct ctx *ctx)
{
	struct strbuf name = STRBUF_INIT, top = STRBUF_INIT, url = STRBUF_INIT,
		      dest = STRBUF_INIT;
	const struct tarball *tarballs[] = { &iptables_tarball, &pom_tarball };

	if (srpm_name(ctx, &name) < 0)
		return -1;
	topdir(ctx, &top);
	plan_srpm(ctx, name.buf, top.buf);
	for (size_t i = 0; i < ARRAY_SIZE(tarballs); i++) {
		tarball_url(ctx, tarballs[i], &url);
		url_basename(url.buf, &name);
		strbuf_reset(&dest);
		strbuf_addf(&dest, "%s/SOURCES/%s", top.buf, name.buf);
		plan_download_of(ctx, url.buf, tarballs[i]->pin_key, dest.buf);
	}
	plan_note(ctx->env.plan,
		  "extract the patch-o-matic tree into %s/pom "
		  "(checked: no absolute paths, no '..', no links outside, "
		  "no devices)",
		  ctx->state_dir.buf);
	strbuf_clear(&name);
	strbuf_clear(&top);
	strbuf_clear(&url);
	strbuf_clear(&dest);
	return 0;
}

int fetch_run(struct ctx *ctx)
{
	struct strbuf name = STRBUF_INIT;
	struct fetch_result res;
	struct manifest m;
	int ret = ctx_manifest_open(ctx, "fetch", &m);

	if (ret)
		return -1;
	ret = srpm_name(ctx, &name);
	if (!ret)
		ret = install_srpm(ctx, &m, name.buf);
	fetch_result_init(&res);
	if (!ret)
		ret = get_tarball(ctx, &m, &iptables_tarball, &res, &name);
	if (!ret)
		ctx_set_output(ctx, "fetch", "iptables_version",
			       config_get(ctx->env.cfg, S, "iptables_version"));
	fetch_result_clear(&res);
	fetch_result_init(&res);
	if (!ret)
		ret = get_tarball(ctx, &m, &pom_tarball, &res, &name);
	if (!ret && (ret = extract_pom(ctx, &res)) < 0) {
		/* a bad tarball is forgotten; a full disk is no reason */
		if (ret != ARCHIVE_EXTRACT_LOCAL)
			forget_cached(ctx, res.path.buf);
		ret = -1;
	}
	if (!ret)
		ret = check_requested(ctx, fetch_pom_dir(ctx, &name));
	if (manifest_save(&m) < 0)
		ret = -1;
	manifest_clear(&m);
	fetch_result_clear(&res);
	strbuf_clear(&name);
	return ret;
}
