// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * pomctl: the command line.  Options are parsed by popt from one set of
 * tables; the subcommand is the first argument that is not an option.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <popt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>

#include "pomctl/fetch.h"
#include "pomctl/history.h"
#include "pomctl/hostset.h"
#include "pomctl/listing.h"
#include "pomctl/bundle.h"
#include "pomctl/lifecycle.h"
#include "pomctl/log.h"
#include "pomctl/pipeline.h"
#include "pomctl/rollback.h"
#include "pomctl/run-command.h"
#include "pomctl/safepath.h"
#include "pomctl/scratch.h"
#include "pomctl/text.h"
#include "pomctl/util.h"

#ifndef POMCTL_VERSION
#define POMCTL_VERSION "0.1.0"
#endif

#define LOG_MAX_SIZE (256 * 1024 * 1024)

enum { OPT_PATCH = 1, OPT_VERSION, OPT_TRIAL, OPT_DROP, OPT_AUTO, OPT_SUMS };

/* Option flags of subcommands, to refuse options a subcommand ignores. */
enum {
	SUB_PATCHES = 1 << 0,  /* --patch --trial --force */
	SUB_FROM = 1 << 1,     /* --from */
	SUB_VERSIONS = 1 << 4, /* --iptables-version --pom-version */
	SUB_LIST = 1 << 5,     /* --kernel --pom */
	SUB_FORCE = 1 << 6,    /* --force alone */
	SUB_PLAN = 1 << 2,     /* --plan --detailed-exitcode */
	SUB_LOCK = 1 << 3,     /* takes the state lock */
	SUB_RUN = 1 << 7,      /* --run ID */
	SUB_OUTPUT = 1 << 8,   /* --output FILE */
};

/* The command line, parsed by main(). */
struct options {
	const char *config_path;
	const char *root;
	const char *state_dir;
	const char *trial; /* full, build, skip; NULL: not given */
	const char *from;  /* resume --from STEP */
	struct strvec patches;
	int json, verbose, quiet, yes, plan, detailed_exitcode, force, reboot;
	int no_syslog, at_boot;
	int jobs; /* 0: not given */
};

static struct options opt;
static const char *trial_arg;
static const char *kernel_arg;
static struct run_request rq; /* what is asked of the run */
static const char *pom_arg;
static int names_only;
static const char *jobs_arg;
static const char *run_arg;
static const char *output_arg;
static const char *repo_arg;
static const char *from_sha_arg;

/* clang-format off */
static struct poptOption global_options[] = {
	{ "config", 'c', POPT_ARG_STRING, &opt.config_path, 0,
	  "configuration file (default: ROOT/etc/pomctl.conf)", "FILE" },
	{ "root", 'r', POPT_ARG_STRING, &opt.root, 0,
	  "treat DIR as / for every host path (sandboxes, tests)", "DIR" },
	{ "state-dir", 0, POPT_ARG_STRING, &opt.state_dir, 0,
	  "state, logs and cache (default: ROOT/var/lib/pomctl)", "DIR" },
	{ "json", 0, POPT_ARG_NONE, &opt.json, 0,
	  "print plan, status and log as JSON", NULL },
	{ "verbose", 'v', POPT_ARG_NONE, &opt.verbose, 0,
	  "also show each command as it starts", NULL },
	{ "quiet", 'q', POPT_ARG_NONE, &opt.quiet, 0,
	  "print only errors and the final line", NULL },
	{ "yes", 'y', POPT_ARG_NONE, &opt.yes, 0,
	  "answer yes to every question", NULL },
	{ "jobs", 'j', POPT_ARG_STRING, &jobs_arg, 0,
	  "parallel make jobs (default: [build] jobs, else the CPUs)", "N" },
	{ "plan", 'n', POPT_ARG_NONE, &opt.plan, 0,
	  "show every action, change nothing", NULL },
	{ "detailed-exitcode", 0, POPT_ARG_NONE, &opt.detailed_exitcode, 0,
	  "with --plan: exit 5 when the plan has changes", NULL },
	{ "no-syslog", 0, POPT_ARG_NONE, &opt.no_syslog, 0,
	  "do not send step events to syslog", NULL },
	{ "version", 'V', POPT_ARG_NONE, NULL, OPT_VERSION,
	  "print the version", NULL },
	POPT_TABLEEND
};

static struct poptOption upgrade_options[] = {
	{ "patch", 'p', POPT_ARG_STRING, NULL, OPT_PATCH,
	  "patch-o-matic extension to add (repeatable)", "NAME" },
	{ "trial", 0, POPT_ARG_STRING, &trial_arg, OPT_TRIAL,
	  "trial build: full (build, install, reboot), build, or skip",
	  "full|build|skip" },
	{ "force", 'f', POPT_ARG_NONE, &opt.force, 0,
	  "go on even when the match is already available", NULL },
	{ "from-sha256", 0, POPT_ARG_STRING, &from_sha_arg, 0,
	  "the bundle's sha256 (needed over http and ftp)", "HEX" },
	{ "auto-resume", 0, POPT_ARG_NONE, NULL, OPT_AUTO,
	  "after each reboot, let the boot service run pomctl resume", NULL },
	POPT_TABLEEND
};

/* Settings of the run: upgrade sets them, resume may change them. */
static struct poptOption run_options[] = {
	{ "from", 0, POPT_ARG_STRING, &opt.from, 0,
	  "upgrade: install from a bundle (pomctl bundle's file or URL); "
	  "resume: run again from STEP, even if it is done", "BUNDLE|STEP" },
	{ "iptables-version", 0, POPT_ARG_STRING, &rq.iptables_version, 0,
	  "the iptables release to build (default: [sources] "
	  "iptables_version)", "VERSION" },
	{ "pom-version", 0, POPT_ARG_STRING, &rq.pom_version, 0,
	  "the patch-o-matic release to use (default: [sources] "
	  "pom_version)", "VERSION" },
	{ "reboot", 0, POPT_ARG_NONE, &opt.reboot, 0,
	  "after install, run [commands] reboot", NULL },
	{ "drop-failing-patches", 0, POPT_ARG_NONE, NULL, OPT_DROP,
	  "drop spec patches that no longer apply (default: stop)", NULL },
	{ "require-checksums", 0, POPT_ARG_NONE, NULL, OPT_SUMS,
	  "refuse a download over the network without a sha256 pin", NULL },
	POPT_TABLEEND
};

static struct poptOption resume_options[] = {
	{ "at-boot", 0, POPT_ARG_NONE, &opt.at_boot, 0,
	  "for the boot service: resume only a run that awaits this reboot "
	  "and asked for --auto-resume", NULL },
	POPT_TABLEEND
};

static struct poptOption list_options[] = {
	{ "kernel", 0, POPT_ARG_STRING, &kernel_arg, 0,
	  "the kernel tree to test against (default: [kernel] tree)", "DIR" },
	{ "pom", 0, POPT_ARG_STRING, &pom_arg, 0,
	  "the patch-o-matic tree or tarball (default: the fetched one)",
	  "DIR|TARBALL" },
	{ "names", 0, POPT_ARG_NONE, &names_only, 0,
	  "print only the patch names, one a line, without testing them",
	  NULL },
	POPT_TABLEEND
};

static struct poptOption bundle_options[] = {
	{ "output", 'o', POPT_ARG_STRING, &output_arg, 0,
	  "the bundle's file (default: pomctl-bundle-RELEASE.tar)", "FILE" },
	{ "repo", 0, POPT_ARG_STRING, &repo_arg, 0,
	  "also the packages as a yum repository in DIR (createrepo_c)",
	  "DIR" },
	POPT_TABLEEND
};

static struct poptOption rollback_options[] = {
	{ "run", 0, POPT_ARG_STRING, &run_arg, 0,
	  "roll back this run (see pomctl history); refused while a later "
	  "one stands", "ID" },
	POPT_TABLEEND
};

static struct poptOption all_options[] = {
	{ NULL, 0, POPT_ARG_INCLUDE_TABLE, global_options, 0,
	  "Global options:", NULL },
	{ NULL, 0, POPT_ARG_INCLUDE_TABLE, upgrade_options, 0,
	  "upgrade options:", NULL },
	{ NULL, 0, POPT_ARG_INCLUDE_TABLE, run_options, 0,
	  "upgrade and resume options:", NULL },
	{ NULL, 0, POPT_ARG_INCLUDE_TABLE, resume_options, 0,
	  "resume options:", NULL },
	{ NULL, 0, POPT_ARG_INCLUDE_TABLE, list_options, 0,
	  "list-patches options:", NULL },
	{ NULL, 0, POPT_ARG_INCLUDE_TABLE, bundle_options, 0,
	  "bundle options:", NULL },
	{ NULL, 0, POPT_ARG_INCLUDE_TABLE, rollback_options, 0,
	  "rollback options:", NULL },
	POPT_AUTOHELP
	POPT_TABLEEND
};
/* clang-format on */

static const char usage_head[] =
	"COMMAND [OPTIONS]\n\n"
	"Commands:\n"
	"  upgrade --patch NAME   run the whole job (with --plan: show it);\n"
	"                         no --patch: bring the kernel to the\n"
	"                         host's extension set\n"
	"  resume                 continue after a failure or a reboot\n"
	"  status                 where the run stands, step by step\n"
	"  log STEP               the log of one step\n"
	"  list-patches           what the patch-o-matic tree offers, and\n"
	"                         whether each patch applies\n"
	"  history                the runs, oldest first\n"
	"  rollback               undo what the last run changed\n"
	"  bundle                 the finished run's kernel and packages as\n"
	"                         one file for hosts of the same base\n\n"
	"Steps:%s\n" /* from the step table */
	"Exit: 0 done, 1 step failed, 2 usage, 3 awaiting reboot, 4 locked,\n"
	"      5 plan has changes (--detailed-exitcode)";

static int usage_error(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));

static int usage_error(const char *fmt, ...)
{
	va_list ap;

	fputs("pomctl: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs(" (see pomctl --help)\n", stderr);
	return EXIT_USAGE;
}

/* --- setting up the context ----------------------------------------- */

static int resolve_dir(const char *what, const char *dir, struct strbuf *out)
{
	char real[PATH_MAX];

	if (!realpath(dir, real))
		return error("%s '%s': %s", what, dir, strerror(errno));
	if (!is_dir(real))
		return error("%s '%s' is not a directory", what, dir);
	strbuf_reset(out);
	if (strcmp(real, "/") != 0)
		strbuf_addstr(out, real);
	return 0;
}

static int load_config(struct ctx *ctx, struct strbuf *root)
{
	struct strbuf path = STRBUF_INIT;
	int ret;

	if (opt.config_path)
		strbuf_addstr(&path, opt.config_path);
	else
		root_path(&path, root->buf, "/etc/pomctl.conf");
	ret = config_load(ctx->env.cfg, path.buf, opt.config_path != NULL);
	strbuf_release(&path);
	if (ret)
		return ret;
	if (!opt.root && *config_get(ctx->env.cfg, "general", "root"))
		ret = resolve_dir("root",
				  config_get(ctx->env.cfg, "general", "root"),
				  root);
	if (!ret && opt.jobs) {
		char n[16];

		snprintf(n, sizeof(n), "%d", opt.jobs);
		ret = config_set(ctx->env.cfg, "build", "jobs", n);
	}
	return ret;
}

static int set_state_dir(struct ctx *ctx)
{
	char cwd[PATH_MAX];

	if (!opt.state_dir) {
		env_path(&ctx->env,
			 config_get(ctx->env.cfg, "general", "state_dir"),
			 &ctx->state_dir);
		return 0;
	}
	if (opt.state_dir[0] != '/' && !getcwd(cwd, sizeof(cwd)))
		return error("getcwd: %s", strerror(errno));
	if (opt.state_dir[0] != '/')
		strbuf_addf(&ctx->state_dir, "%s/", cwd);
	strbuf_addstr(&ctx->state_dir, opt.state_dir);
	while (ctx->state_dir.len > 1 &&
	       ctx->state_dir.buf[ctx->state_dir.len - 1] == '/')
		ctx->state_dir.buf[--ctx->state_dir.len] = '\0';
	if (!path_is_clean(ctx->state_dir.buf))
		return error("state directory '%s' must not contain '..' or "
			     "control characters",
			     opt.state_dir);
	return 0;
}

static int setup(struct ctx *ctx, struct config *cfg, struct strbuf *root)
{
	memset(ctx, 0, sizeof(*ctx));
	ctx->json = opt.json;
	ctx->detailed_exitcode = opt.detailed_exitcode;
	ctx->reboot = opt.reboot;
	ctx->env.cfg = cfg;
	ctx->env.log_fd = -1;
	strbuf_init(&ctx->state_dir);
	strbuf_init(&ctx->log_path);
	config_init(cfg);
	if (opt.root && resolve_dir("root", opt.root, root) < 0)
		return -1;
	if (load_config(ctx, root) < 0)
		return -1;
	ctx->env.root = root->buf;
	if (set_state_dir(ctx) < 0)
		return -1;
	return host_init(&ctx->env.host, cfg);
}

static void teardown(struct ctx *ctx)
{
	if (ctx->state) {
		state_release(ctx->state);
		free(ctx->state);
	}
	if (ctx->env.plan) {
		plan_release(ctx->env.plan);
		free(ctx->env.plan);
	}
	host_release(&ctx->env.host);
	config_release(ctx->env.cfg);
	strbuf_release(&ctx->state_dir);
	strbuf_release(&ctx->log_path);
	free(ctx->pause_release);
	free(ctx->end_reason);
}

/* --- subcommands ------------------------------------------------------ */

/* A version for --iptables-version and --pom-version. */
static bool version_is_valid(const char *v)
{
	size_t n = strlen(v);

	return n && n <= 64 &&
	       strspn(v, "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
			 "abcdefghijklmnopqrstuvwxyz"
			 "0123456789._+-") == n;
}

/*
 * With no --pom-version, a run that brings the host to its set takes the
 * patch-o-matic the set was built with -- the same patches as before --
 * when every patch of it came from one version, the cache still holds
 * its tarball and [sources] pom_sha256 pins no other; else the
 * configured one.  Said either way when they differ.  NULL: the
 * configured one.
 */
static const char *set_pom_version(struct ctx *ctx, const struct strvec *names)
{
	static struct strbuf chosen = STRBUF_INIT;
	const char *want = config_get(ctx->env.cfg, "sources", "pom_version");
	struct strbuf url = STRBUF_INIT, cache = STRBUF_INIT;
	struct fetch_request req = { 0 };
	struct fetch_result res;
	const char *v = NULL, *why = NULL;
	struct hostset hs;
	bool one = true;

	hostset_load_set_of(&hs, ctx->state_dir.buf, pipeline_step_names(),
			    pomctl_nr_steps);
	for (size_t i = 0; i < hs.names.nr; i++)
		if (strvec_has(names, hs.names.v[i])) {
			one = one && (!v || !strcmp(v, hs.poms.v[i]));
			v = v ? v : hs.poms.v[i];
		}
	fetch_result_init(&res);
	strbuf_reset(&chosen);
	if (!v || (one && !strcmp(v, want))) {
		/* nothing to say */
	} else if (!one) {
		why = "its patches came from more than one patch-o-matic";
	} else if (!strcmp(v, "a bundle's") || !version_is_valid(v)) {
		why = "its patch-o-matic came with a bundle";
	} else {
		const char *pin = config_get(ctx->env.cfg, "sources",
					     "pom_sha256");

		url_of_version(config_get(ctx->env.cfg, "sources", "pom_url"),
			       v, &url);
		strbuf_addf(&cache, "%s/cache", ctx->state_dir.buf);
		req.url = url.buf;
		if (!fetch_cached(cache.buf, &req, &res))
			why = "the cache no longer holds its tarball";
		else if (*pin && strcmp(pin, res.digest))
			why = "[sources] pom_sha256 pins another tarball";
		else
			strbuf_addstr(&chosen, v);
	}
	if (chosen.len)
		info("pomctl: patch-o-matic %s, the version the host's extension "
		     "set was built with (from the cache; [sources] pom_version "
		     "is %s)",
		     v, want);
	else if (why)
		info("pomctl: the host's extension set was built with "
		     "patch-o-matic %s, but %s: the run uses the configured %s",
		     one ? v : "versions", why, want);
	fetch_result_release(&res);
	hostset_release(&hs);
	strbuf_release(&url);
	strbuf_release(&cache);
	return chosen.len ? chosen.buf : NULL;
}

static void print_set(const struct strvec *names)
{
	struct strbuf list = STRBUF_INIT;

	strvec_join(names, " ", &list);
	info("pomctl: no --patch: the run brings the kernel to the host's "
	     "extension set (%s)",
	     list.buf);
	strbuf_release(&list);
}

static int cmd_upgrade(struct ctx *ctx, const char *arg)
{
	struct strvec bundled = STRVEC_INIT;
	char *from_path = NULL;
	int lock_fd = -1, ret = 0;

	(void)arg;
	if (opt.from && opt.patches.nr)
		return usage_error("--from installs the patches its bundle "
				   "names: give no --patch");
	if (opt.from && (trial_arg || rq.iptables_version || rq.pom_version ||
			 rq.drop_failing))
		return usage_error(
			"--trial, --iptables-version, --pom-version "
			"and --drop-failing-patches are for a build; "
			"a run from a bundle builds nothing");
	if (!opt.patches.nr && !opt.from) {
		/* the host's extension set, for the kernel it runs now */
		ctx_host_set(ctx, &opt.patches, NULL);
		if (!opt.patches.nr)
			return usage_error(
				"upgrade needs --patch NAME (for example "
				"--patch string), or --from BUNDLE; without "
				"them it brings the kernel to the host's "
				"extension set, and no run has made one yet");
		print_set(&opt.patches);
		if (!rq.pom_version)
			rq.pom_version = set_pom_version(ctx, &opt.patches);
	}
	/* a file is kept with the run by its absolute path: resume at boot
	 * runs from / */
	if (opt.from && !strstr(opt.from, "://") &&
	    !(from_path = realpath(opt.from, NULL))) {
		error("bundle '%s': %s", opt.from, strerror(errno));
		return EXIT_USAGE;
	}
	rq.from = from_path ? from_path : opt.from;
	if (opt.from && !from_sha_arg &&
	    *config_get(ctx->env.cfg, "bundle", "sha256"))
		from_sha_arg = config_get(ctx->env.cfg, "bundle", "sha256");
	rq.from_sha256 = from_sha_arg;
	if (opt.plan) {
		ctx->readonly = true;
		if (opt.from &&
		    bundle_patches(&ctx->env, ctx->state_dir.buf, opt.from,
				   from_sha_arg ?: "", true, &bundled) < 0)
			ret = EXIT_USAGE;
		if (opt.from)
			rq.patches = &bundled;
		if (!ret) /* the plan of a refused upgrade is its refusal */
			ret = lifecycle_plan_allowed(ctx, &rq);
		if (!ret) {
			lifecycle_new_run(ctx, &rq);
			ret = pipeline_preflight(ctx, true);
		}
		ret = ret ? ret : pipeline_plan(ctx);
		strvec_clear(&bundled);
		free(from_path);
		return ret;
	}
	ret = lifecycle_lock(ctx, &lock_fd);
	if (!ret && opt.from) {
		/* the bundle first: one that is damaged starts no run */
		if (bundle_patches(&ctx->env, ctx->state_dir.buf, rq.from,
				   from_sha_arg ?: "", false, &bundled) < 0)
			ret = EXIT_USAGE;
		rq.patches = &bundled;
	}
	if (!ret)
		ret = lifecycle_start(ctx, &rq);
	if (!ret)
		ret = pipeline_run(ctx, NULL);
	state_unlock(lock_fd);
	strvec_clear(&bundled);
	free(from_path);
	return ret;
}

static int no_run(struct ctx *ctx, const char *what)
{
	error("nothing to %s: there is no run in '%s'; start one with "
	      "pomctl upgrade --patch NAME",
	      what, ctx->state_dir.buf);
	return EXIT_USAGE;
}

static int resume_plan(struct ctx *ctx)
{
	int ret;

	ctx->readonly = true;
	ret = lifecycle_load(ctx, &rq);
	if (ret)
		return ret == -ENOENT ? no_run(ctx, "resume") : EXIT_USAGE;
	free(ctx->state->path);
	ctx->state->path = NULL; /* a plan never saves */
	return pipeline_plan(ctx);
}

/*
 * [general] follow_kernel_updates = yes: the boot service starts what the
 * sysadmin would, pomctl upgrade -y --auto-resume with no --patch.
 */
static int follow_set(struct ctx *ctx, const struct strvec *names)
{
	struct run_request follow = rq;
	int ret;

	if (ctx->state) { /* a finished run: the new one retires it */
		state_release(ctx->state);
		free(ctx->state);
		ctx->state = NULL;
	}
	follow.patches = names;
	follow.yes = true;
	follow.auto_resume = "yes";
	say("pomctl: [general] follow_kernel_updates = yes: pomctl upgrade "
	    "-y --auto-resume");
	log_event(LOG_NOTICE, "following the kernel update: pomctl upgrade "
			      "-y --auto-resume");
	ret = lifecycle_start(ctx, &follow);
	return ret ? ret : pipeline_run(ctx, NULL);
}

/* One line to the console and syslog: SUBJECT lacks NAMES of the set. */
static void lacks_notice(const char *subject, const struct strvec *names,
			 const char *why, const char *remedy)
{
	struct strbuf sb = STRBUF_INIT;

	hostset_lacks(subject, names, &sb);
	warning("%s%s: pomctl upgrade %s", sb.buf, why, remedy);
	log_event(LOG_WARNING, "%s (pomctl upgrade)", sb.buf);
	strbuf_release(&sb);
}

/*
 * At boot, with no run to go on with: whether the kernel that came up
 * carries the host's extension set (a kernel the distribution installed
 * since does not), and the installed iptables the set's iptables
 * extensions (one the distribution installed since does not), each said
 * in one line to the console and syslog; as
 * [general] follow_kernel_updates says, not at all, or followed by the
 * upgrade that brings it to the set.
 */
static int set_notice(struct ctx *ctx)
{
	const char *follow = config_get(ctx->env.cfg, "general",
					"follow_kernel_updates");
	struct strvec lacks = STRVEC_INIT, tools = STRVEC_INIT;
	struct strbuf subject = STRBUF_INIT;
	struct hostset hs;
	int ret = EXIT_DONE;

	if (!strcmp(follow, "no"))
		return EXIT_DONE;
	ctx_host_view(ctx, &hs, false);
	for (size_t i = 0; i < hs.nk; i++)
		for (size_t n = 0; hs.k[i].running && n < hs.names.nr; n++)
			if (!strvec_has(&hs.k[i].carries, hs.names.v[n]))
				strvec_push(&lacks, hs.names.v[n]);
	if (lacks.nr) {
		strbuf_addf(&subject, "the running kernel %s",
			    ctx->env.host.release);
		lacks_notice(subject.buf, &lacks, "",
			     "builds it a kernel that has them");
	}
	if (hostset_iptables_lacks(&hs, &tools)) {
		strbuf_reset(&subject);
		strbuf_addf(&subject, "the installed %s",
			    hs.iptables ?: "iptables (none installed)");
		lacks_notice(subject.buf, &tools,
			     " (a package update replaced pomctl's build)",
			     "builds it again");
	}
	if ((lacks.nr || tools.nr) && !strcmp(follow, "yes"))
		ret = follow_set(ctx, &hs.names);
	strvec_clear(&lacks);
	strvec_clear(&tools);
	strbuf_release(&subject);
	hostset_release(&hs);
	return ret;
}

static int resume_locked(struct ctx *ctx)
{
	int ret = lifecycle_load(ctx, &rq);

	if (ret == -ENOENT)
		return opt.at_boot ? set_notice(ctx) : no_run(ctx, "resume");
	if (ret)
		return EXIT_USAGE;
	if (opt.at_boot && !lifecycle_wanted_at_boot(ctx))
		return lifecycle_finished(ctx->state) ? set_notice(ctx) :
							EXIT_DONE;
	if (!opt.from && pipeline_nothing_to_do(ctx)) { /* nothing to ask */
		say("pomctl: nothing to do: run %s is finished and nothing it "
		    "depends on changed since (pomctl status shows it)",
		    ctx->state->id);
		return EXIT_DONE;
	}
	ret = lifecycle_consent(ctx, &rq, "resume", false);
	return ret ? ret : pipeline_run(ctx, opt.from);
}

static int cmd_resume(struct ctx *ctx, const char *arg)
{
	int lock_fd = -1, ret;

	(void)arg;
	ctx->from = opt.from; /* a step: resume --from STEP */
	if (opt.plan)
		return resume_plan(ctx);
	if (!is_dir(ctx->state_dir.buf))
		return opt.at_boot ? EXIT_DONE : no_run(ctx, "resume");
	ret = lifecycle_lock(ctx, &lock_fd);
	if (!ret)
		ret = resume_locked(ctx);
	state_unlock(lock_fd);
	return ret;
}

static int cmd_status(struct ctx *ctx, const char *arg)
{
	struct hostset hs;
	json_t *host;
	int ret;

	(void)arg;
	ctx->readonly = true;
	ret = lifecycle_load(ctx, &rq);
	if (ret == -1)
		return EXIT_USAGE;
	ctx_host_view(ctx, &hs, false);
	host = hostset_json(&hs);
	if (ret == -ENOENT && opt.json) {
		json_t *doc = json_pack("{s:i, s:s, s:[], s:O}", "schema", 1,
					"state_dir", ctx->state_dir.buf,
					"steps", "host", host);

		json_dumpf(doc, stdout, JSON_INDENT(2));
		putchar('\n');
		json_decref(doc);
		ret = EXIT_DONE;
	} else if (ret == -ENOENT) {
		printf("no run in progress in %s; start one with pomctl "
		       "upgrade --patch NAME (pomctl history lists the runs)\n",
		       ctx->state_dir.buf);
		ret = EXIT_DONE;
	} else {
		ret = pipeline_status(ctx, host);
	}
	if (!opt.json)
		hostset_print(&hs, stdout);
	json_decref(host);
	hostset_release(&hs);
	return ret;
}

static int print_log_json(const char *step, const char *path,
			  struct strbuf *text)
{
	json_t *doc = json_pack("{s:i, s:s, s:s, s:s%}", "schema", 1, "step",
				step, "path", path, "log", text->buf,
				text->len);

	if (!doc)
		return error("the log of step '%s' is not valid text", step);
	json_dumpf(doc, stdout, JSON_INDENT(2));
	putchar('\n');
	json_decref(doc);
	return 0;
}

static int cmd_log(struct ctx *ctx, const char *step)
{
	struct strbuf path = STRBUF_INIT, text = STRBUF_INIT;
	int ret;

	if (!pipeline_find_step(step)) {
		for (size_t i = 0; i < pomctl_nr_steps; i++)
			strbuf_addf(&text, "%s%s", i ? ", " : "",
				    pomctl_steps[i].name);
		ret = usage_error("unknown step '%s'; the steps are %s", step,
				  text.buf);
		strbuf_release(&text);
		return ret;
	}
	pipeline_log_path(ctx, step, &path);
	ret = read_file(path.buf, LOG_MAX_SIZE, true, &text);
	if (ret == -ENOENT) /* nothing to show: not a failed step */
		ret = error("step '%s' has no log yet ('%s' does not exist)",
			    step, path.buf) ?
			      EXIT_USAGE :
			      0;
	else if (ret)
		ret = error("cannot read '%s': %s", path.buf, strerror(-ret)) ?
			      EXIT_FAILED :
			      0;
	else if (opt.json)
		ret = print_log_json(step, path.buf, &text) ? EXIT_FAILED : 0;
	else
		fwrite(text.buf, 1, text.len, stdout);
	strbuf_release(&path);
	strbuf_release(&text);
	return ret;
}

static int cmd_rollback(struct ctx *ctx, const char *arg)
{
	(void)arg;
	return rollback_command(ctx, &rq, run_arg);
}

static int cmd_bundle(struct ctx *ctx, const char *arg)
{
	(void)arg;
	return bundle_command(ctx, &rq, output_arg, repo_arg);
}

static int cmd_history(struct ctx *ctx, const char *arg)
{
	struct history h;

	(void)arg;
	ctx->readonly = true;
	if (lifecycle_check_dir(ctx) < 0 ||
	    history_load(&h, ctx->state_dir.buf, pipeline_step_names(),
			 pomctl_nr_steps) < 0)
		return EXIT_USAGE;
	if (!h.nr && !opt.json)
		printf("no run in %s; start one with pomctl upgrade --patch "
		       "NAME\n",
		       ctx->state_dir.buf);
	else
		history_print(&h, opt.json);
	history_release(&h);
	return EXIT_DONE;
}

static int cmd_list_patches(struct ctx *ctx, const char *arg)
{
	unsigned long jobs = config_get_uint(ctx->env.cfg, "build", "jobs");
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);

	(void)arg;
	ctx->readonly = true;
	if (lifecycle_load(ctx, &rq) == -1)
		return EXIT_USAGE;
	if (!jobs)
		jobs = cpus > 0 ? (unsigned long)cpus : 1;
	return list_patches(ctx, kernel_arg, pom_arg,
			    names_only ? 0 : (unsigned)jobs);
}

struct command {
	const char *name;
	int (*fn)(struct ctx *ctx, const char *arg);
	unsigned flags;
	bool takes_arg;
};

static const struct command commands[] = {
	{ "upgrade", cmd_upgrade, SUB_PATCHES | SUB_VERSIONS | SUB_PLAN,
	  false },
	{ "resume", cmd_resume, SUB_FROM | SUB_VERSIONS | SUB_PLAN, false },
	{ "status", cmd_status, 0, false },
	{ "log", cmd_log, 0, true },
	{ "list-patches", cmd_list_patches, SUB_LIST, false },
	{ "history", cmd_history, 0, false },
	{ "rollback", cmd_rollback, SUB_PLAN | SUB_FORCE | SUB_RUN, false },
	{ "bundle", cmd_bundle, SUB_OUTPUT, false },
};

/* --- parsing ------------------------------------------------------------ */

static const struct command *find_command(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(commands); i++)
		if (!strcmp(commands[i].name, name))
			return &commands[i];
	return NULL;
}

static int check_trial(void)
{
	if (!trial_arg)
		return 0;
	if (strcmp(trial_arg, "full") && strcmp(trial_arg, "build") &&
	    strcmp(trial_arg, "skip"))
		return usage_error("bad value '%s' for --trial: use full, "
				   "build or skip",
				   trial_arg);
	opt.trial = trial_arg;
	return 0;
}

static int check_jobs(void)
{
	size_t n = strlen(jobs_arg);

	if (n == 0 || n > 4 || strspn(jobs_arg, "0123456789") != n ||
	    atoi(jobs_arg) < 1 || atoi(jobs_arg) > 1024) {
		usage_error("bad value '%s' for --jobs: use a number from 1 "
			    "to 1024",
			    jobs_arg);
		return -1;
	}
	opt.jobs = atoi(jobs_arg);
	return 0;
}

static int check_version(const char *option, const char *v)
{
	if (!v || version_is_valid(v))
		return 0;
	return usage_error("bad value '%s' for %s: use letters, digits, "
			   "'.', '_', '+' and '-'",
			   v, option);
}

/* Options are checked against the subcommand before any work. */
static int check_options(const struct command *cmd)
{
	if ((opt.patches.nr || trial_arg) && !(cmd->flags & SUB_PATCHES))
		return usage_error("--patch and --trial are options of "
				   "upgrade, not of %s",
				   cmd->name);
	if (opt.force && !(cmd->flags & (SUB_PATCHES | SUB_FORCE)))
		return usage_error("--force is for upgrade and rollback, not "
				   "for %s",
				   cmd->name);
	if ((rq.iptables_version || rq.pom_version || rq.drop_failing ||
	     rq.require_sums || opt.reboot) &&
	    !(cmd->flags & SUB_VERSIONS))
		return usage_error(
			"--iptables-version, --pom-version, "
			"--drop-failing-patches, --require-checksums and "
			"--reboot are for "
			"upgrade and resume, not for %s",
			cmd->name);
	if ((kernel_arg || pom_arg || names_only) && !(cmd->flags & SUB_LIST))
		return usage_error("--kernel, --pom and --names are options of "
				   "list-patches, not of %s",
				   cmd->name);
	if (opt.at_boot && !(cmd->flags & SUB_FROM))
		return usage_error(
			"--at-boot is an option of resume, not of %s",
			cmd->name);
	if (opt.from && !(cmd->flags & (SUB_FROM | SUB_PATCHES)))
		return usage_error("--from is an option of upgrade (a bundle) "
				   "and resume (a step), not of %s",
				   cmd->name);
	if (from_sha_arg && !opt.from)
		return usage_error("--from-sha256 goes with upgrade --from");
	if (from_sha_arg &&
	    (strlen(from_sha_arg) != 64 ||
	     from_sha_arg[strspn(from_sha_arg, "0123456789abcdef")]))
		return usage_error("--from-sha256 '%s' is not 64 lowercase "
				   "hex digits",
				   from_sha_arg);
	if (rq.auto_resume && !(cmd->flags & SUB_PATCHES))
		return usage_error("--auto-resume is an option of upgrade, not "
				   "of %s",
				   cmd->name);
	if ((opt.plan || opt.detailed_exitcode) && !(cmd->flags & SUB_PLAN))
		return usage_error("%s is for upgrade, resume and rollback "
				   "(with --plan), not for %s",
				   opt.plan ? "--plan" : "--detailed-exitcode",
				   cmd->name);
	if ((output_arg || repo_arg) && !(cmd->flags & SUB_OUTPUT))
		return usage_error("--output and --repo are options of bundle, "
				   "not of %s",
				   cmd->name);
	if (run_arg && !(cmd->flags & SUB_RUN))
		return usage_error("--run is an option of rollback, not of %s",
				   cmd->name);
	if (opt.detailed_exitcode && !opt.plan)
		return usage_error("--detailed-exitcode needs --plan");
	if (opt.quiet && opt.verbose)
		return usage_error("--quiet and --verbose contradict each "
				   "other");
	if (jobs_arg && check_jobs() < 0)
		return EXIT_USAGE;
	if (check_version("--iptables-version", rq.iptables_version) ||
	    check_version("--pom-version", rq.pom_version))
		return EXIT_USAGE;
	if (opt.from && (cmd->flags & SUB_FROM) &&
	    !pipeline_find_step(opt.from))
		return usage_error("unknown step '%s' for --from", opt.from);
	return check_trial();
}

static int add_patch(const char *name)
{
	if (!name || !patch_name_is_valid(name))
		return usage_error("bad patch name '%s': use letters, digits, "
				   "'_', '.', '+' and '-', starting with a "
				   "letter or digit",
				   name ? name : "");
	for (size_t i = 0; i < opt.patches.nr; i++)
		if (!strcmp(opt.patches.v[i], name))
			return 0;
	strvec_push(&opt.patches, name);
	return 0;
}

static void print_escaped(const char *s)
{
	for (; *s; s++)
		fputc((unsigned char)*s < 0x20 || *s == 0x7f ? '?' : *s,
		      stderr);
}

/* Every long option of the tables, "--name", for suggestions. */
static void long_options(const struct poptOption *t, struct strvec *out)
{
	for (; t->longName || t->arg; t++) {
		if (t->argInfo == POPT_ARG_INCLUDE_TABLE)
			long_options(t->arg, out);
		else if (t->longName)
			strvec_pushf(out, "--%s", t->longName);
	}
}

static int popt_failure(poptContext pc, int rc)
{
	const char *bad = poptBadOption(pc, POPT_BADOPTION_NOALIAS);
	struct strvec names = STRVEC_INIT;
	struct strbuf hint = STRBUF_INIT;

	if (rc == POPT_ERROR_BADOPT && !strncmp(bad, "--", 2)) {
		long_options(all_options, &names);
		suggest(strcspn(bad, "=") < strlen(bad) ?
				strndupa(bad, strcspn(bad, "=")) :
				bad,
			strvec_argv(&names), names.nr, &hint);
	}
	fputs("pomctl: ", stderr);
	print_escaped(bad);
	fprintf(stderr, ": %s%s (see pomctl --help)\n", poptStrerror(rc),
		hint.buf);
	strvec_clear(&names);
	strbuf_release(&hint);
	return EXIT_USAGE;
}

/* Parse argv; on success *cmd and *arg are set and -1 is returned. */
static int parse(poptContext pc, const struct command **cmd, const char **arg)
{
	const char *name, *extra;
	int rc;

	while ((rc = poptGetNextOpt(pc)) > 0) {
		if (rc == OPT_VERSION) {
			printf("pomctl %s\n", POMCTL_VERSION);
			return EXIT_DONE;
		}
		if (rc == OPT_DROP)
			rq.drop_failing = "yes";
		if (rc == OPT_AUTO)
			rq.auto_resume = "yes";
		if (rc == OPT_SUMS)
			rq.require_sums = "yes";
		if (rc == OPT_PATCH) {
			char *patch = poptGetOptArg(pc); /* ours to free */
			int bad = add_patch(patch);

			free(patch);
			if (bad)
				return EXIT_USAGE;
		}
	}
	if (rc < -1)
		return popt_failure(pc, rc);
	name = poptGetArg(pc);
	if (!name)
		return usage_error("no command given");
	*cmd = find_command(name);
	if (!*cmd) {
		const char *names[ARRAY_SIZE(commands)];
		struct strbuf hint = STRBUF_INIT;
		int ret;

		for (size_t i = 0; i < ARRAY_SIZE(commands); i++)
			names[i] = commands[i].name;
		suggest(name, names, ARRAY_SIZE(commands), &hint);
		ret = usage_error("unknown command '%s'%s", name, hint.buf);
		strbuf_release(&hint);
		return ret;
	}
	*arg = (*cmd)->takes_arg ? poptGetArg(pc) : NULL;
	if ((*cmd)->takes_arg && !*arg)
		return usage_error("%s needs an argument", name);
	extra = poptGetArg(pc);
	if (extra)
		return usage_error("unexpected argument '%s' for %s", extra,
				   name);
	return check_options(*cmd) ? EXIT_USAGE : -1;
}

static int dispatch(const struct command *cmd, const char *arg)
{
	struct strbuf root = STRBUF_INIT;
	struct config cfg;
	struct ctx ctx;
	int ret;

	rq.patches = &opt.patches;
	rq.trial = opt.trial;
	rq.force = opt.force;
	rq.plan = opt.plan;
	rq.yes = opt.yes;
	rq.verbose = opt.verbose;
	if (setup(&ctx, &cfg, &root) < 0)
		ret = EXIT_USAGE;
	else
		ret = cmd->fn(&ctx, arg);
	teardown(&ctx);
	strbuf_release(&root);
	return ret;
}

int main(int argc, const char **argv)
{
	poptContext pc = poptGetContext("pomctl", argc, argv, all_options, 0);
	const struct command *cmd = NULL;
	const char *arg = NULL;
	struct strbuf usage = STRBUF_INIT, steps = STRBUF_INIT;
	int ret;

	for (size_t i = 0; i < pomctl_nr_steps; i++)
		strbuf_addf(&steps, " %s", pomctl_steps[i].name);
	strbuf_addf(&usage, usage_head, steps.buf);
	poptSetOtherOptionHelp(pc, usage.buf);
	ret = parse(pc, &cmd, &arg);
	if (ret < 0) {
		log_setup(opt.quiet, opt.verbose);
		log_syslog_setup(!opt.no_syslog);
		run_setup_signals();
		ret = dispatch(cmd, arg);
		scratch_cleanup();
	}
	poptFreeContext(pc);
	strvec_clear(&opt.patches);
	strbuf_release(&usage);
	strbuf_release(&steps);
	return ret;
}
