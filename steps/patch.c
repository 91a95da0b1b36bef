// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Step 5, patch: apply the requested patch-o-matic patches (and those they
 * depend on) to the kernel tree, all or nothing, recording every change in
 * the step's manifest.  The results (options to enable, modules to expect,
 * userspace parts) are the step's outputs for the rpm and kernel steps.
 */
#include <stdlib.h>
#include <string.h>

#include "pomctl/ktree.h"
#include "pomctl/log.h"
#include "pomctl/manifest.h"
#include "pomctl/pom.h"
#include "pomctl/util.h"
#include "steps.h"

/*
 * The fetched patch-o-matic tree, or NULL before fetch ran; in a plan,
 * before fetch ran, the tree it will extract where pomctl's cache has it.
 */
static const char *pom_dir(struct ctx *ctx)
{
	static struct strbuf cached = STRBUF_INIT;
	const char *dir = fetch_pom_dir(ctx, &cached);

	if (dir || !ctx->env.plan)
		return dir;
	strbuf_reset(&cached);
	return fetch_pom_cached(ctx, &cached) == 0 ? cached.buf : NULL;
}

/* The patches of the host's extension set the run did not ask for. */
struct set_extra {
	struct strvec names;
	struct strvec runs; /* the run that applied each */
};
#define SET_EXTRA_INIT                   \
	{                                \
		STRVEC_INIT, STRVEC_INIT \
	}

static void set_extra_clear(struct set_extra *x)
{
	strvec_clear(&x->names);
	strvec_clear(&x->runs);
}

/*
 * The patches the tree is to carry: the host's extension set (the patches
 * of its runs not rolled back: hostset.h), then those the run asks for --
 * never fewer than the host has, so that a new kernel-source tree, which
 * carries none of them, gets them all again.  Their names into names;
 * the set's that the run did not ask for also into extra.
 */
static void tree_patches(struct ctx *ctx, struct strvec *names,
			 struct set_extra *extra)
{
	ctx_host_set(ctx, &extra->names, &extra->runs);
	for (size_t i = 0; i < extra->names.nr; i++)
		strvec_push(names, extra->names.v[i]);
	for (size_t i = 0; i < ctx->state->patches.nr; i++)
		strvec_push(names, ctx->state->patches.v[i]);
}

/*
 * Open both trees and order the patches the tree is to carry (extra: as
 * tree_patches() says): 0 or -1 (reported).
 */
static int open_all(struct ctx *ctx, struct ktree *kt, struct pom_tree *pt,
		    struct pom_patch ***set, size_t *n, struct set_extra *extra)
{
	struct strvec names = STRVEC_INIT;
	struct strbuf why = STRBUF_INIT;
	int ret = -1;

	if (ktree_open_configured(&ctx->env, kt) < 0)
		return -1;
	tree_patches(ctx, &names, extra);
	if (pom_open(pt, pom_dir(ctx), kt->v) < 0)
		goto out;
	if (pom_order(pt, &names, set, n, &why) < 0) {
		if (extra->names.nr)
			error("%s; the host's extension set has %s (run %s): "
			      "the kernel must carry it all (set [sources] "
			      "pom_version to the patch-o-matic it came "
			      "from, or roll back the run that added it)",
			      why.buf, extra->names.v[0], extra->runs.v[0]);
		else
			error("%s", why.buf);
		pom_clear(pt);
		goto out;
	}
	ret = 0;
out:
	if (ret)
		ktree_clear(kt);
	strvec_clear(&names);
	strbuf_clear(&why);
	return ret;
}

static void close_all(struct ktree *kt, struct pom_tree *pt,
		      struct pom_patch **set)
{
	free(set);
	pom_clear(pt);
	ktree_clear(kt);
}

void patch_fingerprint(struct ctx *ctx, struct fingerprint *fp)
{
	struct strbuf names = STRBUF_INIT;

	strvec_join(&ctx->state->patches, " ", &names);
	fp_add(fp, "run patches", names.buf);
	fp_add_config(fp, ctx, "kernel", "tree");
	fp_add_config(fp, ctx, "commands", "patch");
	fp_add_step(fp, ctx->state, "fetch");
	strbuf_clear(&names);
}

static void plan_one(struct ctx *ctx, const struct pom_tree *pt,
		     const struct pom_patch *p, const char *kdir)
{
	struct pom_check res = { POM_APPLIES, STRBUF_INIT };

	pom_test(&ctx->env, pt, p, kdir, &res);
	plan_note(ctx->env.plan, "%s (%s): %s%s%s", p->name, p->repo,
		  res.status == POM_APPLIES ? "applies cleanly" :
					      pom_status_name(res.status),
		  res.detail.len ? ": " : "", res.detail.buf);
	for (size_t i = 0; res.status == POM_APPLIES && i < p->diffs.nr; i++) {
		struct strvec argv = STRVEC_INIT;

		pom_patch_argv(&ctx->env, kdir, p->diffs.v[i], 1, false, false,
			       &argv);
		plan_command(ctx->env.plan, strvec_argv(&argv), NULL);
		strvec_clear(&argv);
	}
	strbuf_clear(&res.detail);
}

int patch_plan(struct ctx *ctx)
{
	struct set_extra extra = SET_EXTRA_INIT;
	struct ktree kt;
	struct pom_tree pt;
	struct pom_patch **set;
	size_t n;

	if (!pom_dir(ctx)) {
		plan_pending(
			ctx->env.plan,
			"once fetch has extracted patch-o-matic, "
			"each requested patch and its dependencies are tried "
			"on a copy of the files they touch, then applied to "
			"[kernel] tree all together, or not at all");
		return 0;
	}
	if (open_all(ctx, &kt, &pt, &set, &n, &extra) < 0)
		return -1;
	for (size_t i = 0; i < extra.names.nr; i++)
		plan_note(ctx->env.plan,
			  "%s (run %s) is of the host's extension set: the "
			  "tree carries it too",
			  extra.names.v[i], extra.runs.v[i]);
	for (size_t i = 0; i < n; i++)
		plan_one(ctx, &pt, set[i], kt.dir);
	close_all(&kt, &pt, set);
	set_extra_clear(&extra);
	return 0;
}

static void join(struct strbuf *sb, const struct strvec *v)
{
	for (size_t i = 0; i < v->nr; i++)
		strbuf_addf(sb, "%s%s", sb->len ? " " : "", v->v[i]);
}

static bool is_extra(const struct pom_patch *p, const struct set_extra *extra)
{
	return strvec_has(&extra->names, p->name);
}

/*
 * The patches the kernel tree carries once the set is applied, the run's
 * own first: the set (with the host's extension set, tree_patches()), and
 * those an earlier run of pomctl applied that are still in the tree.  The
 * kernel is built with all their options, the iptables package with all
 * their extensions, and verify checks them all: a second run never drops
 * the first one's match.  Patches the distribution's tree came with are left
 * to its configuration.
 */
static void present_patches(struct ctx *ctx, const struct pom_tree *pt,
			    struct pom_patch **set, size_t n,
			    const struct set_extra *extra, const char *kdir,
			    struct pom_patch ***out, size_t *nout)
{
	struct strvec earlier = STRVEC_INIT;

	manifest_patches_before(ctx->state_dir.buf, ctx->state->id, &earlier);
	*out = xcalloc(n + pt->nr + 1, sizeof(**out));
	*nout = 0;
	for (int pass = 0; pass < 2; pass++) /* the run's own first */
		for (size_t i = 0; i < n; i++)
			if (is_extra(set[i], extra) == pass)
				(*out)[(*nout)++] = set[i];
	for (size_t i = 0; i < pt->nr; i++) {
		struct pom_patch *p = &pt->patches[i];
		bool in_set = false, before = false;

		for (size_t k = 0; k < n; k++)
			in_set |= set[k] == p;
		for (size_t k = 0; k < earlier.nr; k++)
			before |= !strcmp(earlier.v[k], p->name);
		if (!in_set && before && pom_is_applied(&ctx->env, pt, p, kdir))
			(*out)[(*nout)++] = p;
	}
	strvec_clear(&earlier);
}

/* What the later steps need to know of the set and the present patches. */
static void record_outputs(struct ctx *ctx, struct pom_patch **set, size_t n,
			   struct pom_patch **present, size_t npresent,
			   const struct strvec *applied)
{
	struct strbuf names = STRBUF_INIT, options = STRBUF_INIT,
		      objects = STRBUF_INIT, userspace = STRBUF_INIT,
		      done = STRBUF_INIT, all = STRBUF_INIT;

	for (size_t i = 0; i < n; i++)
		strbuf_addf(&names, "%s%s", names.len ? " " : "", set[i]->name);
	for (size_t i = 0; i < npresent; i++) {
		strbuf_addf(&all, "%s%s", i ? " " : "", present[i]->name);
		join(&options, &present[i]->options);
		join(&objects, &present[i]->objects);
		if (present[i]->userspace || present[i]->userspace_dir)
			strbuf_addf(&userspace, "%s%s",
				    userspace.len ? " " : "", present[i]->name);
	}
	join(&done, applied);
	ctx_set_output(ctx, "patch", "set", names.buf);
	ctx_set_output(ctx, "patch", "present", all.buf);
	ctx_set_output(ctx, "patch", "applied", done.buf);
	ctx_set_output(ctx, "patch", "options", options.buf);
	ctx_set_output(ctx, "patch", "objects", objects.buf);
	ctx_set_output(ctx, "patch", "userspace", userspace.buf);
	strbuf_clear(&names);
	strbuf_clear(&all);
	strbuf_clear(&options);
	strbuf_clear(&objects);
	strbuf_clear(&userspace);
	strbuf_clear(&done);
}

static void report(struct ctx *ctx, const struct pom_patch *p,
		   const struct strvec *applied, const struct set_extra *extra)
{
	bool now = strvec_has(applied, p->name), set = is_extra(p, extra);
	const char *what = now ? "applied" : "already applied, left as it is";

	if (set)
		what = now ? "of the host's extension set, applied again "
			     "(the tree lacked it)" :
			     "in the tree from an earlier run, kept";
	if (!pom_kernel_part(p))
		what = "userspace only: the rpm step carries its diff";
	info("  %s: %s", p->name, what);
	steplog_printf(ctx->env.log_fd, "%s: %s", p->name, what);
}

int patch_run(struct ctx *ctx)
{
	struct ktree kt;
	struct pom_tree pt;
	struct pom_patch **set;
	struct manifest m;
	struct strvec applied = STRVEC_INIT;
	struct set_extra extra = SET_EXTRA_INIT;
	size_t n;
	int ret;

	if (!pom_dir(ctx))
		return error("no patch-o-matic tree: the fetch step has not "
			     "extracted one");
	if (open_all(ctx, &kt, &pt, &set, &n, &extra) < 0)
		return -1;
	ret = pom_check_set(set, n, kt.release);
	if (!ret)
		ret = ctx_tree_snapshot(ctx, kt.dir);
	if (!ret)
		ret = ctx_manifest_open(ctx, "patch", &m);
	if (!ret) {
		ret = pom_apply(&ctx->env, &pt, set, n, kt.dir, &m, &applied);
		manifest_clear(&m);
	}
	if (!ret) {
		struct pom_patch **present;
		size_t npresent;

		present_patches(ctx, &pt, set, n, &extra, kt.dir, &present,
				&npresent);
		record_outputs(ctx, present, n - extra.names.nr, present,
			       npresent, &applied);
		for (size_t i = 0; i < n; i++)
			report(ctx, set[i], &applied, &extra);
		for (size_t i = n; i < npresent; i++)
			info("  %s: in the tree from an earlier run, kept",
			     present[i]->name);
		free(present);
	}
	strvec_clear(&applied);
	set_extra_clear(&extra);
	close_all(&kt, &pt, set);
	return ret;
}
