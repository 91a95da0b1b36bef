// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Step 7, kernel: rebuild the patched kernel with the patches' options as
 * modules.  make clean, a new release (it must differ from the trial
 * kernel if that is installed), the options set to m, oldconfig, a check
 * that they survived (naming the dependency that is off if one did not),
 * the build, and a check that every patch's module was built.
 */
#include <stdlib.h>
#include <string.h>

#include "pomctl/ktree.h"
#include "pomctl/log.h"
#include "pomctl/manifest.h"
#include "pomctl/util.h"
#include "kbuild.h"
#include "steps.h"

void kernel_fingerprint(struct ctx *ctx, struct fingerprint *fp)
{
	fp_add_config(fp, ctx, "kernel", "tree");
	fp_add_config(fp, ctx, "kernel", "extraversion_suffix");
	fp_add_config(fp, ctx, "kernel", "config");
	fp_add_config(fp, ctx, "build", "arch");
	fp_add_config(fp, ctx, "commands", "make");
	fp_add_step(fp, ctx->state, "trial");
	fp_add_step(fp, ctx->state, "patch");
}

/* The .config to start from: the trial's, else the running kernel's. */
static int ensure_config(struct ctx *ctx, const struct ktree *t,
			 struct strbuf *arch, struct manifest *m)
{
	struct strbuf dotconfig = STRBUF_INIT, config = STRBUF_INIT;
	int ret = 0;

	strbuf_addf(&dotconfig, "%s/.config", t->dir);
	if (!path_exists(dotconfig.buf)) {
		ret = ktree_config_and_arch(&ctx->env, t, &config, arch);
		if (!ret && !m)
			plan_note(ctx->env.plan,
				  "%s/.config is not there: the "
				  "running kernel's configuration %s is "
				  "copied there",
				  t->dir, config.buf);
		else if (!ret)
			ret = ktree_install_config(t, config.buf, m);
	} else {
		ktree_arch(dotconfig.buf,
			   config_get(ctx->env.cfg, "build", "arch"),
			   ctx->env.host.arch, arch);
	}
	strbuf_clear(&dotconfig);
	strbuf_clear(&config);
	return ret;
}

/* The tree as make distclean leaves it, but its .config kept (backed up). */
static int distclean_keeping_config(struct ctx *ctx, struct ktree *t,
				    struct manifest *m, const char *arch,
				    const char *config)
{
	struct strbuf text = STRBUF_INIT;
	int ret = read_file(config, 4 << 20, false, &text);

	if (ret)
		return error("cannot read '%s'", config);
	ret = manifest_backup(m, config);
	if (!ret)
		ret = kbuild_clean(ctx, t, arch, "distclean");
	if (!ret)
		ret = write_file_keep(config, text.buf, text.len, 0644);
	strbuf_clear(&text);
	return ret;
}

/* How the build starts, and with which make target ("" for none). */
static const char *build_start(struct ctx *ctx, const struct ktree *t)
{
	const char *incremental = config_get(ctx->env.cfg, "build",
					     "incremental");

	if (!strcmp(ctx->state->trial, "skip"))
		return "distclean"; /* the first build of the run */
	if (!strcmp(incremental, "yes") ||
	    (!strcmp(incremental, "auto") && t->is26))
		return "";
	return "clean";
}

/*
 * Whether the trial step still gives the tree its release before this one
 * in the run being planned (it has recorded none yet): then this step's
 * release varies the trial's.
 */
static bool trial_decides(struct ctx *ctx)
{
	return strcmp(ctx->state->trial, "skip") &&
	       state_step(ctx->state, "trial")->status != STEP_DONE &&
	       !*step_output(ctx, "trial", "release");
}

/* The release the run will give the tree, the same way: t set to it. */
static int planned_release(struct ctx *ctx, struct ktree *t,
			   struct strbuf *diff)
{
	if (!trial_decides(ctx))
		return kbuild_new_release(ctx, t, NULL, diff);
	return kbuild_release_after_trial(ctx, t,
					  !strcmp(ctx->state->trial, "full"),
					  diff);
}

int kernel_planned_tree(struct ctx *ctx, struct ktree *t)
{
	struct strbuf diff = STRBUF_INIT;
	int ret = ktree_open_configured(&ctx->env, t);

	if (!ret && planned_release(ctx, t, &diff) < 0) {
		ktree_clear(t);
		ret = -1;
	}
	strbuf_clear(&diff);
	return ret;
}

static void plan_start(struct ctx *ctx, const struct ktree *t, const char *arch)
{
	const char *start = build_start(ctx, t);

	if (*start)
		kbuild_plan_make(ctx, t, arch, start);
	if (!strcmp(start, "distclean"))
		plan_note(ctx->env.plan,
			  "the first build of the run (--trial="
			  "skip) starts from the tree as make distclean leaves "
			  "it, its .config kept (backed up): a vendor tree's "
			  "leftovers (.depend files, prebuilt helpers) go");
	else if (*start)
		plan_note(ctx->env.plan,
			  "make clean after the trial's build "
			  "([build] incremental = %s)",
			  config_get(ctx->env.cfg, "build", "incremental"));
	else
		plan_note(ctx->env.plan,
			  "no make clean: the build system tracks "
			  "configuration and dependencies, so the build "
			  "redoes what the new options and release change "
			  "([build] incremental = %s)",
			  config_get(ctx->env.cfg, "build", "incremental"));
}

/* The plan of configure() below: the start, the release, options, oldconfig. */
static int plan_configure(struct ctx *ctx, struct ktree *t, const char *arch)
{
	struct strbuf diff = STRBUF_INIT, path = STRBUF_INIT;
	struct strvec options = STRVEC_INIT;
	int ret;

	plan_start(ctx, t, arch);
	ret = planned_release(ctx, t, &diff);
	if (!ret) {
		strbuf_addf(&path, "%s/Makefile", t->dir);
		plan_edit(ctx->env.plan, path.buf, diff.buf);
		if (trial_decides(ctx))
			plan_note(ctx->env.plan,
				  "release %s: the Makefile as the "
				  "trial leaves it, varied again",
				  t->release);
		ctx_output_words(ctx, "patch", "options", &options);
		if (options.nr) {
			strbuf_reset(&path);
			strbuf_addf(&path, "%s/.config", t->dir);
			strbuf_reset(&diff);
			if (path_exists(path.buf))
				kconfig_set_modules(path.buf, &options, true,
						    &diff);
			if (diff.len)
				plan_edit(ctx->env.plan, path.buf, diff.buf);
		} else {
			plan_pending(ctx->env.plan,
				     "the options the patches add are "
				     "set to m (known once the patch step "
				     "ran)");
		}
		kbuild_plan_oldconfig(ctx, t, arch);
		plan_note(ctx->env.plan, "then every option must still be on");
	}
	strvec_clear(&options);
	strbuf_clear(&diff);
	strbuf_clear(&path);
	return ret;
}

int kernel_plan(struct ctx *ctx)
{
	struct ktree t;
	struct strbuf arch = STRBUF_INIT;
	int ret;

	if (ktree_open_configured(&ctx->env, &t) < 0)
		return -1;
	ret = ensure_config(ctx, &t, &arch, NULL);
	if (!ret && kbuild_stage_begin(ctx, &t, "configured"))
		ret = plan_configure(ctx, &t, arch.buf);
	if (!ret) {
		kbuild_plan_build(ctx, &t, arch.buf);
		plan_note(ctx->env.plan,
			  "then every patch's module must be built");
	}
	ktree_clear(&t);
	strbuf_clear(&arch);
	return ret;
}

static int check_modules(struct ctx *ctx, const struct ktree *t,
			 struct strbuf *built)
{
	struct strvec objects = STRVEC_INIT;
	struct strbuf path = STRBUF_INIT;
	int ret = 0;

	ctx_output_words(ctx, "patch", "objects", &objects);
	for (size_t i = 0; i < objects.nr && !ret; i++) {
		strbuf_reset(&path);
		strbuf_addf(&path, "%s/%s%s", t->dir, objects.v[i],
			    ktree_module_suffix(t));
		if (!path_exists(path.buf))
			ret = error("the build did not make %s: is its option "
				    "on, and its Makefile line there?",
				    path.buf);
		else
			strbuf_addf(built, "%s%s%s", built->len ? " " : "",
				    objects.v[i], ktree_module_suffix(t));
	}
	strvec_clear(&objects);
	strbuf_clear(&path);
	return ret;
}

/*
 * The tree made ready (see build_start), a new release, the patches'
 * options on, oldconfig.
 */
static int configure(struct ctx *ctx, struct ktree *t, struct manifest *m,
		     const char *arch)
{
	struct strvec options = STRVEC_INIT;
	struct strbuf diff = STRBUF_INIT, config = STRBUF_INIT;
	const char *start = build_start(ctx, t);
	int ret = 0;

	strbuf_addf(&config, "%s/.config", t->dir);
	if (!strcmp(start, "distclean"))
		ret = distclean_keeping_config(ctx, t, m, arch, config.buf);
	else if (*start)
		ret = kbuild_clean(ctx, t, arch, start);
	if (!ret)
		ret = kbuild_new_release(ctx, t, m, &diff);
	steplog_printf(ctx->env.log_fd, "%s", diff.buf);
	ctx_output_words(ctx, "patch", "options", &options);
	if (!ret && options.nr) {
		strbuf_reset(&diff);
		ret = manifest_backup(m, config.buf);
		if (!ret)
			ret = kconfig_set_modules(config.buf, &options, false,
						  &diff);
		steplog_printf(ctx->env.log_fd, "%s", diff.buf);
	}
	if (!ret)
		ret = kbuild_oldconfig(ctx, t, arch);
	if (!ret)
		ret = ktree_check_options(t, &options);
	strvec_clear(&options);
	strbuf_clear(&diff);
	strbuf_clear(&config);
	return ret;
}

/*
 * Stages: configured, then kbuild_build's.  After a failure, resume goes on
 * from the first stage not done, when the tree is as that attempt left it.
 */
static int rebuild(struct ctx *ctx, struct ktree *t, struct manifest *m,
		   const char *arch, struct strbuf *built)
{
	int ret = 0;

	if (kbuild_stage_begin(ctx, t, "configured"))
		ret = kbuild_stage_end(ctx, t, "configured",
				       configure(ctx, t, m, arch));
	if (!ret)
		ret = kbuild_build(ctx, t, arch);
	if (!ret)
		ret = check_modules(ctx, t, built);
	return ret;
}

int kernel_run(struct ctx *ctx)
{
	struct ktree t;
	struct manifest m;
	struct strbuf arch = STRBUF_INIT, built = STRBUF_INIT;
	int ret;

	if (ktree_open_configured(&ctx->env, &t) < 0)
		return -1;
	ret = ctx_tree_snapshot(ctx, t.dir);
	if (!ret)
		ret = ctx_manifest_open(ctx, "kernel", &m);
	if (!ret) {
		ret = ensure_config(ctx, &t, &arch, &m);
		if (!ret)
			ret = rebuild(ctx, &t, &m, arch.buf, &built);
		manifest_save(&m);
		manifest_clear(&m);
	}
	if (!ret) {
		info("  release %s built with %s", t.release,
		     built.len ? built.buf : "no new module");
		ctx_set_output(ctx, "kernel", "release", t.release);
		ctx_set_output(ctx, "kernel", "arch", arch.buf);
		ctx_set_output(ctx, "kernel", "modules", built.buf);
	}
	ktree_clear(&t);
	strbuf_clear(&arch);
	strbuf_clear(&built);
	return ret;
}
