// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Step 1, check: is each requested match, and each of the host's extension
 * set, already available to the running kernel -- and the set to the
 * newest kernel package, and the set's iptables extensions to the
 * installed iptables?  If all are, the run ends here
 * (unless --force), with one sentence saying where each one is.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pomctl/host.h"
#include "pomctl/hostset.h"
#include "pomctl/log.h"
#include "pomctl/names.h"
#include "pomctl/rpmdb.h"
#include "pomctl/util.h"
#include "steps.h"

/*
 * The matches looked for: the run's, and those of the host's extension
 * set it does not name (a kernel that lacks one of them is not the end
 * of the run: the run builds a kernel with the whole set); and the set's
 * iptables extensions that the installed iptables lacks (a package update
 * replaced pomctl's build: the run builds it again).
 */
struct probes {
	struct strvec names;
	struct match_probe *p;
	struct strvec newest_lacks, iptables_lacks;
	char *newest;	     /* the newest kernel package, when it lacks some */
	bool newest_default; /* the boot loader's default */
	char *iptables;	     /* the installed one, when it lacks some */
};

/*
 * What the host has of its set beyond the running kernel: the kernel the
 * distribution installed last (the one it boots next) and the iptables
 * installed (a package update may have replaced pomctl's build).
 */
static void probe_host(struct ctx *ctx, struct probes *pr)
{
	struct hostset hs;

	if (!ctx_host_view(ctx, &hs, true)) {
		hostset_clear(&hs);
		return;
	}
	if (hostset_newest_lacks(&hs, &pr->newest_lacks)) {
		pr->newest = xstrdup(hs.newest);
		for (size_t i = 0; i < hs.nk; i++)
			if (!strcmp(hs.k[i].release, hs.newest))
				pr->newest_default = hs.k[i].is_default;
	}
	if (hostset_iptables_lacks(&hs, &pr->iptables_lacks))
		pr->iptables = xstrdup(hs.iptables ?:
						     "iptables (none "
						     "installed)");
	hostset_clear(&hs);
}

static void probe_all(struct ctx *ctx, struct probes *pr)
{
	strvec_init(&pr->names);
	strvec_init(&pr->newest_lacks);
	strvec_init(&pr->iptables_lacks);
	pr->newest = pr->iptables = NULL;
	pr->newest_default = false;
	for (size_t i = 0; i < ctx->state->patches.nr; i++)
		strvec_push(&pr->names, ctx->state->patches.v[i]);
	ctx_host_set(ctx, &pr->names, NULL);
	pr->p = xcalloc(pr->names.nr + 1, sizeof(*pr->p));
	for (size_t i = 0; i < pr->names.nr; i++) {
		match_probe_init(&pr->p[i]);
		host_probe_match(ctx->env.root, ctx->env.host.release,
				 pr->names.v[i], &pr->p[i]);
	}
	probe_host(ctx, pr);
}

static void release_all(struct probes *pr)
{
	for (size_t i = 0; i < pr->names.nr; i++)
		match_probe_clear(&pr->p[i]);
	free(pr->p);
	strvec_clear(&pr->names);
	strvec_clear(&pr->newest_lacks);
	strvec_clear(&pr->iptables_lacks);
	free(pr->newest);
	free(pr->iptables);
}

/* The sentences for what probe_host found, each added to lines. */
static void describe_host(const struct probes *pr, struct strvec *lines)
{
	struct strbuf sb = STRBUF_INIT, subject = STRBUF_INIT;

	if (pr->newest) {
		strbuf_addf(&subject, "the newest installed kernel %s",
			    pr->newest);
		hostset_lacks(subject.buf, &pr->newest_lacks, &sb);
		strbuf_addf(&sb,
			    " (the distribution's%s): the run builds it a "
			    "kernel that has them",
			    pr->newest_default ? ", the boot loader's default: "
						 "the host boots it next" :
						 "");
		strvec_push(lines, sb.buf);
	}
	if (pr->iptables) {
		strbuf_reset(&sb);
		strbuf_reset(&subject);
		strbuf_addf(&subject, "the installed %s", pr->iptables);
		hostset_lacks(subject.buf, &pr->iptables_lacks, &sb);
		strbuf_addstr(&sb, " (a package update replaced pomctl's "
				   "build): the run builds it again");
		strvec_push(lines, sb.buf);
	}
	strbuf_clear(&sb);
	strbuf_clear(&subject);
}

/* One clause per match or target: where it is, or that it is not there. */
static void describe(const char *name, const struct match_probe *p,
		     const char *release, struct strbuf *sb)
{
	const char *kind = extension_is_target(name) ? "target" : "match";

	switch (p->where) {
	case MATCH_ABSENT:
		strbuf_addf(sb, "the %s %s is not available to %s", name, kind,
			    release);
		break;
	case MATCH_MODULE:
		strbuf_addf(sb,
			    "the %s %s is already available to %s as "
			    "the module %s",
			    name, kind, release, p->detail.buf);
		break;
	case MATCH_REGISTERED:
		strbuf_addf(sb,
			    "the %s %s is already in the running "
			    "kernel (listed in %s)",
			    name, kind, p->detail.buf);
		break;
	case MATCH_BUILTIN:
		strbuf_addf(sb,
			    "the %s %s is built into kernel %s (%s): no "
			    "module to load, no patch is needed",
			    name, kind, release, p->detail.buf);
		break;
	case MATCH_MAINLINE:
		strbuf_addf(sb,
			    "kernel %s has the %s %s in mainline: use "
			    "the %s module (modprobe %s), no patch is needed",
			    release, name, kind, p->detail.buf, p->detail.buf);
		if (p->by_version)
			strbuf_addf(sb,
				    " (by its version: no /boot/config-%s says "
				    "how it is built)",
				    release);
		break;
	}
}

static bool all_available(const struct probes *pr)
{
	for (size_t i = 0; i < pr->names.nr; i++)
		if (pr->p[i].where == MATCH_ABSENT)
			return false;
	return !pr->newest && !pr->iptables;
}

bool check_all_available(struct ctx *ctx)
{
	struct probes pr;
	bool all;

	if (ctx->state->force)
		return false;
	probe_all(ctx, &pr);
	all = all_available(&pr);
	release_all(&pr);
	return all;
}

static int check_release(struct ctx *ctx)
{
	unsigned v[3];

	if (kernel_version(ctx->env.host.release, v) < 0)
		return error("the running release '%s' is not a kernel "
			     "release; pin it with [host] release",
			     ctx->env.host.release);
	return 0;
}

/*
 * A check that let the run go on is never repeated (the host changes under
 * the run: reboots, modules); one that ended the run is asked again on
 * every resume, since its answer may have changed.
 */
/* The sentence for the i-th match of pr (one of the set's says so). */
static void say_probe(struct ctx *ctx, const struct probes *pr, size_t i,
		      struct strbuf *sb)
{
	strbuf_reset(sb);
	describe(pr->names.v[i], &pr->p[i], ctx->env.host.release, sb);
	if (i >= ctx->state->patches.nr)
		strbuf_addstr(sb, " (of the host's extension set)");
}

void check_fingerprint(struct ctx *ctx, struct fingerprint *fp)
{
	struct strvec lines = STRVEC_INIT;
	struct strbuf sb = STRBUF_INIT;
	struct probes pr;

	fp_add(fp, "run force", ctx->state->force ? "yes" : "no");
	if (!pipeline_step_ended_run(ctx, "check") || check_release(ctx) < 0)
		return;
	fp_add(fp, "host release", ctx->env.host.release);
	probe_all(ctx, &pr);
	for (size_t i = 0; i < pr.names.nr; i++) {
		strbuf_reset(&sb);
		strbuf_addf(&sb, "match %s", pr.names.v[i]);
		fp_add(fp, sb.buf,
		       pr.p[i].detail.len ? pr.p[i].detail.buf : "absent");
	}
	describe_host(&pr, &lines);
	for (size_t i = 0; i < lines.nr; i++)
		fp_add(fp, "host", lines.v[i]);
	strvec_clear(&lines);
	release_all(&pr);
	strbuf_clear(&sb);
}

int check_plan(struct ctx *ctx)
{
	struct strvec lines = STRVEC_INIT;
	struct strbuf sb = STRBUF_INIT;
	struct probes pr;
	int ret;

	if (check_release(ctx) < 0)
		return -1;
	probe_all(ctx, &pr);
	for (size_t i = 0; i < pr.names.nr; i++) {
		for (size_t j = 0; j < pr.p[i].looked.nr; j++)
			plan_note(ctx->env.plan, "%s", pr.p[i].looked.v[j]);
		say_probe(ctx, &pr, i, &sb);
		plan_note(ctx->env.plan, "%s", sb.buf);
	}
	describe_host(&pr, &lines);
	for (size_t i = 0; i < lines.nr; i++)
		plan_note(ctx->env.plan, "%s", lines.v[i]);
	strvec_clear(&lines);
	if (all_available(&pr))
		plan_note(ctx->env.plan,
			  ctx->state->force ?
				  "--force: the run goes on all the same" :
				  "the run would end here (--force goes on)");
	ret = all_available(&pr) && !ctx->state->force ? STEP_FINISH : 0;
	release_all(&pr);
	strbuf_clear(&sb);
	return ret;
}

int check_run(struct ctx *ctx)
{
	struct strvec lines = STRVEC_INIT;
	struct strbuf sb = STRBUF_INIT, all = STRBUF_INIT;
	struct probes pr;
	int ret = 0;

	if (check_release(ctx) < 0)
		return -1;
	probe_all(ctx, &pr);
	for (size_t i = 0; i < pr.names.nr; i++) {
		say_probe(ctx, &pr, i, &sb);
		for (size_t j = 0; j < pr.p[i].looked.nr; j++)
			steplog_printf(ctx->env.log_fd, "%s",
				       pr.p[i].looked.v[j]);
		steplog_printf(ctx->env.log_fd, "%s", sb.buf);
		info("  %s", sb.buf);
		strbuf_addf(&all, "%s%s", i ? "; " : "", sb.buf);
	}
	describe_host(&pr, &lines);
	for (size_t i = 0; i < lines.nr; i++) {
		steplog_printf(ctx->env.log_fd, "%s", lines.v[i]);
		info("  %s", lines.v[i]);
	}
	strvec_clear(&lines);
	ctx_set_output(ctx, "check", "release", ctx->env.host.release);
	if (all_available(&pr) && !ctx->state->force) {
		strbuf_addstr(&all, ": nothing to do (--force goes on anyway)");
		pipeline_end_run(ctx, all.buf);
		ret = STEP_FINISH;
	}
	release_all(&pr);
	strbuf_clear(&sb);
	strbuf_clear(&all);
	return ret;
}

/* Whether the command (its first word) can be run: a path, or on PATH. */
static bool can_run(const struct config *cfg, const char *key)
{
	struct strvec argv = STRVEC_INIT;
	const char *path = getenv("PATH");
	struct strbuf try = STRBUF_INIT;
	bool found = false;

	config_get_words(cfg, "commands", key, &argv);
	if (argv.nr && strchr(argv.v[0], '/'))
		found = access(argv.v[0], X_OK) == 0;
	for (const char *p = path; argv.nr && !found && p && *p;) {
		size_t n = strcspn(p, ":");

		strbuf_reset(&try);
		strbuf_addf(&try, "%.*s/%s", (int)n, p, argv.v[0]);
		found = access(try.buf, X_OK) == 0;
		p += n + (p[n] == ':');
	}
	strvec_clear(&argv);
	strbuf_clear(&try);
	return found;
}

/* What of the rpm side is missing: the database, iptables as a package. */
static void rpm_fit(struct ctx *ctx, struct strvec *missing)
{
	static const char *const binaries[] = { "/sbin/iptables",
						"/usr/sbin/iptables" };
	struct strbuf path = STRBUF_INIT;
	struct rpmdb db;
	struct rpmpkg pkg;
	bool quiet = error_set_quiet(true), here = false;

	/* read only, in place: before consent nothing of the host changes */
	if (rpmdb_open(&db, ctx->env.root,
		       config_get(ctx->env.cfg, "rpm", "dbpath"), true) < 0) {
		env_path(&ctx->env, config_get(ctx->env.cfg, "rpm", "dbpath"),
			 &path);
		strvec_pushf(missing,
			     "no rpm database at '%s' (pomctl reads the kernel "
			     "and iptables packages there and installs its "
			     "builds through it; see [rpm] dbpath)",
			     path.buf);
		goto out;
	}
	if (rpmdb_newest(&db, "iptables", &pkg) == 0) {
		rpmdb_pkg_clear(&pkg);
	} else {
		for (size_t i = 0; i < ARRAY_SIZE(binaries) && !here; i++) {
			env_path(&ctx->env, binaries[i], &path);
			here = access(path.buf, X_OK) == 0;
		}
		strvec_pushf(missing,
			     "%s (pomctl rebuilds the distribution's "
			     "iptables RPM)",
			     here ? "iptables is here, but not as an RPM "
				    "package" :
				    "no iptables package is installed");
	}
	rpmdb_close(&db);
out:
	error_set_quiet(quiet);
	strbuf_clear(&path);
}

/*
 * Before a run that goes past check starts, and in its plan: whether this
 * is a host pomctl can take through the procedure at all -- an rpm
 * database with iptables in it, the updater, the boot loader's
 * configuration -- said in one message naming each thing missing and why
 * it is needed.  0, or -1 (reported).
 */
int check_host_fits(struct ctx *ctx, bool plan)
{
	const char *updater = config_get(ctx->env.cfg, "update", "updater");
	struct strvec missing = STRVEC_INIT;
	struct strbuf path = STRBUF_INIT, all = STRBUF_INIT;
	int ret = 0;

	(void)plan; /* it only reads */
	if (!*ctx->state->bundle && check_all_available(ctx))
		return 0; /* the run ends at check: nothing else is asked */
	rpm_fit(ctx, &missing);
	if (!*ctx->state->bundle && strcmp(updater, "none") &&
	    !can_run(ctx->env.cfg, updater))
		strvec_pushf(&missing,
			     "no '%s' to run ([update] updater = %s, "
			     "[commands] %s: step 2 updates the system and the "
			     "kernel sources with it)",
			     updater, updater, updater);
	env_path(&ctx->env, config_get(ctx->env.cfg, "boot", "config"), &path);
	if (!path_exists(path.buf))
		strvec_pushf(&missing,
			     "no boot loader configuration at '%s' (pomctl "
			     "adds the new kernel's entry there and keeps the "
			     "old one the default; see [boot] config)",
			     path.buf);
	if (missing.nr) {
		strvec_join(&missing, "; ", &all);
		ret = error("this host lacks what pomctl needs (a Red "
			    "Hat-style host: the kernel and iptables as RPMs, "
			    "up2date, yum or dnf, GRUB or LILO): %s; nothing "
			    "was changed",
			    all.buf);
	}
	strvec_clear(&missing);
	strbuf_clear(&path);
	strbuf_clear(&all);
	return ret;
}
