// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * pomctl: the command line's tables -- the global options, each command
 * with its own options (cmdline.c parses them) -- and the dispatch.
 */
#include <popt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pomctl/cmdline.h"
#include "pomctl/log.h"
#include "pomctl/run-command.h"
#include "pomctl/scratch.h"
#include "pomctl/util.h"

#ifndef POMCTL_VERSION
#define POMCTL_VERSION "0.1.0"
#endif

static struct cmdline cl; /* what popt parses into */

/* clang-format off */
static struct poptOption global_options[] = {
	{ "config", 'c', POPT_ARG_STRING, &cl.config_path, 0,
	  "configuration file (default: ROOT/etc/pomctl.conf)", "FILE" },
	{ "root", 'r', POPT_ARG_STRING, &cl.root, 0,
	  "treat DIR as / for every host path (sandboxes, tests)", "DIR" },
	{ "state-dir", 0, POPT_ARG_STRING, &cl.state_dir, 0,
	  "state, logs and cache (default: ROOT/var/lib/pomctl)", "DIR" },
	{ "json", 0, POPT_ARG_NONE, &cl.json, 0,
	  "print plan, status, history and log as JSON", NULL },
	{ "verbose", 'v', POPT_ARG_NONE, &cl.verbose, 0,
	  "also show each command as it starts", NULL },
	{ "quiet", 'q', POPT_ARG_NONE, &cl.quiet, 0,
	  "print only errors and the final line", NULL },
	{ "no-syslog", 0, POPT_ARG_NONE, &cl.no_syslog, 0,
	  "do not send step events to syslog", NULL },
	{ "version", 'V', POPT_ARG_NONE, NULL, OPT_VERSION,
	  "print the version", NULL },
	{ "help", 'h', POPT_ARG_NONE, NULL, OPT_HELP,
	  "print this help (pomctl help COMMAND: a command's)", NULL },
	POPT_TABLEEND
};

static struct poptOption jobs_options[] = {
	{ "jobs", 'j', POPT_ARG_STRING, NULL, OPT_JOBS,
	  "parallel make jobs (default: [build] jobs, else the CPUs)", "N" },
	POPT_TABLEEND
};

/* upgrade, resume and rollback: shown first, asked before changes */
static struct poptOption consent_options[] = {
	{ "plan", 'n', POPT_ARG_NONE, &cl.plan, 0,
	  "show every action, change nothing", NULL },
	{ "detailed-exitcode", 0, POPT_ARG_NONE, &cl.detailed_exitcode, 0,
	  "with --plan: exit 5 when the plan has changes", NULL },
	{ "yes", 'y', POPT_ARG_NONE, &cl.yes, 0,
	  "answer yes to the question before the host changes", NULL },
	POPT_TABLEEND
};

/* Settings of the run: upgrade sets them, resume may change them. */
static struct poptOption run_options[] = {
	{ "iptables-version", 0, POPT_ARG_STRING, &cl.rq.iptables_version, 0,
	  "the iptables release to build (default: [sources] "
	  "iptables_version)", "VERSION" },
	{ "pom-version", 0, POPT_ARG_STRING, &cl.rq.pom_version, 0,
	  "the patch-o-matic release to use (default: [sources] "
	  "pom_version)", "VERSION" },
	{ "reboot", 0, POPT_ARG_NONE, &cl.reboot, 0,
	  "after install, run [commands] reboot", NULL },
	{ "drop-failing-patches", 0, POPT_ARG_NONE, NULL, OPT_DROP,
	  "drop spec patches that no longer apply (default: stop)", NULL },
	{ "require-checksums", 0, POPT_ARG_NONE, NULL, OPT_SUMS,
	  "refuse a download over the network without a sha256 pin", NULL },
	{ NULL, 0, POPT_ARG_INCLUDE_TABLE, jobs_options, 0, NULL, NULL },
	POPT_TABLEEND
};

static struct poptOption upgrade_options[] = {
	{ "patch", 'p', POPT_ARG_STRING, NULL, OPT_PATCH,
	  "patch-o-matic extension to add (repeatable)", "NAME" },
	{ "trial", 0, POPT_ARG_STRING, &cl.rq.trial, 0,
	  "trial build: full (build, install, reboot), build, or skip",
	  "full|build|skip" },
	{ "force", 'f', POPT_ARG_NONE, &cl.force, 0,
	  "go on even when the match is already available", NULL },
	{ "from", 0, POPT_ARG_STRING, &cl.rq.bundle, 0,
	  "install from a bundle (pomctl bundle's file or URL)", "BUNDLE" },
	{ "from-sha256", 0, POPT_ARG_STRING, &cl.rq.bundle_sha256, 0,
	  "the bundle's sha256 (needed over http and ftp)", "HEX" },
	{ "auto-resume", 0, POPT_ARG_NONE, NULL, OPT_AUTO,
	  "after each reboot, let the boot service run pomctl resume", NULL },
	{ NULL, 0, POPT_ARG_INCLUDE_TABLE, run_options, 0,
	  "Settings of the run (resume may change them):", NULL },
	{ NULL, 0, POPT_ARG_INCLUDE_TABLE, consent_options, 0,
	  "Plan and consent:", NULL },
	POPT_TABLEEND
};

static struct poptOption resume_options[] = {
	{ "from", 0, POPT_ARG_STRING, &cl.resume_from, 0,
	  "run again from STEP, even if it is done", "STEP" },
	{ "at-boot", 0, POPT_ARG_NONE, &cl.at_boot, 0,
	  "for the boot service: resume only a run that awaits this reboot "
	  "and asked for --auto-resume", NULL },
	{ NULL, 0, POPT_ARG_INCLUDE_TABLE, run_options, 0,
	  "Settings of the run:", NULL },
	{ NULL, 0, POPT_ARG_INCLUDE_TABLE, consent_options, 0,
	  "Plan and consent:", NULL },
	POPT_TABLEEND
};

static struct poptOption list_options[] = {
	{ "kernel", 0, POPT_ARG_STRING, &cl.kernel, 0,
	  "the kernel tree to test against (default: [kernel] tree)", "DIR" },
	{ "pom", 0, POPT_ARG_STRING, &cl.pom, 0,
	  "the patch-o-matic tree or tarball (default: the fetched one)",
	  "DIR|TARBALL" },
	{ "names", 0, POPT_ARG_NONE, &cl.names_only, 0,
	  "print only the patch names, one a line, without testing them",
	  NULL },
	{ NULL, 0, POPT_ARG_INCLUDE_TABLE, jobs_options, 0, NULL, NULL },
	POPT_TABLEEND
};

static struct poptOption rollback_options[] = {
	{ "run", 0, POPT_ARG_STRING, &cl.run, 0,
	  "roll back this run (see pomctl history); refused while a later "
	  "one stands", "ID" },
	{ "force", 'f', POPT_ARG_NONE, &cl.force, 0,
	  "roll back even while a kernel of the run is the running one",
	  NULL },
	{ NULL, 0, POPT_ARG_INCLUDE_TABLE, consent_options, 0,
	  "Plan and consent:", NULL },
	POPT_TABLEEND
};

static struct poptOption bundle_options[] = {
	{ "output", 'o', POPT_ARG_STRING, &cl.output, 0,
	  "the bundle's file (default: pomctl-bundle-RELEASE.tar)", "FILE" },
	{ "repo", 0, POPT_ARG_STRING, &cl.repo, 0,
	  "also the packages as a yum repository in DIR (createrepo_c)",
	  "DIR" },
	POPT_TABLEEND
};
/* clang-format on */

static const struct command commands[] = {
	{ "upgrade", cmd_upgrade, upgrade_options, NULL, "upgrade --patch NAME",
	  "run the whole job (with --plan: show it);\n"
	  "no --patch: bring the kernel to the host's\nextension set",
	  "pomctl upgrade --patch string --plan" },
	{ "resume", cmd_resume, resume_options, NULL, "resume",
	  "continue after a failure or a reboot", "pomctl resume" },
	{ "status", cmd_status, NULL, NULL, "status",
	  "where the run stands, step by step", "pomctl status --json" },
	{ "log", cmd_log, NULL, "STEP", "log STEP", "the log of one step",
	  "pomctl log kernel" },
	{ "list-patches", cmd_list_patches, list_options, NULL, "list-patches",
	  "what the patch-o-matic tree offers, and\n"
	  "whether each patch applies",
	  "pomctl list-patches --kernel /usr/src/linux-2.4" },
	{ "history", cmd_history, NULL, "[ID]", "history [ID]",
	  "the runs, oldest first; with ID, that run\n"
	  "step by step and what undoing it takes",
	  "pomctl history" },
	{ "rollback", cmd_rollback, rollback_options, NULL, "rollback",
	  "undo what the last run changed", "pomctl rollback --plan" },
	{ "bundle", cmd_bundle, bundle_options, NULL, "bundle",
	  "the finished run's kernel and packages as\n"
	  "one file for hosts of the same base",
	  "pomctl bundle --output /srv/pomctl/string.tar" },
};

static const struct command_table table = { global_options, commands,
					    ARRAY_SIZE(commands), &cl,
					    POMCTL_VERSION };

static int dispatch(const struct command *cmd, const char *arg)
{
	struct strbuf root = STRBUF_INIT;
	struct config cfg;
	struct ctx ctx;
	int ret;

	cl.rq.patches = &cl.patches;
	cl.rq.force = cl.force;
	cl.rq.plan = cl.plan;
	cl.rq.yes = cl.yes;
	cl.rq.verbose = cl.verbose;
	if (command_setup(&ctx, &cfg, &root, &cl) < 0)
		ret = EXIT_USAGE;
	else
		ret = cmd->fn(&ctx, &cl, arg);
	command_teardown(&ctx);
	strbuf_clear(&root);
	return ret;
}

int main(int argc, const char **argv)
{
	const struct command *cmd = NULL;
	char *arg = NULL;
	int ret = cmdline_parse(&table, argc, argv, &cmd, &arg);

	if (ret == PARSE_DONE)
		ret = EXIT_DONE;
	else if (ret) {
		for (int i = 1; i < argc && strcmp(argv[i], "--"); i++)
			cl.json |= !strcmp(argv[i], "--json");
	} else {
		log_setup(cl.quiet, cl.verbose);
		log_syslog_setup(!cl.no_syslog);
		run_setup_signals();
		ret = dispatch(cmd, arg);
		scratch_cleanup();
	}
	if (cl.json &&
	    (ret == EXIT_FAILED || ret == EXIT_USAGE || ret == EXIT_LOCKED))
		say_json_error(ret); /* stdout is JSON either way */
	strvec_clear(&cl.patches);
	free(arg);
	return ret;
}
