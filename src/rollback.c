// SPDX-License-Identifier: GPL-2.0-or-later
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "pomctl/ktree.h"
#include "pomctl/log.h"
#include "pomctl/manifest.h"
#include "pomctl/pipeline.h"
#include "pomctl/rollback.h"
#include "pomctl/state.h"
#include "pomctl/util.h"

/* The steps whose manifests hold changes, last first. */
static const char *const undo_order[] = { "verify", "install", "kernel",
					  "rpm", "patch", "trial" };

/* Is a kernel pomctl built the running one? */
static bool running_ours(struct ctx *ctx)
{
	const char *mine[] = { step_output(ctx, "install", "release"),
			       step_output(ctx, "trial", "release") };

	for (size_t i = 0; i < ARRAY_SIZE(mine); i++)
		if (*mine[i] && !strcmp(mine[i], ctx->host.release) &&
		    strcmp(mine[i], step_output(ctx, "check", "release")))
			return true;
	return false;
}

/*
 * What the record says, as rollback would do it: only what can be done
 * (a file recorded as created that is not there is no line).
 */
static void plan_manifest(const char *step, const struct manifest *m)
{
	json_t *created = json_object_get(m->doc, "created");
	json_t *changed = json_object_get(m->doc, "changed");
	const char *path;
	json_t *v;
	size_t i;

	json_array_foreach(created, i, v)
		if (path_exists(json_string_value(v)))
			say("  %s: remove %s", step, json_string_value(v));
	json_object_foreach(changed, path, v)
		say("  %s: restore %s from %s", step, path,
		    json_string_value(v));
}

static bool same_content(const char *a, const char *b)
{
	char x[SHA256_HEX], y[SHA256_HEX];

	return sha256_file(a, x) == 0 && sha256_file(b, y) == 0 &&
	       !strcmp(x, y);
}

/*
 * After the undo: a line for each thing done, said only once it is seen
 * done; what is not is an error naming it.
 */
static int report_undone(const char *step, json_t *created, json_t *changed)
{
	const char *path;
	json_t *v;
	size_t i;
	int ret = 0;

	json_array_foreach(created, i, v) {
		const char *p = json_string_value(v);

		if (json_object_get(changed, p))
			continue;	/* removed, then its backup restored */
		if (path_exists(p))
			ret = error("%s: %s is still there", step, p);
		else
			info("  %s: removed %s", step, p);
	}
	json_object_foreach(changed, path, v) {
		if (!same_content(path, json_string_value(v)))
			ret = error("%s: %s could not be restored from %s", step,
				    path, json_string_value(v));
		else
			info("  %s: restored %s", step, path);
	}
	return ret;
}

static int undo_step(struct ctx *ctx, const char *step, bool dry)
{
	struct manifest m;
	json_t *created = NULL, *changed = NULL, *v;
	size_t i;
	int ret = ctx_manifest_open(ctx, step, &m);

	if (ret)
		return -1;
	if (dry) {
		plan_manifest(step, &m);
		manifest_release(&m);
		return 0;
	}
	/* what to check afterwards: the files that are there to undo */
	created = json_array();
	json_array_foreach(json_object_get(m.doc, "created"), i, v)
		if (path_exists(json_string_value(v)))
			json_array_append(created, v);
	changed = json_deep_copy(json_object_get(m.doc, "changed"));
	ret = manifest_revert(&m);
	if (report_undone(step, created, changed) < 0)
		ret = -1;
	if (!ret) {
		manifest_clear(&m);
		ret = manifest_save(&m);
	}
	json_decref(created);
	json_decref(changed);
	manifest_release(&m);
	return ret;
}

/* Build products are not in any manifest: distclean removes them. */
static int clean_tree(struct ctx *ctx, bool dry)
{
	struct ktree t;
	const char *arch = step_output(ctx, "kernel", "arch");
	int ret = 0;

	if (!*arch)
		arch = step_output(ctx, "trial", "arch");
	if (!*arch)
		return 0;	/* nothing was built */
	if (ktree_open_configured(ctx, &t) < 0)
		return -1;
	if (dry)
		say("  kernel tree: make -C %s ARCH=%s distclean", t.dir, arch);
	else
		ret = ktree_make(ctx, &t, arch, (const char *const[]){
					 "distclean", NULL },
				 (const char *const[]){ NULL }, NULL, false);
	ktree_release(&t);
	return dry ? 0 : ret;
}

/* From the install manifest: it has them even if install was cut short. */
static void packages_to_restore(struct ctx *ctx)
{
	struct strbuf replaced = STRBUF_INIT;
	struct manifest m;

	if (ctx_manifest_open(ctx, "install", &m) == 0)
		manifest_replaced_list(&m, &replaced);
	if (replaced.len)
		say("pomctl: put back the packages the run replaced (pomctl does "
		    "not keep their files): rpm -Uvh --oldpackage %s, from the "
		    "distribution's package files", replaced.buf);
	manifest_release(&m);
	strbuf_release(&replaced);
}

int rollback(struct ctx *ctx, bool force)
{
	bool dry = ctx->opt->plan;
	int ret = 0;

	if (dry)
		say("pomctl rollback of run %s (%s) would:", ctx->state->id,
		    step_output(ctx, "patch", "set")[0] ?
		    step_output(ctx, "patch", "set") : "no patch applied");
	if (running_ours(ctx) && dry)
		say("  (first: the running kernel %s is one this run "
		    "installed: boot the old kernel, or pass --force)",
		    ctx->host.release);
	else if (running_ours(ctx) && !force) {
		error("the running kernel %s is one pomctl installed: boot the "
		      "old kernel first, or pomctl rollback --force",
		      ctx->host.release);
		return EXIT_USAGE;
	}
	if (clean_tree(ctx, dry) < 0)
		ret = -1;
	for (size_t i = 0; i < ARRAY_SIZE(undo_order); i++)
		if (undo_step(ctx, undo_order[i], dry) < 0)
			ret = -1;
	packages_to_restore(ctx);
	if (dry)
		return EXIT_DONE;
	if (!ret)
		ret = pipeline_retire_run(ctx, "rolled-back.json");
	if (ret)
		return EXIT_FAILED;
	say_final("pomctl: run %s is rolled back", ctx->state->id);
	return EXIT_DONE;
}
