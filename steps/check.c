// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Step 1, check: is each requested match already available to the running
 * kernel?  If all are, the run ends here (unless --force), with one
 * sentence saying where each one is.
 */
#include <stdlib.h>
#include <string.h>

#include "pomctl/host.h"
#include "pomctl/log.h"
#include "pomctl/util.h"
#include "steps.h"

static void probe_all(struct ctx *ctx, struct match_probe *probes)
{
	for (size_t i = 0; i < ctx->state->patches.nr; i++) {
		match_probe_init(&probes[i]);
		host_probe_match(ctx->env.root, ctx->env.host.release,
				 ctx->state->patches.v[i], &probes[i]);
	}
}

static void release_all(struct ctx *ctx, struct match_probe *probes)
{
	for (size_t i = 0; i < ctx->state->patches.nr; i++)
		match_probe_release(&probes[i]);
	free(probes);
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
	case MATCH_MAINLINE:
		strbuf_addf(sb,
			    "kernel %s has the %s %s in mainline: use "
			    "the %s module (modprobe %s), no patch is needed",
			    release, name, kind, p->detail.buf, p->detail.buf);
		break;
	}
}

static bool all_available(struct ctx *ctx, const struct match_probe *probes)
{
	for (size_t i = 0; i < ctx->state->patches.nr; i++)
		if (probes[i].where == MATCH_ABSENT)
			return false;
	return true;
}

bool check_all_available(struct ctx *ctx)
{
	struct match_probe *probes;
	bool all;

	if (ctx->state->force)
		return false;
	probes = xcalloc(ctx->state->patches.nr + 1, sizeof(*probes));
	probe_all(ctx, probes);
	all = all_available(ctx, probes);
	release_all(ctx, probes);
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
void check_fingerprint(struct ctx *ctx, struct fingerprint *fp)
{
	struct match_probe *probes;
	struct strbuf sb = STRBUF_INIT;

	fp_add(fp, "run force", ctx->state->force ? "yes" : "no");
	if (!pipeline_step_ended_run(ctx, "check") || check_release(ctx) < 0)
		return;
	fp_add(fp, "host release", ctx->env.host.release);
	probes = xcalloc(ctx->state->patches.nr, sizeof(*probes));
	probe_all(ctx, probes);
	for (size_t i = 0; i < ctx->state->patches.nr; i++) {
		strbuf_reset(&sb);
		strbuf_addf(&sb, "match %s", ctx->state->patches.v[i]);
		fp_add(fp, sb.buf,
		       probes[i].detail.len ? probes[i].detail.buf : "absent");
	}
	release_all(ctx, probes);
	strbuf_release(&sb);
}

int check_plan(struct ctx *ctx)
{
	struct match_probe *probes;
	struct strbuf sb = STRBUF_INIT;
	int ret;

	if (check_release(ctx) < 0)
		return -1;
	probes = xcalloc(ctx->state->patches.nr, sizeof(*probes));
	probe_all(ctx, probes);
	for (size_t i = 0; i < ctx->state->patches.nr; i++) {
		for (size_t j = 0; j < probes[i].looked.nr; j++)
			plan_note(ctx->env.plan, "%s", probes[i].looked.v[j]);
		strbuf_reset(&sb);
		describe(ctx->state->patches.v[i], &probes[i],
			 ctx->env.host.release, &sb);
		plan_note(ctx->env.plan, "%s", sb.buf);
	}
	if (all_available(ctx, probes))
		plan_note(ctx->env.plan,
			  ctx->state->force ?
				  "--force: the run goes on all the same" :
				  "the run would end here (--force goes on)");
	ret = all_available(ctx, probes) && !ctx->state->force ? STEP_FINISH :
								 0;
	release_all(ctx, probes);
	strbuf_release(&sb);
	return ret;
}

int check_run(struct ctx *ctx)
{
	struct match_probe *probes;
	struct strbuf sb = STRBUF_INIT, all = STRBUF_INIT;
	int ret = 0;

	if (check_release(ctx) < 0)
		return -1;
	probes = xcalloc(ctx->state->patches.nr, sizeof(*probes));
	probe_all(ctx, probes);
	for (size_t i = 0; i < ctx->state->patches.nr; i++) {
		strbuf_reset(&sb);
		describe(ctx->state->patches.v[i], &probes[i],
			 ctx->env.host.release, &sb);
		for (size_t j = 0; j < probes[i].looked.nr; j++)
			steplog_printf(ctx->env.log_fd, "%s",
				       probes[i].looked.v[j]);
		steplog_printf(ctx->env.log_fd, "%s", sb.buf);
		info("  %s", sb.buf);
		strbuf_addf(&all, "%s%s", i ? "; " : "", sb.buf);
	}
	state_set_output(ctx->state, "check", "release", ctx->env.host.release);
	if (all_available(ctx, probes) && !ctx->state->force) {
		strbuf_addstr(&all, ": nothing to do (--force goes on anyway)");
		pipeline_end_run(ctx, all.buf);
		ret = STEP_FINISH;
	}
	release_all(ctx, probes);
	strbuf_release(&sb);
	strbuf_release(&all);
	return ret;
}
