/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The host's extension set and what each installed kernel carries of it:
 * the view `pomctl status` gives of the host, as `dkms status` does of
 * its modules.
 *
 * The set is the patches of every run whose patch step is done and that
 * is not rolled back, each with the run that last applied it and the
 * patch-o-matic version it came from.  The kernels are those the rpm
 * database holds (kernel, kernel-smp, kernel-bigmem) and those /boot has
 * an image of (pomctl's own are not packages); a kernel carries an
 * extension when a module of it (ipt_NAME, ip6t_NAME, xt_NAME) is under
 * /lib/modules/RELEASE.  The installed iptables carries it when the
 * package holds libipt_NAME.so, libxt_NAME.so or libip6t_NAME.so; an
 * extension whose iptables part a run built and that the installed
 * iptables lacks was taken away (a package update replaced pomctl's build).
 *
 *	hostset_load(&hs, env, &history, dbpath);
 *	hostset_print(&hs, stdout);  or  json_object_set_new(doc, "host",
 *					     hostset_json(&hs));
 *	hostset_clear(&hs);
 */
#ifndef POMCTL_HOSTSET_H
#define POMCTL_HOSTSET_H

#include <stdbool.h>
#include <stdio.h>

#include <jansson.h>

#include "pomctl/strbuf.h"

struct env;
struct history;

struct host_kernel {
	char *release;
	bool package;	       /* in the rpm database */
	bool running;	       /* the running kernel */
	bool is_default;       /* the boot loader's default */
	struct strvec carries; /* the set's names it has a module of */
};

struct hostset {
	struct strvec names; /* the set, in the order the runs applied it */
	struct strvec runs;  /* the run that last applied each */
	struct strvec poms;  /* the patch-o-matic version of each */
	/* those whose iptables part (libipt_NAME.so...) a run built */
	struct strvec with_userspace;
	struct host_kernel *k;
	size_t nk;
	char *newest;		 /* the newest kernel package's, or NULL */
	char *iptables;		 /* the installed iptables, or NULL */
	struct strvec userspace; /* the set's names it has extensions of */
};

/* The view of the host: 0 (what cannot be read is left out, not said). */
int hostset_load(struct hostset *hs, const struct env *env,
		 const struct history *h, const char *dbpath);
/* The set alone (names, runs, poms) into hs, zeroed by the caller. */
void hostset_load_set(struct hostset *hs, const struct history *h);
/* The same, of the runs of state_dir (none where they cannot be read). */
void hostset_load_set_of(struct hostset *hs, const char *state_dir,
			 const char *const *steps, size_t nr_steps);
/* The installed iptables alone (iptables, userspace) into hs, whose set
 * is loaded. */
void hostset_load_iptables(struct hostset *hs, const struct env *env,
			   const char *dbpath);
/* The set's names that no kernel built from the newest kernel package
 * (its release, or it with a suffix) carries -- one the distribution
 * installed, that the host boots next -- pushed to lacks; how many. */
size_t hostset_newest_lacks(const struct hostset *hs, struct strvec *lacks);
/* The set's names of with_userspace that the installed iptables lacks
 * (a package update replaced pomctl's build), pushed to lacks; how many. */
size_t hostset_iptables_lacks(const struct hostset *hs, struct strvec *lacks);
/* "SUBJECT lacks NAME... of the host's extension set", appended to sb. */
void hostset_lacks(const char *subject, const struct strvec *names,
		   struct strbuf *sb);
void hostset_print(const struct hostset *hs, FILE *out);
json_t *hostset_json(const struct hostset *hs);
void hostset_clear(struct hostset *hs);

#endif
