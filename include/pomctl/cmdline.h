/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The command line: main.c's tables (the global options, each command
 * with its own popt table) parsed into a struct cmdline.
 */
#ifndef POMCTL_CMDLINE_H
#define POMCTL_CMDLINE_H

#include <popt.h>

#include "pomctl/command.h"

/* The val of the options the parser takes itself, not popt. */
enum {
	OPT_PATCH = 1, /* a patch name, checked, each once */
	OPT_VERSION,
	OPT_HELP,
	OPT_JOBS, /* 1 to 1024 */
	OPT_DROP, /* the three switches of the run's settings */
	OPT_AUTO,
	OPT_SUMS
};

struct command {
	const char *name;
	command_fn *fn;
	struct poptOption *options; /* its own; NULL: the global ones only */
	const char *arg;	    /* its argument, or NULL */
	const char *synopsis;	    /* pomctl --help's left column */
	const char *summary;	    /* what it does; lines of 48 */
	const char *example;	    /* a whole command line */
};

struct command_table {
	struct poptOption *global;
	const struct command *v;
	size_t nr;
	struct cmdline *cl; /* what the tables' options write */
	const char *version;
};

/* cmdline_parse(): stop here, exit 0 (help or the version printed) */
#define PARSE_DONE (-1)

/*
 * argv into t->cl: 0 with *cmd and *arg (NULL, or the caller's to free)
 * set, PARSE_DONE, or EXIT_USAGE (said in one line).
 */
int cmdline_parse(const struct command_table *t, int argc, const char **argv,
		  const struct command **cmd, char **arg);

#endif
