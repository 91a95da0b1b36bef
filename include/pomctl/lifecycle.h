/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A run's life around the pipeline: its state directory checked and
 * locked, a new run started (after consent) or the run loaded again, the
 * command line's settings of the run kept in its state and applied again
 * on resume.  main() dispatches; this says whether and how a run goes on;
 * the pipeline runs its steps.
 */
#ifndef POMCTL_LIFECYCLE_H
#define POMCTL_LIFECYCLE_H

#include <stdbool.h>

#include "pomctl/pipeline.h"

/* What the command line asks of a run. */
struct run_request {
	const struct strvec *patches; /* upgrade --patch, in order */
	const char *trial;	      /* full, build, skip; NULL: full */
	const char *bundle;	      /* upgrade --from: a bundle, or NULL */
	const char *bundle_sha256;    /* its pin, or NULL */
	bool force, plan, yes, verbose;
	/* settings that are part of the run, kept in its state (NULL: not
	 * given; "yes" for the switches) */
	const char *iptables_version, *pom_version, *drop_failing, *auto_resume,
		*require_sums;
};

/* The state directory is root's or the user's, and private: 0 or -1. */
int lifecycle_check_dir(const struct ctx *ctx);
/*
 * The run of the state directory into ctx->state, the command line's
 * settings added to its own and applied: 0, -ENOENT when there is none,
 * -1 (reported).
 */
int lifecycle_load(struct ctx *ctx, const struct run_request *rq);
/* The run's settings (ctx->state's) over the configuration: 0 or -1. */
int lifecycle_apply_settings(struct ctx *ctx);
/* The state directory made (0700) and locked: 0, EXIT_LOCKED, EXIT_FAILED. */
int lifecycle_lock(struct ctx *ctx, int *lock_fd);
/* Whether every step of the run is done or skipped. */
bool lifecycle_finished(const struct state *st);
/* A new run of rq in ctx->state (saved to the state directory unless plan). */
void lifecycle_new_run(struct ctx *ctx, const struct run_request *rq);
/*
 * Whether a new run may be planned: not while the state directory holds a
 * run in progress (said, as upgrade would say it: EXIT_USAGE), 0 else.
 * Nothing is kept loaded.
 */
int lifecycle_plan_allowed(struct ctx *ctx, const struct run_request *rq);
/*
 * upgrade: a new run, once the one before is finished (then retired into
 * runs/), the preflight checks passed and the user agreed: 0, or an exit
 * code (nothing was done).
 */
int lifecycle_start(struct ctx *ctx, const struct run_request *rq);
/* -y or [general] assume_yes. */
bool lifecycle_assume_yes(struct ctx *ctx, const struct run_request *rq);
/*
 * Consent before the host changes: the plan's summary (or all of it with
 * -v) and "Proceed? [y/N]" on a terminal; -y or [general] assume_yes
 * without one.  0 to go on, or an exit code (nothing was done).
 */
int lifecycle_ask(struct ctx *ctx, const struct run_request *rq,
		  const char *what);
/* The same, the plan gathered first (for a new run, or the one loaded). */
int lifecycle_consent(struct ctx *ctx, const struct run_request *rq,
		      const char *what, bool new);
/* resume --at-boot: whether the run awaits this reboot and asked for it. */
bool lifecycle_wanted_at_boot(struct ctx *ctx, bool plan_only);
/*
 * upgrade with no --patch and no --pom-version: the patch-o-matic version
 * the host's extension set (names) was built with, when the cache still
 * holds it and no pin says otherwise; NULL: the configured one.  Said
 * either way when they differ.
 */
const char *lifecycle_set_pom_version(struct ctx *ctx,
				      const struct strvec *names);

#endif
