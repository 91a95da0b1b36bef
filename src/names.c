// SPDX-License-Identifier: GPL-2.0-or-later
#include <ctype.h>
#include <string.h>

#include "pomctl/names.h"

#define LETTERS_DIGITS               \
	"ABCDEFGHIJKLMNOPQRSTUVWXYZ" \
	"abcdefghijklmnopqrstuvwxyz" \
	"0123456789"

bool version_is_valid(const char *v)
{
	size_t n = strlen(v);

	return n && n <= 64 && strspn(v, LETTERS_DIGITS "._+-") == n;
}

bool patch_name_is_valid(const char *name)
{
	size_t n = strlen(name);

	if (n == 0 || n > 64 || !strchr(LETTERS_DIGITS, name[0]))
		return false;
	return strspn(name, LETTERS_DIGITS "_.+-") == n;
}

bool release_name_is_valid(const char *r)
{
	size_t n = strlen(r);

	if (n == 0 || n > 64 || !isdigit((unsigned char)r[0]))
		return false;
	return strspn(r, LETTERS_DIGITS "._+~-") == n;
}

bool extension_is_target(const char *name)
{
	bool upper = false;

	for (; *name; name++) {
		if (*name >= 'a' && *name <= 'z')
			return false;
		upper |= *name >= 'A' && *name <= 'Z';
	}
	return upper;
}
