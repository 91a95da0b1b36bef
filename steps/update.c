// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Step 2, update: run the distribution's updater, including the kernel
 * packages it skips by configuration, then insist (asking the rpm database
 * through librpm) that the kernel source package is installed at the
 * version-release of the newest installed kernel.
 */
#include <stdlib.h>
#include <string.h>

#include "pomctl/history.h"
#include "pomctl/log.h"
#include "pomctl/pipeline.h"
#include "pomctl/rpmdb.h"
#include "pomctl/run-command.h"
#include "pomctl/util.h"
#include "steps.h"

#define KERNEL_PACKAGE "kernel"

/* What the rpm database says now. */
struct kernels {
	struct rpmpkg kernel, source, iptables;
	bool have_kernel, have_source, have_iptables;
};

static void kernels_clear(struct kernels *k)
{
	if (k->have_kernel)
		rpmdb_pkg_clear(&k->kernel);
	if (k->have_source)
		rpmdb_pkg_clear(&k->source);
	if (k->have_iptables)
		rpmdb_pkg_clear(&k->iptables);
}

static int query(struct ctx *ctx, struct kernels *k)
{
	struct rpmdb db;

	memset(k, 0, sizeof(*k));
	if (ctx_rpmdb_open(ctx, &db))
		return -1;
	k->have_kernel = rpmdb_newest(&db, KERNEL_PACKAGE, &k->kernel) == 0;
	k->have_source = rpmdb_newest(&db,
				      config_get(ctx->env.cfg, "update",
						 "source_package"),
				      &k->source) == 0;
	k->have_iptables = rpmdb_newest(&db, "iptables", &k->iptables) == 0;
	rpmdb_close(&db);
	return 0;
}

/* One updater command: the configured program, then args. */
static void add_command(struct ctx *ctx, const char *program,
			const char *const *args, struct strvec **cmds,
			size_t *n)
{
	*cmds = xrealloc(*cmds, (*n + 1) * sizeof(**cmds));
	strvec_init(&(*cmds)[*n]);
	config_get_words(ctx->env.cfg, "commands", program, &(*cmds)[*n]);
	strvec_pushv(&(*cmds)[*n], args);
	(*n)++;
}

/* The commands of the configured updater, given what is installed. */
static size_t updater_commands(struct ctx *ctx, const struct kernels *k,
			       struct strvec **cmds)
{
	const char *updater = config_get(ctx->env.cfg, "update", "updater");
	const char *source = config_get(ctx->env.cfg, "update",
					"source_package");
	size_t n = 0;

	*cmds = NULL;
	if (!strcmp(updater, "up2date")) {
		add_command(ctx, "up2date", (const char *const[]){ "-u", NULL },
			    cmds, &n);
		add_command(ctx, "up2date",
			    (const char *const[]){
				    "-f", KERNEL_PACKAGE,
				    k->have_source ? source : NULL, NULL },
			    cmds, &n);
		if (!k->have_source)
			add_command(ctx, "up2date",
				    (const char *const[]){ "-i", source, "-f",
							   NULL },
				    cmds, &n);
	} else if (strcmp(updater, "none")) {
		add_command(ctx, updater,
			    (const char *const[]){ "-y", "update", NULL }, cmds,
			    &n);
		if (!k->have_source)
			add_command(ctx, updater,
				    (const char *const[]){ "-y", "install",
							   source, NULL },
				    cmds, &n);
	}
	return n;
}

static void free_commands(struct strvec *cmds, size_t n)
{
	for (size_t i = 0; i < n; i++)
		strvec_clear(&cmds[i]);
	free(cmds);
}

/* "kernel 2.4.20-13.8, kernel-source 2.4.20-13.8" */
static void describe(struct ctx *ctx, const struct kernels *k,
		     struct strbuf *sb)
{
	const char *source = config_get(ctx->env.cfg, "update",
					"source_package");

	strbuf_addstr(sb, "newest installed kernel: ");
	if (k->have_kernel)
		rpmdb_pkg_vr(&k->kernel, sb);
	else
		strbuf_addstr(sb, "none");
	strbuf_addf(sb, "; %s: ", source);
	if (k->have_source)
		rpmdb_pkg_vr(&k->source, sb);
	else
		strbuf_addstr(sb, "not installed");
}

/* The source package must match the newest kernel; 0 or -1 (reported). */
static int assert_matching(struct ctx *ctx, const struct kernels *k)
{
	const char *source = config_get(ctx->env.cfg, "update",
					"source_package");
	struct strbuf kv = STRBUF_INIT, sv = STRBUF_INIT;
	int ret = 0;

	if (!k->have_kernel)
		return error("no '%s' package is installed: pomctl builds on "
			     "the distribution's kernel",
			     KERNEL_PACKAGE);
	rpmdb_pkg_vr(&k->kernel, &kv);
	if (!k->have_source)
		ret = error("%s is not installed: install %s-%s (for example "
			    "up2date -i %s -f), then run pomctl resume",
			    source, source, kv.buf, source);
	else {
		rpmdb_pkg_vr(&k->source, &sv);
		if (strcmp(kv.buf, sv.buf))
			ret = error("%s is %s but the newest installed kernel "
				    "is %s: install %s-%s, then run pomctl "
				    "resume",
				    source, sv.buf, kv.buf, source, kv.buf);
	}
	strbuf_clear(&kv);
	strbuf_clear(&sv);
	return ret;
}

void update_fingerprint(struct ctx *ctx, struct fingerprint *fp)
{
	const char *updater = config_get(ctx->env.cfg, "update", "updater");

	fp_add_config(fp, ctx, "update", "updater");
	fp_add_config(fp, ctx, "update", "source_package");
	fp_add_config(fp, ctx, "rpm", "dbpath");
	if (strcmp(updater, "none"))
		fp_add_config(fp, ctx, "commands", updater);
}

/*
 * Each updater command is a stage: after a failure, resume does not run
 * again the commands that went through (the same commands, in the same
 * order).  Whether command i runs, for the plan as for the run; stage and
 * argv get its name and its text.
 */
static bool command_runs(struct ctx *ctx, size_t i, struct strvec *cmd,
			 struct strbuf *stage, struct strbuf *argv)
{
	strbuf_reset(stage);
	strbuf_reset(argv);
	strbuf_addf(stage, "command %zu", i + 1);
	quote_argv(argv, strvec_argv(cmd));
	return !pipeline_stage_skip(ctx, stage->buf, argv->buf);
}

int update_plan(struct ctx *ctx)
{
	struct kernels k;
	struct strvec *cmds;
	struct strbuf sb = STRBUF_INIT, stage = STRBUF_INIT, argv = STRBUF_INIT;
	size_t n;

	if (query(ctx, &k) < 0)
		return -1;
	n = updater_commands(ctx, &k, &cmds);
	for (size_t i = 0; i < n; i++) {
		if (!command_runs(ctx, i, &cmds[i], &stage, &argv))
			continue;
		plan_command(ctx->env.plan, strvec_argv(&cmds[i]), NULL);
		if (i == 0) /* updater_commands: the whole system first */
			plan_headline(ctx->env.plan,
				      "update every package of the system "
				      "that has an update: %s",
				      argv.buf);
	}
	describe(ctx, &k, &sb);
	plan_note(ctx->env.plan, "now: %s", sb.buf);
	plan_note(ctx->env.plan,
		  "afterwards %s must be installed at the "
		  "version-release of the newest kernel",
		  config_get(ctx->env.cfg, "update", "source_package"));
	plan_note(ctx->env.plan,
		  "when the update installs a newer kernel and its %s (the "
		  "distribution's errata), the later steps build on that "
		  "tree instead of this one: the plan of a run begun after "
		  "the update shows them",
		  config_get(ctx->env.cfg, "update", "source_package"));
	free_commands(cmds, n);
	kernels_clear(&k);
	strbuf_clear(&sb);
	strbuf_clear(&stage);
	strbuf_clear(&argv);
	return 0;
}

/* Whether the space-separated package paths hold the build nvr. */
static bool built_here(const char *paths, const char *nvr)
{
	struct strvec v = STRVEC_INIT;
	size_t n = strlen(nvr);
	bool found = false;

	strvec_split(&v, paths, " ");
	for (size_t i = 0; i < v.nr && !found; i++) {
		const char *base = strrchr(v.v[i], '/');

		base = base ? base + 1 : v.v[i];
		found = !strncmp(base, nvr, n) && base[n] == '.';
	}
	strvec_clear(&v);
	return found;
}

/*
 * The distribution's SRPM for the fetch step: the installed iptables'
 * SOURCERPM -- unless that iptables is one an earlier run built (a
 * rollback that had no copy of the distribution's package leaves it):
 * then the SRPM that run started from, never pomctl's own.
 */
void update_distribution_srpm(struct ctx *ctx, const struct rpmpkg *ipt,
			      struct strbuf *out)
{
	struct history h;
	struct strbuf nvr = STRBUF_INIT;
	const char *srpm = ipt->sourcerpm;
	bool quiet = error_set_quiet(true);

	rpmdb_pkg_nvr(ipt, &nvr);
	if (history_load(&h, ctx->state_dir.buf, pipeline_step_names(),
			 pomctl_nr_steps) == 0) {
		for (size_t i = h.nr; i-- > 0;) {
			struct state *st = &h.e[i].st;
			const char *built = state_get_output(st, "rpm",
							     "packages");
			const char *from = state_get_output(st, "update",
							    "iptables_srpm");

			/* not this run (a plan's: the finished run is still
			 * the current one until the new one starts) */
			if (strcmp(st->id, ctx->state->id) && built && from &&
			    *from && built_here(built, nvr.buf)) {
				srpm = from;
				break;
			}
		}
	}
	strbuf_addstr(out, srpm);
	history_clear(&h);
	error_set_quiet(quiet);
	strbuf_clear(&nvr);
}

/* The updater's commands, each a stage (see command_runs). */
static int run_updater(struct ctx *ctx, struct strvec *cmds, size_t n)
{
	struct strbuf stage = STRBUF_INIT, argv = STRBUF_INIT;
	int ret = 0;

	for (size_t i = 0; i < n && !ret; i++) {
		struct child_process cp = CHILD_PROCESS_INIT;

		if (!command_runs(ctx, i, &cmds[i], &stage, &argv))
			continue;
		strvec_pushv(&cp.args, strvec_argv(&cmds[i]));
		cp.log_fd = ctx->env.log_fd;
		cp.label = "update";
		ret = run_command(&cp);
		if (ret)
			ret = ret < 0 ? -1 :
					error("'%s' exited with %d",
					      cmds[i].v[0], ret);
		else
			ret = pipeline_stage_done(ctx, stage.buf, argv.buf);
	}
	strbuf_clear(&stage);
	strbuf_clear(&argv);
	return ret;
}

/*
 * When the updater installed a newer kernel than there was: the run
 * builds on it, and the host's extension set must follow (a kernel the
 * distribution installs carries none of it).
 */
static void say_new_kernel(struct ctx *ctx, const struct rpmpkg *kernel,
			   const char *before)
{
	struct strbuf now = STRBUF_INIT, msg = STRBUF_INIT;
	struct strvec set = STRVEC_INIT;

	rpmdb_pkg_vr(kernel, &now);
	if (*before && strcmp(now.buf, before)) {
		strbuf_addf(&msg,
			    "the update installed the distribution's kernel "
			    "%s (the newest was %s): the run builds on it",
			    now.buf, before);
		ctx_host_set(ctx, &set, NULL);
		for (size_t i = 0; i < ctx->state->patches.nr; i++)
			strvec_push(&set, ctx->state->patches.v[i]);
		if (set.nr) {
			strbuf_addstr(&msg, ", with ");
			strvec_join(&set, " ", &msg);
		}
		steplog_printf(ctx->env.log_fd, "%s", msg.buf);
		info("  %s", msg.buf);
	}
	strvec_clear(&set);
	strbuf_clear(&now);
	strbuf_clear(&msg);
}

int update_run(struct ctx *ctx)
{
	struct kernels k;
	struct strvec *cmds;
	struct strbuf sb = STRBUF_INIT, before = STRBUF_INIT;
	size_t n;
	int ret;

	if (query(ctx, &k) < 0)
		return -1;
	n = updater_commands(ctx, &k, &cmds);
	if (k.have_kernel)
		rpmdb_pkg_vr(&k.kernel, &before);
	kernels_clear(&k);
	ret = run_updater(ctx, cmds, n);
	free_commands(cmds, n);
	if (ret || query(ctx, &k) < 0) {
		strbuf_clear(&before);
		return -1;
	}
	describe(ctx, &k, &sb);
	steplog_printf(ctx->env.log_fd, "%s", sb.buf);
	info("  %s", sb.buf);
	if (k.have_kernel)
		say_new_kernel(ctx, &k.kernel, before.buf);
	strbuf_clear(&before);
	ret = assert_matching(ctx, &k);
	if (!ret) {
		strbuf_reset(&sb);
		rpmdb_pkg_vr(&k.kernel, &sb);
		ctx_set_output(ctx, "update", "kernel", sb.buf);
		strbuf_reset(&sb);
		rpmdb_pkg_vr(&k.source, &sb);
		ctx_set_output(ctx, "update", "source", sb.buf);
		/* the fetch step's SRPM, named before install replaces it */
		strbuf_reset(&sb);
		if (k.have_iptables)
			update_distribution_srpm(ctx, &k.iptables, &sb);
		ctx_set_output(ctx, "update", "iptables_srpm", sb.buf);
	}
	kernels_clear(&k);
	strbuf_clear(&sb);
	return ret;
}
