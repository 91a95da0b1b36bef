/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A kernel source tree: its release, its series (2.4, or 2.6 and later)
 * and what differs between them, the EXTRAVERSION that makes a build's
 * release new, the running kernel's configuration, .config edits checked
 * against oldconfig, and make with an explicit ARCH=.
 *
 *	struct ktree t;
 *	ktree_open(&t, "/usr/src/linux-2.4");	1. reads the top Makefile
 *	...
 *	ktree_clear(&t);
 *
 * Functions return 0 or -1 (reported) unless said otherwise.
 */
#ifndef POMCTL_KTREE_H
#define POMCTL_KTREE_H

#include <stdbool.h>

#include "pomctl/strbuf.h"

struct env;
struct manifest;

struct ktree {
	char *dir;	    /* host path */
	unsigned v[3];	    /* VERSION, PATCHLEVEL, SUBLEVEL */
	char *extraversion; /* "-13.8" */
	char *release;	    /* "2.4.20-13.8" */
	bool is26;	    /* 2.6 or later: Kconfig, no dep, .ko */
};

int ktree_open(struct ktree *t, const char *dir);
void ktree_clear(struct ktree *t);

/*
 * The EXTRAVERSION that builds the running release from t, for modules
 * that load into the running kernel (the modules path): t's own, or t's
 * without the "custom" Red Hat's kernel-source ends it with, when that
 * makes running.  0, or -1 with why (not reported) when t is the source
 * of another kernel.
 */
int ktree_running_extraversion(const struct ktree *t, const char *running,
			       struct strbuf *out, struct strbuf *why);

/* The series' ways: oldconfig target, whether it reads answers on stdin,
 * whether `make dep` runs, the module suffix, the config language file. */
const char *ktree_oldconfig_target(const struct ktree *t);
bool ktree_has_dep(const struct ktree *t);
const char *ktree_module_suffix(const struct ktree *t);

/*
 * The EXTRAVERSION of a new build: the tree's with suffix appended (or the
 * suffix varied, suffix1, suffix2 ..., when the tree has it already or the
 * release is taken), so that the release is none of taken.
 */
void ktree_new_extraversion(const struct ktree *t, const char *suffix,
			    const struct strvec *taken, struct strbuf *out);

/*
 * The Makefile's EXTRAVERSION set to extraversion: its diff from the
 * Makefile as it is (or, with from, as it will be with that EXTRAVERSION)
 * into diff; written (after a backup in m) unless m is NULL.
 */
int ktree_edit_extraversion(struct ktree *t, const char *from,
			    const char *extraversion, struct manifest *m,
			    struct strbuf *diff);
/*
 * Set the Makefile's EXTRAVERSION; diff gets the change.  With m NULL
 * nothing is written (plan); otherwise the Makefile is backed up in m
 * first.  t's release follows.
 */
int ktree_set_extraversion(struct ktree *t, const char *extraversion,
			   struct manifest *m, struct strbuf *diff);

/*
 * The running kernel's configuration: [kernel] config when set (configured,
 * a rooted path), else ROOT/boot/config-RUNNING, the tree's
 * configs/kernel-VERSION-ARCH.config, ROOT/proc/config.gz.  path gets the
 * host path, tried every candidate looked at; -1 (reported, listing them)
 * when none exists.
 */
int ktree_find_config(const char *root, const struct ktree *t,
		      const char *running, const char *arch,
		      const char *configured, struct strbuf *path,
		      struct strvec *tried);

/*
 * ARCH= for make: configured when set, else what the configuration file
 * says (CONFIG_X86_64 -> x86_64, CONFIG_X86 -> i386, ...), else the host's
 * machine with i?86 -> i386.
 */
void ktree_arch(const char *config_path, const char *configured,
		const char *host_arch, struct strbuf *arch);

/*
 * Copy a configuration into the tree's .config (gunzipping config.gz),
 * recorded in m (backed up, or noted as created).
 */
int ktree_install_config(const struct ktree *t, const char *config,
			 struct manifest *m);

/* An option's value in a .config: "y", "m", or "n" (not set or absent). */
const char *kconfig_value(const char *config, const char *option);

/*
 * Set each option to m in the .config file; diff (may be NULL) gets the
 * change.  Nothing is written when plan_only.
 */
int kconfig_set_modules(const char *config, const struct strvec *options,
			bool plan_only, struct strbuf *diff);

/*
 * After oldconfig: every option must still be m or y.  For one that was
 * dropped, the message names the dependency (from Config.in or Kconfig)
 * that is off.
 */
int ktree_check_options(const struct ktree *t, const struct strvec *options);

/* Open the configured tree ([kernel] tree under the root). */
int ktree_open_configured(const struct env *env, struct ktree *t);
/* The running kernel's configuration and the ARCH= it implies. */
int ktree_config_and_arch(const struct env *env, const struct ktree *t,
			  struct strbuf *config, struct strbuf *arch);

/*
 * Run make in the tree: make -C DIR ARCH=arch [-jN] targets..., extra
 * arguments appended (INSTALL_PATH=...); input fed to stdin (oldconfig).
 * A failure is reported with the first error lines of the output.
 */
int ktree_make(const struct env *env, const struct ktree *t, const char *arch,
	       const char *const *targets, const char *const *extra,
	       const char *input, bool parallel);
/*
 * The argv ktree_make() would run, for plans, and (when vars is not NULL)
 * the variables it puts in make's environment (DISTCC_HOSTS=...).
 */
void ktree_make_argv(const struct env *env, const struct ktree *t,
		     const char *arch, const char *const *targets,
		     const char *const *extra, bool parallel,
		     struct strvec *argv, struct strvec *vars);
/* [build] distcc_hosts when set, else NULL. */
const char *ktree_distcc_hosts(const struct env *env);

#endif
