// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * What the steps ask of the run through their context (pipeline.h: the
 * ctx_* helpers): earlier steps' outputs, the run's manifests and tree
 * snapshots, the host's extension set, the rpm database, fingerprints of
 * configuration values.  The engine that runs the steps is pipeline.c.
 */
#include <stdlib.h>
#include <string.h>

#include "pomctl/history.h"
#include "pomctl/log.h"
#include "pomctl/hostset.h"
#include "pomctl/manifest.h"
#include "pomctl/pipeline.h"
#include "pipeline-internal.h"
#include "pomctl/rpmdb.h"
#include "pomctl/safepath.h"
#include "pomctl/treesnap.h"
#include "pomctl/util.h"

const char *ctx_state_dir_output(struct ctx *ctx, const char *step,
				 const char *key, struct strbuf *sb)
{
	const char *dir = ctx_output_of_kind(ctx, step, key, OUT_PATH);

	if (!*dir)
		return NULL;
	strbuf_reset(sb);
	if (*dir != '/') /* an older state has the host path */
		strbuf_addf(sb, "%s/", ctx->state_dir.buf);
	strbuf_addstr(sb, dir);
	return sb->buf;
}

void ctx_own_paths(const struct ctx *ctx, const char *host_paths,
		   struct strbuf *own)
{
	struct strvec v = STRVEC_INIT;

	strvec_split(&v, host_paths, " ");
	for (size_t i = 0; i < v.nr; i++)
		strbuf_addf(own, "%s%s", i ? " " : "",
			    root_own(ctx->env.root, v.v[i]));
	strvec_clear(&v);
}

void ctx_output_paths(struct ctx *ctx, const char *step, const char *key,
		      struct strvec *out)
{
	struct strvec v = STRVEC_INIT;
	struct strbuf sb = STRBUF_INIT;

	strvec_split(&v, ctx_output_of_kind(ctx, step, key, OUT_PATHS), " ");
	for (size_t i = 0; i < v.nr; i++) {
		/* an older state has host paths */
		if (*ctx->env.root && root_relative(ctx->env.root, v.v[i]))
			strbuf_addstr(&sb, v.v[i]);
		else
			env_path(&ctx->env, v.v[i], &sb);
		strvec_push(out, sb.buf);
		strbuf_reset(&sb);
	}
	strvec_clear(&v);
	strbuf_clear(&sb);
}

/*
 * Where steps change things, as this host's config says: all a manifest
 * may name.  The kernel tree and the rpm top dir also as their links
 * resolve.  (up2date's spool: the copy of a replaced package install has
 * it download.)
 */
static void change_places(const struct ctx *ctx, struct strvec *places)
{
	static const char *const fixed[] = { "/boot", "/lib/modules",
					     "/var/spool/up2date" };
	static const char *const keys[][2] = { { "kernel", "tree" },
					       { "rpm", "topdir" },
					       { "boot", "config" } };
	struct strbuf sb = STRBUF_INIT;

	for (size_t i = 0; i < ARRAY_SIZE(fixed); i++) {
		env_path(&ctx->env, fixed[i], &sb);
		strvec_push(places, sb.buf);
	}
	for (size_t i = 0; i < ARRAY_SIZE(keys); i++) {
		char *real;

		env_path(&ctx->env,
			 config_get(ctx->env.cfg, keys[i][0], keys[i][1]), &sb);
		strvec_push(places, sb.buf);
		real = realpath(sb.buf, NULL);
		if (real)
			strvec_push(places, real);
		free(real);
	}
	strbuf_clear(&sb);
}

int ctx_manifest_open(const struct ctx *ctx, const char *step,
		      struct manifest *m)
{
	struct strvec places = STRVEC_INIT;
	int ret = manifest_open(m, ctx->env.root, ctx->state_dir.buf,
				ctx->state->id, step);

	if (!ret) {
		change_places(ctx, &places);
		ret = manifest_confine(m, &places);
		if (ret)
			manifest_clear(m); /* the caller has none */
	}
	strvec_clear(&places);
	return ret;
}

void ctx_tree_list_path(const struct ctx *ctx, struct strbuf *sb)
{
	strbuf_reset(sb);
	strbuf_addf(sb, "%s/manifests/%s/tree.list", ctx->state_dir.buf,
		    ctx->state->id);
}

void ctx_host_set(const struct ctx *ctx, struct strvec *names,
		  struct strvec *runs)
{
	struct hostset hs;

	hostset_load_set_of(&hs, ctx->state_dir.buf, pipeline_step_names(),
			    pomctl_nr_steps);
	for (size_t i = 0; i < hs.names.nr; i++) {
		if (ctx->state &&
		    strvec_has(&ctx->state->patches, hs.names.v[i]))
			continue;
		strvec_push(names, hs.names.v[i]);
		if (runs)
			strvec_push(runs, hs.runs.v[i]);
	}
	hostset_clear(&hs);
}

bool ctx_host_view(const struct ctx *ctx, struct hostset *hs, bool need_set)
{
	struct history h = { NULL, 0 };
	bool quiet = error_set_quiet(true), loaded = true;

	if (history_load(&h, ctx->state_dir.buf, pipeline_step_names(),
			 pomctl_nr_steps) < 0)
		h.nr = 0;
	error_set_quiet(quiet);
	if (need_set) { /* the set first: the rest only when there is one */
		memset(hs, 0, sizeof(*hs));
		hostset_load_set(hs, &h);
		loaded = hs->names.nr > 0;
		if (loaded)
			hostset_clear(hs);
	}
	if (loaded)
		hostset_load(hs, &ctx->env, &h,
			     config_get(ctx->env.cfg, "rpm", "dbpath"));
	history_clear(&h);
	return loaded;
}

void ctx_tree_shipped(const struct ctx *ctx, struct strvec *paths)
{
	struct strvec runs = STRVEC_INIT;
	struct strbuf file = STRBUF_INIT;
	bool quiet = error_set_quiet(true);

	strbuf_addf(&file, "%s/manifests", ctx->state_dir.buf);
	list_dir(file.buf, &runs); /* sorted: the oldest run first */
	strvec_push(&runs,
		    ctx->state->id); /* this run's, when it is the first */
	for (size_t i = 0; i < runs.nr && !paths->nr; i++) {
		strbuf_reset(&file);
		strbuf_addf(&file, "%s/manifests/%s/tree.list",
			    ctx->state_dir.buf, runs.v[i]);
		if (path_exists(file.buf))
			treesnap_paths(file.buf, paths);
	}
	error_set_quiet(quiet);
	strvec_clear(&runs);
	strbuf_clear(&file);
}

void ctx_tree_shelf_path(const struct ctx *ctx, struct strbuf *sb)
{
	strbuf_reset(sb);
	strbuf_addf(sb, "%s/manifests/%s/tree.shelf", ctx->state_dir.buf,
		    ctx->state->id);
}

int ctx_tree_snapshot(const struct ctx *ctx, const char *kdir)
{
	struct strbuf file = STRBUF_INIT;
	double start = monotonic_seconds();
	int ret = 0;

	ctx_tree_list_path(ctx, &file);
	if (!path_exists(file.buf)) {
		ret = mkdir_parent(file.buf, 0700);
		if (!ret)
			ret = treesnap_take(kdir, file.buf);
		steplog_work(ctx->env.log_fd, start, "list %s by content",
			     kdir);
	}
	strbuf_clear(&file);
	return ret;
}

int ctx_rpmdb_open(const struct ctx *ctx, struct rpmdb *db)
{
	return rpmdb_open(db, ctx->env.root,
			  config_get(ctx->env.cfg, "rpm", "dbpath"),
			  ctx->readonly);
}

void fp_add_config(struct fingerprint *fp, const struct ctx *ctx,
		   const char *section, const char *key)
{
	struct strbuf input = STRBUF_INIT;

	strbuf_addf(&input, "config [%s] %s", section, key);
	fp_add(fp, input.buf, config_get(ctx->env.cfg, section, key));
	strbuf_clear(&input);
}
