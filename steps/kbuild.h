/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The steps' kernel builds (steps/kbuild.c), for trial, kernel and install. */
#ifndef POMCTL_KBUILD_H
#define POMCTL_KBUILD_H

#include <stdbool.h>

#include "pomctl/ktree.h"

struct ctx;
struct manifest;
struct strbuf;
struct strvec;

/*
 * Give the tree a release that is new: neither running nor installed
 * (/lib/modules, kernel packages); the Makefile edit goes to diff, and is
 * made (after a backup in m) unless m is NULL.
 */
int kbuild_new_release(struct ctx *ctx, struct ktree *t, struct manifest *m,
		       struct strbuf *diff);
/*
 * The plan's view of the kernel step after a trial still to come: the
 * release kbuild_new_release() will give the tree then (the trial's own
 * taken first, as the trial will, and installed where installs says the
 * trial installs its kernel), t set to it in memory, and in diff the
 * Makefile's change from the trial's EXTRAVERSION.  Nothing written.
 */
int kbuild_release_after_trial(struct ctx *ctx, struct ktree *t, bool installs,
			       struct strbuf *diff);

/* oldconfig fed empty lines (2.4), or olddefconfig (2.6+). */
int kbuild_oldconfig(struct ctx *ctx, const struct ktree *t, const char *arch);
/*
 * make TARGET (clean, distclean) on the run's tree: what it deletes of the
 * tree as the run found it is kept on the run's shelf for rollback (a
 * vendor tree's shipped .depend files, autoconf.h, scripts/mkdep).
 */
int kbuild_clean(struct ctx *ctx, const struct ktree *t, const char *arch,
		 const char *target);
/*
 * A stage of the running step that works on the tree (pipeline_stage_skip;
 * its witness: the SHA-256 of the tree's Makefile and .config):
 *
 *	if (kbuild_stage_begin(ctx, t, "configured"))
 *		ret = kbuild_stage_end(ctx, t, "configured", configure(...));
 *
 * begin is false when the failed attempt did the stage and the tree is as
 * it left it; end records the stage, with the tree as it is now, when ret
 * is 0, and returns ret (or -1 when the state cannot be saved).
 */
bool kbuild_stage_begin(struct ctx *ctx, const struct ktree *t,
			const char *stage);
int kbuild_stage_end(struct ctx *ctx, const struct ktree *t, const char *stage,
		     int ret);
/* make dep (2.4), then make -jN bzImage modules. */
int kbuild_build(struct ctx *ctx, const struct ktree *t, const char *arch);
/* The same as plan actions. */
void kbuild_plan_oldconfig(struct ctx *ctx, const struct ktree *t,
			   const char *arch);
void kbuild_plan_build(struct ctx *ctx, const struct ktree *t,
		       const char *arch);
void kbuild_plan_make(struct ctx *ctx, const struct ktree *t, const char *arch,
		      const char *target);

/*
 * INSTALL_MOD_PATH=ROOT (when there is a root) and DEPMOD=true for
 * modules_install, INSTALL_PATH=ROOT/boot for install.
 */
void kbuild_install_args(struct ctx *ctx, struct strvec *mods,
			 struct strvec *kernel);
/*
 * [commands] depmod -a [-b ROOT] RELEASE: run by pomctl after
 * modules_install, in place of the build host's depmod that the kernel's
 * Makefile would find on PATH.
 */
void kbuild_depmod_argv(struct ctx *ctx, const char *release,
			struct strvec *argv);
/*
 * make modules_install, then make install, the boot loader configuration
 * backed up in m first and the files they made recorded in m.
 */
/*
 * What installing release puts on the host (image, map, config, initrd,
 * BLS entry, modules directory), as host paths, appended to out.
 */
void kbuild_installed_files(struct ctx *ctx, const char *release,
			    struct strvec *out);
int kbuild_install(struct ctx *ctx, const struct ktree *t, const char *arch,
		   struct manifest *m);

#endif
