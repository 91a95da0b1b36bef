/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The runs of a state directory, oldest first: the current one
 * (STATE/state.json) and the earlier ones (STATE/runs/ID.json, or
 * ID.rolled-back.json once rolled back).  Each run keeps its manifests
 * (STATE/manifests/ID/), so that rollback undoes runs one by one, the
 * last first, and a run that changed nothing (it ended at check) is
 * never taken for one that did.
 *
 *	struct history h;
 *	history_load(&h, state_dir, names, n);	every run, validated
 *	history_last_to_undo(&h);		what rollback takes
 *	history_clear(&h);
 */
#ifndef POMCTL_HISTORY_H
#define POMCTL_HISTORY_H

#include <stdbool.h>
#include <stddef.h>

#include "pomctl/state.h"

struct run_entry {
	struct state st;  /* loaded; st.path is its file */
	bool current;	  /* STATE/state.json */
	bool rolled_back; /* or set aside (abandoned) */
	bool abandoned;	  /* changed nothing: set aside by rollback */
	bool changed;	  /* a manifest of it records a change */
};

struct history {
	struct run_entry *e;
	size_t nr;
};

/*
 * Every run of state_dir, oldest first.  0; -1 (reported) when a run's
 * file is damaged.  A state directory without runs gives nr == 0.
 */
int history_load(struct history *h, const char *state_dir,
		 const char *const *names, size_t n);
void history_clear(struct history *h);

/* The run with this id, or NULL. */
struct run_entry *history_find(struct history *h, const char *id);

/* The last run that changed something and is not rolled back, or NULL. */
struct run_entry *history_last_to_undo(struct history *h);

/* "in progress", "done", "ended at check", "rolled back", ... */
const char *history_state_name(const struct run_entry *e);
/* The same of a run neither rolled back nor set aside. */
const char *history_state_of(const struct state *st);

/* The runs, a line each (RUN STATE PATCHES KERNEL STARTED .. LAST STEP), or
 * as JSON (schema 2: patches an array, as in the state), on stdout. */
void history_print(struct history *h, bool json);

#endif
