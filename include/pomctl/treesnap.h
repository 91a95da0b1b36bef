/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A kernel tree by content: before a run first changes the tree, the list
 * of what is in it (type, mode, size, SHA-256 or link target, path); at
 * rollback, the tree put back to that list.  `make distclean` cannot do
 * this: real 2.4 trees keep what `make dep` generated (sound modem tables)
 * and what a failed build left.
 *
 *	treesnap_take(dir, file);	once, before the first change
 *	treesnap_restore(dir, file, plan_only, &res);	after the manifests are
 *					undone (they restore edited files)
 *
 * Files added since are removed; files changed or missing since, that the
 * manifests did not restore, cannot be made again (pomctl keeps no copy
 * of the whole tree): they are listed, and the restore fails.
 */
#ifndef POMCTL_TREESNAP_H
#define POMCTL_TREESNAP_H

#include <stdbool.h>

#include "pomctl/strbuf.h"

/* Write the list of dir to file (atomically): 0 or -1 (reported). */
int treesnap_take(const char *dir, const char *file);

struct treesnap_result {
	struct strvec added;   /* removed (or, plan_only, to remove) */
	struct strvec changed; /* differ from the list: not restored */
	struct strvec missing; /* gone since: not restored */
};

void treesnap_result_init(struct treesnap_result *r);
void treesnap_result_clear(struct treesnap_result *r);

/*
 * Compare dir with the list in file and, unless plan_only, remove what was
 * added (paths relative to dir in r).  0 when the tree now matches the
 * list (plan_only: would), 1 when changed or missing paths remain, -1 (reported)
 * when the list cannot be read or a removal fails.
 */
int treesnap_restore(const char *dir, const char *file, bool plan_only,
		     struct treesnap_result *r);

/*
 * A make that deletes files (distclean, mrproper, clean) run on a tree
 * whose list was taken: what it deletes of the tree as shipped (a vendor
 * tree's .depend files, autoconf.h, a prebuilt scripts/mkdep; not an
 * earlier run's build products) is kept on the shelf, so that rollback
 * can put it back.
 *
 *	treesnap_shelf_begin(&s, dir, shelf, shipped);	the tree linked beside it
 *	make distclean ...
 *	treesnap_shelf_end(&s, shipped);	what went, onto the shelf
 *
 * Hard links cost no copy and keep each file's inode, mode and times; a
 * file already on the shelf stays as it was first kept.
 */
struct treesnap_shelf {
	char *dir;   /* the tree */
	char *links; /* its hard links, beside it (same file system) */
	char *shelf; /* where what went is kept */
};

/* 0; 1 when dir is on a file system of its own (nothing can be linked
 * beside it: no shelf, s unused); -1 (reported). */
int treesnap_shelf_begin(struct treesnap_shelf *s, const char *dir,
			 const char *shelf, const struct strvec *shipped);
/* What went of the shipped paths (sorted) onto the shelf, the links
 * removed: 0, or -1 (reported).  s is released either way. */
int treesnap_shelf_end(struct treesnap_shelf *s, const struct strvec *shipped);
/*
 * The links an interrupted make left beside dir: what it deleted onto the
 * shelf, the links removed (begin and rollback call it): 0 or -1.
 */
int treesnap_shelf_recover(const char *dir, const char *shelf,
			   const struct strvec *shipped);

/*
 * Put what the shelf keeps back into dir (replacing what is there now),
 * unless plan_only; the paths into back.  0 or -1 (reported).
 */
int treesnap_unshelve(const char *dir, const char *shelf, bool plan_only,
		      struct strvec *back);

/* The paths a list names, sorted, into paths: 0 or -1 (reported). */
int treesnap_paths(const char *file, struct strvec *paths);
/* Whether path is one of them. */
bool treesnap_has(const struct strvec *paths, const char *path);

#endif
