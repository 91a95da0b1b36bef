/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * pomctl's own temporary directories (extractions, scratch copies of
 * kernel files, a snapshot of the rpm database), all under one place:
 *
 *  - while a command holds the state lock: STATE/tmp, emptied when the
 *    lock is taken, so that what a killed pomctl left is removed by the
 *    next one;
 *  - otherwise (--plan, list-patches, status): one private directory
 *    TMPDIR/pomctl-XXXXXX (0700), made on first use and removed with
 *    everything in it when the process ends -- also after SIGINT or
 *    SIGTERM, which pomctl turns into an orderly exit.
 *
 *	scratch_use_state(state_dir);	after taking the lock (optional)
 *	scratch_make("rpm", &dir);	a new empty directory, 0700
 *	...				the caller removes its directory
 *	scratch_cleanup();		at exit (main registers it)
 */
#ifndef POMCTL_SCRATCH_H
#define POMCTL_SCRATCH_H

#include "pomctl/strbuf.h"

/* Use STATE/tmp from now on, after removing what it holds: 0 or -1. */
int scratch_use_state(const char *state_dir);

/*
 * A new directory NAME-XXXXXX under the scratch place, its path into dir
 * (replacing its content): 0, or -1 (reported).
 */
int scratch_make(const char *name, struct strbuf *dir);

/* Remove the private directory, when one was made. */
void scratch_cleanup(void);

#endif
