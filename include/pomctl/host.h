/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Facts about the running host that a --root cannot hold: the running
 * kernel release, the boot id and the machine architecture.  Read once, at
 * the top (uname(2), /proc/sys/kernel/random/boot_id), unless the config's
 * [host] section pins them, which sandboxes and tests do.
 */
#ifndef POMCTL_HOST_H
#define POMCTL_HOST_H

#include <stdbool.h>

#include "pomctl/config.h"
#include "pomctl/strbuf.h"

struct host {
	char *release; /* "2.4.20-13.8" */
	char *boot_id; /* changes at every boot */
	char *arch;    /* "i686", "x86_64" */
};

/* 0, or -1 (reported) when a fact can be neither read nor is pinned. */
int host_init(struct host *host, const struct config *cfg);
void host_clear(struct host *host);

/*
 * A kernel release's version: "2.4.20-13.8" -> {2, 4, 20}.  0, or -1 when
 * release does not start with MAJOR.MINOR.PATCH (not reported).
 */
int kernel_version(const char *release, unsigned v[3]);
/* 2.4 and earlier name modules .o; 2.6 and later .ko. */
bool kernel_uses_ko(const unsigned v[3]);

enum match_where {
	MATCH_ABSENT,
	MATCH_MODULE,	  /* a module file for the release */
	MATCH_REGISTERED, /* listed in /proc/net/ip_tables_matches */
	MATCH_MAINLINE,	  /* the kernel has it under another name */
	MATCH_BUILTIN,	  /* ... built in (its configuration says =y) */
};

struct match_probe {
	enum match_where where;
	struct strbuf detail; /* the module file, or the mainline module */
	struct strvec looked; /* what was looked at, one line each */
	bool by_version;      /* MATCH_MAINLINE from the version alone: no
			       * configuration of the kernel to ask */
};

void match_probe_init(struct match_probe *p);
void match_probe_clear(struct match_probe *p);

/*
 * Is the netfilter match name available to the kernel release under root
 * (a host path, "" for /)?  Looks, in order, for a module file under
 * ROOT/lib/modules/RELEASE (ipt_NAME.o on 2.4; ipt_NAME.ko or xt_NAME.ko,
 * maybe compressed, on 2.6+), in ROOT/proc/net/ip_tables_matches, and in
 * the table of matches that went into mainline (string: xt_string since
 * 2.6.14).  Fills p; 0, or -1 (reported) when release is not a kernel
 * release.
 */
int host_probe_match(const char *root, const char *release, const char *name,
		     struct match_probe *p);

/*
 * The kernel's own boot id (never the [host] pin): 0, or -errno (not
 * reported).  For what must match the real processes, like run.c's record
 * of a running command.
 */
int host_real_boot_id(struct strbuf *sb);

#endif
