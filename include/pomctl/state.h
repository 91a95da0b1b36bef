/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The checkpoint store: one JSON file (state.json) in the state directory,
 * describing the run and each of its steps.
 *
 *	state_init(&st, names, n)	a new run, every step pending; or
 *	state_load(&st, path, names, n)	the run on disk, validated
 *	... change st ...
 *	state_save(&st)			atomic replace (util.h)
 *	state_clear(&st)
 *
 * A state file is never trusted blindly: it must parse, have schema 1, and
 * list exactly the steps this pomctl knows, with known statuses; anything
 * else is reported naming the file, and the file is left alone.  A crash
 * while saving leaves the previous state.json in place (and a state.json.tmp
 * that is ignored and replaced by the next save).
 *
 * Fingerprints: each completed step stores the inputs it ran with (config
 * values, file digests, the outputs of the steps it reads) as a JSON object
 * "input" -> "value".  A step re-runs when any of them differs now;
 * fp_compare() says which.
 */
#ifndef POMCTL_STATE_H
#define POMCTL_STATE_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "pomctl/strbuf.h"

#define STATE_SCHEMA 1
#define STATE_FILE "state.json"
#define STATE_MAX_SIZE (4 * 1024 * 1024)

enum step_status {
	STEP_PENDING,
	STEP_RUNNING, /* on disk only when pomctl died mid-step */
	STEP_DONE,
	STEP_FAILED,
	STEP_INTERRUPTED,
	STEP_AWAITING_REBOOT,
	STEP_SKIPPED, /* an earlier step ended the run early */
};

const char *step_status_name(enum step_status s);

struct step_state {
	char *name;
	enum step_status status;
	char *started; /* UTC times, NULL when never */
	char *finished;
	char *error;	     /* why it last failed */
	char *reason;	     /* why it last (re-)ran */
	char *pause_release; /* awaiting reboot into this release */
	char *pause_boot_id; /* ... from the boot with this id */
	unsigned runs;
	json_t *fingerprint; /* object; empty until done */
	json_t *outputs;     /* object of strings */
};

struct state {
	char *path; /* state.json; NULL: never saved (plan) */
	char *id;   /* run id: creation time and pid */
	char *created;
	char *command; /* "upgrade" */
	struct strvec patches;
	char *trial; /* full, build, skip */
	char *bundle; /* upgrade --from: the bundle (path or URL), or "" (JSON "from") */
	char *bundle_sha256; /* its pin, or "" (JSON "from_sha256") */
	bool force;
	json_t *overrides; /* "SECTION KEY" -> value, from the command
				 * line of upgrade, applied again on resume */
	struct step_state *steps;
	size_t nr;
};

void state_init(struct state *st, const char *const *names, size_t n);
/* The run's command-line setting key ("SECTION KEY") is value. */
void state_set_override(struct state *st, const char *key, const char *value);
/*
 * fn for each command-line setting of the run, in the order recorded,
 * until one returns nonzero: that value, or 0.
 */
int state_each_override(const struct state *st,
			int (*fn)(const char *key, const char *value,
				  void *data),
			void *data);
/* 0; -ENOENT when there is no state file (not reported); -1 (reported). */
int state_load(struct state *st, const char *path, const char *const *names,
	       size_t n);
/* Save to st->path; 0 or -1 (reported). */
int state_save(struct state *st);
void state_clear(struct state *st);

struct step_state *state_step(struct state *st, const char *name);
void state_set_output(struct state *st, const char *step, const char *key,
		      const char *value);
/*
 * check, called before each state_set_output (value set) and
 * state_get_output (value NULL) of any state, or NULL.  The pipeline's
 * aborts on an output its step table does not declare.
 */
void state_check_outputs(void (*check)(const char *step, const char *key,
				       const char *value));
/* NULL when unset. */
const char *state_get_output(struct state *st, const char *step,
			     const char *key);
/* The run as JSON (a new reference), for status --json. */
json_t *state_to_json(const struct state *st);

/*
 * Take the exclusive lock of a state directory (flock on DIR/lock, which
 * holds the holder's pid and, while a command runs, its process group: see
 * run_end_orphans() in pomctl/run.h), and first the root's lock
 * root_lock (ROOT/var/lock/pomctl; NULL for none): one pomctl per root,
 * whatever state directory each is given.  Returns the fd to keep open;
 * -EWOULDBLOCK when another process holds either (reported with its pid);
 * -1 on other errors.
 */
int state_lock(const char *dir, const char *root_lock);
/* Release both (and stop recording running commands); fd < 0: none. */
void state_unlock(int fd);

struct fingerprint {
	json_t *obj;
};

void fp_init(struct fingerprint *fp);
void fp_clear(struct fingerprint *fp);
void fp_add(struct fingerprint *fp, const char *input, const char *value);
/* "file LABEL" -> the SHA-256 of the file at path, or "absent". */
void fp_add_file(struct fingerprint *fp, const char *label, const char *path);
/* "step NAME" -> a digest of that step's outputs. */
void fp_add_step(struct fingerprint *fp, struct state *st, const char *step);
/*
 * true when old (a stored fingerprint) equals fp; otherwise why says what
 * differs first, e.g. "config [kernel] tree changed".
 */
bool fp_compare(const json_t *old, const struct fingerprint *fp,
		struct strbuf *why);

#endif
