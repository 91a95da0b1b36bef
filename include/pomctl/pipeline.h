/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The pipeline: the nine steps of the procedure run in order from one table,
 * checkpointed in the state file, planned without changes, resumed after a
 * failure or a reboot.  Only this file knows the order; steps read earlier
 * steps' results from the state (state_get_output), never from globals.
 *
 * A step is { name, title, fingerprint(), plan(), run() }:
 *   fingerprint()	adds the inputs the step depends on (config values,
 *			file digests, earlier steps' outputs); a completed
 *			step re-runs on resume only when one of them changed.
 *   plan()		adds actions to ctx->env.plan; reads the host, writes
 *			nothing.  Returns 0, STEP_FINISH when the run would
 *			end there (the later steps are not planned), or -1
 *			(reported).
 *   run()		does the work; commands through run_command() with
 *			ctx->env.log_fd.  Returns 0 when done, STEP_PAUSE after
 *			pipeline_request_reboot(), STEP_FINISH after
 *			pipeline_end_run() (nothing left to do: the later
 *			steps are skipped), STEP_SKIP (this step has nothing
 *			to do in this run: a run from a bundle has nothing
 *			to build; its outputs stand), or -1 (reported) when
 *			it failed.
 * A step whose plan and run are NULL is not available yet in this build:
 * plan and run say exactly that, and the run stops there.
 */
#ifndef POMCTL_PIPELINE_H
#define POMCTL_PIPELINE_H

#include <stdbool.h>

#include <jansson.h>

#include "pomctl/env.h"
#include "pomctl/host.h"
#include "pomctl/plan.h"
#include "pomctl/state.h"

#define STEP_PAUSE 1
#define STEP_FINISH 2
#define STEP_SKIP 3

struct ctx {
	/* what the command line asks of the pipeline and the steps */
	bool json;		 /* plans, status and lists as JSON */
	bool detailed_exitcode;	 /* a plan with changes exits 5 */
	bool reboot;		 /* install runs [commands] reboot */
	const char *resume_from; /* resume --from STEP, or NULL */
	struct env env;		 /* the host, its configuration, log, plan */
	struct strbuf state_dir; /* host path */
	struct state *state;
	bool readonly; /* plan and status: write nothing anywhere */
	struct strbuf log_path;
	char *pause_release;	 /* set by pipeline_request_reboot() */
	char *end_reason;	 /* set by pipeline_end_run() */
	const char *step;	 /* the running step's name */
	bool again;		 /* its failed attempt's stages may stand */
	const char *again_after; /* "failed" or "interrupted" */
};

struct step;
typedef void (*step_fingerprint_fn)(struct ctx *, struct fingerprint *);
typedef int (*step_fn)(struct ctx *);

/*
 * The contract between steps: what each gives (its outputs, kept in the
 * state as outputs[STEP][KEY], strings) and which outputs of earlier
 * steps it takes.  Every read and write is checked against the step
 * table (src/outputs.c): an undeclared one is a BUG.
 */
enum output_kind {
	OUT_WORD,  /* one word: a release, an arch, a version, a digest */
	OUT_WORDS, /* words separated by single spaces (names, options) */
	OUT_PATH,  /* one path */
	OUT_PATHS, /* the root's own paths, separated by spaces */
	OUT_TEXT,  /* free text: a report, a boot menu title */
};

struct step_output {
	const char *key;
	enum output_kind kind;
};

struct step_input {
	const char *step, *key;
};

struct step {
	const char *name;
	const char *title;
	bool undo; /* its manifest records changes to the host:
				 * rollback undoes them, the last step first */
	step_fingerprint_fn fingerprint;
	step_fn plan;
	step_fn run;
	/*
	 * NULL, or what must hold before a new run starts at all (the
	 * patch names asked for): 0, or -1 (reported).  With plan, it may
	 * read but not write.
	 */
	int (*preflight)(struct ctx *ctx, bool plan);
	const struct step_output *gives; /* ends with { NULL } */
	const struct step_input *takes;	 /* ends with { NULL } */
	/*
	 * NULL, or what to add to the message of a pause for a reboot (and
	 * of a resume before it, first: not after a wrong kernel came up):
	 * how the boot loader will start the kernel.
	 */
	const char *(*pause_hint)(struct ctx *ctx, const char *step,
				  bool first);
};

/* The steps of this build, in order (steps/steps.c). */
extern const struct step pomctl_steps[];
extern const size_t pomctl_nr_steps;

/* Step names, for state_init/state_load. */
const char *const *pipeline_step_names(void);
const struct step *pipeline_find_step(const char *name);
/*
 * A step as a user names it: by its name or its number (1 for the first,
 * as status numbers them).  NULL, the reason added to err (with "did you
 * mean" and the steps), when neither.
 */
const struct step *pipeline_step_arg(const char *word, struct strbuf *err);

/*
 * Paths kept in the state are the root's own, so that the state reads the
 * same with --root on a mounted image and inside it, booted:
 * ctx_own_paths() turns a space-separated list of host paths under the
 * root into theirs, ctx_output_paths() a step's output back into host
 * paths.
 */
void ctx_own_paths(const struct ctx *ctx, const char *host_paths,
		   struct strbuf *own);
void ctx_output_paths(struct ctx *ctx, const char *step, const char *key,
		      struct strvec *out);
/*
 * An output of step: the running step's own, or one of an earlier step
 * the running step takes (outside a step -- rollback, bundle, status --
 * any declared one).  "" when it has none.  ctx_output_words: an
 * OUT_WORDS output split into out.
 */
const char *step_output(struct ctx *ctx, const char *step, const char *key);
void ctx_output_words(struct ctx *ctx, const char *step, const char *key,
		      struct strvec *out);
/*
 * An OUT_PATH output kept by its place in the state directory, as a host
 * path in sb; NULL when the step gave none.
 */
const char *ctx_state_dir_output(struct ctx *ctx, const char *step,
				 const char *key, struct strbuf *sb);
/* Set an output step gives (the running step's, or before any runs). */
void ctx_set_output(struct ctx *ctx, const char *step, const char *key,
		    const char *value);
/*
 * Every read and write of any state's outputs checked against the step
 * table from now on (commands set it up; see state.h).
 */
void pipeline_check_outputs(void);

/*
 * Keep the run's state file as STATE_DIR/runs/ID.SUFFIX (a finished run
 * before a new one starts, a rolled-back one): 0 or -1 (reported).
 */
int pipeline_retire_run(struct ctx *ctx, const char *suffix);

/* step's manifest in this run (see manifest.h): 0 or -1 (reported). */
struct manifest;
/*
 * Before the run first changes the kernel tree kdir: its list by content
 * (treesnap.h), STATE/manifests/RUN/tree.list, taken once a run; rollback
 * puts the tree back to it.  0 or -1 (reported).
 */
int ctx_tree_snapshot(const struct ctx *ctx, const char *kdir);
void ctx_tree_list_path(const struct ctx *ctx, struct strbuf *sb);
/*
 * The paths of the tree as the distribution shipped it, sorted: the oldest
 * run's list (a file it does not name was made by a pomctl run's build),
 * this run's when it is the first.
 */
void ctx_tree_shipped(const struct ctx *ctx, struct strvec *paths);
/*
 * The patches of the host's extension set (hostset.h) that the run does
 * not ask for (all of them before a run exists), into names; the run
 * that applied each into runs, unless NULL.
 */
void ctx_host_set(const struct ctx *ctx, struct strvec *names,
		  struct strvec *runs);
struct hostset;
/* The host's view (hostset.h): its extension set, kernel by kernel, and
 * the installed iptables; with need_set, only the set (empty) when there
 * is none: false then. */
bool ctx_host_view(const struct ctx *ctx, struct hostset *hs, bool need_set);
/* STATE/manifests/RUN/tree.shelf: what a cleaning make deleted of the
 * shipped tree, for rollback (treesnap_shelf_begin). */
void ctx_tree_shelf_path(const struct ctx *ctx, struct strbuf *sb);
int ctx_manifest_open(const struct ctx *ctx, const char *step,
		      struct manifest *m);

/* Open the root's rpm database, honouring ctx->readonly: 0 or -1. */
struct rpmdb;
int ctx_rpmdb_open(const struct ctx *ctx, struct rpmdb *db);

/* "config [SECTION] KEY" -> value. */
void fp_add_config(struct fingerprint *fp, const struct ctx *ctx,
		   const char *section, const char *key);

/* From a step's run(): the run pauses until the host boots release. */
void pipeline_request_reboot(struct ctx *ctx, const char *release);

/*
 * From a step's run(): the job is done already (why says how, in one
 * sentence); the later steps are skipped and the run ends with exit 0.
 */
void pipeline_end_run(struct ctx *ctx, const char *why);

/*
 * Stages of a long step (configure, compile, install): when one is done,
 * pipeline_stage_done() records it (state saved) with a witness of what
 * the next stages depend on, a digest of .config and the Makefile say.
 * When the step failed and runs again with the same inputs (fingerprint),
 * pipeline_stage_skip() is true for a stage the failed attempt did whose
 * witness is unchanged: it is not done again, and the step's outputs of
 * that attempt stand.  Once a stage runs, the later ones run too.  An
 * interrupted attempt (undone from its manifest), changed inputs and
 * --from start the step over.  pipeline_stage_done: 0, or -1 (reported).
 */
int pipeline_stage_done(struct ctx *ctx, const char *stage,
			const char *witness);
bool pipeline_stage_skip(struct ctx *ctx, const char *stage,
			 const char *witness);
/* Whether step ended the run last time it ran. */
bool pipeline_step_ended_run(struct ctx *ctx, const char *step);

/*
 * Before a new run (ctx->state is its state, not saved yet): every step's
 * preflight.  0, or EXIT_USAGE (reported): the run does not start.
 */
int pipeline_preflight(struct ctx *ctx, bool plan);
/* Plan every step (or, for resume, what is left); prints; exit code. */
int pipeline_plan(struct ctx *ctx);
/* The same into ctx->env.plan, printing nothing: 0 or an exit code. */
int pipeline_plan_gather(struct ctx *ctx);
/* Whether the loaded run would run nothing: every step skipped, or done
 * with inputs that have not changed since. */
bool pipeline_nothing_to_do(struct ctx *ctx);
/* Run from the first step not done (or ctx->resume_from); exit code. */
int pipeline_run(struct ctx *ctx);
/*
 * Print where the run stands, state its state as history names it (with
 * --json, host -- the host's view, hostset.h -- goes into the object as
 * "host").  host NULL: an earlier run, whose done steps are not weighed
 * against the host as it is now.  An exit code.
 */
int pipeline_status(struct ctx *ctx, json_t *host, const char *state);
/* Log path of a step: STATE_DIR/logs/NN-NAME.log. */
void pipeline_log_path(const struct ctx *ctx, const char *step,
		       struct strbuf *sb);

#endif
