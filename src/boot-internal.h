/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Inside the boot loader code, and only there (the rest of pomctl has
 * pomctl/boot.h): what boot.c (reading a configuration) gives
 * boot-edit.c (changing it).
 */
#ifndef POMCTL_BOOT_INTERNAL_H
#define POMCTL_BOOT_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

#include "pomctl/strbuf.h"

#define BOOT_CONFIG_MAX (1 << 20)
#define LILO_LABEL_MAX 15

/* A line without leading blanks and comments: whether it is the keyword
 * kw (followed by '=' too when eq), its value into value. */
bool boot_keyword(const char *s, size_t len, const char *kw, bool eq,
		  struct strbuf *value);

#endif
