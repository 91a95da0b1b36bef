/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Inside the spec editor, and only there (the rest of pomctl has
 * pomctl/spec.h): what spec.c (the line-preserving editor: structure,
 * tags, entries, edits, rendering), spec-edit.c (the procedure's edits)
 * and spec-rpm.c (librpmbuild at arm's length, validation) share.
 */
#ifndef POMCTL_SPEC_INTERNAL_H
#define POMCTL_SPEC_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

#include "pomctl/spec.h"

enum edit_op { INSERT, REPLACE, DELETE };

enum cond { COND_NONE, COND_IF, COND_ELSE, COND_ENDIF };

/*
 * The Patch or Source entries in the order rpm (4.15 and later) numbers
 * them: the main preamble's tags -- PrefixN is N, a numberless Prefix one
 * more than the entry before (the first 0) -- then each line of
 * %patchlist or %sourcelist, numbered the same way.
 */
struct entry {
	size_t line;
	int num;
	bool listed;   /* a line of the list section */
	bool implicit; /* numbered by its place */
};

struct entries {
	struct entry *e;
	size_t nr;
	long last_tag;			 /* the line of the last tag, or -1 */
	int max;			 /* the highest number taken, or -1 */
	const struct spec_section *list; /* the last list, or NULL */
};

void spec_add_edit(struct spec *s, size_t line, enum edit_op op,
		   const char *text);
size_t spec_after_blocks(const struct spec *s, size_t pos, int base);
size_t spec_before_blocks(const struct spec *s, size_t pos, int base);
enum cond spec_cond_at(const struct spec *s, size_t i);
const char *spec_ending(const struct spec *s, size_t i);
void spec_entries_of(const struct spec *s, const char *prefix,
		     struct entries *r);
void spec_entries_clear(struct entries *r);
char *spec_entry_file(const struct spec *s, const struct entry *e);
const struct spec_section *spec_find_section(const struct spec *s,
					     const char *name, const char *arg);
long spec_find_tag(const struct spec *s, const char *tag, size_t from,
		   size_t *value_at);
bool spec_has_package(const struct spec *s, const char *sub);
void spec_insert_after(struct spec *s, size_t line, const char *text);
bool spec_is_continuation(const struct spec *s, size_t i);
void spec_patch_lines(const struct spec *s, int num, long *lines, size_t *n,
		      int *strip);
int spec_section_depth(const struct spec *s, const struct spec_section *sec);
void spec_set_value(struct spec *s, size_t i, size_t at, const char *value);
void spec_tag_value(const struct spec *s, size_t i, size_t at,
		    struct strbuf *v);
bool spec_version_line_taken(const struct spec *s, size_t i, size_t at,
			     bool ask_rpm);

#endif
