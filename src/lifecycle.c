// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pomctl/fetch.h"
#include "pomctl/hostset.h"
#include "pomctl/lifecycle.h"
#include "pomctl/log.h"
#include "pomctl/names.h"
#include "pomctl/plan.h"
#include "pomctl/safepath.h"
#include "pomctl/scratch.h"
#include "pomctl/state.h"
#include "pomctl/util.h"

/* Command-line settings that are part of the run, kept in the state. */
static const struct {
	size_t arg; /* in struct run_request */
	const char *section, *key;
} overrides[] = {
	{ offsetof(struct run_request, iptables_version), "sources",
	  "iptables_version" },
	{ offsetof(struct run_request, pom_version), "sources", "pom_version" },
	{ offsetof(struct run_request, drop_failing), "rpm",
	  "drop_failing_patches" },
	{ offsetof(struct run_request, auto_resume), "general", "auto_resume" },
	{ offsetof(struct run_request, require_sums), "sources",
	  "require_checksums" },
};

static const char *setting(const struct run_request *rq, size_t i)
{
	return *(const char *const *)((const char *)rq + overrides[i].arg);
}

static void record_overrides(struct state *st, const struct run_request *rq)
{
	struct strbuf key = STRBUF_INIT;

	for (size_t i = 0; i < ARRAY_SIZE(overrides); i++) {
		if (!setting(rq, i))
			continue;
		strbuf_reset(&key);
		strbuf_addf(&key, "%s %s", overrides[i].section,
			    overrides[i].key);
		state_set_override(st, key.buf, setting(rq, i));
	}
	strbuf_clear(&key);
}

/*
 * The run's command-line settings over the config file's.  The state is
 * trusted as far as the command line is, no further: a key the command
 * line cannot set ([commands] above all) means the state was tampered
 * with or damaged.
 */
static long override_index(const char *key, struct strbuf *names)
{
	struct strbuf sb = STRBUF_INIT;
	long found = -1;

	for (size_t i = 0; i < ARRAY_SIZE(overrides); i++) {
		strbuf_reset(&sb);
		strbuf_addf(&sb, "%s %s", overrides[i].section,
			    overrides[i].key);
		if (!strcmp(sb.buf, key))
			found = (long)i;
		strbuf_addf(names, "%s'%s'", i ? ", " : "", sb.buf);
	}
	strbuf_clear(&sb);
	return found;
}

static int apply_override(const char *key, const char *value, void *data)
{
	struct ctx *ctx = data;
	struct strbuf names = STRBUF_INIT;
	long i = override_index(key, &names);
	int ret;

	if (i < 0)
		ret = error("state file '%s' is damaged: its setting '%s' is "
			    "not one the command line makes (%s); move the "
			    "state directory aside and start again",
			    ctx->state->path, key, names.buf);
	else
		ret = config_set(ctx->env.cfg, overrides[i].section,
				 overrides[i].key, value);
	strbuf_clear(&names);
	return ret < 0 ? -1 : 0;
}

int lifecycle_apply_settings(struct ctx *ctx)
{
	return state_each_override(ctx->state, apply_override, ctx);
}

/*
 * The state directory steers what pomctl does as root: trusted as the
 * config file is.  Owned by root or the user running pomctl, and private.
 * 0 when it is (or does not exist yet), -1 (reported) when not.
 */
int lifecycle_check_dir(const struct ctx *ctx)
{
	struct stat st;

	if (stat(ctx->state_dir.buf, &st) < 0)
		return errno == ENOENT ?
			       0 :
			       error("cannot stat '%s': %s", ctx->state_dir.buf,
				     strerror(errno));
	if (!S_ISDIR(st.st_mode))
		return error("state directory '%s' is not a directory",
			     ctx->state_dir.buf);
	if (st.st_uid != 0 && st.st_uid != geteuid())
		return error("state directory '%s' belongs to uid %u, not to "
			     "root or you; use a directory of your own "
			     "(chown %u)",
			     ctx->state_dir.buf, (unsigned)st.st_uid,
			     (unsigned)geteuid());
	if (st.st_mode & 077)
		return error("state directory '%s' can be read by others "
			     "(mode %03o); use a directory of its own "
			     "(chmod 700)",
			     ctx->state_dir.buf, (unsigned)(st.st_mode & 0777));
	return 0;
}

static void state_path(struct ctx *ctx, struct strbuf *sb)
{
	strbuf_reset(sb);
	strbuf_addf(sb, "%s/%s", ctx->state_dir.buf, STATE_FILE);
}

/* Load the run; 0, -ENOENT when there is none, -1 (reported). */
int lifecycle_load(struct ctx *ctx, const struct run_request *rq)
{
	struct strbuf path = STRBUF_INIT;
	int ret;

	if (lifecycle_check_dir(ctx) < 0)
		return -1;
	state_path(ctx, &path);
	ctx->state = xcalloc(1, sizeof(*ctx->state));
	ret = state_load(ctx->state, path.buf, pipeline_step_names(),
			 pomctl_nr_steps);
	if (ret) {
		free(ctx->state);
		ctx->state = NULL;
	} else {
		record_overrides(ctx->state, rq); /* resume may change them */
		if (lifecycle_apply_settings(ctx) < 0)
			ret = -1;
	}
	strbuf_clear(&path);
	return ret;
}

/* The state directory is pomctl's own: 0700, never shared with others. */
static int prepare_state_dir(struct ctx *ctx)
{
	if (mkdir_p(ctx->state_dir.buf, 0700) < 0)
		return -1;
	return lifecycle_check_dir(ctx);
}

int lifecycle_lock(struct ctx *ctx, int *lock_fd)
{
	struct strbuf root_lock = STRBUF_INIT;

	if (prepare_state_dir(ctx) < 0)
		return EXIT_FAILED;
	root_path(&root_lock, ctx->env.root, "/var/lock/pomctl");
	*lock_fd = state_lock(ctx->state_dir.buf, root_lock.buf);
	strbuf_clear(&root_lock);
	if (*lock_fd >= 0 && scratch_use_state(ctx->state_dir.buf) < 0) {
		state_unlock(*lock_fd);
		*lock_fd = -1;
	}
	if (*lock_fd == -EWOULDBLOCK)
		return EXIT_LOCKED;
	return *lock_fd < 0 ? EXIT_FAILED : 0;
}

bool lifecycle_finished(const struct state *st)
{
	for (size_t i = 0; i < st->nr; i++)
		if (st->steps[i].status != STEP_DONE &&
		    st->steps[i].status != STEP_SKIPPED)
			return false;
	return true;
}

static const char *first_open_step(const struct state *st)
{
	for (size_t i = 0; i < st->nr; i++)
		if (st->steps[i].status != STEP_DONE &&
		    st->steps[i].status != STEP_SKIPPED)
			return st->steps[i].name;
	return "";
}

void lifecycle_new_run(struct ctx *ctx, const struct run_request *rq)
{
	struct strbuf path = STRBUF_INIT;

	ctx->state = xcalloc(1, sizeof(*ctx->state));
	state_init(ctx->state, pipeline_step_names(), pomctl_nr_steps);
	for (size_t i = 0; i < rq->patches->nr; i++)
		strvec_push(&ctx->state->patches, rq->patches->v[i]);
	xstrset(&ctx->state->trial, rq->trial ? rq->trial : "full");
	xstrset(&ctx->state->bundle, rq->bundle ? rq->bundle : "");
	xstrset(&ctx->state->bundle_sha256,
		rq->bundle_sha256 ? rq->bundle_sha256 : "");
	ctx->state->force = rq->force;
	record_overrides(ctx->state, rq);
	lifecycle_apply_settings(ctx);
	if (!rq->plan) {
		state_path(ctx, &path);
		ctx->state->path = strbuf_detach(&path);
	}
}

/* --- consent -------------------------------------------------------------- */

/*
 * What the run would do, from a state of its own (a new run's, or the
 * run's as loaded again): ctx->env.plan filled, ctx->state as it was.
 */
static int gather_plan(struct ctx *ctx, const struct run_request *rq, bool new)
{
	struct state *real = ctx->state;
	bool ro = ctx->readonly;
	int ret;

	ctx->state = NULL;
	ctx->readonly = true;
	if (new) {
		lifecycle_new_run(ctx, rq);
		ret = 0;
	} else {
		ret = lifecycle_load(ctx, rq) ? EXIT_USAGE : 0;
	}
	if (!ret) {
		free(ctx->state->path);
		ctx->state->path = NULL; /* a plan never saves */
		ret = pipeline_plan_gather(ctx);
	}
	if (ctx->state) {
		state_clear(ctx->state);
		free(ctx->state);
	}
	ctx->state = real;
	ctx->readonly = ro;
	return ret;
}

bool lifecycle_assume_yes(struct ctx *ctx, const struct run_request *rq)
{
	return rq->yes ||
	       config_get_bool(ctx->env.cfg, "general", "assume_yes");
}

/* Without a terminal, only -y or [general] assume_yes: 0, or EXIT_USAGE. */
static int can_ask(struct ctx *ctx, const struct run_request *rq,
		   const char *what)
{
	if (lifecycle_assume_yes(ctx, rq) || isatty(STDIN_FILENO))
		return 0;
	error("%s changes this host and asks first, but there is no terminal "
	      "to ask on: add -y to answer yes (nothing was done)",
	      what);
	return EXIT_USAGE;
}

/*
 * Consent before the host changes, as dnf and Terraform ask: on a
 * terminal, what will happen (the plan's summary; with -v the whole plan),
 * then "Proceed? [y/N]".  Without a terminal: -y or [general] assume_yes,
 * or a refusal.  0 to go on, or an exit code (nothing was done).
 */
int lifecycle_ask(struct ctx *ctx, const struct run_request *rq,
		  const char *what)
{
	struct strbuf sb = STRBUF_INIT;
	char answer[16] = "";

	if (lifecycle_assume_yes(ctx, rq))
		return 0;
	if (can_ask(ctx, rq, what))
		return EXIT_USAGE;
	if (ctx->env.plan && rq->verbose) {
		plan_print(ctx->env.plan, stdout, false);
	} else if (ctx->env.plan) {
		/* a transaction summary: what changes, named; then counts */
		plan_summary(ctx->env.plan, &sb);
		if (json_array_size(ctx->env.plan->headlines)) {
			printf("pomctl %s would:\n", what);
			plan_headlines(ctx->env.plan, stdout);
			printf("and run %s (pomctl %s --plan shows each "
			       "action)\n",
			       sb.buf, what);
		} else {
			printf("pomctl %s would run %s (pomctl %s --plan shows "
			       "each action)\n",
			       what, sb.buf, what);
		}
		plan_cautions(ctx->env.plan, stdout);
	}
	fflush(stdout);
	fputs("Proceed? [y/N] ", stderr);
	fflush(stderr);
	strbuf_clear(&sb);
	if (!fgets(answer, sizeof(answer), stdin) ||
	    (strcasecmp(answer, "y\n") && strcasecmp(answer, "yes\n"))) {
		if (*fetch_downloaded())
			error("not confirmed: the host is unchanged; only "
			      "pomctl's download cache got %s, for the plan",
			      fetch_downloaded());
		else
			error("not confirmed: nothing was done");
		return EXIT_USAGE;
	}
	return 0;
}

static void drop_plan(struct ctx *ctx)
{
	if (ctx->env.plan) {
		plan_clear(ctx->env.plan);
		free(ctx->env.plan);
		ctx->env.plan = NULL;
	}
}

/* The run's plan, then the question: 0 to go on, or an exit code. */
int lifecycle_consent(struct ctx *ctx, const struct run_request *rq,
		      const char *what, bool new)
{
	int ret = 0;

	if (lifecycle_assume_yes(ctx, rq))
		return 0;
	if (isatty(STDIN_FILENO))
		ret = gather_plan(ctx, rq, new);
	if (!ret)
		ret = lifecycle_ask(ctx, rq, what);
	drop_plan(ctx);
	return ret;
}

/* The finished run old (not ctx's) into runs/: 0 or EXIT_FAILED. */
static int retire(struct ctx *ctx, struct state *old)
{
	struct state *run = ctx->state;
	int ret;

	ctx->state = old;
	ret = pipeline_retire_run(ctx, "json") < 0 ? EXIT_FAILED : 0;
	ctx->state = run;
	return ret;
}

/* A new run is refused while ctx's loaded run is not finished: said. */
static bool run_in_progress(const struct ctx *ctx)
{
	if (lifecycle_finished(ctx->state))
		return false;
	error("a run is in progress in '%s' (step '%s' is %s); "
	      "continue it with pomctl resume, or undo it with "
	      "pomctl rollback",
	      ctx->state_dir.buf, first_open_step(ctx->state),
	      step_status_name(
		      state_step(ctx->state, first_open_step(ctx->state))
			      ->status));
	return true;
}

int lifecycle_plan_allowed(struct ctx *ctx, const struct run_request *rq)
{
	int ret = lifecycle_load(ctx, rq);
	bool open;

	if (ret == -1)
		return EXIT_USAGE;
	if (ret)
		return 0; /* no run: a new one may start */
	open = run_in_progress(ctx);
	state_clear(ctx->state);
	free(ctx->state);
	ctx->state = NULL;
	return open ? EXIT_USAGE : 0;
}

int lifecycle_start(struct ctx *ctx, const struct run_request *rq)
{
	int ret = lifecycle_load(ctx, rq), asked;
	struct state *old;

	if (ret == -1)
		return EXIT_USAGE;
	if (ret == 0 && run_in_progress(ctx))
		return EXIT_USAGE;
	old = ret == 0 ? ctx->state : NULL;
	lifecycle_new_run(ctx, rq);
	asked = can_ask(ctx, rq, "upgrade");
	if (!asked)
		asked = pipeline_preflight(ctx, false);
	if (!asked)
		asked = lifecycle_consent(ctx, rq, "upgrade", true);
	if (!asked && old)
		asked = retire(ctx, old);
	if (old) {
		state_clear(old);
		free(old);
	}
	if (asked)
		return asked;
	return state_save(ctx->state) ? EXIT_FAILED : 0;
}

/*
 * resume --at-boot goes on only for a paused run that asked for it; why
 * not is said (by a plan, to stderr: its stdout is the plan).
 */
bool lifecycle_wanted_at_boot(struct ctx *ctx, bool plan_only)
{
	void (*tell)(const char *, ...) = plan_only ? info : say;
	bool paused = false;

	for (size_t i = 0; i < ctx->state->nr; i++)
		paused |= ctx->state->steps[i].status == STEP_AWAITING_REBOOT;
	if (!paused)
		tell("pomctl: no run awaits a reboot: nothing to resume at "
		     "boot");
	else if (!config_get_bool(ctx->env.cfg, "general", "auto_resume"))
		tell("pomctl: the run awaits a reboot but did not ask to be "
		     "resumed at boot (pomctl upgrade --auto-resume)");
	return paused &&
	       config_get_bool(ctx->env.cfg, "general", "auto_resume");
}

/*
 * With no --pom-version, a run that brings the host to its set takes the
 * patch-o-matic the set was built with -- the same patches as before --
 * when every patch of it came from one version, the cache still holds
 * its tarball and [sources] pom_sha256 pins no other; else the
 * configured one.  Said either way when they differ.  NULL: the
 * configured one.
 */
const char *lifecycle_set_pom_version(struct ctx *ctx,
				      const struct strvec *names)
{
	static struct strbuf chosen = STRBUF_INIT;
	const char *want = config_get(ctx->env.cfg, "sources", "pom_version");
	struct strbuf url = STRBUF_INIT, cache = STRBUF_INIT;
	struct fetch_request req = { 0 };
	struct fetch_result res;
	const char *v = NULL, *why = NULL;
	struct hostset hs;
	bool one = true;

	hostset_load_set_of(&hs, ctx->state_dir.buf, pipeline_step_names(),
			    pomctl_nr_steps);
	for (size_t i = 0; i < hs.names.nr; i++)
		if (strvec_has(names, hs.names.v[i])) {
			one = one && (!v || !strcmp(v, hs.poms.v[i]));
			v = v ? v : hs.poms.v[i];
		}
	fetch_result_init(&res);
	strbuf_reset(&chosen);
	if (!v || (one && !strcmp(v, want))) {
		/* nothing to say */
	} else if (!one) {
		why = "its patches came from more than one patch-o-matic";
	} else if (!strcmp(v, "a bundle's") || !version_is_valid(v)) {
		why = "its patch-o-matic came with a bundle";
	} else {
		const char *pin = config_get(ctx->env.cfg, "sources",
					     "pom_sha256");

		url_of_version(config_get(ctx->env.cfg, "sources", "pom_url"),
			       v, &url);
		strbuf_addf(&cache, "%s/cache", ctx->state_dir.buf);
		req.url = url.buf;
		if (!fetch_cached(cache.buf, &req, &res))
			why = "the cache no longer holds its tarball";
		else if (*pin && strcmp(pin, res.digest))
			why = "[sources] pom_sha256 pins another tarball";
		else
			strbuf_addstr(&chosen, v);
	}
	if (chosen.len)
		info("pomctl: patch-o-matic %s, the version the host's extension "
		     "set was built with (from the cache; [sources] pom_version "
		     "is %s)",
		     v, want);
	else if (why)
		info("pomctl: the host's extension set was built with "
		     "patch-o-matic %s, but %s: the run uses the configured %s",
		     one ? v : "versions", why, want);
	fetch_result_clear(&res);
	hostset_clear(&hs);
	strbuf_clear(&url);
	strbuf_clear(&cache);
	return chosen.len ? chosen.buf : NULL;
}
