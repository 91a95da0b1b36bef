// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Step 8, install: the new kernel and its modules (make modules_install
 * install), the rebuilt RPMs (one librpm transaction, the versions they
 * replace recorded), the boot loader made safe (an entry for the new
 * kernel, the running kernel's untouched and still the default, an initrd
 * where the running entry has one) and a one-shot boot of the new kernel
 * arranged, so that a kernel that does not come up falls back by itself.
 * Then the pause: reboot into the new release, then pomctl resume.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pomctl/ktree.h"
#include "pomctl/log.h"
#include "pomctl/manifest.h"
#include "pomctl/rpmdb.h"
#include "pomctl/safepath.h"
#include "pomctl/run-command.h"
#include "pomctl/util.h"
#include "kbuild.h"
#include "steps.h"

void install_fingerprint(struct ctx *ctx, struct fingerprint *fp)
{
	fp_add_step(fp, ctx->state, "kernel");
	fp_add_step(fp, ctx->state, "rpm");
	fp_add_config(fp, ctx, "boot", "loader");
	fp_add_config(fp, ctx, "boot", "config");
	fp_add_config(fp, ctx, "boot", "default_to_new");
	fp_add_config(fp, ctx, "rpm", "nodeps");
}

static void plan_copies(struct ctx *ctx, const struct strvec *names,
			const struct strvec *versions);

/* The names and version-releases of the package files (librpm reads
 * them), into names and versions. */
static void package_names(const struct strvec *files, struct strvec *names,
			  struct strvec *versions)
{
	bool quiet = error_set_quiet(true);

	for (size_t i = 0; i < files->nr; i++) {
		struct rpmpkg p;

		if (rpmdb_check_package(files->v[i], NULL, &p) == 0) {
			strvec_push(names, p.name);
			strvec_pushf(versions, "%s-%s", p.version, p.release);
			rpmdb_pkg_clear(&p);
		}
	}
	error_set_quiet(quiet);
}

/* The packages the rpm step built, or (before it ran) will build. */
static void plan_packages(struct ctx *ctx)
{
	static const char *const names[] = { "iptables", "iptables-devel",
					     "iptables-pom" };
	struct strvec pkgs = STRVEC_INIT, built = STRVEC_INIT,
		      versions = STRVEC_INIT;

	ctx_output_paths(ctx, "rpm", "packages", &pkgs);
	if (state_step(ctx->state, "rpm")->status != STEP_DONE) {
		strvec_clear(&pkgs);
		for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
			strvec_pushf(&pkgs, "%s (built by the rpm step)",
				     names[i]);
			strvec_push(&built, names[i]);
			strvec_pushf(&versions, "%s, built by the rpm step",
				     config_get(ctx->env.cfg, "sources",
						"iptables_version"));
		}
	} else {
		package_names(&pkgs, &built, &versions);
	}
	for (size_t i = 0; i < pkgs.nr; i++)
		plan_package(ctx->env.plan, "install (upgrade)", pkgs.v[i]);
	plan_note(ctx->env.plan,
		  "before the transaction, a copy of each installed "
		  "package it replaces is kept for rollback, where the rpm top "
		  "directory, the updaters' caches or [sources] "
		  "package_locations have that very build");
	plan_copies(ctx, &built, &versions);
	strvec_clear(&pkgs);
	strvec_clear(&built);
	strvec_clear(&versions);
}

int install_plan(struct ctx *ctx)
{
	const char *built = step_output(ctx, "kernel", "release");
	bool decided = *built &&
		       state_step(ctx->state, "kernel")->status == STEP_DONE;
	struct strbuf config = STRBUF_INIT, arch = STRBUF_INIT;
	struct ktree t;
	int ret;

	/* the kernel step (re)builds first: the release it will choose */
	if (!decided) {
		ret = kernel_planned_tree(ctx, &t);
		if (ret)
			return -1;
		ret = ktree_config_and_arch(&ctx->env, &t, &config, &arch);
	} else {
		ret = ktree_open_configured(&ctx->env, &t);
		if (ret)
			return -1;
		free(t.release); /* what the kernel step recorded */
		t.release = xstrdup(built);
		strbuf_addstr(&arch, step_output(ctx, "kernel", "arch"));
	}
	if (!ret) {
		reboot_plan_headline(ctx, t.release, false);
		reboot_plan_install(ctx, &t, arch.buf);
		plan_packages(ctx);
		plan_reboot(ctx->env.plan, t.release);
	}
	ktree_clear(&t);
	strbuf_clear(&config);
	strbuf_clear(&arch);
	return ret;
}

/*
 * Where a copy of a package the install replaces may be: pomctl's own
 * builds (a package an earlier run installed), the updaters' caches, then
 * [sources] package_locations.
 */
static void package_locations(struct ctx *ctx, const char *arch,
			      struct strvec *locs)
{
	struct strvec repos = STRVEC_INIT;
	struct strbuf yum = STRBUF_INIT;

	strvec_pushf(locs, "%s/RPMS/%s",
		     config_get(ctx->env.cfg, "rpm", "topdir"), arch);
	strvec_push(locs, "/var/spool/up2date");
	env_path(&ctx->env, "/var/cache/yum", &yum);
	list_dir(yum.buf, &repos);
	for (size_t i = 0; i < repos.nr; i++)
		if (!relpath_check(repos.v[i]))
			strvec_pushf(locs, "/var/cache/yum/%s/packages",
				     repos.v[i]);
	config_get_words(ctx->env.cfg, "sources", "package_locations", locs);
	strvec_clear(&repos);
	strbuf_clear(&yum);
}

/* Whether path is the very build p (its digests those of the database). */
static bool is_build_of(const char *path, const struct rpmpkg *p)
{
	struct rpmpkg got = { 0 };
	bool quiet = error_set_quiet(true), same;

	same = rpmdb_check_package(path, NULL, &got) == 0 && *p->digest &&
	       !strcmp(got.digest, p->digest);
	if (got.name)
		rpmdb_pkg_clear(&got);
	error_set_quiet(quiet);
	return same;
}

/*
 * Where the very build of the installed package p is: 0 with its path and
 * the location in from; 1 when no location has it.  With plan, only the
 * local ones are looked into (nothing is downloaded), and 2 says that a
 * URL location may still have it.
 */
static int find_copy(struct ctx *ctx, const struct rpmpkg *p, bool plan,
		     struct strbuf *path, struct strbuf *from)
{
	struct strvec locs = STRVEC_INIT;
	struct strbuf name = STRBUF_INIT, why = STRBUF_INIT;
	int ret = 1;

	rpmdb_pkg_nvr(p, &name);
	strbuf_addf(&name, ".%s.rpm", p->arch);
	package_locations(ctx, p->arch, &locs);
	for (size_t i = 0; i < locs.nr && ret; i++) {
		if (plan && *locs.v[i] != '/') {
			ret = 2;
			continue;
		}
		if (fetch_from_location(ctx, locs.v[i], name.buf, NULL, path,
					&why) == 0 &&
		    is_build_of(path->buf, p)) {
			strbuf_addstr(from, locs.v[i]);
			ret = 0;
		}
	}
	strvec_clear(&locs);
	strbuf_clear(&name);
	strbuf_clear(&why);
	return ret;
}

/* Where yumdownloader and dnf download put a copy: pomctl's own, under
 * its state directory, emptied before and removed after. */
static void download_dir(struct ctx *ctx, struct strbuf *dir)
{
	strbuf_reset(dir);
	strbuf_addf(dir, "%s/tmp/download", ctx->state_dir.buf);
}

/*
 * The updater's command that downloads the installed package p, that very
 * build: up2date --get NAME-VERSION-RELEASE, into its spool
 * (/var/spool/up2date, one of find_copy()'s locations); yumdownloader
 * --destdir DIR and dnf download --destdir DIR, NAME-VERSION-RELEASE.ARCH
 * into download_dir().  Nothing for pomctl's own builds, which no channel
 * has, nor for [update] updater = none.
 */
static void download_argv(struct ctx *ctx, const struct rpmpkg *p,
			  struct strvec *argv)
{
	const char *updater = config_get(ctx->env.cfg, "update", "updater");
	struct strbuf nvr = STRBUF_INIT, dir = STRBUF_INIT;

	if (rpm_is_own_release(ctx, p->release) || !strcmp(updater, "none"))
		return;
	rpmdb_pkg_nvr(p, &nvr);
	if (!strcmp(updater, "up2date")) {
		config_get_words(ctx->env.cfg, "commands", "up2date", argv);
		strvec_pushv(argv,
			     (const char *const[]){ "--get", nvr.buf, NULL });
		goto out;
	}
	strbuf_addf(&nvr, ".%s", p->arch);
	download_dir(ctx, &dir);
	if (!strcmp(updater, "dnf")) {
		config_get_words(ctx->env.cfg, "commands", "dnf", argv);
		strvec_push(argv, "download");
	} else {
		config_get_words(ctx->env.cfg, "commands", "yumdownloader",
				 argv);
	}
	strvec_pushv(argv, (const char *const[]){ "--destdir", dir.buf, nvr.buf,
						  NULL });
out:
	strbuf_clear(&nvr);
	strbuf_clear(&dir);
}

/*
 * No location has the very build of p: the updater downloads it.  As
 * find_copy(); a download that fails, or brings another build, is a
 * warning (the copy is not to be had: 1).  The file up2date writes in its
 * spool is recorded in m until keep_copy() moves it (an attempt cut short
 * in between has it removed); yum's and dnf's go to download_dir(), which
 * keep_copy() removes.
 */
static int download_copy(struct ctx *ctx, const struct rpmpkg *p,
			 struct manifest *m, struct strbuf *path,
			 struct strbuf *from)
{
	struct child_process cp = CHILD_PROCESS_INIT;
	struct strbuf nvr = STRBUF_INIT, spool = STRBUF_INIT,
		      program = STRBUF_INIT;
	bool up2date = !strcmp(config_get(ctx->env.cfg, "update", "updater"),
			       "up2date");
	int ret;

	rpmdb_pkg_nvr(p, &nvr);
	download_argv(ctx, p, &cp.args);
	if (!cp.args.nr) {
		ret = 1;
		goto out;
	}
	if (up2date) {
		env_path(&ctx->env, "/var/spool/up2date", &spool);
		strbuf_addf(&spool, "/%s.%s.rpm", nvr.buf, p->arch);
		ret = manifest_will_write(m, spool.buf);
	} else {
		download_dir(ctx, &spool);
		ret = is_dir(spool.buf) ? remove_tree(spool.buf) : 0;
		if (!ret)
			ret = mkdir_p(spool.buf, 0700);
		strbuf_addf(&spool, "/%s.%s.rpm", nvr.buf, p->arch);
	}
	if (ret < 0)
		goto out;
	cp.log_fd = ctx->env.log_fd;
	cp.label = "download a copy for rollback";
	strbuf_addstr(&program, cp.args.v[0]); /* run_command() frees cp */
	ret = run_command(&cp);
	if (ret < 0 || run_interrupted()) {
		ret = -1;
	} else if (ret > 0) {
		warning("the updater could not download %s (exit %d)", nvr.buf,
			ret);
		ret = 1;
	} else if (up2date) {
		ret = find_copy(ctx, p, false, path, from);
	} else if (is_build_of(spool.buf, p)) {
		strbuf_reset(path);
		strbuf_reset(from);
		strbuf_addstr(path, spool.buf);
		strbuf_addstr(from, program.buf);
		ret = 0;
	} else {
		warning("%s did not download %s, that very build", program.buf,
			nvr.buf);
		ret = 1;
	}
out:
	child_process_clear(&cp);
	strbuf_clear(&nvr);
	strbuf_clear(&spool);
	strbuf_clear(&program);
	return ret;
}

/*
 * A copy of the installed package p, from the first location that has the
 * very build (else downloaded by the updater), kept among the manifest's
 * backups for rollback to put back: 0, 1 when none is to be had, -1
 * (reported) when it cannot be kept.  A download is moved there, not
 * copied, and leaves the record: the spool ends as it was, whether or not
 * an interrupted attempt downloaded it first.
 */
static int keep_copy(struct ctx *ctx, const struct rpmpkg *p,
		     struct manifest *m, struct strbuf *from)
{
	struct strbuf path = STRBUF_INIT, keep = STRBUF_INIT;
	int ret = find_copy(ctx, p, false, &path, from);

	if (ret == 1)
		ret = download_copy(ctx, p, m, &path, from);

	if (!ret) { /* NAME-VERSION-RELEASE.ARCH.rpm: rollback looks for it */
		strbuf_addf(&keep, "%s/packages", m->backups);
		ret = mkdir_p(keep.buf, 0700);
		strbuf_addch(&keep, '/');
		rpmdb_pkg_nvr(p, &keep);
		strbuf_addf(&keep, ".%s.rpm", p->arch);
		if (!ret)
			ret = copy_file_atomic(path.buf, keep.buf, 0600);
		/* what the run downloaded itself is moved: the spool as it was */
		if (!ret && manifest_has_created(m, path.buf)) {
			if (unlink(path.buf) < 0 && errno != ENOENT)
				ret = error("cannot remove '%s': %s", path.buf,
					    strerror(errno));
			else
				manifest_forget_created(m, path.buf);
		}
	}
	download_dir(ctx, &keep); /* yum's or dnf's download, kept or not */
	if (is_dir(keep.buf))
		remove_tree(keep.buf);
	strbuf_clear(&path);
	strbuf_clear(&keep);
	return ret;
}

/*
 * In a plan: for each installed package the install would replace (one
 * of the names the rpm step builds), whether rollback could put it back:
 * a caution, said with the consent question, where no copy of that very
 * build can be had.
 */
static void plan_copies(struct ctx *ctx, const struct strvec *names,
			const struct strvec *versions)
{
	struct strbuf path = STRBUF_INIT, from = STRBUF_INIT, nvr = STRBUF_INIT;
	struct rpmpkg *old = NULL;
	struct rpmdb db;
	size_t n = 0;
	bool quiet = error_set_quiet(true), db_open;

	db_open = ctx_rpmdb_open(ctx, &db) == 0;
	for (size_t i = 0; i < names->nr; i++) {
		size_t had = n;

		if (db_open)
			rpmdb_find(&db, names->v[i], &old, &n);
		/* the transaction summary: what each package does */
		strbuf_reset(&nvr);
		for (size_t k = had; k < n; k++)
			strbuf_addf(&nvr, "%s%s-%s", k > had ? ", " : "",
				    old[k].version, old[k].release);
		if (n > had)
			plan_headline(ctx->env.plan, "replace %s %s with %s",
				      names->v[i], nvr.buf, versions->v[i]);
		else
			plan_headline(ctx->env.plan,
				      "install %s %s (not installed before)",
				      names->v[i], versions->v[i]);
	}
	if (db_open)
		rpmdb_close(&db);
	error_set_quiet(quiet);
	for (size_t i = 0; i < n; i++) {
		struct strvec get = STRVEC_INIT;
		int found;

		strbuf_reset(&nvr);
		strbuf_reset(&from);
		rpmdb_pkg_nvr(&old[i], &nvr);
		found = find_copy(ctx, &old[i], true, &path, &from);
		if (found == 1)
			download_argv(ctx, &old[i], &get);
		if (found == 1 && get.nr) {
			plan_command(ctx->env.plan, strvec_argv(&get), NULL);
			plan_caution(
				ctx->env.plan,
				"rollback can put back %s only if the "
				"updater downloads that very build before "
				"the transaction (no location has it); "
				"where its channel lacks it, set [sources] "
				"package_locations to a directory or URL "
				"holding %s.%s.rpm",
				nvr.buf, nvr.buf, old[i].arch);
		} else if (!found)
			plan_note(ctx->env.plan,
				  "rollback can put back %s: a copy of this "
				  "very build is in %s",
				  nvr.buf, from.buf);
		else if (found == 2)
			plan_note(ctx->env.plan,
				  "%s: a copy for rollback is looked for at "
				  "the URLs of [sources] package_locations "
				  "when the install step runs",
				  nvr.buf);
		else
			plan_caution(ctx->env.plan,
				     "rollback would not restore %s: no copy "
				     "of this very build is in the rpm top "
				     "directory, the updaters' caches or "
				     "[sources] package_locations (set it to "
				     "a directory or URL holding %s.%s.rpm)",
				     nvr.buf, nvr.buf, old[i].arch);
		strvec_clear(&get);
	}
	rpmdb_pkgs_free(old, n);
	strbuf_clear(&path);
	strbuf_clear(&from);
	strbuf_clear(&nvr);
}

/*
 * Before the transaction, in the manifest: the packages it installs, the
 * installed ones it replaces, and a copy of each of those where one can
 * be had.  Once it commits they are gone from the database.  A resumed
 * attempt after the commit finds its own builds installed: it adds
 * nothing, and the first attempt's record stands.
 */
static int record_packages(struct ctx *ctx, const struct strvec *pkgs,
			   struct manifest *m)
{
	const char *dbpath = config_get(ctx->env.cfg, "rpm", "dbpath");
	struct rpmpkg *old = NULL, p;
	struct strbuf nvr = STRBUF_INIT, from = STRBUF_INIT;
	struct strvec ours = STRVEC_INIT;
	size_t n = 0;
	int ret = 0;

	/* what an earlier attempt of this run installed is the run's own */
	manifest_packages(m, "installed", &ours);
	for (size_t i = 0; i < pkgs->nr && !ret; i++) {
		ret = rpmdb_check_package(pkgs->v[i], NULL, &p);
		if (ret)
			break;
		strbuf_reset(&nvr);
		rpmdb_pkg_nvr(&p, &nvr);
		manifest_package(m, "installed", nvr.buf);
		rpmdb_pkg_clear(&p);
	}
	if (!ret)
		ret = rpmdb_replaced_by(ctx->env.root, dbpath, pkgs, &old, &n);
	for (size_t i = 0; i < n && ret >= 0; i++) {
		strbuf_reset(&nvr);
		strbuf_reset(&from);
		rpmdb_pkg_nvr(&old[i], &nvr);
		if (strvec_has(&ours, nvr.buf))
			continue; /* rebuilt since: nothing to put back */
		manifest_package(m, "replaced", nvr.buf);
		ret = keep_copy(ctx, &old[i], m, &from);
		if (!ret)
			info("  kept a copy of %s for rollback (from %s)",
			     nvr.buf, from.buf);
		else if (ret > 0)
			warning("no copy of %s to keep (none of the rpm top "
				"directory, the updaters' caches and [sources] "
				"package_locations has this build): rollback "
				"will name it to reinstall by hand",
				nvr.buf);
	}
	rpmdb_pkgs_free(old, n);
	strvec_clear(&ours);
	strbuf_clear(&nvr);
	strbuf_clear(&from);
	if (ret < 0)
		return -1;
	return manifest_save(m);
}

/* The packages of step's output "packages" (rpm's builds, or the
 * bundle's), in one transaction. */
static int install_packages(struct ctx *ctx, const char *step,
			    struct manifest *m)
{
	struct strvec pkgs = STRVEC_INIT, replaced = STRVEC_INIT;
	double start;
	int ret;

	ctx_output_paths(ctx, step, "packages", &pkgs);
	ret = record_packages(ctx, &pkgs, m);
	start = monotonic_seconds(); /* the transaction's (the updater's
				      * download is a command of its own) */
	if (!ret)
		ret = rpmdb_install_packages(ctx->env.root,
					     config_get(ctx->env.cfg, "rpm",
							"dbpath"),
					     &pkgs,
					     config_get_bool(ctx->env.cfg,
							     "rpm", "nodeps"));
	steplog_work(ctx->env.log_fd, start, "rpm transaction of %zu packages",
		     pkgs.nr);
	manifest_packages(m, "replaced", &replaced);
	if (!ret) {
		struct strbuf list = STRBUF_INIT;

		strvec_join(&replaced, " ", &list);
		ctx_set_output(ctx, "install", "replaced", list.buf);
		info("  installed %zu packages%s%s", pkgs.nr,
		     list.len ? ", replacing " : "", list.buf);
		strbuf_clear(&list);
	}
	strvec_clear(&pkgs);
	strvec_clear(&replaced);
	return ret;
}

static int maybe_reboot(struct ctx *ctx)
{
	struct strvec argv = STRVEC_INIT;
	int ret = 0;

	if (ctx->reboot) {
		config_get_words(ctx->env.cfg, "commands", "reboot", &argv);
		ret = reboot_run_argv(ctx, &argv, "reboot");
	}
	strvec_clear(&argv);
	return ret;
}

/* release is installed: the reboot into it (run, or asked for). */
static int installed(struct ctx *ctx, const char *release)
{
	int ret = maybe_reboot(ctx);

	if (ret)
		return ret;
	ctx_set_output(ctx, "install", "release", release);
	pipeline_request_reboot(ctx, release);
	return STEP_PAUSE;
}

/* The packages of step's output, as a stage of install: 0 or -1. */
static int packages_stage(struct ctx *ctx, const char *step, struct manifest *m)
{
	const char *pkgs = step_output(ctx, step, "packages");
	int ret = 0;

	if (!pipeline_stage_skip(ctx, "packages installed", pkgs)) {
		ret = install_packages(ctx, step, m);
		if (!ret)
			ret = pipeline_stage_done(ctx, "packages installed",
						  pkgs);
	}
	return ret;
}

/*
 * Stages: kbuild_install's (make modules_install, make install), then,
 * after the boot loader is made safe (each time: it checks and edits in
 * place), the packages installed.  After a failure, resume goes on from
 * the first stage not done.
 */
static int install_stages(struct ctx *ctx, const struct ktree *t,
			  const char *arch, const char *def, struct manifest *m)
{
	int ret = kbuild_install(ctx, t, arch, m);

	if (!ret)
		ret = reboot_prepare(ctx, "install", t->release, def, m);
	return ret ? ret : packages_stage(ctx, "rpm", m);
}

int install_run(struct ctx *ctx)
{
	const char *release = step_output(ctx, "kernel", "release");
	const char *arch = step_output(ctx, "kernel", "arch");
	struct ktree t;
	struct manifest m;
	int ret;

	if (!*release || !*arch)
		return error("the kernel step has no release to install; run "
			     "pomctl resume --from kernel");
	if (ktree_open_configured(&ctx->env, &t) < 0)
		return -1;
	if (strcmp(t.release, release))
		ret = error("the kernel tree is at %s, not the %s the kernel "
			    "step built; run pomctl resume --from kernel",
			    t.release, release);
	else
		ret = ctx_manifest_open(ctx, "install", &m);
	if (!ret) {
		char *def = reboot_default_release(ctx);

		ret = reboot_precheck(ctx);
		if (!ret)
			ret = install_stages(ctx, &t, arch, def, &m);
		free(def);
		manifest_save(&m);
		manifest_clear(&m);
	}
	ktree_clear(&t);
	return ret ? ret : installed(ctx, release);
}

/*
 * A run from a bundle: its packages (the kernel among them: image, map,
 * configuration, modules) in one transaction, then the boot entry, its
 * initrd and the one-shot boot as after a build.
 */
int install_bundle_run(struct ctx *ctx)
{
	const char *release = step_output(ctx, "fetch", "kernel_release");
	struct manifest m;
	char *def;
	int ret;

	if (!*release)
		return error("the fetch step has no bundle to install; run "
			     "pomctl resume --from fetch");
	if (ctx_manifest_open(ctx, "install", &m) < 0)
		return -1;
	def = reboot_default_release(ctx);
	ret = reboot_precheck(ctx);
	if (!ret)
		ret = packages_stage(ctx, "fetch", &m);
	if (!ret)
		ret = reboot_prepare(ctx, "install", release, def, &m);
	free(def);
	manifest_save(&m);
	manifest_clear(&m);
	return ret ? ret : installed(ctx, release);
}

/*
 * NAME-VERSION-RELEASE.ARCH.rpm, as the rpm step's rpmbuild names its
 * packages (the bundle's plan has their names, not the files): name and
 * version-release appended; nothing when the name is not of that form.
 */
static void name_of_file(const char *file, struct strvec *names,
			 struct strvec *versions)
{
	size_t n = strlen(file);
	char *s, *dot, *rel, *ver;

	if (n < 5 || strcmp(file + n - 4, ".rpm"))
		return;
	s = xstrdup(file);
	s[n - 4] = '\0';
	dot = strrchr(s, '.');
	if (dot)
		*dot = '\0'; /* the arch */
	rel = strrchr(s, '-');
	if (dot && rel && rel > s) {
		*rel = '\0';
		ver = strrchr(s, '-');
		if (ver && ver > s) {
			*ver = '\0';
			strvec_push(names, s);
			strvec_pushf(versions, "%s-%s", ver + 1, rel + 1);
		}
	}
	free(s);
}

int install_bundle_plan(struct ctx *ctx)
{
	const char *release = step_output(ctx, "fetch", "kernel_release");
	struct strvec pkgs = STRVEC_INIT, names = STRVEC_INIT,
		      versions = STRVEC_INIT;

	plan_note(ctx->env.plan,
		  "install the bundle's packages in one rpm transaction (the "
		  "kernel %s among them), the installed ones they replace "
		  "kept for rollback where a copy can be had",
		  *step_output(ctx, "fetch", "kernel_release") ?
			  step_output(ctx, "fetch", "kernel_release") :
			  "it holds");
	if (*release)
		reboot_plan_headline(ctx, release, false);
	/* the bundle's packages, where its plan could read it */
	ctx_output_words(ctx, "fetch", "plan_packages", &pkgs);
	for (size_t i = 0; i < pkgs.nr; i++)
		plan_package(ctx->env.plan, "install (upgrade)", pkgs.v[i]);
	for (size_t i = 0; i < pkgs.nr; i++)
		name_of_file(pkgs.v[i], &names, &versions);
	plan_copies(ctx, &names, &versions);
	strvec_clear(&pkgs);
	strvec_clear(&names);
	strvec_clear(&versions);
	if (*release)
		reboot_plan_boot(ctx, release, false);
	else
		plan_pending(ctx->env.plan,
			     "then a boot entry like the running kernel's, "
			     "its initrd, and the new kernel booted once");
	plan_reboot(ctx->env.plan, *release ? release : "the bundle's kernel");
	return 0;
}
