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
 * package holds libipt_NAME.so, libxt_NAME.so or libip6t_NAME.so.
 *
 *	hostset_load(&hs, env, &history, dbpath);
 *	hostset_print(&hs, stdout);  or  json_object_set_new(doc, "host",
 *					     hostset_json(&hs));
 *	hostset_release(&hs);
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
	struct host_kernel *k;
	size_t nk;
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
void hostset_print(const struct hostset *hs, FILE *out);
json_t *hostset_json(const struct hostset *hs);
void hostset_release(struct hostset *hs);

#endif
