// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The commands that change the host: upgrade (a new run), resume (the run
 * goes on; at boot, also the notice that a kernel or iptables lacks the
 * host's extension set), rollback and bundle (their work is in
 * rollback.c and bundle.c).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "pomctl/bundle.h"
#include "pomctl/command.h"
#include "pomctl/hostset.h"
#include "pomctl/log.h"
#include "pomctl/rollback.h"
#include "pomctl/util.h"

static void print_set(const struct strvec *names)
{
	struct strbuf list = STRBUF_INIT;

	strvec_join(names, " ", &list);
	info("pomctl: no --patch: the run brings the kernel to the host's "
	     "extension set (%s)",
	     list.buf);
	strbuf_clear(&list);
}

/* upgrade --plan: the plan of the run, nothing saved. */
static int upgrade_plan(struct ctx *ctx, struct run_request *rq)
{
	struct strvec bundled = STRVEC_INIT;
	int ret = 0;

	ctx->readonly = true;
	if (rq->bundle &&
	    bundle_patches(&ctx->env, ctx->state_dir.buf, rq->bundle,
			   rq->bundle_sha256 ?: "", true, &bundled) < 0)
		ret = EXIT_USAGE;
	if (rq->bundle)
		rq->patches = &bundled;
	if (!ret) /* the plan of a refused upgrade is its refusal */
		ret = lifecycle_plan_allowed(ctx, rq);
	if (!ret) {
		lifecycle_new_run(ctx, rq);
		ret = pipeline_preflight(ctx, true);
	}
	ret = ret ? ret : pipeline_plan(ctx);
	strvec_clear(&bundled);
	return ret;
}

static int upgrade_run(struct ctx *ctx, struct run_request *rq)
{
	struct strvec bundled = STRVEC_INIT;
	int lock_fd = -1, ret;

	ret = lifecycle_lock(ctx, &lock_fd);
	if (!ret && rq->bundle) {
		/* the bundle first: one that is damaged starts no run */
		if (bundle_patches(&ctx->env, ctx->state_dir.buf, rq->bundle,
				   rq->bundle_sha256 ?: "", false,
				   &bundled) < 0)
			ret = EXIT_USAGE;
		rq->patches = &bundled;
	}
	if (!ret)
		ret = lifecycle_start(ctx, rq);
	if (!ret)
		ret = pipeline_run(ctx);
	state_unlock(lock_fd);
	strvec_clear(&bundled);
	return ret;
}

int cmd_upgrade(struct ctx *ctx, const struct cmdline *cl, const char *arg)
{
	struct run_request rq = cl->rq;
	struct strvec set = STRVEC_INIT;
	char *bundle_path = NULL;
	int ret;

	(void)arg;
	if (rq.bundle && rq.patches->nr)
		return command_usage_error("upgrade",
					   "--from installs the patches its "
					   "bundle names: give no --patch");
	if (rq.bundle && (rq.trial || rq.iptables_version || rq.pom_version ||
			  rq.drop_failing))
		return command_usage_error(
			"upgrade",
			"--trial, --iptables-version, --pom-version "
			"and --drop-failing-patches are for a build; "
			"a run from a bundle builds nothing");
	if (!rq.patches->nr && !rq.bundle) {
		/* the host's extension set, for the kernel it runs now */
		ctx_host_set(ctx, &set, NULL);
		if (!set.nr)
			return command_usage_error(
				"upgrade",
				"upgrade needs --patch NAME (for example "
				"--patch string), or --from BUNDLE; without "
				"them it brings the kernel to the host's "
				"extension set, and no run has made one yet");
		print_set(&set);
		rq.patches = &set;
		if (!rq.pom_version)
			rq.pom_version = lifecycle_set_pom_version(ctx, &set);
	}
	/* a file is kept with the run by its absolute path: resume at boot
	 * runs from / */
	if (rq.bundle && !strstr(rq.bundle, "://")) {
		bundle_path = realpath(rq.bundle, NULL);
		if (!bundle_path) {
			error("bundle '%s': %s", rq.bundle, strerror(errno));
			strvec_clear(&set);
			return EXIT_USAGE;
		}
		rq.bundle = bundle_path;
	}
	if (rq.bundle && !rq.bundle_sha256 &&
	    *config_get(ctx->env.cfg, "bundle", "sha256"))
		rq.bundle_sha256 = config_get(ctx->env.cfg, "bundle", "sha256");
	ret = rq.plan ? upgrade_plan(ctx, &rq) : upgrade_run(ctx, &rq);
	strvec_clear(&set);
	free(bundle_path);
	return ret;
}

static int no_run(struct ctx *ctx, const char *what)
{
	error("nothing to %s: there is no run in '%s'; start one with "
	      "pomctl upgrade --patch NAME",
	      what, ctx->state_dir.buf);
	return EXIT_USAGE;
}

/*
 * [general] follow_kernel_updates = yes: the boot service starts what the
 * sysadmin would, pomctl upgrade -y --auto-resume with no --patch.
 */
static int follow_set(struct ctx *ctx, const struct run_request *rq,
		      const struct strvec *names, bool plan_only)
{
	struct run_request follow = *rq;
	int ret;

	if (ctx->state) { /* a finished run: the new one retires it */
		state_clear(ctx->state);
		free(ctx->state);
		ctx->state = NULL;
	}
	follow.patches = names;
	follow.yes = true;
	follow.auto_resume = "yes";
	(plan_only ? info : say)("pomctl: [general] follow_kernel_updates = "
				 "yes: pomctl upgrade -y --auto-resume");
	if (plan_only) /* that run's plan */
		return upgrade_plan(ctx, &follow);
	log_event(LOG_NOTICE, "following the kernel update: pomctl upgrade "
			      "-y --auto-resume");
	ret = lifecycle_start(ctx, &follow);
	return ret ? ret : pipeline_run(ctx);
}

/* One line to the console and syslog: SUBJECT lacks NAMES of the set. */
static void lacks_notice(bool plan_only, const char *subject,
			 const struct strvec *names, const char *why,
			 const char *remedy)
{
	struct strbuf sb = STRBUF_INIT;

	hostset_lacks(subject, names, &sb);
	warning("%s%s: pomctl upgrade %s", sb.buf, why, remedy);
	if (!plan_only) /* a plan tells the console only */
		log_event(LOG_WARNING, "%s (pomctl upgrade)", sb.buf);
	strbuf_clear(&sb);
}

/*
 * At boot, with no run to go on with: whether the kernel that came up
 * carries the host's extension set (a kernel the distribution installed
 * since does not), and the installed iptables the set's iptables
 * extensions (one the distribution installed since does not), each said
 * in one line to the console and syslog; as
 * [general] follow_kernel_updates says, not at all, or followed by the
 * upgrade that brings it to the set.
 */
static int set_notice(struct ctx *ctx, const struct run_request *rq,
		      bool plan_only)
{
	const char *follow = config_get(ctx->env.cfg, "general",
					"follow_kernel_updates");
	struct strvec lacks = STRVEC_INIT, tools = STRVEC_INIT;
	struct strbuf subject = STRBUF_INIT;
	struct hostset hs;
	int ret = EXIT_DONE;

	if (!strcmp(follow, "no"))
		return EXIT_DONE;
	ctx_host_view(ctx, &hs, false);
	for (size_t i = 0; i < hs.nk; i++)
		for (size_t n = 0; hs.k[i].running && n < hs.names.nr; n++)
			if (!strvec_has(&hs.k[i].carries, hs.names.v[n]))
				strvec_push(&lacks, hs.names.v[n]);
	if (lacks.nr) {
		strbuf_addf(&subject, "the running kernel %s",
			    ctx->env.host.release);
		lacks_notice(plan_only, subject.buf, &lacks, "",
			     "builds it a kernel that has them");
	}
	if (hostset_iptables_lacks(&hs, &tools)) {
		strbuf_reset(&subject);
		strbuf_addf(&subject, "the installed %s",
			    hs.iptables ?: "iptables (none installed)");
		lacks_notice(plan_only, subject.buf, &tools,
			     " (a package update replaced pomctl's build)",
			     "builds it again");
	}
	if ((lacks.nr || tools.nr) && !strcmp(follow, "yes"))
		ret = follow_set(ctx, rq, &hs.names, plan_only);
	strvec_clear(&lacks);
	strvec_clear(&tools);
	strbuf_clear(&subject);
	hostset_clear(&hs);
	return ret;
}

/*
 * resume --plan: the plan of what resume would do, nothing saved; with
 * --at-boot, what the boot service would (with no run to go on with, the
 * notice, and the plan of the upgrade that follow_kernel_updates = yes
 * starts, else a plan with no step).
 */
static int resume_plan(struct ctx *ctx, const struct cmdline *cl)
{
	int ret;

	ctx->readonly = true;
	ret = lifecycle_load(ctx, &cl->rq);
	if (ret && (ret != -ENOENT || !cl->at_boot))
		return ret == -ENOENT ? no_run(ctx, "resume") : EXIT_USAGE;
	if (!ret) {
		free(ctx->state->path);
		ctx->state->path = NULL; /* a plan never saves */
		if (!cl->at_boot || lifecycle_wanted_at_boot(ctx, true))
			return pipeline_plan(ctx);
	}
	ret = EXIT_DONE; /* a paused run not to be resumed at boot: as is */
	if (!ctx->state || lifecycle_finished(ctx->state))
		ret = set_notice(ctx, &cl->rq, true);
	if (ret == EXIT_DONE && !ctx->env.plan) { /* nothing would run */
		struct plan none;

		plan_init(&none);
		plan_print(&none, stdout, ctx->json);
		plan_clear(&none);
	}
	return ret;
}

static int resume_locked(struct ctx *ctx, const struct cmdline *cl)
{
	int ret = lifecycle_load(ctx, &cl->rq);

	if (ret == -ENOENT)
		return cl->at_boot ? set_notice(ctx, &cl->rq, false) :
				     no_run(ctx, "resume");
	if (ret)
		return EXIT_USAGE;
	if (cl->at_boot && !lifecycle_wanted_at_boot(ctx, false))
		return lifecycle_finished(ctx->state) ?
			       set_notice(ctx, &cl->rq, false) :
			       EXIT_DONE;
	if (!ctx->resume_from && pipeline_nothing_to_do(ctx)) {
		say("pomctl: nothing to do: run %s is finished and nothing it "
		    "depends on changed since (pomctl status shows it)",
		    ctx->state->id);
		return EXIT_DONE;
	}
	ret = lifecycle_consent(ctx, &cl->rq, "resume", false);
	return ret ? ret : pipeline_run(ctx);
}

int cmd_resume(struct ctx *ctx, const struct cmdline *cl, const char *arg)
{
	int lock_fd = -1, ret;

	(void)arg;
	if (cl->resume_from) { /* checked: a step's name or number */
		struct strbuf err = STRBUF_INIT;

		ctx->resume_from =
			pipeline_step_arg(cl->resume_from, &err)->name;
		strbuf_clear(&err);
	}
	if (!is_dir(ctx->state_dir.buf))
		return cl->at_boot ? EXIT_DONE : no_run(ctx, "resume");
	if (cl->plan)
		return resume_plan(ctx, cl);
	ret = lifecycle_lock(ctx, &lock_fd);
	if (!ret)
		ret = resume_locked(ctx, cl);
	state_unlock(lock_fd);
	return ret;
}

int cmd_rollback(struct ctx *ctx, const struct cmdline *cl, const char *arg)
{
	(void)arg;
	return rollback_command(ctx, &cl->rq, cl->run);
}

int cmd_bundle(struct ctx *ctx, const struct cmdline *cl, const char *arg)
{
	(void)arg;
	return bundle_command(ctx, &cl->rq, cl->output, cl->repo);
}
