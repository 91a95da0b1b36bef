/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The commands of pomctl.  main.c parses the command line -- the global
 * options and the named command's own, from that command's popt table --
 * into one struct cmdline, sets up a context from it (command_setup) and
 * calls the command.  Each command reads only the fields of its options.
 */
#ifndef POMCTL_COMMAND_H
#define POMCTL_COMMAND_H

#include "pomctl/lifecycle.h"
#include "pomctl/strbuf.h"

struct config;

struct cmdline {
	/* global options */
	const char *config_path, *root, *state_dir;
	int json, verbose, quiet, no_syslog;
	/* upgrade, resume, rollback: what is asked of the run */
	struct run_request rq;
	struct strvec patches;	 /* upgrade --patch, each once */
	const char *resume_from; /* resume --from STEP */
	int yes, plan, detailed_exitcode, force, reboot, at_boot;
	int jobs; /* --jobs; 0: not given */
	/* list-patches */
	const char *kernel, *pom;
	int names_only;
	/* rollback --run, bundle --output --repo */
	const char *run, *output, *repo;
};

/*
 * The context of a command from the command line: the root, the
 * configuration (in cfg, which outlives the context), the state
 * directory, the host.  0, or -1 (reported); command_teardown either way.
 */
int command_setup(struct ctx *ctx, struct config *cfg, struct strbuf *root,
		  const struct cmdline *cl);
void command_teardown(struct ctx *ctx);

/*
 * A usage error: "pomctl: MESSAGE (see pomctl help COMMAND)" on stderr
 * (pomctl --help without a command).  EXIT_USAGE.
 */
int command_usage_error(const char *command, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Each an exit code; arg is the command's argument (log STEP) or NULL. */
typedef int command_fn(struct ctx *ctx, const struct cmdline *cl,
		       const char *arg);
command_fn cmd_upgrade, cmd_resume;			       /* cmd-run.c */
command_fn cmd_status, cmd_log, cmd_history, cmd_list_patches; /* cmd-show.c */
command_fn cmd_rollback, cmd_bundle;

#endif
