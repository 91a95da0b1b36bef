// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A run from a bundle (pomctl upgrade --from): the steps that build have
 * nothing to do (the bundle brings what they make, and their outputs as
 * the build run recorded them, so that install and verify read them as
 * after a build); fetch gets the bundle, checks every file against its
 * manifest and this host against its base.
 */
#include <string.h>

#include "pomctl/bundle.h"
#include "pomctl/log.h"
#include "pomctl/scratch.h"
#include "pomctl/util.h"
#include "steps.h"

bool from_bundle(const struct ctx *ctx)
{
	return ctx->state && *ctx->state->bundle;
}

/* STATE/bundles/RUN: the bundle, extracted, until the run is retired. */
static void bundle_dir(const struct ctx *ctx, struct strbuf *sb)
{
	strbuf_reset(sb);
	strbuf_addf(sb, "%s/bundles/%s", ctx->state_dir.buf, ctx->state->id);
}

static int skip_plan(struct ctx *ctx)
{
	plan_note(ctx->env.plan, "nothing to build: the bundle brings it");
	return 0;
}

static int skip_run(struct ctx *ctx, const char *step)
{
	struct strvec keys = STRVEC_INIT, values = STRVEC_INIT;
	struct strbuf dir = STRBUF_INIT;
	int ret;

	bundle_dir(ctx, &dir);
	/* update runs before fetch: the bundle records no outputs of it */
	ret = strcmp(step, "update") ?
		      bundle_step_outputs(dir.buf, step, &keys, &values) :
		      0;
	for (size_t i = 0; !ret && i < keys.nr; i++)
		ctx_set_output(ctx, step, keys.v[i], values.v[i]);
	strvec_clear(&keys);
	strvec_clear(&values);
	strbuf_clear(&dir);
	return ret ? -1 : STEP_SKIP;
}

#define BUILD_STEP(name)                                                     \
	int name##_any_plan(struct ctx *ctx)                                 \
	{                                                                    \
		return from_bundle(ctx) ? skip_plan(ctx) : name##_plan(ctx); \
	}                                                                    \
	int name##_any_run(struct ctx *ctx)                                  \
	{                                                                    \
		return from_bundle(ctx) ? skip_run(ctx, #name) :             \
					  name##_run(ctx);                   \
	}

BUILD_STEP(update)
BUILD_STEP(trial)
BUILD_STEP(patch)
BUILD_STEP(rpm)
BUILD_STEP(kernel)

/* The bundle at dir (plan: only when it is at hand), its base checked. */
static int get_checked(struct ctx *ctx, bool plan, const char *dir,
		       struct bundle_info *bi)
{
	int ret = bundle_get(&ctx->env, ctx->state_dir.buf, ctx->state->bundle,
			     ctx->state->bundle_sha256, plan, dir, bi);

	return ret ? ret : bundle_check_host(&ctx->env, bi);
}

int fetch_any_plan(struct ctx *ctx)
{
	struct strbuf dir = STRBUF_INIT;
	struct bundle_info bi;
	int ret;

	if (!from_bundle(ctx))
		return fetch_plan(ctx);
	plan_note(ctx->env.plan,
		  "get the bundle %s%s%s, check each of its files against "
		  "its manifest and this host against its base",
		  ctx->state->bundle,
		  *ctx->state->bundle_sha256 ? " (sha256 " : "",
		  *ctx->state->bundle_sha256 ? ctx->state->bundle_sha256 : "");
	ret = scratch_make("bundle", &dir);
	if (!ret) {
		strbuf_addstr(&dir, "/b");
		ret = get_checked(ctx, true, dir.buf, &bi);
		if (!ret) {
			struct strbuf names = STRBUF_INIT;

			plan_note(ctx->env.plan,
				  "it holds kernel %s and %zu packages for "
				  "hosts running %s",
				  bi.kernel_release, bi.packages.nr,
				  bi.base_release);
			/* for the install step's plan: what it installs */
			for (size_t i = 0; i < bi.packages.nr; i++)
				strbuf_addf(&names, "%s%s", i ? " " : "",
					    strrchr(bi.packages.v[i], '/') + 1);
			ctx_set_output(ctx, "fetch", "plan_packages",
				       names.buf);
			ctx_set_output(ctx, "fetch", "kernel_release",
				       bi.kernel_release);
			strbuf_clear(&names);
			bundle_info_clear(&bi);
		}
		strbuf_setlen(&dir, dir.len - 2);
		remove_tree(dir.buf);
	}
	strbuf_clear(&dir);
	return ret;
}

int fetch_any_run(struct ctx *ctx)
{
	struct strbuf dir = STRBUF_INIT, list = STRBUF_INIT, own = STRBUF_INIT;
	struct bundle_info bi;
	int ret;

	if (!from_bundle(ctx))
		return fetch_run(ctx);
	bundle_dir(ctx, &dir);
	ret = mkdir_parent(dir.buf, 0700);
	if (!ret)
		ret = get_checked(ctx, false, dir.buf, &bi);
	if (ret) {
		remove_tree(dir.buf); /* nothing of it is kept */
		strbuf_clear(&dir);
		return -1;
	}
	strvec_join(&bi.packages, " ", &list);
	ctx_own_paths(ctx, list.buf, &own);
	ctx_set_output(ctx, "fetch", "packages", own.buf);
	ctx_set_output(ctx, "fetch", "kernel_release", bi.kernel_release);
	info("  bundle: kernel %s and %zu packages for hosts running %s: "
	     "every file as its manifest says",
	     bi.kernel_release, bi.packages.nr, bi.base_release);
	bundle_info_clear(&bi);
	strbuf_clear(&dir);
	strbuf_clear(&list);
	strbuf_clear(&own);
	return 0;
}

int fetch_any_check_names(struct ctx *ctx, bool plan)
{
	/* a bundle's patches were checked where it was built */
	(void)plan; /* the plan fills pomctl's cache as the run does */
	return from_bundle(ctx) ? 0 : fetch_check_names(ctx);
}

int install_any_plan(struct ctx *ctx)
{
	return from_bundle(ctx) ? install_bundle_plan(ctx) : install_plan(ctx);
}

int install_any_run(struct ctx *ctx)
{
	return from_bundle(ctx) ? install_bundle_run(ctx) : install_run(ctx);
}
