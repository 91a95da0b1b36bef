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
#include <stdlib.h>
#include <string.h>

#include "pomctl/boot.h"
#include "pomctl/ktree.h"
#include "pomctl/log.h"
#include "pomctl/manifest.h"
#include "pomctl/rpmdb.h"
#include "pomctl/run.h"
#include "pomctl/util.h"
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

/* The packages the rpm step built, or (before it ran) will build. */
static void plan_packages(struct ctx *ctx)
{
	static const char *const names[] = { "iptables", "iptables-devel",
					     "iptables-pom" };
	struct strvec pkgs = STRVEC_INIT;

	strvec_split(&pkgs, step_output(ctx, "rpm", "packages"), " ");
	if (state_step(ctx->state, "rpm")->status != STEP_DONE) {
		strvec_clear(&pkgs);
		for (size_t i = 0; i < ARRAY_SIZE(names); i++)
			strvec_pushf(&pkgs, "%s (built by the rpm step)",
				     names[i]);
	}
	for (size_t i = 0; i < pkgs.nr; i++)
		plan_package(ctx->plan, "install (upgrade)", pkgs.v[i]);
	strvec_clear(&pkgs);
}

int install_plan(struct ctx *ctx)
{
	const char *release = step_output(ctx, "kernel", "release");
	struct strvec mods = STRVEC_INIT, kern = STRVEC_INIT;

	/* the kernel step (re)builds first: its release is decided then */
	if (!*release || state_step(ctx->state, "kernel")->status != STEP_DONE) {
		plan_note(ctx->plan, "once the kernel is built (its release "
			  "is decided by the kernel step): make "
			  "modules_install install under the root, its .config "
			  "as /boot/config-RELEASE, the rebuilt RPMs installed "
			  "with librpm, a boot entry for the new kernel next to "
			  "the running one (which stays the default), a "
			  "one-shot boot of the new kernel, then a reboot");
		plan_packages(ctx);
		plan_reboot(ctx->plan, "the new kernel (decided by the kernel "
			    "step)");
		return 0;
	}
	ktree_install_args(ctx, &mods, &kern);
	plan_note(ctx->plan, "make modules_install %s and make install %s "
		  "for %s, and the kernel's .config as /boot/config-%s",
		  mods.nr ? mods.v[0] : "", kern.v[0], release, release);
	plan_packages(ctx);
	plan_note(ctx->plan, "the boot loader ([boot] %s, %s): an entry for "
		  "%s, the running kernel's kept as the default, then a "
		  "one-shot boot of %s",
		  config_get(ctx->cfg, "boot", "loader"),
		  config_get(ctx->cfg, "boot", "config"), release, release);
	plan_reboot(ctx->plan, release);
	strvec_clear(&mods);
	strvec_clear(&kern);
	return 0;
}

/* The packages about to be replaced go into the install manifest first. */
static int record_replaced(const struct strvec *replaced, void *data)
{
	struct manifest *m = data;

	for (size_t i = 0; i < replaced->nr; i++)
		manifest_replaced(m, replaced->v[i]);
	return manifest_save(m);
}

/*
 * The packages rpm built, in one transaction.  What they replaced is the
 * manifest's record, not this attempt's finding: an attempt killed after
 * the transaction committed leaves nothing for the next one to replace.
 */
static int install_packages(struct ctx *ctx, struct manifest *m)
{
	struct strvec pkgs = STRVEC_INIT;
	struct strbuf list = STRBUF_INIT;
	double start = monotonic_seconds();
	int ret;

	strvec_split(&pkgs, step_output(ctx, "rpm", "packages"), " ");
	ret = rpm_install_packages(ctx->root, config_get(ctx->cfg, "rpm",
							 "dbpath"),
				   &pkgs, config_get_bool(ctx->cfg, "rpm",
							  "nodeps"),
				   record_replaced, m);
	steplog_work(ctx->log_fd, start, "rpm transaction of %zu packages",
		     pkgs.nr);
	manifest_replaced_list(m, &list);
	if (!ret) {
		state_set_output(ctx->state, "install", "replaced", list.buf);
		info("  installed %zu packages%s%s", pkgs.nr,
		     list.len ? ", replacing " : "", list.buf);
	}
	strvec_clear(&pkgs);
	strbuf_release(&list);
	return ret;
}

static int maybe_reboot(struct ctx *ctx)
{
	struct strvec argv = STRVEC_INIT;
	int ret = 0;

	if (ctx->opt->reboot) {
		config_get_words(ctx->cfg, "commands", "reboot", &argv);
		ret = reboot_run_argv(ctx, &argv, NULL, "reboot");
	}
	strvec_clear(&argv);
	return ret;
}

/*
 * Stages: ktree_install's (make modules_install, make install), then,
 * after the boot loader is made safe (each time: it checks and edits in
 * place), the packages installed.  After a failure, resume goes on from
 * the first stage not done.
 */
static int install_stages(struct ctx *ctx, const struct ktree *t,
			  const char *arch, const char *def,
			  struct manifest *m)
{
	const char *pkgs = step_output(ctx, "rpm", "packages");
	int ret = ktree_install(ctx, t, arch, m);

	if (!ret)
		ret = reboot_prepare(ctx, "install", t->release, def, m);
	if (!ret && !pipeline_stage_skip(ctx, "packages installed", pkgs)) {
		ret = install_packages(ctx, m);
		if (!ret)
			ret = pipeline_stage_done(ctx, "packages installed",
						  pkgs);
	}
	return ret;
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
	if (ktree_open_configured(ctx, &t) < 0)
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
		manifest_release(&m);
	}
	ktree_release(&t);
	if (!ret)
		ret = maybe_reboot(ctx);
	if (!ret) {
		state_set_output(ctx->state, "install", "release", release);
		pipeline_request_reboot(ctx, release);
		ret = STEP_PAUSE;
	}
	return ret;
}
