// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The road to a reboot, one piece of code for both pauses (the trial's and
 * install's): the running kernel's entry checked first, an entry for the
 * new kernel where make install added none, an initrd where the running
 * entry has one, the safety checks, and a one-shot boot of the new kernel
 * with the mechanism the loader has, so that one that does not come up
 * falls back to the old default by itself.
 */
#include <stdlib.h>
#include <string.h>

#include "pomctl/boot.h"
#include "pomctl/ktree.h"
#include "pomctl/log.h"
#include "pomctl/manifest.h"
#include "pomctl/run.h"
#include "pomctl/util.h"
#include "steps.h"

/* An initrd where the running entry has one: made when missing. */
static int ensure_initrd(struct ctx *ctx, const struct bootcfg *b,
			 const char *release)
{
	struct strbuf img = STRBUF_INIT, rel = STRBUF_INIT, host = STRBUF_INIT;
	struct child_process cp = CHILD_PROCESS_INIT;
	int ret = 0;

	if (!boot_needs_initrd(b, ctx->host.release, release, &img))
		goto out;
	if (!img.len)
		strbuf_addf(&img, "/initrd-%s.img", release);
	if (strncmp(img.buf, "/boot/", 6))
		strbuf_addstr(&rel, "/boot");
	strbuf_addstr(&rel, img.buf);
	ctx_path(ctx, rel.buf, &host);
	if (path_exists(host.buf))
		goto out;
	config_get_words(ctx->cfg, "commands", "mkinitrd", &cp.args);
	strvec_pushv(&cp.args, (const char *const[]){ "-f", rel.buf, release,
						      NULL });
	cp.log_fd = ctx->log_fd;
	ret = run_command(&cp) ? error("mkinitrd for %s failed (see pomctl "
				       "log)", release) : 0;
out:
	strbuf_release(&img);
	strbuf_release(&rel);
	strbuf_release(&host);
	return ret;
}

int reboot_run_argv(struct ctx *ctx, struct strvec *argv, const char *input,
		    const char *what)
{
	struct child_process cp = CHILD_PROCESS_INIT;

	strvec_pushv(&cp.args, strvec_argv(argv));
	cp.input = input && *input ? input : NULL;
	cp.log_fd = ctx->log_fd;
	cp.label = what;
	return run_command(&cp) ? error("%s failed (see pomctl log)", what) :
				  0;
}

/* The one-shot command changes the loader's state file: recorded. */
static int one_shot(struct ctx *ctx, const struct bootcfg *b,
		    struct strvec *argv, const char *input, struct manifest *m)
{
	struct strbuf state = STRBUF_INIT;
	bool existed;
	int ret = 0;

	boot_state_file(ctx, b, &state);
	existed = path_exists(state.buf);
	/* recorded first: a pomctl killed in between leaves nothing unknown */
	ret = existed ? manifest_backup(m, state.buf) :
			manifest_created(m, state.buf);
	if (!ret)
		ret = reboot_run_argv(ctx, argv, input, "the one-shot boot");
	strbuf_release(&state);
	return ret;
}

int reboot_prepare(struct ctx *ctx, const char *step, const char *release,
		   const char *def_before, struct manifest *m)
{
	struct bootcfg b;
	struct strbuf diff = STRBUF_INIT, why = STRBUF_INIT, input = STRBUF_INIT;
	struct strvec argv = STRVEC_INIT;
	int ret = boot_load(ctx, &b);

	if (!ret && boot_find(&b, release) < 0) {
		ret = boot_add_like(ctx, &b, ctx->host.release, release, m, &diff);
		steplog_printf(ctx->log_fd, "%s", diff.buf);
		boot_release(&b);
		if (!ret)
			ret = boot_load(ctx, &b);
	}
	if (!ret)
		ret = ensure_initrd(ctx, &b, release);
	if (!ret && !boot_check(ctx, &b, ctx->host.release, release, def_before,
				&why))
		ret = error("the boot loader is not safe to reboot with: %s",
			    why.buf);
	if (!ret && boot_one_shot(ctx, &b, release, &argv, &input) == 0)
		ret = one_shot(ctx, &b, &argv, input.buf, m);
	if (!ret) {
		long n = boot_find(&b, release);

		state_set_output(ctx->state, step, "boot_config", b.path);
		state_set_output(ctx->state, step, "boot_title",
				 n >= 0 && *b.e[n].title ? b.e[n].title :
				 release);
	}
	boot_release(&b);
	strvec_clear(&argv);
	strbuf_release(&diff);
	strbuf_release(&why);
	strbuf_release(&input);
	return ret;
}

/* What reboot_prepare() will do, as far as it can be known now. */
static void plan_boot(struct ctx *ctx, const char *release)
{
	struct bootcfg b;
	struct strvec argv = STRVEC_INIT;
	struct strbuf input = STRBUF_INIT, img = STRBUF_INIT;
	bool quiet = error_set_quiet(true), there;

	if (boot_load(ctx, &b) < 0) {
		plan_note(ctx->plan, "the boot loader configuration cannot be "
			  "read: %s", error_last());
		error_set_quiet(quiet);
		return;
	}
	error_set_quiet(quiet);
	there = boot_find(&b, release) >= 0;
	if (!there)
		plan_note(ctx->plan, "make install's installkernel adds an "
			  "entry for %s to %s (Red Hat's does); where it adds "
			  "none, pomctl adds one like the running kernel's "
			  "(recorded for rollback)", release, b.path);
	/* the running entry has an initrd: the new one will need one */
	if (boot_needs_initrd(&b, ctx->host.release, ctx->host.release, &img))
		plan_note(ctx->plan, "an initrd for %s, as the running entry "
			  "has one: [commands] mkinitrd -f /boot/initrd-%s.img "
			  "%s where make install made none", release, release,
			  release);
	plan_note(ctx->plan, "then checked: entries for %s and the running "
		  "%s, the default unchanged", release, ctx->host.release);
	if (boot_one_shot(ctx, &b, release, &argv, there ? &input : NULL) == 0)
		plan_command(ctx->plan, strvec_argv(&argv), NULL);
	else
		plan_note(ctx->plan, "then [commands] lilo -R with the label of "
			  "the entry for %s", release);
	if (input.len)		/* its first line: "savedefault ..." */
		plan_note(ctx->plan, "the one-shot boot of %s: %.*s", release,
			  (int)strcspn(input.buf, "\n"), input.buf);
	else if (b.loader == LOADER_GRUB)
		plan_note(ctx->plan, "the one-shot boot of %s: savedefault "
			  "--default=N --once, N its entry's index", release);
	boot_release(&b);
	strvec_clear(&argv);
	strbuf_release(&input);
	strbuf_release(&img);
}

void reboot_plan_install(struct ctx *ctx, const struct ktree *t,
			 const char *arch)
{
	struct strvec mods = STRVEC_INIT, kernel = STRVEC_INIT,
		      argv = STRVEC_INIT;

	ktree_install_args(ctx, &mods, &kernel);
	ktree_make_argv(ctx, t, arch, (const char *const[]){ "modules_install",
							    NULL },
			strvec_argv(&mods), false, &argv);
	plan_command(ctx->plan, strvec_argv(&argv), NULL);
	strvec_clear(&argv);
	ktree_make_argv(ctx, t, arch, (const char *const[]){ "install", NULL },
			strvec_argv(&kernel), false, &argv);
	plan_command(ctx->plan, strvec_argv(&argv), NULL);
	plan_note(ctx->plan, "the kernel's .config as /boot/config-%s",
		  t->release);
	plan_boot(ctx, t->release);
	strvec_clear(&argv);
	strvec_clear(&mods);
	strvec_clear(&kernel);
}

int reboot_precheck(struct ctx *ctx)
{
	struct bootcfg b;
	int ret = boot_load(ctx, &b);

	if (ret)
		return ret;
	if (boot_find(&b, ctx->host.release) < 0)
		ret = error("the boot loader configuration %s has no entry for "
			    "the running kernel %s: pomctl installs a new kernel "
			    "only beside a bootable old one; nothing was "
			    "installed", b.path, ctx->host.release);
	boot_release(&b);
	return ret;
}

char *reboot_default_release(struct ctx *ctx)
{
	struct bootcfg b;
	char *def = NULL;
	bool old = error_set_quiet(true);

	if (boot_load(ctx, &b) == 0) {
		if (boot_default_release(&b))
			def = xstrdup(boot_default_release(&b));
		boot_release(&b);
	}
	error_set_quiet(old);
	return def;
}

