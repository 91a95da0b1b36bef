/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Inside the patch-o-matic code, and only there (the rest of pomctl has
 * pomctl/pom.h): what pom.c (opening, safety, ordering), pom-read.c (the
 * two layouts read), pom-apply.c (applying, already applied, the trial of
 * a set), pom-test.c (list-patches' answers) and pom-modules.c (whether a
 * set only adds modules) share.  The files above use the files below, never back.
 */
#ifndef POMCTL_POM_INTERNAL_H
#define POMCTL_POM_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

#include "pomctl/pom.h"

/* The largest patch, line-add or file a patch changes that is read. */
#define TEXT_MAX (16 << 20)

struct env;
struct manifest;
struct strbuf;
struct strvec;
struct undo;

/* pom.c */

/* Whether a line-add's target file belongs to the other kernel series. */
bool pom_ladd_other_series(const char *target, bool is26);
/* The files a diff touches (its +++ and --- paths, first component off). */
void pom_diff_targets(const char *diff, struct strvec *out);
/* The files one part touches, each once, into out. */
void pom_part_files(const char *diff, struct strvec *out);

/* pom-apply.c */

/* Where the changes of one application go. */
struct pom_target {
	const char *dir;    /* the tree, or a scratch copy */
	struct manifest *m; /* NULL for a scratch copy */
	struct undo *undo;  /* NULL for a scratch copy */
	bool is26;
	bool dry; /* only see whether each part would go in */
};
/* p's new files and line-adds into t.  0 or -1 (why). */
int pom_apply_files(struct pom_target *t, const struct pom_patch *p,
		    struct strbuf *why);
/* Whether every part of p is in kdir already. */
bool pom_parts_applied(const struct env *env, const struct pom_tree *pt,
		       const struct pom_patch *p, const char *kdir);
/* Whether no two parts of set still to apply touch the same file. */
bool pom_parts_disjoint(struct pom_patch *const *set, size_t n,
			const bool *applied);
/*
 * Try the not yet applied of set: dry on the tree when their parts are
 * disjoint and dry_ok, else applied to a scratch copy.  0 or -1 (why).
 */
int pom_try_parts(const struct env *env, const struct pom_tree *pt,
		  struct pom_patch *const *set, size_t n, const bool *applied,
		  const char *kdir, bool dry_ok, struct strbuf *why);

/* The largest info file or line-add read. */
#define INFO_MAX (1 << 20)

/* pom.c: versions compared as patch-o-matic does; whether a part suits
 * the kernel. */
int pom_vercmp(const char *a, const char *b);
bool pom_part_suits(const char *v, const unsigned kv[3]);
/* pom-read.c: whether path is inside the tree; the two layouts read. */
bool pom_inside(const struct pom_tree *pt, const char *path);
int pom_read_classic(struct pom_tree *pt);
int pom_read_ng(struct pom_tree *pt, const unsigned kv[3]);

#endif
