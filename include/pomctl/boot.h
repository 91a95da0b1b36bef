/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The boot loader.  For now, what the trial step needs: whether the
 * configured loader has an entry for a release ([boot] loader and config:
 * GRUB legacy and LILO name the kernel image in their configuration; GRUB 2
 * with BLS and plain BLS have a file under /boot/loader/entries).  The
 * install issue extends this into parsing, one-shot boot and safety checks.
 */
#ifndef POMCTL_BOOT_H
#define POMCTL_BOOT_H

#include <stdbool.h>

#include "pomctl/strbuf.h"

struct ctx;

/* true when there is an entry for release; where says what was read. */
bool boot_has_entry(struct ctx *ctx, const char *release, struct strbuf *where);

/* The host path of the loader's configuration (rooted [boot] config). */
void boot_config_path(struct ctx *ctx, struct strbuf *path);

#endif
