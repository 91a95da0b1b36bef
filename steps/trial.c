// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Step 4, trial: prove the kernel builds before anything is patched.
 * distclean, a new EXTRAVERSION, the running kernel's configuration,
 * oldconfig, then the build.  --trial=full (the documented procedure) also
 * installs it as install does (entry, initrd, one-shot boot) and pauses
 * for a reboot into it; --trial=build stops after
 * building; --trial=skip leaves the step out.
 */
#include <stdlib.h>
#include <string.h>

#include "pomctl/ktree.h"
#include "pomctl/log.h"
#include "pomctl/manifest.h"
#include "pomctl/util.h"
#include "kbuild.h"
#include "steps.h"

static bool mode_is(struct ctx *ctx, const char *mode)
{
	return !strcmp(ctx->state->trial, mode);
}

void trial_fingerprint(struct ctx *ctx, struct fingerprint *fp)
{
	fp_add(fp, "run trial", ctx->state->trial);
	if (mode_is(ctx, "skip"))
		return;
	fp_add_config(fp, ctx, "kernel", "tree");
	fp_add_config(fp, ctx, "kernel", "extraversion_suffix");
	fp_add_config(fp, ctx, "kernel", "config");
	fp_add_config(fp, ctx, "build", "arch");
	fp_add_config(fp, ctx, "commands", "make");
	fp_add(fp, "host arch", ctx->env.host.arch);
	fp_add_step(fp, ctx->state, "update");
}

static const char *makefile_of(const struct ktree *t, struct strbuf *sb)
{
	strbuf_reset(sb);
	strbuf_addf(sb, "%s/Makefile", t->dir);
	return sb->buf;
}

/* The plan of configure() below: distclean, the release, .config, oldconfig. */
static int plan_configure(struct ctx *ctx, struct ktree *t, const char *config,
			  const char *arch)
{
	struct strbuf diff = STRBUF_INIT, path = STRBUF_INIT;
	int ret;

	kbuild_plan_make(ctx, t, arch, "distclean");
	ret = kbuild_new_release(ctx, t, NULL, &diff);
	if (!ret) {
		plan_edit(ctx->env.plan, makefile_of(t, &path), diff.buf);
		strbuf_reset(&path);
		strbuf_addf(&path, "%s/.config", t->dir);
		plan_note(ctx->env.plan,
			  "the running kernel's configuration: %s, "
			  "copied to %s%s; ARCH=%s",
			  config, path.buf,
			  path_exists(path.buf) ? " (the .config there now is "
						  "backed up, then replaced)" :
						  "",
			  arch);
		kbuild_plan_oldconfig(ctx, t, arch);
	}
	strbuf_clear(&diff);
	strbuf_clear(&path);
	return ret;
}

int trial_plan(struct ctx *ctx)
{
	struct ktree t;
	struct strbuf config = STRBUF_INIT, arch = STRBUF_INIT;
	int ret;

	if (mode_is(ctx, "skip")) {
		plan_note(ctx->env.plan, "--trial=skip: the kernel is not "
					 "test-built before it is patched");
		return 0;
	}
	if (ktree_open_configured(&ctx->env, &t) < 0)
		return -1;
	plan_note(ctx->env.plan, "kernel tree %s, release %s", t.dir,
		  t.release);
	ret = ktree_config_and_arch(&ctx->env, &t, &config, &arch);
	if (!ret && kbuild_stage_begin(ctx, &t, "configured"))
		ret = plan_configure(ctx, &t, config.buf, arch.buf);
	if (!ret) {
		kbuild_plan_build(ctx, &t, arch.buf);
		if (mode_is(ctx, "full")) {
			reboot_plan_headline(ctx, t.release, true);
			reboot_plan_install(ctx, &t, arch.buf);
			plan_reboot(ctx->env.plan, t.release);
		}
	}
	ktree_clear(&t);
	strbuf_clear(&config);
	strbuf_clear(&arch);
	return ret;
}

/* distclean, keeping a .config that was there in the manifest. */
static int clean_tree(struct ctx *ctx, const struct ktree *t, const char *arch,
		      struct manifest *m)
{
	struct strbuf config = STRBUF_INIT;
	int ret = 0;

	strbuf_addf(&config, "%s/.config", t->dir);
	if (path_exists(config.buf))
		ret = manifest_backup(m, config.buf);
	if (!ret)
		ret = kbuild_clean(ctx, t, arch, "distclean");
	strbuf_clear(&config);
	return ret;
}

/* distclean, a new release, the running kernel's .config, oldconfig. */
static int configure(struct ctx *ctx, struct ktree *t, struct manifest *m,
		     const char *config, const char *arch)
{
	struct strbuf diff = STRBUF_INIT;
	int ret = clean_tree(ctx, t, arch, m);

	if (!ret)
		ret = kbuild_new_release(ctx, t, m, &diff);
	if (!ret) {
		steplog_printf(ctx->env.log_fd, "%s", diff.buf);
		info("  release %s, configuration %s, ARCH=%s", t->release,
		     config, arch);
		ret = ktree_install_config(t, config, m);
	}
	if (!ret)
		ret = kbuild_oldconfig(ctx, t, arch);
	strbuf_clear(&diff);
	return ret;
}

/*
 * Stages: configured, then kbuild_build's and kbuild_install's.  After a
 * failure, resume goes on from the first stage not done, when the tree is
 * as that attempt left it.
 */
static int build_trial(struct ctx *ctx, struct ktree *t, struct manifest *m,
		       struct strbuf *arch)
{
	struct strbuf config = STRBUF_INIT;
	int ret = ktree_config_and_arch(&ctx->env, t, &config, arch);

	if (!ret && kbuild_stage_begin(ctx, t, "configured"))
		ret = kbuild_stage_end(ctx, t, "configured",
				       configure(ctx, t, m, config.buf,
						 arch->buf));
	if (!ret)
		ret = kbuild_build(ctx, t, arch->buf);
	strbuf_clear(&config);
	return ret;
}

/*
 * --trial=full: installed as install installs (the same entry, initrd and
 * one-shot boot), so that the reboot into it is as safe.
 */
static int install_trial(struct ctx *ctx, const struct ktree *t,
			 const char *arch, struct manifest *m)
{
	char *def = reboot_default_release(ctx);
	int ret = reboot_precheck(ctx);

	if (!ret)
		ret = kbuild_install(ctx, t, arch, m);
	if (!ret)
		ret = reboot_prepare(ctx, "trial", t->release, def, m);
	free(def);
	return ret;
}

int trial_run(struct ctx *ctx)
{
	struct ktree t;
	struct manifest m;
	struct strbuf arch = STRBUF_INIT;
	int ret;

	if (mode_is(ctx, "skip")) {
		info("  --trial=skip: no trial build");
		return 0;
	}
	if (ktree_open_configured(&ctx->env, &t) < 0)
		return -1;
	ret = ctx_tree_snapshot(ctx, t.dir);
	if (!ret)
		ret = ctx_manifest_open(ctx, "trial", &m);
	else
		memset(&m, 0, sizeof(m));
	if (!ret)
		ret = build_trial(ctx, &t, &m, &arch);
	if (!ret) {
		ctx_set_output(ctx, "trial", "release", t.release);
		ctx_set_output(ctx, "trial", "arch", arch.buf);
	}
	if (!ret && mode_is(ctx, "full"))
		ret = install_trial(ctx, &t, arch.buf, &m);
	if (!ret && mode_is(ctx, "full")) {
		pipeline_request_reboot(ctx, t.release);
		ret = STEP_PAUSE;
	}
	if (m.doc)
		manifest_save(&m);
	manifest_clear(&m);
	ktree_clear(&t);
	strbuf_clear(&arch);
	return ret;
}
