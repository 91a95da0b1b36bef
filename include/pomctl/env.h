/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What a service needs of the run it serves, and no more: the host it
 * works on (its root, facts and configuration), where its commands log,
 * and the plan when it only says what it would do.  The pipeline's
 * struct ctx holds one; services take it instead of the whole context.
 */
#ifndef POMCTL_ENV_H
#define POMCTL_ENV_H

#include "pomctl/config.h"
#include "pomctl/host.h"
#include "pomctl/strbuf.h"

struct plan;

struct env {
	struct config *cfg;
	struct host host;
	const char *root;  /* "" for / */
	struct plan *plan; /* in plan mode, else NULL */
	int log_fd;	   /* the running step's log, or -1 */
};

/* Host path of something under the root: env_path(env, "/boot", &sb). */
void env_path(const struct env *env, const char *path, struct strbuf *sb);

#endif
