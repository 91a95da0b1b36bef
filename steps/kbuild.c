// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The steps' kernel builds, shared by trial and kernel: make with the
 * configured compiler, jobs and wrappers; a release no kernel on the host
 * has; oldconfig; the build as stages of the running step; make install
 * with its files recorded for rollback.  The tree itself (release,
 * .config, EXTRAVERSION) is src/ktree.c's.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "pomctl/boot.h"
#include "pomctl/digest.h"
#include "pomctl/ktree.h"
#include "pomctl/log.h"
#include "pomctl/manifest.h"
#include "pomctl/pipeline.h"
#include "pomctl/rpmdb.h"
#include "pomctl/run-command.h"
#include "pomctl/treesnap.h"
#include "pomctl/util.h"
#include "kbuild.h"

/* The releases installed under root: /lib/modules entries, kernel packages. */
static void installed_releases(struct ctx *ctx, struct strvec *out)
{
	struct strbuf dir = STRBUF_INIT;
	struct rpmdb db;
	struct rpmpkg *pkgs = NULL;
	size_t n = 0;
	DIR *d;
	struct dirent *de;
	bool old;

	env_path(&ctx->env, "/lib/modules", &dir);
	d = opendir(dir.buf);
	while (d && (de = readdir(d)))
		if (de->d_name[0] != '.')
			strvec_push(out, de->d_name);
	if (d)
		closedir(d);
	old = error_set_quiet(true);
	if (ctx_rpmdb_open(ctx, &db) == 0) {
		rpmdb_find(&db, "kernel", &pkgs, &n);
		for (size_t i = 0; i < n; i++)
			strvec_pushf(out, "%s-%s", pkgs[i].version,
				     pkgs[i].release);
		rpmdb_pkgs_free(pkgs, n);
		rpmdb_close(&db);
	}
	error_set_quiet(old);
	strbuf_clear(&dir);
}

/* --- the steps' kernel builds ---------------------------------------------- */

/* The tree's next release, not one of taken (the running, the installed). */
static void next_extraversion(struct ctx *ctx, const struct ktree *t,
			      const char *also, struct strbuf *ext)
{
	struct strvec taken = STRVEC_INIT;

	strvec_push(&taken, ctx->env.host.release);
	installed_releases(ctx, &taken);
	if (also)
		strvec_push(&taken, also);
	ktree_new_extraversion(t,
			       config_get(ctx->env.cfg, "kernel",
					  "extraversion_suffix"),
			       &taken, ext);
	strvec_clear(&taken);
}

int kbuild_new_release(struct ctx *ctx, struct ktree *t, struct manifest *m,
		       struct strbuf *diff)
{
	struct strbuf ext = STRBUF_INIT;
	int ret;

	next_extraversion(ctx, t, NULL, &ext);
	ret = ktree_set_extraversion(t, ext.buf, m, diff);
	strbuf_clear(&ext);
	return ret;
}

int kbuild_release_after_trial(struct ctx *ctx, struct ktree *t, bool installs,
			       struct strbuf *diff)
{
	struct strbuf ext = STRBUF_INIT, trial = STRBUF_INIT,
		      ignored = STRBUF_INIT;
	int ret = kbuild_new_release(ctx, t, NULL, &ignored); /* the trial's */

	if (!ret) {
		strbuf_addstr(&trial, t->extraversion);
		next_extraversion(ctx, t, installs ? t->release : NULL, &ext);
		ret = ktree_edit_extraversion(t, trial.buf, ext.buf, NULL,
					      diff);
	}
	strbuf_clear(&ext);
	strbuf_clear(&trial);
	strbuf_clear(&ignored);
	return ret;
}

/* Enough empty lines for every new option 2.4's oldconfig may ask. */
static const char *empty_answers(void)
{
	static char answers[65536];

	if (!answers[0])
		memset(answers, '\n', sizeof(answers) - 1);
	return answers;
}

int kbuild_oldconfig(struct ctx *ctx, const struct ktree *t, const char *arch)
{
	const char *const target[] = { ktree_oldconfig_target(t), NULL };
	const char *const none[] = { NULL };

	return ktree_make(&ctx->env, t, arch, target, none,
			  t->is26 ? NULL : empty_answers(), false);
}

int kbuild_clean(struct ctx *ctx, const struct ktree *t, const char *arch,
		 const char *target)
{
	struct strbuf shelf = STRBUF_INIT;
	struct strvec shipped = STRVEC_INIT;
	struct treesnap_shelf s;
	double start = monotonic_seconds();
	int shelving;

	ctx_tree_shipped(ctx, &shipped);
	ctx_tree_shelf_path(ctx, &shelf);
	shelving = treesnap_shelf_begin(&s, t->dir, shelf.buf, &shipped);
	steplog_work(ctx->env.log_fd, start, "link %s beside it", t->dir);
	if (shelving == 1)
		warning("%s is a file system of its own: what make %s deletes "
			"of it cannot be kept, and rollback cannot put it "
			"back",
			t->dir, target);
	if (shelving >= 0) {
		int ret = ktree_make(&ctx->env, t, arch,
				     (const char *const[]){ target, NULL },
				     (const char *const[]){ NULL }, NULL,
				     false);

		start = monotonic_seconds();
		if (shelving == 0 && treesnap_shelf_end(&s, &shipped) < 0)
			ret = -1;
		steplog_work(ctx->env.log_fd, start,
			     "keep what make %s deleted in %s", target,
			     shelf.buf);
		shelving = ret;
	}
	strvec_clear(&shipped);
	strbuf_clear(&shelf);
	return shelving;
}

static void witness_of(const struct ktree *t, struct strbuf *witness)
{
	static const char *const files[] = { "Makefile", ".config" };
	struct strbuf path = STRBUF_INIT;
	char digest[SHA256_HEX];

	strbuf_reset(witness);
	for (size_t i = 0; i < ARRAY_SIZE(files); i++) {
		strbuf_reset(&path);
		strbuf_addf(&path, "%s/%s", t->dir, files[i]);
		strbuf_addf(witness, "%s%s %s", i ? " " : "", files[i],
			    sha256_file(path.buf, digest) == 0 ? digest :
								 "none");
	}
	strbuf_clear(&path);
}

bool kbuild_stage_begin(struct ctx *ctx, const struct ktree *t,
			const char *stage)
{
	struct strbuf witness = STRBUF_INIT;
	bool skip;

	witness_of(t, &witness);
	skip = pipeline_stage_skip(ctx, stage, witness.buf);
	strbuf_clear(&witness);
	return !skip;
}

int kbuild_stage_end(struct ctx *ctx, const struct ktree *t, const char *stage,
		     int ret)
{
	struct strbuf witness = STRBUF_INIT;

	if (!ret) {
		witness_of(t, &witness);
		ret = pipeline_stage_done(ctx, stage, witness.buf);
	}
	strbuf_clear(&witness);
	return ret;
}

/* One make as a stage of the running step. */
static int make_stage(struct ctx *ctx, const struct ktree *t, const char *stage,
		      const char *arch, const char *const *targets,
		      const char *const *extra, bool parallel)
{
	if (!kbuild_stage_begin(ctx, t, stage))
		return 0;
	return kbuild_stage_end(ctx, t, stage,
				ktree_make(&ctx->env, t, arch, targets, extra,
					   NULL, parallel));
}

/* ccache and distcc, when asked for, must be there before an hour of make. */
static int check_wrapper(struct ctx *ctx, const char *key, const char *off)
{
	struct strvec cmd = STRVEC_INIT;
	struct strbuf path = STRBUF_INIT;
	int ret = 0;

	config_get_words(ctx->env.cfg, "commands", key, &cmd);
	if (!cmd.nr || find_program(cmd.v[0], &path) < 0 ||
	    access(path.buf, X_OK) < 0)
		ret = error("%s is asked for, but '%s' is not installed: "
			    "install it, or %s",
			    key, cmd.nr ? cmd.v[0] : key, off);
	strvec_clear(&cmd);
	strbuf_clear(&path);
	return ret;
}

int kbuild_build(struct ctx *ctx, const struct ktree *t, const char *arch)
{
	const char *const dep[] = { "dep", NULL };
	const char *const build[] = { "bzImage", "modules", NULL };
	const char *const none[] = { NULL };

	if (config_get_bool(ctx->env.cfg, "build", "ccache") &&
	    check_wrapper(ctx, "ccache", "set [build] ccache = no"))
		return -1;
	if (ktree_distcc_hosts(&ctx->env) &&
	    check_wrapper(ctx, "distcc", "leave [build] distcc_hosts empty"))
		return -1;
	if (ktree_has_dep(t) &&
	    make_stage(ctx, t, "dependencies", arch, dep, none, false))
		return -1;
	return make_stage(ctx, t, "compiled", arch, build, none, true);
}

static void plan_make(struct ctx *ctx, const struct ktree *t, const char *arch,
		      const char *const *targets, bool parallel)
{
	struct strvec argv = STRVEC_INIT, env = STRVEC_INIT;
	const char *const none[] = { NULL };

	ktree_make_argv(&ctx->env, t, arch, targets, none, parallel, &argv,
			&env);
	plan_command(ctx->env.plan, strvec_argv(&argv), NULL);
	for (size_t i = 0; i < env.nr; i++)
		plan_note(ctx->env.plan, "with %s in its environment",
			  env.v[i]);
	strvec_clear(&argv);
	strvec_clear(&env);
}

void kbuild_plan_oldconfig(struct ctx *ctx, const struct ktree *t,
			   const char *arch)
{
	plan_make(ctx, t, arch,
		  (const char *const[]){ ktree_oldconfig_target(t), NULL },
		  false);
	if (!t->is26)
		plan_note(ctx->env.plan,
			  "oldconfig is fed empty lines: every new "
			  "option takes its default");
}

void kbuild_plan_build(struct ctx *ctx, const struct ktree *t, const char *arch)
{
	if (ktree_has_dep(t) && kbuild_stage_begin(ctx, t, "dependencies"))
		plan_make(ctx, t, arch, (const char *const[]){ "dep", NULL },
			  false);
	if (kbuild_stage_begin(ctx, t, "compiled"))
		plan_make(ctx, t, arch,
			  (const char *const[]){ "bzImage", "modules", NULL },
			  true);
}

void kbuild_plan_make(struct ctx *ctx, const struct ktree *t, const char *arch,
		      const char *target)
{
	plan_make(ctx, t, arch, (const char *const[]){ target, NULL }, false);
}

/* --- installing a build --------------------------------------------------- */

/* INSTALL_MOD_PATH=ROOT and INSTALL_PATH=ROOT/boot for make. */
void kbuild_install_args(struct ctx *ctx, struct strvec *mods,
			 struct strvec *kernel)
{
	struct strbuf boot = STRBUF_INIT;

	if (*ctx->env.root)
		strvec_pushf(mods, "INSTALL_MOD_PATH=%s", ctx->env.root);
	/* the kernel's own runs the build host's depmod: kbuild_depmod_argv's */
	strvec_push(mods, "DEPMOD=true");
	env_path(&ctx->env, "/boot", &boot);
	strvec_pushf(kernel, "INSTALL_PATH=%s", boot.buf);
	strbuf_clear(&boot);
}

void kbuild_depmod_argv(struct ctx *ctx, const char *release,
			struct strvec *argv)
{
	config_get_words(ctx->env.cfg, "commands", "depmod", argv);
	strvec_push(argv, "-a");
	if (*ctx->env.root)
		strvec_pushv(argv, (const char *const[]){ "-b", ctx->env.root,
							  NULL });
	strvec_push(argv, release);
}

static int depmod_stage(struct ctx *ctx, const struct ktree *t)
{
	struct child_process cp = CHILD_PROCESS_INIT;
	const char *stage = "modules indexed";

	if (!kbuild_stage_begin(ctx, t, stage))
		return 0;
	kbuild_depmod_argv(ctx, t->release, &cp.args);
	cp.log_fd = ctx->env.log_fd;
	cp.label = "depmod";
	return kbuild_stage_end(
		ctx, t, stage,
		run_command(&cp) ? error("depmod for %s failed (see pomctl "
					 "log): [commands] depmod must be "
					 "the depmod of the kernel's module "
					 "tools",
					 t->release) :
				   0);
}

/*
 * The files make install and modules_install will make, recorded before
 * they run (those that are not there yet) for rollback and for undoing an
 * interrupted attempt.
 */
void kbuild_installed_files(struct ctx *ctx, const char *release,
			    struct strvec *out)
{
	static const char *const files[] = { "/boot/vmlinuz-%s",
					     "/boot/System.map-%s",
					     "/boot/config-%s",
					     "/boot/initrd-%s.img",
					     "/boot/loader/entries/%s.conf",
					     "/lib/modules/%s" };
	struct strbuf rel = STRBUF_INIT, path = STRBUF_INIT;

	for (size_t i = 0; i < ARRAY_SIZE(files); i++) {
		strbuf_reset(&rel);
		strbuf_addf(&rel, files[i], release);
		env_path(&ctx->env, rel.buf, &path);
		strvec_push(out, path.buf);
	}
	strbuf_clear(&rel);
	strbuf_clear(&path);
}

static int record_installed(struct ctx *ctx, struct manifest *m,
			    const char *release)
{
	struct strvec files = STRVEC_INIT;
	int ret = 0;

	kbuild_installed_files(ctx, release, &files);
	for (size_t i = 0; i < files.nr && !ret; i++)
		if (!path_exists(files.v[i]))
			ret = manifest_created(m, files.v[i]);
	strvec_clear(&files);
	return ret;
}

/*
 * /boot/config-RELEASE, as Red Hat's kernel packages install it (when
 * make install did not): the next run's trial starts from the running
 * kernel's configuration, the options of this run's patches included.
 * Recorded as created by record_installed().
 */
static int install_config(struct ctx *ctx, const struct ktree *t)
{
	struct strbuf from = STRBUF_INIT, rel = STRBUF_INIT, to = STRBUF_INIT;
	int ret = 0;

	strbuf_addf(&from, "%s/.config", t->dir);
	strbuf_addf(&rel, "/boot/config-%s", t->release);
	env_path(&ctx->env, rel.buf, &to);
	if (!path_exists(to.buf))
		ret = copy_file_atomic(from.buf, to.buf, 0644);
	strbuf_clear(&from);
	strbuf_clear(&rel);
	strbuf_clear(&to);
	return ret;
}

static unsigned long long size_of(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 ? (unsigned long long)st.st_size : 0;
}

/*
 * Before anything is copied: room in /boot for the kernel image, its
 * System.map and .config, and an initrd as big as the running kernel's
 * (Red Hat 8.0's /boot was a 100 MB partition, and kernels pile up).
 * Checked until the image is there: a resumed install does not count
 * itself twice.
 */
static int check_boot_space(struct ctx *ctx, const struct ktree *t,
			    const char *arch)
{
	struct strbuf rel = STRBUF_INIT, path = STRBUF_INIT,
		      need_s = STRBUF_INIT, free_s = STRBUF_INIT;
	unsigned long long need = 0, avail;
	struct statvfs vfs;
	int ret = 0;

	strbuf_addf(&rel, "/boot/vmlinuz-%s", t->release);
	env_path(&ctx->env, rel.buf, &path);
	if (path_exists(path.buf))
		goto out;
	strbuf_reset(&path);
	strbuf_addf(&path, "%s/arch/%s/boot/bzImage", t->dir, arch);
	need += size_of(path.buf);
	strbuf_reset(&path);
	strbuf_addf(&path, "%s/System.map", t->dir);
	need += size_of(path.buf);
	strbuf_reset(&path);
	strbuf_addf(&path, "%s/.config", t->dir);
	need += size_of(path.buf);
	strbuf_reset(&rel);
	strbuf_addf(&rel, "/boot/initrd-%s.img", ctx->env.host.release);
	env_path(&ctx->env, rel.buf, &path);
	need += size_of(path.buf);
	env_path(&ctx->env, "/boot", &path);
	if (statvfs(path.buf, &vfs) < 0)
		goto out; /* nothing to say: the copy will */
	avail = (unsigned long long)vfs.f_bavail * vfs.f_frsize;
	if (need + need / 10 > avail) {
		human_size(&need_s, need + need / 10);
		human_size(&free_s, avail);
		ret = error("%s has %s free and %s needs about %s (kernel, "
			    "System.map, config, initrd): remove a kernel "
			    "you no longer boot, then run pomctl resume; "
			    "nothing was installed",
			    path.buf, free_s.buf, t->release, need_s.buf);
	}
out:
	strbuf_clear(&rel);
	strbuf_clear(&path);
	strbuf_clear(&need_s);
	strbuf_clear(&free_s);
	return ret;
}

int kbuild_install(struct ctx *ctx, const struct ktree *t, const char *arch,
		   struct manifest *m)
{
	struct strvec mods = STRVEC_INIT, kernel = STRVEC_INIT;
	struct strbuf where = STRBUF_INIT;
	int ret;

	ret = check_boot_space(ctx, t, arch);
	if (ret)
		return ret;
	kbuild_install_args(ctx, &mods, &kernel);
	boot_config_path(&ctx->env, &where);
	ret = path_exists(where.buf) ? manifest_backup(m, where.buf) : 0;
	if (!ret)
		ret = record_installed(ctx, m, t->release);
	if (!ret)
		ret = make_stage(ctx, t, "modules installed", arch,
				 (const char *const[]){ "modules_install",
							NULL },
				 strvec_argv(&mods), false);
	if (!ret)
		ret = depmod_stage(ctx, t);
	if (!ret)
		ret = make_stage(ctx, t, "kernel installed", arch,
				 (const char *const[]){ "install", NULL },
				 strvec_argv(&kernel), false);
	if (!ret)
		ret = install_config(ctx, t);
	strvec_clear(&mods);
	strvec_clear(&kernel);
	strbuf_clear(&where);
	return ret;
}
