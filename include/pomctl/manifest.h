/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The record of what a step changed in one run, so that it can be undone:
 * files it created, files it changed (each backed up before the first
 * change), patches it applied, and the installed packages it replaced.
 * Kept as STATE/manifests/RUN/STEP.json, backups under
 * STATE/backups/RUN/STEP/: one run's record, so that undoing it (an
 * interrupted attempt, rollback) never touches what an earlier run did.
 *
 *	manifest_open(&m, root, state_dir, run, "patch");	the record
 *	manifest_backup(&m, path);		before changing path
 *	manifest_created(&m, path);		after creating path (a file,
 *						or a directory it owns whole)
 *	manifest_save(&m);			after each change
 *	manifest_undo(&m, step);		undo everything recorded
 *	manifest_clear(&m);
 *
 * A path backed up once keeps its first backup: the original survives any
 * number of re-runs.  Packages are not files: the lists of the packages a
 * transaction replaced and installed outlive manifest_undo(), for
 * rollback to put back (copies of replaced ones it could get are kept in
 * BACKUPS/packages/) and to name.
 */
#ifndef POMCTL_MANIFEST_H
#define POMCTL_MANIFEST_H

#include <jansson.h>
#include <stdbool.h>

#include "pomctl/strbuf.h"

struct manifest {
	char *root; /* host path of the root its paths are in ("" for /) */
	char *path;
	char *backups;
	json_t *doc; /* { created: [], changed: { path: backup }, patches: [],
			 *   replaced: [], installed: [] } */
};

int manifest_open(struct manifest *m, const char *root, const char *state_dir,
		  const char *run, const char *step);
void manifest_clear(struct manifest *m);
int manifest_backup(struct manifest *m, const char *path);
int manifest_created(struct manifest *m, const char *path);
/*
 * Before path is written (a command will write it): backed up when it is
 * there, else recorded as created.  0 or -1.
 */
int manifest_will_write(struct manifest *m, const char *path);
void manifest_patch(struct manifest *m, const char *name);
/* path's first backup, or NULL. */
const char *manifest_backup_of(const struct manifest *m, const char *path);
/* path is recorded as created by m's step in m's run. */
bool manifest_has_created(const struct manifest *m, const char *path);
/* A created path the step has since removed itself: no longer recorded
 * (saved with the next manifest_save()). */
void manifest_forget_created(struct manifest *m, const char *path);
/*
 * path's first backup in any run's manifest of step, the oldest run first
 * (damaged manifests passed over): a path to free, or NULL.
 */
char *manifest_first_backup(const char *root, const char *state_dir,
			    const char *step, const char *path);
/*
 * The patches the patch step of every other run than run applied and that
 * were not undone since (an undone record is empty), appended to out.
 */
void manifest_patches_before(const char *state_dir, const char *run,
			     struct strvec *out);
/*
 * A package ("NAME-VERSION-RELEASE") in list "replaced" (installed, about
 * to be replaced) or "installed" (about to be installed): recorded before
 * the transaction.
 */
void manifest_package(struct manifest *m, const char *list, const char *nvr);
/* The packages of list, appended to out. */
void manifest_packages(const struct manifest *m, const char *list,
		       struct strvec *out);
/* Forget the package lists (once rollback put the packages back). */
void manifest_forget_packages(struct manifest *m);
int manifest_save(struct manifest *m);
/*
 * The record comes from the state directory: check it before acting on it.
 * Every path created or changed must be clean and one of places or under
 * one (the kernel tree, /boot, /lib/modules, the rpm top dir, the boot
 * config, as the caller knows them), every backup a file of m's backups
 * directory.  0, or -1 (reported, naming the path).
 */
int manifest_confine(const struct manifest *m, const struct strvec *places);
/*
 * Revert, then forget and save an empty record: 0 or -1 (reported).  With
 * step, each thing undone is said ("  STEP: removed PATH", "restored
 * PATH") once it is seen done; what is not is an error naming it.
 */
int manifest_undo(struct manifest *m, const char *step);
/* What manifest_undo() would do, as actions of p's current step: a
 * remove or a restore a file (nothing changed). */
struct plan;
void manifest_plan_undo(const struct manifest *m, struct plan *p);
/* Whether nothing is recorded that could be undone. */
bool manifest_is_empty(const struct manifest *m);

#endif
