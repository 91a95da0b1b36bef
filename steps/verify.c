// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Step 9, verify: after the reboot, the new kernel is the running one, each
 * patch's module loads (or the match is there already), the installed
 * iptables knows each match, and for string a functional test in a
 * throwaway network namespace counts exactly the packet carrying a token.
 * Then, and only then, the new kernel becomes the boot default ([boot]
 * make_default), and the final report.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pomctl/boot.h"
#include "pomctl/ktree.h"
#include "pomctl/log.h"
#include "pomctl/manifest.h"
#include "pomctl/names.h"
#include "pomctl/nettest.h"
#include "pomctl/run-command.h"
#include "pomctl/util.h"
#include "kbuild.h"
#include "steps.h"

void verify_fingerprint(struct ctx *ctx, struct fingerprint *fp)
{
	fp_add_step(fp, ctx->state, "patch");
	fp_add_step(fp, ctx->state, "rpm");
	fp_add_step(fp, ctx->state, "kernel");
	fp_add_step(fp, ctx->state, "install");
	fp_add(fp, "host release", ctx->env.host.release);
	fp_add_config(fp, ctx, "commands", "modprobe");
	fp_add_config(fp, ctx, "commands", "iptables");
	fp_add_config(fp, ctx, "commands", "netns_iptables");
	fp_add_config(fp, ctx, "boot", "make_default");
	fp_add_config(fp, ctx, "boot", "keep_trial");
}

/* How iptables names the extension: -j for a target, -m for a match. */
static const char *extension_flag(const char *name)
{
	return extension_is_target(name) ? "-j" : "-m";
}

/* [commands] program and args, appended to argv. */
static void verify_argv(struct ctx *ctx, const char *program,
			const char *const *args, struct strvec *argv)
{
	config_get_words(ctx->env.cfg, "commands", program, argv);
	strvec_pushv(argv, args);
}

static int run_quiet(struct ctx *ctx, const char *program,
		     const char *const *args)
{
	struct child_process cp = CHILD_PROCESS_INIT;

	verify_argv(ctx, program, args, &cp.args);
	cp.log_fd = ctx->env.log_fd;
	cp.label = "verify";
	return run_command(&cp);
}

/* "net/ipv4/netfilter/ipt_string.o" -> "ipt_string" */
static void module_name(const char *object, struct strbuf *name)
{
	const char *base = strrchr(object, '/');

	base = base ? base + 1 : object;
	strbuf_reset(name);
	strbuf_add(name, base, strcspn(base, "."));
}

static int load_modules(struct ctx *ctx, struct strbuf *report)
{
	struct strvec objects = STRVEC_INIT;
	struct strbuf name = STRBUF_INIT;
	int ret = 0;

	ctx_output_words(ctx, "kernel", "modules", &objects);
	for (size_t i = 0; i < objects.nr && !ret; i++) {
		module_name(objects.v[i], &name);
		if (run_quiet(ctx, "modprobe",
			      (const char *const[]){ name.buf, NULL }))
			ret = error("the module %s does not load into %s (see "
				    "pomctl log verify)",
				    name.buf, ctx->env.host.release);
		else
			strbuf_addf(report, "  module %s: loaded\n", name.buf);
	}
	strvec_clear(&objects);
	strbuf_clear(&name);
	return ret;
}

/*
 * The iptables extensions the host's iptables must know: those the rpm
 * step put into the package (of every patch the kernel carries, this
 * run's and earlier runs'), and those of the matches and targets the
 * kernel step built (ipt_NAME, xt_NAME) -- a patch with no userspace part
 * counts on the iptables extension the distribution ships (libipt_string
 * in 1.2.x, libxt_string since).
 */
static void extensions(struct ctx *ctx, struct strvec *names)
{
	static const char *const prefixes[] = { "ipt_", "xt_" };
	struct strvec objects = STRVEC_INIT;
	struct strbuf name = STRBUF_INIT;

	ctx_output_words(ctx, "rpm", "extensions", names);
	ctx_output_words(ctx, "kernel", "modules", &objects);
	for (size_t i = 0; i < objects.nr; i++) {
		module_name(objects.v[i], &name);
		for (size_t k = 0; k < ARRAY_SIZE(prefixes); k++) {
			size_t n = strlen(prefixes[k]);

			if (!strncmp(name.buf, prefixes[k], n) &&
			    !strvec_has(names, name.buf + n))
				strvec_push(names, name.buf + n);
		}
	}
	strvec_clear(&objects);
	strbuf_clear(&name);
}

static int userspace_knows(struct ctx *ctx, struct strbuf *report)
{
	struct strvec names = STRVEC_INIT;
	int ret = 0;

	extensions(ctx, &names);
	for (size_t i = 0; i < names.nr && !ret; i++) {
		const char *name = names.v[i], *flag = extension_flag(name);

		if (run_quiet(ctx, "iptables",
			      (const char *const[]){ flag, name, "--help",
						     NULL }))
			ret = error(
				"the installed iptables does not know the %s "
				"%s (iptables %s %s --help failed)",
				name,
				extension_is_target(name) ? "target" : "match",
				flag, name);
		else
			strbuf_addf(report, "  iptables %s %s: known\n", flag,
				    name);
	}
	strvec_clear(&names);
	return ret;
}

static int functional(struct ctx *ctx, struct strbuf *report)
{
	struct strvec present = STRVEC_INIT;
	struct strbuf result = STRBUF_INIT;
	bool string = false;
	int ret = 0;

	ctx_output_words(ctx, "patch", "present", &present);
	for (size_t i = 0; i < present.nr; i++)
		string |= !strcmp(present.v[i], "string");
	strvec_clear(&present);
	if (!string) {
		strbuf_addstr(report, "  functional test: only for string\n");
		return 0;
	}
	ret = nettest_string(&ctx->env, &result);
	if (ret == NETTEST_PASSED)
		strbuf_addf(report, "  functional test: passed (%s)\n",
			    result.buf);
	else if (ret == NETTEST_SKIPPED)
		strbuf_addf(report, "  functional test: skipped: %s\n",
			    result.buf);
	strbuf_clear(&result);
	return ret < 0 ? -1 : 0;
}

static bool step_done(struct ctx *ctx, const char *step)
{
	return state_step(ctx->state, step)->status == STEP_DONE;
}

/* One command per name, as the checks will run it. */
static void plan_checks(struct ctx *ctx, const char *program, const char *names,
			bool modules)
{
	struct strvec v = STRVEC_INIT, argv = STRVEC_INIT;
	struct strbuf name = STRBUF_INIT;

	strvec_split(&v, names, " ");
	for (size_t i = 0; i < v.nr; i++) {
		if (modules) {
			module_name(v.v[i], &name);
			verify_argv(ctx, program,
				    (const char *const[]){ name.buf, NULL },
				    &argv);
		} else {
			verify_argv(ctx, program,
				    (const char *const[]){
					    extension_flag(v.v[i]), v.v[i],
					    "--help", NULL },
				    &argv);
		}
		plan_command(ctx->env.plan, strvec_argv(&argv), NULL);
		strvec_clear(&argv);
	}
	strvec_clear(&v);
	strbuf_clear(&name);
}

/* The promotion as boot_set_default() would make it, nothing written. */
/* The install step's entry is there: done, or awaiting its reboot. */
static bool installed(struct ctx *ctx)
{
	enum step_status st = state_step(ctx->state, "install")->status;

	return st == STEP_DONE || st == STEP_AWAITING_REBOOT;
}

static void plan_promotion(struct ctx *ctx, const char *release)
{
	struct bootcfg b;
	struct strbuf diff = STRBUF_INIT;
	struct strvec argv = STRVEC_INIT;
	bool quiet = error_set_quiet(true);

	if (!config_get_bool(ctx->env.cfg, "boot", "make_default")) {
		plan_note(ctx->env.plan,
			  "the boot default stays as it is: [boot] "
			  "make_default = no");
	} else if (!installed(ctx) || boot_load(&ctx->env, &b, &diff) < 0) {
		plan_note(ctx->env.plan, "then %s becomes the boot default",
			  release);
	} else {
		if (boot_set_default(&ctx->env, &b, release, NULL, &diff,
				     &argv) == 0 &&
		    diff.len)
			plan_edit(ctx->env.plan, b.path, diff.buf);
		if (argv.nr)
			plan_command(ctx->env.plan, strvec_argv(&argv), NULL);
		boot_clear(&b);
	}
	error_set_quiet(quiet);
	strvec_clear(&argv);
	strbuf_clear(&diff);
}

int verify_plan(struct ctx *ctx)
{
	struct strbuf planned = STRBUF_INIT;
	const char *release = step_output(ctx, "install", "release");
	bool quiet = error_set_quiet(true);
	struct ktree t;

	/* before install: the release the kernel step will build */
	if (!*release && step_done(ctx, "kernel"))
		release = step_output(ctx, "kernel", "release");
	if (!*release && kernel_planned_tree(ctx, &t) == 0) {
		strbuf_addstr(&planned, t.release);
		release = planned.buf;
		ktree_clear(&t);
	}
	error_set_quiet(quiet);
	if (!*release)
		release = "the new kernel";
	plan_note(ctx->env.plan,
		  "after the reboot: %s must be the running kernel", release);
	if (step_done(ctx, "kernel"))
		plan_checks(ctx, "modprobe",
			    step_output(ctx, "kernel", "modules"), true);
	else
		plan_pending(
			ctx->env.plan,
			"each patch's module is loaded with "
			"[commands] modprobe (known once the kernel step ran)");
	if (step_done(ctx, "rpm") && step_done(ctx, "kernel")) {
		struct strvec names = STRVEC_INIT;
		struct strbuf list = STRBUF_INIT;

		extensions(ctx, &names);
		strvec_join(&names, " ", &list);
		plan_checks(ctx, "iptables", list.buf, false);
		strvec_clear(&names);
		strbuf_clear(&list);
	} else
		plan_pending(
			ctx->env.plan,
			"[commands] iptables -m NAME --help (-j "
			"for a target) must know each extension (known once "
			"the rpm and kernel steps ran)");
	plan_note(ctx->env.plan,
		  "for string, a rule in a throwaway network "
		  "namespace must count exactly the packet carrying a token "
		  "([commands] netns_iptables, there only)");
	plan_promotion(ctx, release);
	if (!strcmp(ctx->state->trial, "full") && !from_bundle(ctx) &&
	    !config_get_bool(ctx->env.cfg, "boot", "keep_trial"))
		plan_pending(ctx->env.plan,
			     "then the trial kernel %s goes, with its "
			     "boot entry and the boot loader's commands that "
			     "follow ([boot] keep_trial = yes keeps it)",
			     *step_output(ctx, "trial", "release") ?
				     step_output(ctx, "trial", "release") :
				     "(built by the trial)");
	strbuf_clear(&planned);
	return 0;
}

/*
 * Success sticks: only now, with every check passed, does the new kernel
 * become the boot default (recorded for rollback).  [boot] make_default =
 * no leaves the old one, and the report says where the next reboot goes.
 */
static int promote(struct ctx *ctx, const char *release, struct strbuf *report)
{
	struct bootcfg b;
	struct manifest m;
	struct strbuf diff = STRBUF_INIT;
	struct strvec argv = STRVEC_INIT;
	int ret = boot_load(&ctx->env, &b, NULL);

	if (ret)
		return -1;
	if (!config_get_bool(ctx->env.cfg, "boot", "make_default")) {
		strbuf_addf(report,
			    "  boot default: left as it is ([boot] "
			    "make_default = no): the next reboot starts %s\n",
			    boot_default_release(&b) ?
				    boot_default_release(&b) :
				    "the old kernel");
		boot_clear(&b);
		return 0;
	}
	ret = ctx_manifest_open(ctx, "verify", &m);
	if (!ret) {
		ret = boot_set_default(&ctx->env, &b, release, &m, &diff,
				       &argv);
		steplog_printf(ctx->env.log_fd, "%s", diff.buf);
		if (ret == 0 && argv.nr)
			ret = boot_command(&ctx->env, &argv, NULL,
					   "the promotion");
		manifest_save(&m);
		manifest_clear(&m);
	}
	if (ret >= 0)
		strbuf_addf(report, "  boot default: %s%s (in %s)\n", release,
			    ret == 1 ? ", as it was already" : ", from now on",
			    b.path);
	boot_clear(&b);
	strvec_clear(&argv);
	strbuf_clear(&diff);
	return ret < 0 ? -1 : 0;
}

/*
 * Whether this run's trial step installed release: its image recorded as
 * created in the trial's own manifest.  Nothing else is the trial kernel
 * (not an output a state or a bundle names).
 */
/* The files of release that this run's trial created, into out. */
static int trial_created(struct ctx *ctx, const char *release,
			 struct strvec *out)
{
	struct strvec files = STRVEC_INIT;
	struct manifest m;
	int ret = ctx_manifest_open(ctx, "trial", &m);

	kbuild_installed_files(ctx, release, &files);
	for (size_t i = 0; !ret && i < files.nr; i++)
		if (manifest_has_created(&m, files.v[i]))
			strvec_push(out, files.v[i]);
	if (!ret)
		manifest_clear(&m);
	strvec_clear(&files);
	return ret;
}

static bool trial_installed(struct ctx *ctx, const char *release)
{
	struct strvec files = STRVEC_INIT;
	struct manifest m;
	bool quiet = error_set_quiet(true), yes = false;

	kbuild_installed_files(ctx, release, &files); /* the image first */
	if (!from_bundle(ctx) && release_name_is_valid(release) &&
	    ctx_manifest_open(ctx, "trial", &m) == 0) {
		yes = manifest_has_created(&m, files.v[0]);
		manifest_clear(&m);
	}
	error_set_quiet(quiet);
	strvec_clear(&files);
	return yes;
}

/*
 * The trial kernel was a test: once the new kernel is verified, its files
 * and boot entry go ([boot] keep_trial = yes keeps them), so that kernels
 * do not pile up in a small /boot.  Only what this run's trial created:
 * a file of that release that the trial did not create stays.
 */
static int remove_trial(struct ctx *ctx, struct strbuf *report)
{
	const char *trial = step_output(ctx, "trial", "release");
	struct strbuf diff = STRBUF_INIT;
	struct strvec argv = STRVEC_INIT, files = STRVEC_INIT;
	struct bootcfg b;
	struct manifest m;
	bool quiet;
	int ret;

	if (!*trial || strcmp(ctx->state->trial, "full") ||
	    !strcmp(trial, ctx->env.host.release) ||
	    config_get_bool(ctx->env.cfg, "boot", "keep_trial"))
		return 0;
	if (!trial_installed(ctx, trial)) {
		strbuf_addstr(report, "  trial kernel: none of this run's to "
				      "remove\n");
		return 0;
	}
	ret = boot_load(&ctx->env, &b, &diff); /* said in the report */
	if (ret) {
		strbuf_addf(report, "  trial kernel %s: NOT removed (%s)\n",
			    trial, diff.buf);
		strbuf_clear(&diff);
		return -1;
	}
	quiet = error_set_quiet(true); /* said in the report */
	ret = ctx_manifest_open(ctx, "verify", &m);
	if (!ret) {
		ret = boot_remove(&ctx->env, &b, trial, &m, &diff, &argv);
		steplog_printf(ctx->env.log_fd, "%s", diff.buf);
		if (!ret && argv.nr)
			ret = boot_command(&ctx->env, &argv, NULL,
					   "the trial entry's removal");
		manifest_save(&m);
		manifest_clear(&m);
	}
	if (!ret) /* what the trial's install made, and only that */
		ret = trial_created(ctx, trial, &files);
	for (size_t i = 0; i < files.nr && !ret; i++)
		if (is_dir(files.v[i]) ?
			    remove_tree(files.v[i]) < 0 :
			    unlink(files.v[i]) < 0 && errno != ENOENT)
			ret = error("cannot remove '%s': %s", files.v[i],
				    strerror(errno));
	if (!ret)
		strbuf_addf(report,
			    "  trial kernel %s: removed, with its boot "
			    "entry ([boot] keep_trial = yes keeps it)\n",
			    trial);
	else /* the new kernel is verified all the same */
		strbuf_addf(report,
			    "  trial kernel %s: NOT removed (%s); "
			    "remove it by hand when you no longer need it\n",
			    trial, error_last());
	error_set_quiet(quiet);
	boot_clear(&b);
	strvec_clear(&argv);
	strvec_clear(&files);
	strbuf_clear(&diff);
	return ret;
}

int verify_run(struct ctx *ctx)
{
	const char *release = step_output(ctx, "install", "release");
	struct strbuf report = STRBUF_INIT;
	int ret = 0;

	if (strcmp(ctx->env.host.release, release))
		return error(
			"the running kernel is %s, not %s: the new kernel "
			"did not come up or was not chosen; its boot entry "
			"is in %s",
			ctx->env.host.release, release,
			step_output(ctx, "install", "boot_config"));
	strbuf_addf(&report, "pomctl: %s is running (it was %s)\n", release,
		    step_output(ctx, "check", "release"));
	strbuf_addf(&report, "  patches applied: %s\n",
		    step_output(ctx, "patch", "set"));
	if (strcmp(step_output(ctx, "patch", "set"),
		   step_output(ctx, "patch", "present")))
		strbuf_addf(&report, "  patches the kernel carries: %s\n",
			    step_output(ctx, "patch", "present"));
	strbuf_addf(&report, "  packages replaced: %s\n",
		    *step_output(ctx, "install", "replaced") ?
			    step_output(ctx, "install", "replaced") :
			    "none");
	ret = load_modules(ctx, &report);
	if (!ret)
		ret = userspace_knows(ctx, &report);
	if (!ret)
		ret = functional(ctx, &report);
	if (!ret)
		ret = promote(ctx, release, &report);
	if (!ret)
		remove_trial(ctx, &report);
	if (!ret) {
		strbuf_addf(&report, "  logs: %s/logs", ctx->state_dir.buf);
		steplog_printf(ctx->env.log_fd, "%s", report.buf);
		say_final("%s", report.buf);
		ctx_set_output(ctx, "verify", "report", report.buf);
	}
	strbuf_clear(&report);
	return ret;
}
