/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * pomctl rollback: undo what the run changed, in reverse order of the
 * steps, from what the state records: the kernel tree cleaned of build
 * products and its edited files restored from their backups (patches,
 * EXTRAVERSION, .config), the spec restored, the kernels pomctl installed
 * (image, map, initrd, modules directory, boot entries) removed and the
 * boot loader configuration restored.  Replaced packages are named with
 * the command that puts them back: their files are not kept by pomctl.
 * Refused while a kernel pomctl installed is the running one, unless
 * --force.
 */
#ifndef POMCTL_ROLLBACK_H
#define POMCTL_ROLLBACK_H

#include <stdbool.h>

struct ctx;

/* With plan_only, say what it would do.  Returns an exit code. */
int rollback(struct ctx *ctx, bool force, bool plan_only);

struct run_request;

/*
 * pomctl rollback: the run run_id (NULL: the last one that changed
 * something), after consent, or the plan of it; a run that changed
 * nothing is set aside instead.  An exit code.
 */
int rollback_command(struct ctx *ctx, const struct run_request *rq,
		     const char *run_id);

#endif
