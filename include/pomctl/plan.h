/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A plan: what a run would do, step by step, gathered by each step's plan()
 * without changing anything, then printed for a human or as JSON.
 *
 *	plan_init(&p);
 *	plan_begin_step(&p, "fetch", "download the sources");
 *	plan_download(&p, url, size, dest); ...
 *	plan_print(&p, stdout, json);
 *	plan_clear(&p);
 *
 * Actions: commands (argv, cwd), file edits (a unified diff), downloads
 * (URL, size or -1 when unknown, destination), package installs, files
 * removed or restored (a rollback's; counted as file edits), reboots,
 * notes (what will be checked once an input exists), pending (what the
 * step will do that is known only once an earlier step has run: the run
 * may do more there than the plan lists) and cautions (what the run
 * cannot promise: a package rollback would not restore).  Notes, pending
 * and cautions are not changes; every other action is.  The cautions are
 * said again after the summary, and with the consent question.
 */
#ifndef POMCTL_PLAN_H
#define POMCTL_PLAN_H

#include <stdbool.h>
#include <stdio.h>

#include <jansson.h>

#include "pomctl/strbuf.h"

struct plan {
	json_t *steps;	   /* array of { name, title, actions[] } */
	json_t *cur;	   /* the current step's actions */
	json_t *cautions;  /* their texts, for the summary and the consent */
	json_t *headlines; /* what the run does to the host, named */
	unsigned commands, edits, downloads, packages, reboots;
	unsigned idle; /* steps that will not run (done, awaiting, skipped) */
	unsigned long long download_bytes;
	bool unknown_sizes;
};

void plan_init(struct plan *p);
void plan_clear(struct plan *p);

void plan_begin_step(struct plan *p, const char *name, const char *title);
void plan_command(struct plan *p, const char *const *argv, const char *cwd);
void plan_edit(struct plan *p, const char *path, const char *diff);
void plan_download(struct plan *p, const char *url, long long size,
		   const char *dest);
void plan_package(struct plan *p, const char *action, const char *package);
/* Files a rollback removes, or restores from where they were kept. */
void plan_remove(struct plan *p, const struct strvec *paths);
void plan_restore(struct plan *p, const struct strvec *paths, const char *from);
/* As the removes and restores planned so far leave path: the backup it
 * is restored from last (NULL: it is not), whether it will exist. */
const char *plan_restored_from(const struct plan *p, const char *path);
bool plan_will_exist(const struct plan *p, const char *path);
void plan_reboot(struct plan *p, const char *release);
void plan_note(struct plan *p, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Work of this step known only once an earlier step ran (see above). */
void plan_pending(struct plan *p, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

void plan_caution(struct plan *p, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/*
 * The transaction summary's lines, as dnf names what it will do: the
 * whole-system update with its command, each package installed or
 * replaced with its versions, the kernel installed and the one kept.
 * Said after the summary line and with the consent question; the counts
 * cover the rest.
 */
void plan_headline(struct plan *p, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Each headline, "  TEXT" a line, on out. */
void plan_headlines(const struct plan *p, FILE *out);
/* The current step will not run (done and up to date, awaiting its
 * reboot, skipped): the summary counts the steps left, "3 of 9 steps". */
void plan_step_idle(struct plan *p);
/* Each caution, "  caution: TEXT" a line, on out. */
void plan_cautions(const struct plan *p, FILE *out);
/* Anything but notes and cautions. */
bool plan_has_changes(const struct plan *p);
/* The summary line: "9 steps: 12 commands, 2 file edits, ..." */
void plan_summary(const struct plan *p, struct strbuf *sb);
/* A command action's argv, quoted as a step log writes it, onto sb. */
void plan_quote_command(json_t *action, struct strbuf *sb);
/* A remove or restore action in a line, after lead: its one path, or
 * how many and the first eight. */
void plan_print_paths(json_t *action, FILE *out, const char *lead);
/* Human text, or JSON with "schema": 1, on out. */
void plan_print(const struct plan *p, FILE *out, bool json);

#endif
