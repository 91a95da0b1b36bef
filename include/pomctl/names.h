/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The names pomctl takes from outside -- a user, a state file, a bundle --
 * and puts into paths and commands: patch-o-matic patch names, kernel
 * releases, versions, and netfilter's naming of extensions.  Each is
 * checked before it goes anywhere.
 */
#ifndef POMCTL_NAMES_H
#define POMCTL_NAMES_H

#include <stdbool.h>

/* A release for --iptables-version, --pom-version: [A-Za-z0-9._+-]{1,64}. */
bool version_is_valid(const char *v);
/* Patch names: [A-Za-z0-9][A-Za-z0-9_.+-]*, at most 64 characters. */
bool patch_name_is_valid(const char *name);
/*
 * A kernel release as kernels name themselves ("2.4.20-13.8custom1"): a
 * digit first, then letters, digits, . _ + ~ -, at most 64 bytes; never a
 * path ("..", "/").
 */
bool release_name_is_valid(const char *r);
/*
 * Whether the extension name is a target's (-j TARPIT, ipt_TARPIT), not a
 * match's (-m string): netfilter names targets in capitals, matches not.
 */
bool extension_is_target(const char *name);

#endif
