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
#include <syslog.h>

#include "pomctl/boot.h"
#include "pomctl/ktree.h"
#include "pomctl/log.h"
#include "pomctl/manifest.h"
#include "pomctl/run-command.h"
#include "pomctl/safepath.h"
#include "pomctl/util.h"
#include "kbuild.h"
#include "steps.h"

/*
 * The mkinitrd command for release, when the running entry has an initrd
 * and release's is missing: true with argv set, and the image's host path
 * in host.  The run's and the plan's.
 */
static bool initrd_needed(struct ctx *ctx, const struct bootcfg *b,
			  const char *release, struct strvec *argv,
			  struct strbuf *host)
{
	struct strbuf img = STRBUF_INIT, rel = STRBUF_INIT;
	const char *running = ctx->env.host.release;
	bool needed;

	if (boot_find(b, release) >= 0) {
		needed = boot_needs_initrd(b, running, release, &img);
	} else { /* a plan: the entry will be added like the running one's */
		needed = boot_needs_initrd(b, running, running, &img);
		strbuf_reset(&img);
	}
	if (needed) {
		if (!img.len)
			strbuf_addf(&img, "/initrd-%s.img", release);
		if (strncmp(img.buf, "/boot/", 6))
			strbuf_addstr(&rel, "/boot");
		strbuf_addstr(&rel, img.buf);
		env_path(&ctx->env, rel.buf, host);
		needed = !path_exists(host->buf);
	}
	if (needed) {
		config_get_words(ctx->env.cfg, "commands", "mkinitrd", argv);
		strvec_pushv(argv, (const char *const[]){ "-f", rel.buf,
							  release, NULL });
	}
	strbuf_clear(&img);
	strbuf_clear(&rel);
	return needed;
}

/*
 * An initrd where the running entry has one: made when missing, and
 * recorded in m as the step's (rollback removes it).
 */
static int ensure_initrd(struct ctx *ctx, const struct bootcfg *b,
			 const char *release, struct manifest *m)
{
	struct child_process cp = CHILD_PROCESS_INIT;
	struct strbuf img = STRBUF_INIT;
	int ret = 0;

	if (initrd_needed(ctx, b, release, &cp.args, &img)) {
		cp.log_fd = ctx->env.log_fd;
		ret = manifest_will_write(m, img.buf);
		if (!ret && run_command(&cp))
			ret = error("mkinitrd for %s failed (see pomctl log)",
				    release);
	}
	child_process_clear(&cp);
	strbuf_clear(&img);
	return ret;
}

int reboot_run_argv(struct ctx *ctx, struct strvec *argv, const char *what)
{
	struct child_process cp = CHILD_PROCESS_INIT;

	strvec_pushv(&cp.args, strvec_argv(argv));
	cp.log_fd = ctx->env.log_fd;
	cp.label = what;
	return run_command(&cp) ? error("%s failed (see pomctl log)", what) : 0;
}

/*
 * Arrange the one-shot boot: the new entry's `savedefault` line and the
 * state file recorded first (a pomctl killed in between leaves nothing
 * unknown), then the commands.
 */
static int one_shot(struct ctx *ctx, const struct bootcfg *b,
		    const char *release, struct one_shot *os,
		    struct manifest *m)
{
	struct strbuf diff = STRBUF_INIT;
	int ret = 0;

	if (os->back_to >= 0) {
		ret = boot_entry_savedefault(b, release, os->back_to, m, &diff);
		steplog_printf(ctx->env.log_fd, "%s", diff.buf);
	}
	if (!ret && os->make_saved) { /* after: it reads the file afresh */
		strbuf_reset(&diff);
		ret = boot_make_saved(&ctx->env, m, &diff);
		steplog_printf(ctx->env.log_fd, "%s", diff.buf);
	}
	if (!ret && os->records_state)
		ret = boot_record_state(&ctx->env, b, m);
	if (!ret && os->first.nr)
		ret = boot_command(&ctx->env, &os->first, NULL, "the boot map");
	if (!ret)
		ret = boot_command(&ctx->env, &os->argv, os->input.buf,
				   "the one-shot boot");
	strbuf_clear(&diff);
	return ret;
}

/*
 * Where the loader cannot boot an entry once, nothing is pretended: the
 * default stays the old kernel, and the pause names the entry to choose.
 */
static void by_hand(struct ctx *ctx, const char *step, const char *how)
{
	steplog_printf(ctx->env.log_fd, "no one-shot boot: %s\n", how);
	log_event(LOG_NOTICE, "no one-shot boot: %s", how);
	ctx_set_output(ctx, step, "boot_once", "by hand");
}

int reboot_prepare(struct ctx *ctx, const char *step, const char *release,
		   const char *def_before, struct manifest *m)
{
	struct bootcfg b;
	struct strbuf diff = STRBUF_INIT, why = STRBUF_INIT;
	struct one_shot os = ONE_SHOT_INIT;
	int ret = boot_load(&ctx->env, &b, NULL), rc = 1;

	if (!ret && boot_find(&b, release) < 0) {
		ret = boot_add_like(&ctx->env, &b, ctx->env.host.release,
				    release, m, &diff);
		steplog_printf(ctx->env.log_fd, "%s", diff.buf);
		boot_clear(&b);
		if (!ret)
			ret = boot_load(&ctx->env, &b, NULL);
	}
	if (!ret)
		ret = ensure_initrd(ctx, &b, release, m);
	if (!ret && !boot_check(&ctx->env, &b, ctx->env.host.release, release,
				def_before, &why))
		ret = error("the boot loader is not safe to reboot with: %s",
			    why.buf);
	if (!ret && (rc = boot_one_shot(&ctx->env, &b, release, &os)) == 0)
		ret = one_shot(ctx, &b, release, &os, m);
	else if (!ret && rc == BOOT_ONE_SHOT_CANNOT_RUN)
		ret = error("%s", os.how.buf);
	if (!ret && rc == 0) /* rollback re-arms what must be */
		ctx_set_output(ctx, step, "boot_once", os.kind);
	else if (!ret && rc > 0)
		by_hand(ctx, step, os.how.buf);
	if (!ret) {
		long n = boot_find(&b, release);

		/* the root's own path: said after the reboot too */
		ctx_set_output(ctx, step, "boot_config",
			       root_own(ctx->env.root, b.path));
		ctx_set_output(ctx, step, "boot_title",
			       n >= 0 && *b.e[n].title ? b.e[n].title :
							 release);
	}
	boot_clear(&b);
	one_shot_clear(&os);
	strbuf_clear(&diff);
	strbuf_clear(&why);
	return ret;
}

/* How the boot loader will start the kernel of step's pause. */
const char *reboot_pause_hint(struct ctx *ctx, const char *step, bool first)
{
	static struct strbuf hint = STRBUF_INIT;
	const char *title = step_output(ctx, step, "boot_title");
	const char *once = step_output(ctx, step, "boot_once");

	strbuf_reset(&hint);
	if (*title && !strcmp(once, "by hand"))
		strbuf_addf(&hint,
			    " (this boot loader cannot start it once by "
			    "itself: choose '%s' in the boot menu; the default "
			    "stays the old kernel)",
			    title);
	else if (*title && first)
		strbuf_addf(&hint,
			    " (the boot loader starts it once by itself "
			    "as '%s'; pick that entry if the menu asks)",
			    title);
	else if (*title)
		strbuf_addf(&hint, " (boot menu entry '%s')", title);
	return hint.buf;
}

void reboot_plan_headline(struct ctx *ctx, const char *release, bool trial)
{
	const char *then;

	if (trial)
		then = config_get_bool(ctx->env.cfg, "boot", "keep_trial") ?
			       "and boot it once" :
			       "and boot it once (removed once the new kernel "
			       "is verified)";
	else
		then = config_get_bool(ctx->env.cfg, "boot", "make_default") ?
			       "which is kept; the new one becomes the boot "
			       "default only once verify passes" :
			       "which is kept; the boot default stays ([boot] "
			       "make_default = no)";
	plan_headline(ctx->env.plan,
		      "install the %skernel %s beside the "
		      "running %s, %s",
		      trial ? "trial " : "", release, ctx->env.host.release,
		      then);
}

/* What reboot_prepare() will do, as far as it can be known now. */
void reboot_plan_boot(struct ctx *ctx, const char *release, bool made)
{
	struct bootcfg b;
	struct one_shot os = ONE_SHOT_INIT;
	struct strbuf img = STRBUF_INIT;
	struct strvec mkinitrd = STRVEC_INIT;
	bool there;
	int rc;

	if (boot_load(&ctx->env, &b, &img) < 0) {
		plan_note(ctx->env.plan,
			  "the boot loader configuration cannot be "
			  "read: %s",
			  img.buf);
		strbuf_clear(&img);
		return;
	}
	there = boot_find(&b, release) >= 0;
	if (!there)
		plan_note(ctx->env.plan,
			  "make install's installkernel adds an "
			  "entry for %s to %s (Red Hat's does); where it adds "
			  "none, pomctl adds one like the running kernel's "
			  "(recorded for rollback)",
			  release, b.path);
	/* the running entry has an initrd: the new one will need one */
	if (!made && initrd_needed(ctx, &b, release, &mkinitrd, &img))
		plan_command(ctx->env.plan, strvec_argv(&mkinitrd), NULL);
	else if (made && boot_needs_initrd(&b, ctx->env.host.release,
					   ctx->env.host.release, &img))
		plan_note(ctx->env.plan,
			  "an initrd for %s, as the running entry "
			  "has one: [commands] mkinitrd -f /boot/initrd-%s.img "
			  "%s where make install made none",
			  release, release, release);
	plan_note(ctx->env.plan,
		  "then checked: entries for %s and the running "
		  "%s, the default unchanged",
		  release, ctx->env.host.release);
	rc = boot_one_shot(&ctx->env, &b, release, &os);
	if (os.asked.nr) /* it changes nothing: help savedefault */
		plan_command(ctx->env.plan, strvec_argv(&os.asked), NULL);
	if (os.first.nr)
		plan_command(ctx->env.plan, strvec_argv(&os.first), NULL);
	if (rc == BOOT_ONE_SHOT_CANNOT_RUN)
		plan_note(ctx->env.plan, "refused: %s", os.how.buf);
	else if (rc > 0)
		plan_note(ctx->env.plan,
			  "no one-shot boot: %s; at the reboot, "
			  "choose the entry for %s in the boot menu (the "
			  "default stays the old kernel)",
			  os.how.buf, release);
	else if (os.back_to >= 0)
		plan_note(ctx->env.plan,
			  "the entry for %s gets `savedefault %ld`, "
			  "so that the old default boots after it (recorded "
			  "for rollback)",
			  release, os.back_to);
	if (rc <= 0 && os.make_saved) {
		struct strbuf diff = STRBUF_INIT;

		boot_make_saved(&ctx->env, NULL, &diff);
		plan_edit(ctx->env.plan, b.path, diff.buf);
		plan_note(ctx->env.plan,
			  "%s says `default saved` from then on "
			  "(GRUB 0.97 boots an entry once only so; the file "
			  "is kept for rollback)",
			  b.path);
		strbuf_clear(&diff);
	}
	if (rc == 0) /* which flavour, which mechanism */
		plan_note(ctx->env.plan, "the one-shot boot: %s", os.how.buf);
	if (rc <= 0 && os.argv_known)
		plan_command(ctx->env.plan, strvec_argv(&os.argv), NULL);
	else if (rc < 0) /* its command names the entry: not there yet */
		plan_pending(ctx->env.plan,
			     "the one-shot boot of %s: %s, once its "
			     "entry is there",
			     release, os.how.buf);
	if (os.input.len) /* its first line: "savedefault ..." */
		plan_note(ctx->env.plan, "the one-shot boot of %s: %.*s",
			  release, (int)strcspn(os.input.buf, "\n"),
			  os.input.buf);
	boot_clear(&b);
	one_shot_clear(&os);
	strbuf_clear(&img);
	strvec_clear(&mkinitrd);
}

void reboot_plan_install(struct ctx *ctx, const struct ktree *t,
			 const char *arch)
{
	struct strvec mods = STRVEC_INIT, kernel = STRVEC_INIT,
		      argv = STRVEC_INIT;

	kbuild_install_args(ctx, &mods, &kernel);
	if (kbuild_stage_begin(ctx, t, "modules installed")) {
		ktree_make_argv(&ctx->env, t, arch,
				(const char *const[]){ "modules_install",
						       NULL },
				strvec_argv(&mods), false, &argv, NULL);
		plan_command(ctx->env.plan, strvec_argv(&argv), NULL);
		strvec_clear(&argv);
	}
	if (kbuild_stage_begin(ctx, t, "modules indexed")) {
		kbuild_depmod_argv(ctx, t->release, &argv);
		plan_command(ctx->env.plan, strvec_argv(&argv), NULL);
		strvec_clear(&argv);
	}
	if (kbuild_stage_begin(ctx, t, "kernel installed")) {
		ktree_make_argv(&ctx->env, t, arch,
				(const char *const[]){ "install", NULL },
				strvec_argv(&kernel), false, &argv, NULL);
		plan_command(ctx->env.plan, strvec_argv(&argv), NULL);
	}
	plan_note(ctx->env.plan, "the kernel's .config as /boot/config-%s",
		  t->release);
	reboot_plan_boot(ctx, t->release, true);
	strvec_clear(&argv);
	strvec_clear(&mods);
	strvec_clear(&kernel);
}

/*
 * Before a run starts: the boot loader's tools run on this host.  A GRUB
 * shell that cannot be executed (missing, not executable, a 32-bit binary
 * on a host that runs none) would leave the reboot without its one-shot
 * after hours of building; said now, as an error.
 */
/*
 * Under --root, the kernel's make install and its installkernel follow
 * the root's links as the build host resolves them: a /boot or a boot
 * configuration that leads out of the root would have them write the
 * build host's files.  Such a root is refused (pomctl's own writes are
 * confined by safepath; the commands it runs are not).
 */
static int leads_out(const struct ctx *ctx, const char *path)
{
	char *root, *real;
	size_t n;
	int ret = 0;

	if (!*ctx->env.root)
		return 0;
	root = realpath(ctx->env.root, NULL);
	real = realpath(path, NULL);
	n = root ? strlen(root) : 0;
	if (root && real &&
	    (strncmp(real, root, n) || (real[n] && real[n] != '/')))
		ret = error("%s leads out of the root %s (to %s): make install "
			    "and installkernel would write there; make it a "
			    "path inside the root; nothing was changed",
			    path, ctx->env.root, real);
	free(root);
	free(real);
	return ret;
}

int reboot_preflight(struct ctx *ctx, bool plan)
{
	struct bootcfg b;
	struct one_shot os = ONE_SHOT_INIT;
	struct strbuf why = STRBUF_INIT, path = STRBUF_INIT;
	int ret = 0;

	(void)plan; /* the shell's `help savedefault` changes nothing */
	if (*ctx->env.root) {
		/* its directory as pomctl resolves it (INSTALL_PATH is so),
		 * the file itself as a command on the build host opens it */
		const char *conf = config_get(ctx->env.cfg, "boot", "config");
		const char *base = strrchr(conf, '/');
		struct strbuf dir = STRBUF_INIT;

		strbuf_add(&dir, conf, base ? (size_t)(base - conf) : 0);
		if (root_resolve(ctx->env.root, dir.len ? dir.buf : "/",
				 &path) == 0) {
			strbuf_addf(&path, "/%s", base ? base + 1 : conf);
			ret = leads_out(ctx, path.buf);
		}
		strbuf_clear(&dir);
	}
	strbuf_clear(&path);
	if (ret)
		return ret;
	if (boot_load(&ctx->env, &b, &why) < 0)
		goto out; /* said where the boot configuration is needed */
	if (boot_one_shot(&ctx->env, &b, ctx->env.host.release, &os) ==
	    BOOT_ONE_SHOT_CANNOT_RUN)
		ret = error("%s; nothing was changed", os.how.buf);
	boot_clear(&b);
	one_shot_clear(&os);
out:
	strbuf_clear(&why);
	return ret;
}

int reboot_precheck(struct ctx *ctx)
{
	struct bootcfg b;
	int ret = boot_load(&ctx->env, &b, NULL);

	if (ret)
		return ret;
	if (boot_find(&b, ctx->env.host.release) < 0)
		ret = error(
			"the boot loader configuration %s has no entry for "
			"the running kernel %s: pomctl installs a new kernel "
			"only beside a bootable old one; nothing was "
			"installed",
			b.path, ctx->env.host.release);
	boot_clear(&b);
	return ret;
}

char *reboot_default_release(struct ctx *ctx)
{
	struct bootcfg b;
	struct strbuf why = STRBUF_INIT; /* not read: no default known */
	char *def = NULL;

	if (boot_load(&ctx->env, &b, &why) == 0) {
		if (boot_default_release(&b))
			def = xstrdup(boot_default_release(&b));
		boot_clear(&b);
	}
	strbuf_clear(&why);
	return def;
}
