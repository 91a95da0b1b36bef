/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The configuration: an INI-style file over embedded defaults.
 *
 *	struct config cfg;
 *	config_init(&cfg);			 1. every key at its default
 *	config_load(&cfg, path, must_exist);	 2. the file's values, validated
 *	config_get(&cfg, "kernel", "tree");	 3. read (never NULL)
 *	config_clear(&cfg);
 *
 * The defaults describe the documented Red Hat 8.0 host.  Every key is in
 * one table (config.c) with its type, and documented in pomctl.conf(5).
 * Errors name FILE:LINE and the key.  The file names commands that run as
 * root, so one that others could have written is refused.
 */
#ifndef POMCTL_CONFIG_H
#define POMCTL_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#include "pomctl/strbuf.h"

enum config_type {
	CFG_STRING,    /* one line of printable text */
	CFG_PATH,      /* absolute, no "..", no control characters */
	CFG_BOOL,      /* yes/no, true/false, on/off, 1/0 */
	CFG_UINT,      /* decimal within [min, max] */
	CFG_ENUM,      /* one of choices, "a|b|c" */
	CFG_COMMAND,   /* program and arguments, separated by blanks */
	CFG_URL,       /* http://, https://, ftp:// or file:// */
	CFG_URLS,      /* blank-separated list of URLs */
	CFG_LOCATIONS, /* blank-separated URLs or absolute directories */
	CFG_SHA256,    /* 64 hex digits */
	CFG_RELEASE,   /* a kernel release: [A-Za-z0-9._+-]+ */
	CFG_WORD,      /* [A-Za-z0-9._+-]+ */
	CFG_HOSTS,     /* distcc host specifications, separated by blanks */
};

struct config_key {
	const char *section;
	const char *key;
	const char *def; /* "" for unset */
	enum config_type type;
	const char *choices;	/* CFG_ENUM */
	unsigned long min, max; /* CFG_UINT */
};

/* The table of every key, in documentation order; n set to its length. */
const struct config_key *config_keys(size_t *n);

struct config {
	char *path;	/* the file loaded, or NULL */
	char **value;	/* per key of config_keys() */
	unsigned *line; /* 0: the default */
};

void config_init(struct config *cfg);
void config_clear(struct config *cfg);

/*
 * Load path over the current values.  A missing file is an error only when
 * must_exist.  Returns 0 or -1 (reported: "FILE:LINE: ...").
 */
int config_load(struct config *cfg, const char *path, bool must_exist);

/* Parse text (for tests and fuzzing); name is used in messages. */
int config_parse(struct config *cfg, const char *name, const char *text,
		 size_t len);

/* Set a value as if read from the file (command-line overrides). */
int config_set(struct config *cfg, const char *section, const char *key,
	       const char *value);

/* The value of a key in the table; unknown keys are a programming error. */
const char *config_get(const struct config *cfg, const char *section,
		       const char *key);
bool config_get_bool(const struct config *cfg, const char *section,
		     const char *key);
unsigned long config_get_uint(const struct config *cfg, const char *section,
			      const char *key);
/* Split a CFG_COMMAND, CFG_URLS or CFG_LOCATIONS value into words. */
void config_get_words(const struct config *cfg, const char *section,
		      const char *key, struct strvec *out);
/* Where the value came from: "FILE:LINE" or "default", appended to sb. */
void config_origin(const struct config *cfg, const char *section,
		   const char *key, struct strbuf *sb);

/*
 * Refuse a config file that is group- or world-writable or owned by someone
 * other than root or uid.  fd is the open file.  0 or -1 (reported).
 */
int config_check_owner(int fd, const char *path, unsigned uid);

#endif
