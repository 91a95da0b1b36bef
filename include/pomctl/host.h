/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Facts about the running host that a --root cannot hold: the running
 * kernel release, the boot id and the machine architecture.  Read once, at
 * the top (uname(2), /proc/sys/kernel/random/boot_id), unless the config's
 * [host] section pins them, which sandboxes and tests do.
 */
#ifndef POMCTL_HOST_H
#define POMCTL_HOST_H

#include "pomctl/config.h"

struct host {
	char *release;	/* "2.4.20-13.8" */
	char *boot_id;	/* changes at every boot */
	char *arch;	/* "i686", "x86_64" */
};

/* 0, or -1 (reported) when a fact can be neither read nor is pinned. */
int host_init(struct host *host, const struct config *cfg);
void host_release(struct host *host);

#endif
