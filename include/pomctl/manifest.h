/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The record of what a step changed, so that it can be undone: files it
 * created, files it changed (each backed up before the first change) and
 * patches it applied.  Kept as STATE/manifests/STEP.json, backups under
 * STATE/backups/STEP/.
 *
 *	manifest_open(&m, state_dir, "patch");	the step's record, loaded
 *	manifest_backup(&m, path);		before changing path
 *	manifest_created(&m, path);		after creating path (a file,
 *						or a directory it owns whole)
 *	manifest_save(&m);			after each change
 *	manifest_revert(&m);			undo everything recorded
 *	manifest_release(&m);
 *
 * A path backed up once keeps its first backup: the original survives any
 * number of re-runs.
 */
#ifndef POMCTL_MANIFEST_H
#define POMCTL_MANIFEST_H

#include <jansson.h>
#include <stdbool.h>

struct manifest {
	char *path;
	char *backups;
	json_t *doc;	/* { created: [], changed: { path: backup }, patches: [] } */
};

int manifest_open(struct manifest *m, const char *state_dir, const char *step);
void manifest_release(struct manifest *m);
int manifest_backup(struct manifest *m, const char *path);
int manifest_created(struct manifest *m, const char *path);
void manifest_patch(struct manifest *m, const char *name);
int manifest_save(struct manifest *m);
/* Restore every backup and remove every created file: 0 or -1. */
int manifest_revert(struct manifest *m);
/* Revert, then forget and save an empty record: 0 or -1 (reported). */
int manifest_undo(struct manifest *m);
/* Whether nothing is recorded. */
bool manifest_is_empty(const struct manifest *m);
/* Forget the record (after a successful revert). */
void manifest_clear(struct manifest *m);

#endif
