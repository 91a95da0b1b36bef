// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The engine: the steps of the table (steps/steps.c) run in order, each
 * checkpointed in the state file; a done step skipped while its
 * fingerprint holds; stages within a step; pauses for a reboot and the
 * check that it happened; a failed or cut attempt undone from its
 * manifest; the plan gathered from the same walk.  What a step asks of
 * the run is ctx.c; pomctl status is status.c.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "pomctl/boot.h"
#include "pomctl/log.h"
#include "pomctl/manifest.h"
#include "pomctl/pipeline.h"
#include "pomctl/pom.h"
#include "pomctl/rpmdb.h"
#include "pomctl/run-command.h"
#include "pomctl/text.h"
#include "pomctl/util.h"
#include "pipeline-internal.h"

#define MAX_STEPS 16
#define TAIL_LINES 20
/* The walk's signal for a step that ended the run. */
#define WALK_ENDED 100

const char *const *pipeline_step_names(void)
{
	static const char *names[MAX_STEPS + 1];

	for (size_t i = 0; i < pomctl_nr_steps && i < MAX_STEPS; i++)
		names[i] = pomctl_steps[i].name;
	return names;
}

const struct step *pipeline_step_arg(const char *word, struct strbuf *err)
{
	const struct step *step = pipeline_find_step(word);
	struct strvec names = STRVEC_INIT;
	struct strbuf list = STRBUF_INIT;
	char *end;
	long n;

	if (step)
		return step;
	n = strtol(word, &end, 10);
	if (*word >= '1' && *word <= '9' && !*end && n <= (long)pomctl_nr_steps)
		return &pomctl_steps[n - 1];
	strvec_pushv(&names, pipeline_step_names());
	strvec_join(&names, ", ", &list);
	strbuf_addf(err, "unknown step '%s'", word);
	suggest(word, strvec_argv(&names), names.nr, err);
	strbuf_addf(err, " (the steps are %s, or their numbers 1 to %zu)",
		    list.buf, pomctl_nr_steps);
	strvec_clear(&names);
	strbuf_clear(&list);
	return NULL;
}

const struct step *pipeline_find_step(const char *name)
{
	for (size_t i = 0; i < pomctl_nr_steps; i++)
		if (!strcmp(pomctl_steps[i].name, name))
			return &pomctl_steps[i];
	return NULL;
}

static size_t step_index(const struct step *step)
{
	return (size_t)(step - pomctl_steps);
}

int pipeline_retire_run(struct ctx *ctx, const char *suffix)
{
	struct strbuf dir = STRBUF_INIT, to = STRBUF_INIT;
	int ret;

	strbuf_addf(&dir, "%s/runs", ctx->state_dir.buf);
	strbuf_addf(&to, "%s/%s.%s", dir.buf, ctx->state->id, suffix);
	ret = mkdir_p(dir.buf, 0700);
	if (!ret && rename(ctx->state->path, to.buf) < 0)
		ret = error("cannot move '%s' to '%s': %s", ctx->state->path,
			    to.buf, strerror(errno));
	/* a run from a bundle extracted it there: no record needs it now */
	strbuf_reset(&dir);
	strbuf_addf(&dir, "%s/bundles/%s", ctx->state_dir.buf, ctx->state->id);
	if (!ret && is_dir(dir.buf))
		remove_tree(dir.buf);
	strbuf_clear(&dir);
	strbuf_clear(&to);
	return ret;
}

void pipeline_request_reboot(struct ctx *ctx, const char *release)
{
	free(ctx->pause_release);
	ctx->pause_release = xstrdup(release);
}

void pipeline_end_run(struct ctx *ctx, const char *why)
{
	free(ctx->end_reason);
	ctx->end_reason = xstrdup(why);
}

bool pipeline_step_ended_run(struct ctx *ctx, const char *step)
{
	return state_get_output(ctx->state, step, ENDS_RUN) != NULL;
}

void pipeline_log_path(const struct ctx *ctx, const char *step,
		       struct strbuf *sb)
{
	const struct step *s = pipeline_find_step(step);

	strbuf_reset(sb);
	strbuf_addf(sb, "%s/logs/%02zu-%s.log", ctx->state_dir.buf,
		    s ? step_index(s) + 1 : 0, step);
}

static void fingerprint_of(struct ctx *ctx, const struct step *step,
			   struct fingerprint *fp)
{
	fp_init(fp);
	if (step->fingerprint)
		step->fingerprint(ctx, fp);
}

/* Whether a done step is still current; why says what changed if not. */
bool pipeline_step_current(struct ctx *ctx, const struct step *step,
			   struct step_state *s, struct strbuf *why)
{
	struct fingerprint fp;
	bool same;

	fingerprint_of(ctx, step, &fp);
	same = fp_compare(s->fingerprint, &fp, why);
	fp_clear(&fp);
	return same;
}

bool pipeline_nothing_to_do(struct ctx *ctx)
{
	struct strbuf why = STRBUF_INIT;
	bool none = true;

	for (size_t i = 0; i < pomctl_nr_steps && none; i++) {
		struct step_state *s = &ctx->state->steps[i];

		none = s->status == STEP_SKIPPED ||
		       (s->status == STEP_DONE &&
			pipeline_step_current(ctx, &pomctl_steps[i], s, &why));
	}
	strbuf_clear(&why);
	return none;
}

static int save(struct ctx *ctx)
{
	return state_save(ctx->state) ? EXIT_FAILED : 0;
}

static void finish(struct step_state *s, enum step_status status,
		   const char *err)
{
	char now[32];

	utc_now(now);
	s->status = status;
	xstrset(&s->finished, now);
	xstrset(&s->error, err);
}

static int step_unavailable(struct ctx *ctx, const struct step *step,
			    struct step_state *s)
{
	error("step '%s' is not part of this build of pomctl; the run stops "
	      "here",
	      step->name);
	finish(s, STEP_FAILED, error_last());
	save(ctx);
	return EXIT_FAILED;
}

/* The inputs the step ran with, to compare the next run's with. */
static void keep_fingerprint(struct step_state *s, const struct fingerprint *fp)
{
	json_object_clear(s->fingerprint);
	json_object_update(s->fingerprint, fp->obj);
}

/* The inputs of a failed attempt are kept: its stages stand for them. */
static int step_failed(struct ctx *ctx, const struct step *step,
		       struct step_state *s, struct fingerprint *fp)
{
	char *why = xstrdup(*error_last() ? error_last() : "it failed");
	bool detailed = strchr(why, '\n') != NULL;

	finish(s, STEP_FAILED, why);
	keep_fingerprint(s, fp);
	log_event(LOG_ERR, "step %s failed: %s", step->name, why);
	if (save(ctx)) {
		free(why);
		return EXIT_FAILED;
	}
	/* an error with its first errors said them: not the tail again */
	if (!log_is_quiet() && !detailed) {
		progress_clear();
		fprintf(stderr,
			"pomctl: step '%s' failed; the last lines of "
			"%s:\n",
			step->name, ctx->log_path.buf);
		steplog_tail(ctx->log_path.buf, TAIL_LINES, stderr);
	}
	/* the cause was said above, by the step: once is enough */
	error("step '%s' failed (see pomctl log %s; fix it, then run pomctl "
	      "resume)",
	      step->name, step->name);
	free(why);
	return EXIT_FAILED;
}

/*
 * Interrupted (Ctrl-C, SIGTERM): the inputs are kept as a failure's are,
 * so that the stages done stand and resume goes on with an incremental
 * make; a stage cut in the middle runs again.
 */
static int step_interrupted(struct ctx *ctx, const struct step *step,
			    struct step_state *s, struct fingerprint *fp)
{
	finish(s, STEP_INTERRUPTED, "interrupted by a signal");
	keep_fingerprint(s, fp);
	log_event(LOG_WARNING, "step %s interrupted", step->name);
	save(ctx);
	error("step '%s' was interrupted; run pomctl resume to continue",
	      step->name);
	return EXIT_FAILED;
}

/*
 * Which boot menu entry the reboot starts, for a sysadmin at the console:
 * the loader starts it once by itself; where it does not (an old GRUB, a
 * menu shown), the title is what to pick.
 */
/* What the step adds to the message of its pause, or "". */
static const char *pause_hint(struct ctx *ctx, const struct step *step,
			      bool first)
{
	return step && step->pause_hint ?
		       step->pause_hint(ctx, step->name, first) :
		       "";
}

static int step_paused(struct ctx *ctx, struct step_state *s,
		       struct fingerprint *fp)
{
	finish(s, STEP_AWAITING_REBOOT, NULL);
	log_event(LOG_NOTICE,
		  "step %s done: reboot into %s, then pomctl "
		  "resume",
		  s->name, ctx->pause_release);
	xstrset(&s->pause_release, ctx->pause_release);
	xstrset(&s->pause_boot_id, ctx->env.host.boot_id);
	keep_fingerprint(s, fp);
	if (save(ctx))
		return EXIT_FAILED;
	say_final("pomctl: reboot into %s, then run pomctl resume%s",
		  ctx->pause_release,
		  pause_hint(ctx, pipeline_find_step(s->name), true));
	return EXIT_PAUSED;
}

static int step_done(struct ctx *ctx, struct step_state *s,
		     struct fingerprint *fp)
{
	finish(s, STEP_DONE, NULL);
	log_event(LOG_INFO, "step %s done", s->name);
	keep_fingerprint(s, fp);
	return save(ctx);
}

/* The step has nothing to do in this run: skipped, its outputs kept. */
static int step_skipped(struct ctx *ctx, struct step_state *s,
			struct fingerprint *fp)
{
	finish(s, STEP_SKIPPED, NULL);
	json_object_set_new(s->outputs, SKIPPED,
			    json_string("a run from a bundle builds nothing"));
	keep_fingerprint(s, fp);
	info("step %s: skipped: the bundle brings what it makes", s->name);
	return save(ctx);
}

/* The step found nothing to do: the later steps are skipped. */
static int step_ends_run(struct ctx *ctx, struct step_state *s,
			 struct fingerprint *fp)
{
	size_t i = (size_t)(s - ctx->state->steps);

	json_object_set_new(s->outputs, ENDS_RUN, json_string(ctx->end_reason));
	while (++i < ctx->state->nr)
		ctx->state->steps[i].status = STEP_SKIPPED;
	if (step_done(ctx, s, fp))
		return EXIT_FAILED;
	say_final("pomctl: %s", ctx->end_reason);
	return WALK_ENDED;
}

/* --- stages ---------------------------------------------------------------- */

static void stage_key(const char *stage, struct strbuf *sb)
{
	strbuf_addf(sb, STAGE_KEY "%s", stage);
}

/*
 * Whether the failed or interrupted attempt's stages stand: it had some,
 * same inputs.  (A killed attempt kept no inputs: it is undone.)
 */
static bool stages_stand(const struct step_state *s,
			 const struct fingerprint *fp)
{
	struct strbuf why = STRBUF_INIT;
	bool stand = false;
	const char *key;
	json_t *v;

	if (s->status != STEP_FAILED && s->status != STEP_INTERRUPTED)
		return false;
	json_object_foreach (s->outputs, key, v)
		if (!strncmp(key, STAGE_KEY, strlen(STAGE_KEY)))
			stand = true;
	stand = stand && fp_compare(s->fingerprint, fp, &why);
	strbuf_clear(&why);
	return stand;
}

int pipeline_stage_done(struct ctx *ctx, const char *stage, const char *witness)
{
	struct strbuf key = STRBUF_INIT;

	if (!ctx->step)
		return 0; /* not in a step (rollback, tests) */
	stage_key(stage, &key);
	state_set_output(ctx->state, ctx->step, key.buf, witness);
	strbuf_clear(&key);
	return save(ctx) ? -1 : 0;
}

bool pipeline_stage_skip(struct ctx *ctx, const char *stage,
			 const char *witness)
{
	struct strbuf key = STRBUF_INIT;
	const char *was;

	stage_key(stage, &key);
	was = ctx->again && ctx->step ?
		      state_get_output(ctx->state, ctx->step, key.buf) :
		      NULL;
	strbuf_clear(&key);
	if (!was || strcmp(was, witness)) {
		ctx->again = false; /* this one runs: so do the next */
		return false;
	}
	if (ctx->env.plan) {
		plan_note(ctx->env.plan,
			  "%s: done by the %s attempt, and still current: "
			  "not again",
			  stage, ctx->again_after);
		return true;
	}
	info("  %s: done by the %s attempt, and still current", stage,
	     ctx->again_after);
	steplog_printf(ctx->env.log_fd,
		       "stage %s: done by the %s attempt, not "
		       "again",
		       stage, ctx->again_after);
	return true;
}

/* 0, -1, or NO_STATE when the state could not be saved (reported). */
enum { NO_STATE = -2 };
static int begin(struct ctx *ctx, const struct step *step, struct step_state *s,
		 const char *reason, bool again)
{
	char now[32];

	utc_now(now);
	s->status = STEP_RUNNING;
	s->runs++;
	xstrset(&s->started, now);
	xstrset(&s->finished, NULL);
	xstrset(&s->error, NULL);
	xstrset(&s->reason, reason);
	xstrset(&s->pause_release, NULL);
	xstrset(&s->pause_boot_id, NULL);
	if (!again)
		json_object_clear(s->outputs);
	ctx->step = step->name;
	ctx->again = again;
	if (save(ctx))
		return NO_STATE;
	pipeline_log_path(ctx, step->name, &ctx->log_path);
	ctx->env.log_fd = steplog_open(ctx->log_path.buf);
	if (ctx->env.log_fd < 0)
		return -1;
	steplog_printf(ctx->env.log_fd,
		       "=== step %s, attempt %u of run %s, %s: %s", step->name,
		       s->runs, ctx->state->id, now, reason);
	info("step %zu/%zu: %s - %s (%s)", step_index(step) + 1,
	     pomctl_nr_steps, step->name, step->title, reason);
	log_event(LOG_INFO, "step %s started (%s)", step->name, reason);
	return 0;
}

/*
 * An attempt cut short (pomctl interrupted, or killed: the state still says
 * running) is undone from the step's manifest before the step runs again,
 * so that the new attempt starts where the first one did: same kernel
 * release, no leftover files.  A step that failed is not undone: the
 * sysadmin may have fixed things by hand since.
 */
static int undo_cut_attempt(struct ctx *ctx, const struct step *step)
{
	struct manifest m;
	int ret = ctx_manifest_open(ctx, step->name, &m);

	if (!ret && !manifest_is_empty(&m)) {
		info("  undoing what the interrupted attempt changed");
		steplog_printf(ctx->env.log_fd,
			       "undo the interrupted attempt "
			       "(manifest %s)",
			       m.path);
		ret = manifest_undo(&m, NULL);
	}
	manifest_clear(&m);
	return ret;
}

/*
 * Before a step runs or is planned: its fingerprint, and whether its
 * failed or interrupted attempt's stages may stand (ctx->again, with
 * ctx->again_after saying which attempt), for the plan as for the run.
 */
static bool attempt_again(struct ctx *ctx, const struct step *step,
			  const struct step_state *s, struct fingerprint *fp)
{
	fingerprint_of(ctx, step, fp);
	ctx->again_after = s->status == STEP_INTERRUPTED ? "interrupted" :
							   "failed";
	return stages_stand(s, fp);
}

static int run_step(struct ctx *ctx, const struct step *step,
		    struct step_state *s, const char *reason)
{
	struct fingerprint fp;
	bool cut = s->status == STEP_RUNNING || s->status == STEP_INTERRUPTED;
	bool again;
	double start = monotonic_seconds();
	int ret;

	if (!step->run)
		return step_unavailable(ctx, step, s);
	again = attempt_again(ctx, step, s, &fp);
	ret = begin(ctx, step, s, reason, again);
	if (ret == NO_STATE) {
		/* said already; the state file is as it was: nothing to add */
		fp_clear(&fp);
		return EXIT_FAILED;
	}
	if (ret == 0 && cut && !again)
		ret = undo_cut_attempt(ctx, step);
	if (ret == 0)
		ret = step->run(ctx);
	/* the benchmarks take each step's own time from this line */
	steplog_printf(ctx->env.log_fd, "=== step %s ends after %.3f s",
		       step->name, monotonic_seconds() - start);
	if (ctx->env.log_fd >= 0)
		close(ctx->env.log_fd);
	ctx->env.log_fd = -1;
	if (run_interrupted())
		ret = step_interrupted(ctx, step, s, &fp);
	else if (ret < 0)
		ret = step_failed(ctx, step, s, &fp);
	else if (ret == STEP_PAUSE)
		ret = step_paused(ctx, s, &fp);
	else if (ret == STEP_FINISH)
		ret = step_ends_run(ctx, s, &fp);
	else if (ret == STEP_SKIP)
		ret = step_skipped(ctx, s, &fp);
	else
		ret = step_done(ctx, s, &fp);
	fp_clear(&fp);
	ctx->step = NULL;
	ctx->again = false;
	return ret;
}

/* After a pause: 0 when the host rebooted into the expected release. */
static int check_reboot(struct ctx *ctx, const struct step *step,
			struct step_state *s)
{
	if (!strcmp(ctx->env.host.boot_id, s->pause_boot_id)) {
		say_final(
			"pomctl: step '%s' is awaiting a reboot into %s and the "
			"host has not rebooted since; reboot into %s, then run "
			"pomctl resume%s",
			step->name, s->pause_release, s->pause_release,
			pause_hint(ctx, step, true));
		return EXIT_PAUSED;
	}
	if (strcmp(ctx->env.host.release, s->pause_release) != 0) {
		error("the host rebooted, but it runs %s, not %s: the new "
		      "kernel did not come up or was not chosen; see the "
		      "boot messages and the boot loader's default, boot %s, "
		      "then run pomctl resume%s",
		      ctx->env.host.release, s->pause_release, s->pause_release,
		      pause_hint(ctx, step, false));
		xstrset(&s->error, error_last());
		save(ctx);
		return EXIT_FAILED;
	}
	info("step %s: rebooted into %s as planned", step->name,
	     s->pause_release);
	finish(s, STEP_DONE, NULL);
	return save(ctx);
}

static const char *rerun_reason(struct step_state *s)
{
	switch (s->status) {
	case STEP_RUNNING:
		return "pomctl stopped while it ran";
	case STEP_FAILED:
		return "it failed last time";
	case STEP_INTERRUPTED:
		return "it was interrupted";
	default:
		return s->runs ? "resumed" : "first run";
	}
}

/* What a walk does with a step: the one decision the run and its plan read. */
enum fate {
	FATE_AWAITING, /* awaiting its reboot: checked, then done */
	FATE_SKIPPED,  /* skipped for this run, still */
	FATE_CURRENT,  /* done and up to date: not again */
	FATE_ENDS,     /* as FATE_CURRENT, and it ended the run: it ends it */
	FATE_RUN,      /* runs (why: the reason, for a done step) */
};

static enum fate step_fate(struct ctx *ctx, const struct step *step,
			   struct step_state *s, struct strbuf *why)
{
	if (s->status == STEP_AWAITING_REBOOT)
		return FATE_AWAITING;
	if (s->status == STEP_SKIPPED && json_object_get(s->outputs, SKIPPED))
		return FATE_SKIPPED;
	if (s->status == STEP_DONE && pipeline_step_current(ctx, step, s, why))
		return json_object_get(s->outputs, ENDS_RUN) ? FATE_ENDS :
							       FATE_CURRENT;
	return FATE_RUN;
}

static int walk_step(struct ctx *ctx, const struct step *step,
		     struct step_state *s)
{
	struct strbuf why = STRBUF_INIT;
	int ret = 0;

	switch (step_fate(ctx, step, s, &why)) {
	case FATE_AWAITING:
		ret = check_reboot(ctx, step, s);
		break;
	case FATE_SKIPPED:
		break; /* nothing to do in this run, still */
	case FATE_CURRENT:
		verbose("step %s: done, up to date", step->name);
		break;
	case FATE_ENDS:
		verbose("step %s: done, up to date", step->name);
		say_final("pomctl: %s",
			  json_string_value(
				  json_object_get(s->outputs, ENDS_RUN)));
		ret = WALK_ENDED;
		break;
	case FATE_RUN:
		ret = run_step(ctx, step, s,
			       s->status == STEP_DONE ? why.buf :
							rerun_reason(s));
		break;
	}
	strbuf_clear(&why);
	return ret;
}

static int invalidate_from(struct ctx *ctx, const char *from)
{
	const struct step *step = pipeline_find_step(from);

	if (!step) {
		struct strvec names = STRVEC_INIT;
		struct strbuf list = STRBUF_INIT;

		strvec_pushv(&names, pipeline_step_names());
		strvec_join(&names, ", ", &list);
		error("unknown step '%s'; the steps are %s", from, list.buf);
		strvec_clear(&names);
		strbuf_clear(&list);
		return -1;
	}
	for (size_t i = step_index(step); i < ctx->state->nr; i++) {
		struct step_state *s = &ctx->state->steps[i];

		if (s->status == STEP_DONE || s->status == STEP_AWAITING_REBOOT)
			s->status = STEP_PENDING;
	}
	return 0;
}

int pipeline_run(struct ctx *ctx)
{
	struct strbuf logs = STRBUF_INIT;
	int ret = 0;

	if (ctx->resume_from && invalidate_from(ctx, ctx->resume_from) < 0)
		return EXIT_USAGE;
	/* what the plan asked the host once: the run changes it */
	rpmdb_forget();
	boot_forget();
	pom_remember_dry_runs(false);
	strbuf_addf(&logs, "%s/logs", ctx->state_dir.buf);
	if (mkdir_p(logs.buf, 0700) < 0)
		ret = EXIT_FAILED;
	strbuf_clear(&logs);
	for (size_t i = 0; i < pomctl_nr_steps && !ret; i++) {
		ret = walk_step(ctx, &pomctl_steps[i], &ctx->state->steps[i]);
		if (!ret && run_interrupted())
			ret = EXIT_FAILED;
	}
	if (ret == WALK_ENDED)
		return EXIT_DONE;
	if (!ret)
		say_final("pomctl: all %zu steps done", pomctl_nr_steps);
	return ret;
}

/* A step's plan, as run_step would go about it (why: its reason to rerun). */
static int plan_attempt(struct ctx *ctx, const struct step *step,
			const struct step_state *s, const struct strbuf *why)
{
	struct fingerprint fp;
	bool cut = s->status == STEP_RUNNING || s->status == STEP_INTERRUPTED;
	int ret;

	if (s->status == STEP_DONE)
		plan_note(ctx->env.plan, "will run again: %s", why->buf);
	ctx->step = step->name;
	ctx->again = false;
	if (s->status == STEP_FAILED || s->status == STEP_INTERRUPTED) {
		/* only an attempt that ended so has stages that may stand */
		ctx->again = attempt_again(ctx, step, s, &fp);
		fp_clear(&fp);
	}
	if (cut && !ctx->again) /* the plan sees the host before the undo */
		plan_pending(ctx->env.plan,
			     "first, what the interrupted attempt changed is "
			     "undone (its manifest); then the step does what "
			     "the host as it was before that attempt needs");
	ret = step->plan(ctx);
	ctx->step = NULL;
	ctx->again = false;
	return ret;
}

static int plan_step(struct ctx *ctx, const struct step *step,
		     struct step_state *s)
{
	struct strbuf why = STRBUF_INIT;
	int ret = 0;

	plan_begin_step(ctx->env.plan, step->name, step->title);
	switch (step_fate(ctx, step, s, &why)) {
	case FATE_AWAITING:
		plan_step_idle(ctx->env.plan);
		plan_note(ctx->env.plan,
			  "awaiting a reboot into %s; then "
			  "pomctl resume goes on",
			  s->pause_release);
		break;
	case FATE_ENDS:
		ret = STEP_FINISH; /* it ends the run again */
				   /* fall through */
	case FATE_CURRENT:
		plan_step_idle(ctx->env.plan);
		plan_note(ctx->env.plan,
			  "done at %s and up to date: will not "
			  "run again",
			  s->finished ? s->finished : "?");
		break;
	case FATE_SKIPPED:
		plan_step_idle(ctx->env.plan);
		plan_note(ctx->env.plan, "skipped: %s",
			  json_string_value(
				  json_object_get(s->outputs, SKIPPED)));
		break;
	case FATE_RUN:
		if (!step->plan)
			plan_note(ctx->env.plan,
				  "not part of this build of pomctl: a run "
				  "stops here");
		else
			ret = plan_attempt(ctx, step, s, &why);
		break;
	}
	strbuf_clear(&why);
	return ret;
}

int pipeline_preflight(struct ctx *ctx, bool plan)
{
	pom_remember_dry_runs(true); /* until the run: nothing changes */
	for (size_t i = 0; i < pomctl_nr_steps; i++)
		if (pomctl_steps[i].preflight &&
		    pomctl_steps[i].preflight(ctx, plan) < 0)
			return EXIT_USAGE;
	return 0;
}

int pipeline_plan_gather(struct ctx *ctx)
{
	int ret = 0;

	if (ctx->resume_from && invalidate_from(ctx, ctx->resume_from) < 0)
		return EXIT_USAGE;
	if (!ctx->env.plan) {
		ctx->env.plan = xmalloc(sizeof(*ctx->env.plan));
		plan_init(ctx->env.plan);
	}
	pom_remember_dry_runs(true);
	for (size_t i = 0; i < pomctl_nr_steps && !ret; i++) {
		ret = plan_step(ctx, &pomctl_steps[i], &ctx->state->steps[i]);
		if (ret != STEP_FINISH)
			continue;
		/* the run would end here: what follows would not run */
		for (size_t end = i; ++i < pomctl_nr_steps;) {
			plan_begin_step(ctx->env.plan, pomctl_steps[i].name,
					pomctl_steps[i].title);
			plan_step_idle(ctx->env.plan);
			plan_note(ctx->env.plan,
				  "skipped: the run would end at "
				  "step %s",
				  pomctl_steps[end].name);
		}
		ret = 0;
	}
	/* a plan that cannot be made changed nothing: the host or config */
	return ret ? EXIT_USAGE : 0;
}

int pipeline_plan(struct ctx *ctx)
{
	int ret = pipeline_plan_gather(ctx);

	if (ret)
		return ret;
	plan_print(ctx->env.plan, stdout, ctx->json);
	if (ctx->detailed_exitcode && plan_has_changes(ctx->env.plan))
		return EXIT_CHANGES;
	return EXIT_DONE;
}
