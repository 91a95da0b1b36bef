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

static void plan_manifest(const char *step,
			  const struct manifest *m)
{
	json_t *created = json_object_get(m->doc, "created");
	json_t *changed = json_object_get(m->doc, "changed");
	const char *path;
	json_t *v;
	size_t i;

	json_array_foreach(created, i, v)
		say("  %s: remove %s", step, json_string_value(v));
	json_object_foreach(changed, path, v)
		say("  %s: restore %s from %s", step, path,
		    json_string_value(v));
}

static int undo_step(struct ctx *ctx, const char *step, bool dry)
{
	struct manifest m;
	int ret = ctx_manifest_open(ctx, step, &m);

	if (ret)
		return -1;
	if (dry) {
		plan_manifest(step, &m);
	} else {
		ret = manifest_undo(&m);
		info("  %s: %s", step, ret ? "could not be undone whole" :
		     "undone");
	}
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

	if (running_ours(ctx) && !force) {
		error("the running kernel %s is one pomctl installed: boot the "
		      "old kernel first, or pomctl rollback --force",
		      ctx->host.release);
		return EXIT_USAGE;
	}
	if (dry)
		say("pomctl rollback would:");
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
	say_final("pomctl: the run is rolled back");
	return EXIT_DONE;
}
