// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The command line's machinery, over main.c's tables: the first word that
 * is not an option names the command; popt parses the whole line against
 * the global options and that command's own table, so that options may
 * stand on either side of it.  An option of another command is refused
 * naming whose it is; help is printed per command.
 */
#include <ctype.h>
#include <popt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pomctl/cmdline.h"
#include "pomctl/names.h"
#include "pomctl/text.h"
#include "pomctl/util.h"

static const struct command *find_command(const struct command_table *t,
					  const char *name)
{
	for (size_t i = 0; i < t->nr; i++)
		if (!strcmp(t->v[i].name, name))
			return &t->v[i];
	return NULL;
}

/* Whether o is "--long" (or "--long=VALUE") or "-s" (word[1]). */
static bool names_option(const struct poptOption *o, const char *word)
{
	size_t n = strcspn(word, "=");

	if (word[1] != '-')
		return o->shortName == word[1];
	return o->longName && strlen(o->longName) == n - 2 &&
	       !strncmp(o->longName, word + 2, n - 2);
}

/* The entry of table (or a table it includes) for word. */
static const struct poptOption *find_option(const struct poptOption *table,
					    const char *word)
{
	for (const struct poptOption *o = table;
	     o->longName || o->shortName || o->arg; o++) {
		const struct poptOption *found = NULL;

		if (o->argInfo == POPT_ARG_INCLUDE_TABLE)
			found = find_option(o->arg, word);
		else if (names_option(o, word))
			found = o;
		if (found)
			return found;
	}
	return NULL;
}

static const struct poptOption *any_option(const struct command_table *t,
					   const char *word)
{
	const struct poptOption *o = find_option(t->global, word);

	for (size_t i = 0; !o && i < t->nr; i++)
		if (t->v[i].options)
			o = find_option(t->v[i].options, word);
	return o;
}

/*
 * The index of the command word from argv[from] on: the first argument
 * that is neither an option nor an option's value.  argc: none.
 */
static int command_word(const struct command_table *t, int argc,
			const char **argv, int from)
{
	for (int i = from; i < argc; i++) {
		const char *a = argv[i];
		const struct poptOption *o;

		if (!strcmp(a, "--"))
			return i + 1;
		if (a[0] != '-' || !a[1])
			return i;
		/* -yj N: past the switches, a points before the last letter
		 * (find_option reads a[1]) */
		while (a[1] != '-' && a[2] &&
		       (!(o = any_option(t, a)) ||
			(o->argInfo & POPT_ARG_MASK) == POPT_ARG_NONE))
			a++;
		o = any_option(t, a);
		if (o && (o->argInfo & POPT_ARG_MASK) != POPT_ARG_NONE &&
		    !strchr(a, '=') && (a[1] == '-' || !a[2]))
			i++;
	}
	return argc;
}

/* --- help ------------------------------------------------------------- */

static void add_indented(struct strbuf *sb, const char *text, int indent)
{
	for (const char *p = text; *p; p++) {
		strbuf_addch(sb, *p);
		if (*p == '\n')
			strbuf_addf(sb, "%*s", indent, "");
	}
}

/* pomctl --help: the commands, the steps, the exit codes, the globals. */
static void global_usage(const struct command_table *t, struct strbuf *sb)
{
	strbuf_addstr(sb, "COMMAND [OPTIONS]\n\nCommands:\n");
	for (size_t i = 0; i < t->nr; i++) {
		strbuf_addf(sb, "  %-21s  ", t->v[i].synopsis);
		add_indented(sb, t->v[i].summary, 25);
		strbuf_addch(sb, '\n');
	}
	strbuf_addstr(sb, "\nSteps:");
	for (size_t i = 0; i < pomctl_nr_steps; i++)
		strbuf_addf(sb, " %s", pomctl_steps[i].name);
	strbuf_addstr(sb, "\nExit: 0 done, 1 step failed, 2 usage, 3 awaiting "
			  "reboot, 4 locked,\n      5 plan has changes "
			  "(--detailed-exitcode)\n"
			  "pomctl help COMMAND (or pomctl COMMAND --help): "
			  "its options; man pomctl");
}

/* The options popt knows for cmd (NULL: none), global ones last. */
static void context_table(const struct command_table *t,
			  const struct command *cmd, struct poptOption out[3],
			  struct strbuf *heading)
{
	size_t n = 0;

	if (cmd && cmd->options) {
		strbuf_addf(heading, "Options of %s:", cmd->name);
		out[n++] = (struct poptOption){
			NULL,	      0, POPT_ARG_INCLUDE_TABLE,
			cmd->options, 0, heading->buf,
			NULL
		};
	}
	out[n++] = (struct poptOption){ NULL,	   0, POPT_ARG_INCLUDE_TABLE,
					t->global, 0, "Global options:",
					NULL };
	out[n] = (struct poptOption)POPT_TABLEEND;
}

static int print_help(const struct command_table *t, poptContext pc,
		      const struct command *cmd)
{
	struct strbuf usage = STRBUF_INIT;

	if (cmd) {
		strbuf_addf(&usage, "%s%s%s [OPTIONS]\n\n", cmd->name,
			    cmd->arg ? " " : "", cmd->arg ? cmd->arg : "");
		/* the summary as a sentence */
		strbuf_addch(&usage, toupper(*cmd->summary));
		strbuf_addstr(&usage, cmd->summary + 1);
		strbuf_addf(&usage, ".\n\nExample: %s", cmd->example);
	} else {
		global_usage(t, &usage);
	}
	poptSetOtherOptionHelp(pc, usage.buf);
	poptPrintHelp(pc, stdout, 0);
	strbuf_clear(&usage);
	return PARSE_DONE;
}

/* --- parsing ------------------------------------------------------------ */

/* Every long option, "--name", for suggestions. */
static void long_options(const struct poptOption *t, struct strvec *out)
{
	for (; t->longName || t->shortName || t->arg; t++) {
		if (t->argInfo == POPT_ARG_INCLUDE_TABLE)
			long_options(t->arg, out);
		else if (t->longName)
			strvec_pushf(out, "--%s", t->longName);
	}
}

/* An option popt refused: another command's (named), or misspelt. */
static int popt_failure(const struct command_table *t, poptContext pc, int rc,
			const struct command *cmd)
{
	struct strbuf word = STRBUF_INIT;
	const char *bad = poptBadOption(pc, POPT_BADOPTION_NOALIAS);
	struct strvec names = STRVEC_INIT;
	struct strbuf hint = STRBUF_INIT;
	int ret = EXIT_USAGE;

	for (size_t i = 0; i < t->nr; i++)
		if (rc == POPT_ERROR_BADOPT && t->v[i].options &&
		    find_option(t->v[i].options, bad))
			strvec_push(&names, t->v[i].name);
	for (size_t i = 0; i < names.nr; i++)
		strbuf_addf(&hint, "%s%s",
			    !i		     ? "" :
			    i + 1 < names.nr ? ", " :
					       " and ",
			    names.v[i]);
	if (names.nr) {
		ret = command_usage_error(cmd ? cmd->name : NULL,
					  "%.*s is an option of %s%s%s",
					  (int)strcspn(bad, "="), bad, hint.buf,
					  cmd ? ", not of " :
						": name the command",
					  cmd ? cmd->name : "");
		goto out;
	}
	if (rc == POPT_ERROR_BADOPT && !strncmp(bad, "--", 2)) {
		long_options(t->global, &names);
		for (size_t i = 0; i < t->nr; i++)
			if (t->v[i].options)
				long_options(t->v[i].options, &names);
		suggest(strndupa(bad, strcspn(bad, "=")), strvec_argv(&names),
			names.nr, &hint);
	}
	strvec_clear(&names); /* now the words of the message */
	strbuf_addprintable(&word, bad);
	error("%s: %s%s (see pomctl %s%s)", word.buf, poptStrerror(rc),
	      hint.buf, cmd ? "help " : "--help", cmd ? cmd->name : "");
out:
	strvec_clear(&names);
	strbuf_clear(&hint);
	strbuf_clear(&word);
	return ret;
}

static int add_patch(const struct command_table *t, const char *name)
{
	if (!name || !patch_name_is_valid(name))
		return command_usage_error(
			"upgrade",
			"bad patch name '%s': use letters, digits, '_', '.', "
			"'+' and '-', starting with a letter or digit",
			name ? name : "");
	if (!strvec_has(&t->cl->patches, name))
		strvec_push(&t->cl->patches, name);
	return 0;
}

static int set_jobs(const struct command_table *t, const char *n)
{
	size_t len = n ? strlen(n) : 0;

	if (len == 0 || len > 4 || strspn(n, "0123456789") != len ||
	    atoi(n) < 1 || atoi(n) > 1024)
		return command_usage_error(NULL,
					   "bad value '%s' for --jobs: use a "
					   "number from 1 to 1024",
					   n ? n : "");
	t->cl->jobs = atoi(n);
	return 0;
}

/* An option with its value: 0, PARSE_DONE, or EXIT_USAGE (a bad value). */
static int take_option(const struct command_table *t, poptContext pc, int rc,
		       bool *help)
{
	char *value;
	int ret = 0;

	switch (rc) {
	case OPT_VERSION:
		printf("pomctl %s\n", t->version);
		return PARSE_DONE;
	case OPT_HELP:
		*help = true;
		return 0;
	case OPT_PATCH:
	case OPT_JOBS:
		value = poptGetOptArg(pc); /* ours to free */
		ret = rc == OPT_PATCH ? add_patch(t, value) :
					set_jobs(t, value);
		free(value);
		return ret ? EXIT_USAGE : 0;
	}
	*(rc == OPT_DROP ? &t->cl->rq.drop_failing :
	  rc == OPT_AUTO ? &t->cl->rq.auto_resume :
			   &t->cl->rq.require_sums) = "yes";
	return 0;
}

static int check_version(const char *option, const char *v)
{
	if (!v || version_is_valid(v))
		return 0;
	return command_usage_error(NULL,
				   "bad value '%s' for %s: use letters, "
				   "digits, '.', '_', '+' and '-'",
				   v, option);
}

/* What one option alone cannot say: values, and options that need others. */
static int check_values(const struct command_table *t,
			const struct command *cmd)
{
	const char *sha = t->cl->rq.bundle_sha256, *trial = t->cl->rq.trial;

	if (t->cl->detailed_exitcode && !t->cl->plan)
		return command_usage_error(cmd->name,
					   "--detailed-exitcode needs --plan");
	if (t->cl->quiet && t->cl->verbose)
		return command_usage_error(NULL, "--quiet and --verbose "
						 "contradict each other");
	if (trial && strcmp(trial, "full") && strcmp(trial, "build") &&
	    strcmp(trial, "skip"))
		return command_usage_error(cmd->name,
					   "bad value '%s' for --trial: use "
					   "full, build or skip",
					   trial);
	if (sha && !t->cl->rq.bundle)
		return command_usage_error(
			cmd->name, "--from-sha256 goes with upgrade --from");
	if (sha && (strlen(sha) != 64 || sha[strspn(sha, "0123456789abcdef")]))
		return command_usage_error(cmd->name,
					   "--from-sha256 '%s' is not 64 "
					   "lowercase hex digits",
					   sha);
	if (t->cl->resume_from) { /* a step's name or number */
		struct strbuf err = STRBUF_INIT;
		int ret = pipeline_step_arg(t->cl->resume_from, &err) ?
				  0 :
				  command_usage_error(cmd->name, "--from: %s",
						      err.buf);

		strbuf_clear(&err);
		if (ret)
			return ret;
	}
	if (check_version("--iptables-version", t->cl->rq.iptables_version) ||
	    check_version("--pom-version", t->cl->rq.pom_version))
		return EXIT_USAGE;
	return 0;
}

/*
 * The words that are not options: the command, its argument.  0,
 * PARSE_DONE (help printed), or EXIT_USAGE (said).
 */
static int take_words(const struct command_table *t, poptContext pc,
		      const struct command *cmd, bool help, char **arg)
{
	const char *extra;

	if (help)
		return print_help(t, pc, cmd);
	poptGetArg(pc); /* the command's name */
	extra = cmd->arg ? poptGetArg(pc) : NULL;
	*arg = extra ? xstrdup(extra) : NULL; /* popt's goes with its context */
	if (cmd->arg && *cmd->arg != '[' && !*arg) /* "[ID]": optional */
		return command_usage_error(cmd->name, "%s needs %s", cmd->name,
					   cmd->arg);
	extra = poptGetArg(pc);
	if (extra)
		return command_usage_error(cmd->name,
					   "unexpected argument '%s' for %s",
					   extra, cmd->name);
	return check_values(t, cmd);
}

static int unknown_command(const struct command_table *t, const char *name)
{
	const char *names[t->nr];
	struct strbuf hint = STRBUF_INIT;
	int ret;

	for (size_t i = 0; i < t->nr; i++)
		names[i] = t->v[i].name;
	suggest(name, names, t->nr, &hint);
	ret = command_usage_error(NULL, "unknown command '%s'%s", name,
				  hint.buf);
	strbuf_clear(&hint);
	return ret;
}

/*
 * Parse argv into cl: 0 with *cmd and *arg set, or an exit code (help or
 * the version printed, a usage error said).
 */
int cmdline_parse(const struct command_table *t, int argc, const char **argv,
		  const struct command **cmd, char **arg)
{
	struct poptOption table[3];
	struct strbuf heading = STRBUF_INIT;
	int w = command_word(t, argc, argv, 1), ret = 0, rc;
	const char *name = w < argc ? argv[w] : NULL;
	bool help = name && !strcmp(name, "help");
	poptContext pc;

	if (help) { /* help [COMMAND] */
		w = command_word(t, argc, argv, w + 1);
		name = w < argc ? argv[w] : NULL;
	}
	*cmd = name ? find_command(t, name) : NULL;
	context_table(t, *cmd, table, &heading);
	pc = poptGetContext("pomctl", argc, argv, table, 0);
	while (!ret && (rc = poptGetNextOpt(pc)) > 0)
		ret = take_option(t, pc, rc, &help);
	if (!ret && rc < -1)
		ret = popt_failure(t, pc, rc, *cmd);
	else if (!ret && !*cmd && name)
		ret = unknown_command(t, name);
	else if (!ret && !*cmd && !help)
		ret = command_usage_error(NULL, "no command given");
	else if (!ret)
		ret = take_words(t, pc, *cmd, help, arg);
	poptFreeContext(pc);
	strbuf_clear(&heading);
	return ret;
}
