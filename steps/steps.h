/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The steps' entry points, gathered into the table of steps.c.  Each step
 * file (steps/NAME.c) provides NAME_fingerprint, NAME_plan and NAME_run as
 * described in pomctl/pipeline.h, built from the services in src/ only.
 */
#ifndef POMCTL_STEPS_H
#define POMCTL_STEPS_H

#include "pomctl/pipeline.h"

struct ktree;
struct manifest;

#define STEP_FUNCTIONS(name)                                              \
	void name##_fingerprint(struct ctx *ctx, struct fingerprint *fp); \
	int name##_plan(struct ctx *ctx);                                 \
	int name##_run(struct ctx *ctx);

STEP_FUNCTIONS(check)
STEP_FUNCTIONS(update)
STEP_FUNCTIONS(fetch)
STEP_FUNCTIONS(trial)
STEP_FUNCTIONS(patch)
STEP_FUNCTIONS(rpm)
STEP_FUNCTIONS(kernel)
STEP_FUNCTIONS(install)
STEP_FUNCTIONS(verify)

/* The check step's preflight: whether this host can be upgraded at all. */
int check_host_fits(struct ctx *ctx, bool plan);

/*
 * The configured tree opened with the release the kernel step will give
 * it, as its plan computes it (after the trial's, where a trial runs
 * first; nothing written): 0 (ktree_clear() it), or -1 (reported).
 */
int kernel_planned_tree(struct ctx *ctx, struct ktree *t);

/*
 * The file name from location loc: a directory (under the root) or a URL
 * (fetched into pomctl's cache, checked against [sources] pin_key where
 * pin_key is given).  path gets the file; a failure adds its reason to
 * why ("; "-separated) and returns -1 without reporting.
 */
int fetch_from_location(struct ctx *ctx, const char *loc, const char *name,
			const char *pin_key, struct strbuf *path,
			struct strbuf *why);

/*
 * Before a run starts (upgrade, and its plan alike): the patch-o-matic
 * tarball into pomctl's own cache and extracted into the state directory
 * (nothing of the host changes), and every requested name found in it for
 * this kernel, with "did you mean", and the set tried on the tree.  0, or
 * -1 (reported).
 */
int fetch_check_names(struct ctx *ctx);
/*
 * The patch-o-matic tree the fetch step will extract, where pomctl's
 * cache has the tarball already (extracted into the state directory if it
 * is not yet; never downloaded): 0 with dir set, or -1 (not reported).
 */
int fetch_pom_cached(struct ctx *ctx, struct strbuf *dir);
/*
 * The patch-o-matic tree fetch extracted, a host path in sb (the state
 * names it by its place in the state directory), or NULL before fetch.
 */
const char *fetch_pom_dir(struct ctx *ctx, struct strbuf *sb);
/* Whether check will find every requested match there (and no --force). */
bool check_all_available(struct ctx *ctx);

/*
 * Both reboot pauses (steps/reboot.c), in this order:
 *	def = reboot_default_release(ctx);	what the default boots now
 *	reboot_precheck(ctx);			the running kernel has an entry
 *	(make install)
 *	reboot_prepare(ctx, step, release, def, m);	entry, initrd, checks,
 *					one-shot boot; the entry's title as
 *					step's output boot_title
 * reboot_default_release() returns a string to free, or NULL when unknown.
 * reboot_run_argv() runs [commands] reboot (boot loader commands go
 * through boot_command()).
 */
char *reboot_default_release(struct ctx *ctx);
int reboot_precheck(struct ctx *ctx);
/* A step's preflight: the boot loader's own tools can be run here. */
int reboot_preflight(struct ctx *ctx, bool plan);
/*
 * The plan of installing the tree t's kernel and of what reboot_prepare()
 * then does: make modules_install and install, the boot entry, initrd and
 * checks, the one-shot command (the caller plans the reboot).
 */
/*
 * The plan of what reboot_prepare() does for release: its entry, initrd,
 * checks and one-shot boot; made: by the tree's make install (what it
 * leaves is not known yet), else by rpm (a bundle's kernel).
 */
void reboot_plan_boot(struct ctx *ctx, const char *release, bool made);
/* The transaction summary's line for installing release (the trial's, or
 * the new kernel). */
void reboot_plan_headline(struct ctx *ctx, const char *release, bool trial);
void reboot_plan_install(struct ctx *ctx, const struct ktree *t,
			 const char *arch);
int reboot_prepare(struct ctx *ctx, const char *step, const char *release,
		   const char *def_before, struct manifest *m);
int reboot_run_argv(struct ctx *ctx, struct strvec *argv, const char *what);
/* The pause_hint of the steps that pause for a reboot (struct step). */
const char *reboot_pause_hint(struct ctx *ctx, const char *step, bool first);

/*
 * A run from a bundle (steps/bundled.c): whether this is one; the table's
 * entry points that run the build steps' plan and run, or skip them, and
 * fetch's, or get the bundle; install's for a bundle (steps/install.c).
 */
/*
 * The distribution's SRPM of the installed iptables ipt, into out: its
 * SOURCERPM, or where ipt is a build of an earlier run, the SRPM that run
 * started from -- never pomctl's own.  The update step records it for the
 * fetch step; a plan, before update ran, asks the same.
 */
struct rpmpkg;
void update_distribution_srpm(struct ctx *ctx, const struct rpmpkg *ipt,
			      struct strbuf *out);
bool from_bundle(const struct ctx *ctx);
int update_any_plan(struct ctx *ctx);
int update_any_run(struct ctx *ctx);
int trial_any_plan(struct ctx *ctx);
int trial_any_run(struct ctx *ctx);
int patch_any_plan(struct ctx *ctx);
int patch_any_run(struct ctx *ctx);
/* Whether release is one of pomctl's builds' ([rpm] release, the
 * rebuilds after it, or INSTALLED.[rpm] release). */
bool rpm_is_own_release(struct ctx *ctx, const char *release);
/* The release of the rpm step's build of iptables version (rpm-release.c). */
void rpm_build_clear(struct ctx *ctx, const char *version, struct strbuf *out);
int rpm_any_plan(struct ctx *ctx);
int rpm_any_run(struct ctx *ctx);
int kernel_any_plan(struct ctx *ctx);
int kernel_any_run(struct ctx *ctx);
int fetch_any_plan(struct ctx *ctx);
int fetch_any_run(struct ctx *ctx);
int fetch_any_check_names(struct ctx *ctx, bool plan);
int install_bundle_plan(struct ctx *ctx);
int install_bundle_run(struct ctx *ctx);
int install_any_plan(struct ctx *ctx);
int install_any_run(struct ctx *ctx);

#endif
