// SPDX-License-Identifier: GPL-2.0-or-later
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "pomctl/boot.h"
#include "pomctl/history.h"
#include "pomctl/ktree.h"
#include "pomctl/lifecycle.h"
#include "pomctl/log.h"
#include "pomctl/manifest.h"
#include "pomctl/pipeline.h"
#include "pomctl/plan.h"
#include "pomctl/rollback.h"
#include "pomctl/rpmdb.h"
#include "pomctl/state.h"
#include "pomctl/treesnap.h"
#include "pomctl/util.h"

/* Is a kernel pomctl built the running one? */
static bool running_ours(struct ctx *ctx)
{
	const char *mine[] = { step_output(ctx, "install", "release"),
			       step_output(ctx, "trial", "release") };

	for (size_t i = 0; i < ARRAY_SIZE(mine); i++)
		if (*mine[i] && !strcmp(mine[i], ctx->env.host.release) &&
		    strcmp(mine[i], step_output(ctx, "check", "release")))
			return true;
	return false;
}

static int undo_step(struct ctx *ctx, const char *step, bool plan_only)
{
	struct manifest m;
	int ret = ctx_manifest_open(ctx, step, &m);

	if (ret)
		return -1;
	if (plan_only) {
		plan_begin_step(ctx->env.plan, step,
				"the files the step changed, as they were");
		manifest_plan_undo(&m, ctx->env.plan);
	} else
		ret = manifest_undo(&m, step);
	manifest_clear(&m);
	return ret;
}

/*
 * Runs from before tree lists: build products are in no manifest,
 * distclean removes them.
 */
static int clean_tree(struct ctx *ctx, const struct ktree *t, bool plan_only)
{
	const char *arch = step_output(ctx, "kernel", "arch");

	if (!*arch)
		arch = step_output(ctx, "trial", "arch");
	if (!*arch)
		return 0; /* nothing was built */
	if (plan_only) {
		struct strvec argv = STRVEC_INIT;

		ktree_make_argv(&ctx->env, t, arch,
				(const char *const[]){ "distclean", NULL },
				(const char *const[]){ NULL }, false, &argv,
				NULL);
		plan_command(ctx->env.plan, strvec_argv(&argv), NULL);
		strvec_clear(&argv);
		return 0;
	}
	return ktree_make(&ctx->env, t, arch,
			  (const char *const[]){ "distclean", NULL },
			  (const char *const[]){ NULL }, NULL, false);
}

/*
 * What a rollback left different from before the run, for its last line:
 * things to do by hand, and an earlier run's build products (on purpose).
 */
static struct {
	size_t by_hand;
	size_t earlier_products;
} left;

static void say_some(const char *what, const struct strvec *v)
{
	struct strbuf sb = STRBUF_INIT;

	for (size_t i = 0; i < v->nr && i < 8; i++)
		strbuf_addf(&sb, "%s%s", i ? ", " : "", v->v[i]);
	if (v->nr > 8)
		strbuf_addf(&sb, " and %zu more", v->nr - 8);
	say("  kernel tree: %s %zu file%s (%s)", what, v->nr,
	    v->nr == 1 ? "" : "s", sb.buf);
	strbuf_clear(&sb);
}

/*
 * Of added (relative to dir), what will not be there once the records
 * are undone (plan_will_exist(): they remove it first), dropped.
 */
static void drop_planned_removals(const struct plan *p, const char *dir,
				  struct strvec *added)
{
	struct strvec keep = STRVEC_INIT;
	struct strbuf abs = STRBUF_INIT;

	for (size_t i = 0; i < added->nr; i++) {
		strbuf_reset(&abs);
		strbuf_addf(&abs, "%s/%s", dir, added->v[i]);
		if (plan_will_exist(p, abs.buf))
			strvec_push(&keep, added->v[i]);
	}
	strvec_clear(added);
	*added = keep;
	strbuf_clear(&abs);
}

/*
 * Of what differs after a restore, what an earlier run's build made (its
 * products, rebuilt by this run: there is no copy of the earlier ones, and
 * that run's rollback removes them) moves to rebuilt.
 */
static void set_rebuilt_apart(struct ctx *ctx, struct strvec *changed,
			      struct strvec *rebuilt)
{
	struct strvec first = STRVEC_INIT, rest = STRVEC_INIT;

	ctx_tree_shipped(ctx, &first);
	for (size_t i = 0; first.nr && i < changed->nr; i++)
		strvec_push(treesnap_has(&first, changed->v[i]) ? &rest :
								  rebuilt,
			    changed->v[i]);
	if (first.nr) {
		strvec_clear(changed);
		*changed = rest;
	}
	strvec_clear(&first);
}

/*
 * The kernel tree as it was before the run, by content (after the
 * manifests gave back the files pomctl edited): what was added since is
 * removed; what else changed cannot be made again and is an error.
 */
static int restore_tree(struct ctx *ctx, bool plan_only)
{
	struct treesnap_result res;
	struct strbuf list = STRBUF_INIT, shelf = STRBUF_INIT;
	struct strvec rebuilt;
	struct ktree t;
	int ret;

	if (ktree_open_configured(&ctx->env, &t) < 0)
		return -1;
	if (plan_only)
		plan_begin_step(ctx->env.plan, "kernel tree",
				"the kernel tree as it was before the run");
	ctx_tree_list_path(ctx, &list);
	if (!path_exists(list.buf)) {
		ret = clean_tree(ctx, &t, plan_only);
		goto out;
	}
	treesnap_result_init(&res);
	strvec_init(&rebuilt);
	/* first what a cleaning make deleted, kept on the shelf (and by the
	 * links of one interrupted) */
	ctx_tree_shelf_path(ctx, &shelf);
	ctx_tree_shipped(ctx, &rebuilt);
	ret = plan_only ? 0 :
			  treesnap_shelf_recover(t.dir, shelf.buf, &rebuilt);
	strvec_clear(&rebuilt);
	if (!ret)
		ret = treesnap_unshelve(t.dir, shelf.buf, plan_only, &rebuilt);
	strvec_sort(&rebuilt);
	if (rebuilt.nr && plan_only)
		plan_restore(ctx->env.plan, &rebuilt, shelf.buf);
	else if (rebuilt.nr)
		say_some("put back what make clean/distclean deleted:",
			 &rebuilt);
	strvec_clear(&rebuilt);
	if (!ret)
		ret = treesnap_restore(t.dir, list.buf, plan_only, &res);
	strvec_sort(&res.added); /* named in an order people can follow */
	strvec_sort(&res.changed);
	if (plan_only) /* the records remove some before the tree is seen to */
		drop_planned_removals(ctx->env.plan, t.dir, &res.added);
	if (res.added.nr && plan_only)
		plan_remove(ctx->env.plan, &res.added);
	else if (res.added.nr)
		say_some("removed what the run added:", &res.added);
	if (!plan_only && ret == 1) {
		set_rebuilt_apart(ctx, &res.changed, &rebuilt);
		if (rebuilt.nr)
			say_some("left as this run rebuilt them, the build "
				 "products of an earlier run (its rollback "
				 "removes them):",
				 &rebuilt);
		left.earlier_products += rebuilt.nr;
		strvec_clear(&rebuilt);
		set_rebuilt_apart(ctx, &res.missing, &rebuilt);
		if (rebuilt.nr)
			say_some("not made again, the build products of an "
				 "earlier run that this run's build removed:",
				 &rebuilt);
		left.earlier_products += rebuilt.nr;
		if (!res.changed.nr && !res.missing.nr)
			ret = 0;
	}
	if (!plan_only && ret == 1) {
		if (res.changed.nr)
			say_some("NOT restored, changed since the run began "
				 "and not backed up:",
				 &res.changed);
		if (res.missing.nr)
			say_some("NOT restored, gone since the run began:",
				 &res.missing);
		ret = error("the kernel tree %s is not as it was before the "
			    "run: see the files above",
			    t.dir);
	} else if (!plan_only && !ret) {
		info("  kernel tree: as it was before the run (%s)", list.buf);
	}
	treesnap_result_clear(&res);
	strvec_clear(&rebuilt);
out:
	strbuf_clear(&list);
	strbuf_clear(&shelf);
	ktree_clear(&t);
	return plan_only ? 0 : ret;
}

/* What rollback does with the packages of the run's transaction. */
struct pkg_undo {
	struct strvec files;   /* kept copies to install */
	struct strvec back;    /* what they are ("NAME-VERSION-RELEASE") */
	struct strvec erase;   /* packages the run added */
	struct strvec by_hand; /* replaced, no copy kept */
	struct strvec left;    /* changed since the run: not touched */
};

/* The name of the package "NAME-VERSION-RELEASE". */
static void name_of(const char *nvr, struct strbuf *sb)
{
	const char *r = strrchr(nvr, '-'), *v = r;

	while (v && v > nvr && v[-1] != '-')
		v--;
	strbuf_reset(sb);
	strbuf_add(sb, nvr, v && v > nvr ? (size_t)(v - 1 - nvr) : strlen(nvr));
}

/* The copy of nvr kept at install (BACKUPS/packages/NVR.ARCH.rpm), if any. */
static bool kept_copy(const struct manifest *m, const char *nvr,
		      struct strbuf *path)
{
	struct strbuf dir = STRBUF_INIT, got = STRBUF_INIT;
	struct strvec names = STRVEC_INIT;
	size_t n = strlen(nvr);
	bool found = false, quiet = error_set_quiet(true);

	strbuf_addf(&dir, "%s/packages", m->backups);
	list_dir(dir.buf, &names);
	for (size_t i = 0; i < names.nr && !found; i++) {
		struct rpmpkg p;

		if (strncmp(names.v[i], nvr, n) || names.v[i][n] != '.')
			continue;
		strbuf_reset(path);
		strbuf_addf(path, "%s/%s", dir.buf, names.v[i]);
		if (rpmdb_check_package(path->buf, NULL, &p) < 0)
			continue;
		strbuf_reset(&got);
		rpmdb_pkg_nvr(&p, &got);
		found = !strcmp(got.buf, nvr);
		rpmdb_pkg_clear(&p);
	}
	error_set_quiet(quiet);
	strvec_clear(&names);
	strbuf_clear(&dir);
	strbuf_clear(&got);
	return found;
}

/* The installed packages called name, as "NAME-VERSION-RELEASE". */
static void installed_nvrs(struct rpmdb *db, const char *name,
			   struct strvec *out)
{
	struct rpmpkg *pkgs = NULL;
	struct strbuf nvr = STRBUF_INIT;
	size_t n = 0;

	rpmdb_find(db, name, &pkgs, &n);
	for (size_t i = 0; i < n; i++) {
		strbuf_reset(&nvr);
		rpmdb_pkg_nvr(&pkgs[i], &nvr);
		strvec_push(out, nvr.buf);
	}
	rpmdb_pkgs_free(pkgs, n);
	strbuf_clear(&nvr);
}

/*
 * Whether the installed packages called name are all ones the run
 * installed (none at all counts: nothing to lose); else, what is there
 * now goes into now.
 */
static bool only_ours(struct rpmdb *db, const char *name,
		      const struct strvec *installed, struct strbuf *now)
{
	struct strvec there = STRVEC_INIT;
	bool ours = true;

	installed_nvrs(db, name, &there);
	for (size_t i = 0; i < there.nr; i++)
		if (!strvec_has(installed, there.v[i])) {
			ours = false;
			strbuf_addf(now, "%s%s", now->len ? " " : "",
				    there.v[i]);
		}
	strvec_clear(&there);
	return ours;
}

static bool is_installed(struct rpmdb *db, const char *nvr)
{
	struct strbuf name = STRBUF_INIT;
	struct strvec there = STRVEC_INIT;
	bool found;

	name_of(nvr, &name);
	installed_nvrs(db, name.buf, &there);
	found = strvec_has(&there, nvr);
	strvec_clear(&there);
	strbuf_clear(&name);
	return found;
}

static void pkg_undo_clear(struct pkg_undo *u)
{
	strvec_clear(&u->files);
	strvec_clear(&u->back);
	strvec_clear(&u->erase);
	strvec_clear(&u->by_hand);
	strvec_clear(&u->left);
}

/*
 * From the install manifest (it has the lists even if install was cut
 * short) and the database as it is now: each replaced package goes back
 * from its kept copy, or is named to put back by hand; each package the
 * run added where it replaced nothing goes.  A name whose packages are no
 * longer (only) the run's was changed since: it is left alone.
 */
static int packages_to_undo(struct ctx *ctx, const struct manifest *m,
			    struct pkg_undo *u)
{
	struct strvec replaced = STRVEC_INIT, installed = STRVEC_INIT,
		      names = STRVEC_INIT;
	struct strbuf name = STRBUF_INIT, now = STRBUF_INIT, copy = STRBUF_INIT;
	struct rpmdb db;

	manifest_packages(m, "replaced", &replaced);
	manifest_packages(m, "installed", &installed);
	if (!replaced.nr && !installed.nr)
		return 0;
	if (ctx_rpmdb_open(ctx, &db) < 0)
		return -1;
	for (size_t i = 0; i < replaced.nr; i++) {
		name_of(replaced.v[i], &name);
		strvec_push(&names, name.buf);
		strbuf_reset(&now);
		/* back already (by hand); not a build the run replaced in
		 * place with its own of the same version-release */
		if (!strvec_has(&installed, replaced.v[i]) &&
		    is_installed(&db, replaced.v[i]))
			continue;
		if (!kept_copy(m, replaced.v[i], &copy)) {
			strvec_push(&u->by_hand, replaced.v[i]);
		} else if (!only_ours(&db, name.buf, &installed, &now)) {
			strvec_pushf(&u->left, "%s (now %s)", replaced.v[i],
				     now.buf);
		} else {
			strvec_push(&u->files, copy.buf);
			strvec_push(&u->back, replaced.v[i]);
		}
	}
	for (size_t i = 0; i < installed.nr; i++) {
		name_of(installed.v[i], &name);
		strbuf_reset(&now);
		if (strvec_has(&names, name.buf) ||
		    !is_installed(&db, installed.v[i]))
			continue;
		if (only_ours(&db, name.buf, &installed, &now))
			strvec_push(&u->erase, installed.v[i]);
		else
			strvec_pushf(&u->left, "%s (now also %s)",
				     installed.v[i], now.buf);
	}
	rpmdb_close(&db);
	strvec_clear(&replaced);
	strvec_clear(&installed);
	strvec_clear(&names);
	strbuf_clear(&name);
	strbuf_clear(&now);
	strbuf_clear(&copy);
	return 0;
}

/* After the transaction: each line said once it is seen done. */
static int report_packages(struct ctx *ctx, const struct pkg_undo *u)
{
	struct rpmdb db;
	int ret = 0;

	if (ctx_rpmdb_open(ctx, &db) < 0)
		return -1;
	for (size_t i = 0; i < u->back.nr; i++)
		if (is_installed(&db, u->back.v[i]))
			info("  install: reinstalled package %s", u->back.v[i]);
		else
			ret = error("install: package %s is not installed "
				    "after the transaction",
				    u->back.v[i]);
	for (size_t i = 0; i < u->erase.nr; i++)
		if (!is_installed(&db, u->erase.v[i]))
			info("  install: removed package %s", u->erase.v[i]);
		else
			ret = error("install: package %s is still installed",
				    u->erase.v[i]);
	rpmdb_close(&db);
	return ret;
}

#define BY_HAND                                                           \
	"no copy was kept of %s: put it back by hand with rpm -Uvh "      \
	"--oldpackage --replacepkgs %s, from the distribution's package " \
	"files ([sources] package_locations lets pomctl keep them next "  \
	"time)"

static void say_by_hand(struct ctx *ctx, const struct pkg_undo *u,
			bool plan_only)
{
	struct strbuf list = STRBUF_INIT;

	for (size_t i = 0; i < u->left.nr; i++)
		if (plan_only)
			plan_note(ctx->env.plan,
				  "would leave package %s: changed since the "
				  "run",
				  u->left.v[i]);
		else
			say("  install: left package %s: changed since the "
			    "run",
			    u->left.v[i]);
	if (!plan_only)
		left.by_hand += u->left.nr + u->by_hand.nr;
	strvec_join(&u->by_hand, " ", &list);
	if (list.len && plan_only)
		plan_caution(ctx->env.plan, BY_HAND, list.buf, list.buf);
	else if (list.len)
		say("pomctl: " BY_HAND, list.buf, list.buf);
	strbuf_clear(&list);
}

/* The packages the run installed and replaced, back as they were. */
static int restore_packages(struct ctx *ctx, bool plan_only)
{
	struct pkg_undo u = { STRVEC_INIT, STRVEC_INIT, STRVEC_INIT,
			      STRVEC_INIT, STRVEC_INIT };
	struct manifest m;
	int ret = ctx_manifest_open(ctx, "install", &m);

	if (!ret)
		ret = packages_to_undo(ctx, &m, &u);
	if (plan_only)
		plan_begin_step(ctx->env.plan, "packages",
				"the packages as they were before the run");
	for (size_t i = 0; plan_only && !ret && i < u.back.nr; i++)
		plan_package(ctx->env.plan, "reinstall", u.back.v[i]);
	for (size_t i = 0; plan_only && !ret && i < u.erase.nr; i++)
		plan_package(ctx->env.plan, "remove", u.erase.v[i]);
	if (!plan_only && !ret && (u.files.nr || u.erase.nr)) {
		ret = rpmdb_restore_packages(ctx->env.root,
					     config_get(ctx->env.cfg, "rpm",
							"dbpath"),
					     &u.files, &u.erase,
					     config_get_bool(ctx->env.cfg,
							     "rpm", "nodeps"));
		if (report_packages(ctx, &u) < 0)
			ret = -1;
	}
	if (!ret)
		say_by_hand(ctx, &u, plan_only);
	if (!plan_only && !ret) {
		manifest_forget_packages(&m);
		ret = manifest_save(&m);
	}
	if (m.doc)
		manifest_clear(&m);
	pkg_undo_clear(&u);
	return ret;
}

/*
 * The boot loader once its files are back.  LILO boots from its map, which
 * it finds by disk blocks: the map is never copied back, lilo installs
 * the restored lilo.conf again.  Red Hat's GRUB keeps a one-shot in stage2
 * (written in place, never copied back): one still pending (no boot
 * since the pause) is pointed at the default entry, so that a one-shot
 * armed for an entry the rollback removed cannot start another one.
 */
#define ONE_SHOT_BY_HAND                                                  \
	"GRUB's one-shot may still name an entry the rollback removed: "  \
	"point it at the default entry by hand (savedefault --default=N " \
	"--once in the grub shell)"

static int restore_loader(struct ctx *ctx, bool plan_only)
{
	static const char *const steps[] = { "install", "trial" };
	struct one_shot os = ONE_SHOT_INIT;
	struct strvec argv = STRVEC_INIT;
	struct strbuf what = STRBUF_INIT;
	bool stage2 = false, lilo = false;
	const char *def, *backup = NULL;
	struct bootcfg b;
	int ret = 0;

	for (size_t i = 0; i < ARRAY_SIZE(steps); i++) {
		const char *kind = step_output(ctx, steps[i], "boot_once");
		struct step_state *st = state_step(ctx->state, steps[i]);

		/* a one-shot still pending: the host has not booted since */
		stage2 |= !strcmp(kind, "stage2") && st && st->pause_boot_id &&
			  !strcmp(st->pause_boot_id, ctx->env.host.boot_id);
		lilo |= !strcmp(kind, "lilo");
	}
	if (!stage2 && !lilo)
		return 0;
	if (plan_only) { /* the configuration as the install record restores it */
		boot_config_path(&ctx->env, &what);
		backup = plan_restored_from(ctx->env.plan, what.buf);
		strbuf_reset(&what);
		plan_begin_step(ctx->env.plan, "boot",
				"the boot loader as it was before the run");
	}
	ret = boot_load_from(&ctx->env, backup, &b, &what);
	if (ret) {
		error("boot: cannot read the restored boot loader "
		      "configuration: %s",
		      what.buf);
		strbuf_clear(&what);
		return -1;
	}
	if (lilo) {
		config_get_words(ctx->env.cfg, "commands", "lilo", &argv);
		strbuf_addstr(&what, "lilo installs the map of the restored "
				     "configuration");
	} else if ((def = boot_default_release(&b)) &&
		   boot_one_shot(&ctx->env, &b, def, &os) == 0 && os.kind &&
		   !strcmp(os.kind, "stage2")) {
		/* the one-shot, made again for the default entry */
		strvec_pushv(&argv, strvec_argv(&os.argv));
		strbuf_addf(&what,
			    "GRUB's one-shot points at the default "
			    "entry %ld (%.*s)",
			    b.def, (int)strcspn(os.input.buf, "\n"),
			    os.input.buf);
	} else if (plan_only) {
		plan_caution(ctx->env.plan, "boot: " ONE_SHOT_BY_HAND);
	} else {
		say("  boot: " ONE_SHOT_BY_HAND);
		left.by_hand++;
	}
	if (what.len && plan_only) {
		plan_note(ctx->env.plan, "%s", what.buf);
		plan_command(ctx->env.plan, strvec_argv(&argv), NULL);
	} else if (what.len &&
		   (ret = boot_command(&ctx->env, &argv, os.input.buf,
				       what.buf)) == 0)
		say("  boot: %s", what.buf);
	boot_clear(&b);
	strbuf_clear(&what);
	one_shot_clear(&os);
	strvec_clear(&argv);
	return ret;
}

/* A plan_only rollback's plan as text: each action a line, "  STEP: ACTION". */
static void print_plan(struct ctx *ctx, const struct plan *p)
{
	struct strbuf sb = STRBUF_INIT;
	const char *set = step_output(ctx, "patch", "set");
	size_t i, j;
	json_t *step, *a;

	printf("pomctl rollback of run %s (%s) would:\n", ctx->state->id,
	       *set ? set : "no patch applied");
	json_array_foreach (p->steps, i, step) {
		const char *name = json_string_value(
			json_object_get(step, "name"));

		json_array_foreach (json_object_get(step, "actions"), j, a) {
			const char *type = json_string_value(
				json_object_get(a, "type"));

			strbuf_reset(&sb);
			strbuf_addf(&sb, "  %s: ", name);
			if (!strcmp(type, "remove") ||
			    !strcmp(type, "restore")) {
				plan_print_paths(a, stdout, sb.buf);
			} else if (!strcmp(type, "package")) {
				bool back = !strcmp(
					json_string_value(
						json_object_get(a, "action")),
					"reinstall");

				printf("%s%s package %s (%s)\n", sb.buf,
				       back ? "reinstall" : "remove",
				       json_string_value(
					       json_object_get(a, "package")),
				       back ? "the copy kept when the run replaced it" :
					      "the run added it");
			} else if (!strcmp(type, "command")) {
				strbuf_addstr(&sb, "run ");
				plan_quote_command(a, &sb);
				printf("%s\n", sb.buf);
			} else if (strcmp(type, "caution")) {
				printf("%s%s\n", sb.buf,
				       json_string_value(
					       json_object_get(a, "text")));
			}
		}
	}
	strbuf_reset(&sb);
	plan_summary(p, &sb);
	printf("%s\n", sb.buf);
	plan_cautions(p, stdout);
	strbuf_clear(&sb);
}

/* The steps of a plan_only rollback that found nothing to do, dropped. */
static void drop_idle_steps(struct plan *p)
{
	for (size_t i = json_array_size(p->steps); i-- > 0;)
		if (!json_array_size(
			    json_object_get(json_array_get(p->steps, i),
					    "actions")))
			json_array_remove(p->steps, i);
}

/*
 * Dry: what the rollback would do, gathered as a plan and printed (JSON
 * for rollback --plan --json); with --detailed-exitcode, EXIT_CHANGES when
 * it would change anything; EXIT_FAILED when a part could not be planned
 * (said).
 */
int rollback(struct ctx *ctx, bool force, bool plan_only)
{
	struct plan plan;
	int ret = 0;

	memset(&left, 0, sizeof(left));
	/* refused: the plan is the refusal */
	if (running_ours(ctx) && !force) {
		error("the running kernel %s is one pomctl installed: boot the "
		      "old kernel first, or pomctl rollback --force",
		      ctx->env.host.release);
		return EXIT_USAGE;
	}
	/* every record checked before anything is undone */
	for (size_t i = pomctl_nr_steps; i-- > 0;) {
		struct manifest m;

		if (!pomctl_steps[i].undo)
			continue;
		if (ctx_manifest_open(ctx, pomctl_steps[i].name, &m) < 0)
			return EXIT_FAILED;
		manifest_clear(&m);
	}
	if (plan_only) {
		plan_init(&plan);
		ctx->env.plan = &plan;
		plan_begin_step(&plan, "run", ctx->state->id);
		if (running_ours(ctx))
			plan_caution(&plan,
				     "with --force: the running kernel %s is "
				     "one this run installed",
				     ctx->env.host.release);
	}
	/* the steps whose manifests hold changes, the last first */
	for (size_t i = pomctl_nr_steps; i-- > 0;)
		if (pomctl_steps[i].undo &&
		    undo_step(ctx, pomctl_steps[i].name, plan_only) < 0)
			ret = -1;
	if (restore_loader(ctx, plan_only) < 0)
		ret = -1;
	/* a run from a bundle built nothing in the kernel tree */
	if (!*ctx->state->bundle && restore_tree(ctx, plan_only) < 0)
		ret = -1;
	if (restore_packages(ctx, plan_only) < 0)
		ret = -1;
	if (plan_only) {
		drop_idle_steps(&plan);
		if (ctx->json && ctx->readonly)
			plan_print(&plan, stdout, true);
		else
			print_plan(ctx, &plan);
		/* as upgrade --plan: 1 when it could not be made whole */
		if (ret < 0)
			ret = EXIT_FAILED;
		else if (ctx->detailed_exitcode && plan_has_changes(&plan))
			ret = EXIT_CHANGES;
		else
			ret = EXIT_DONE;
		ctx->env.plan = NULL;
		plan_clear(&plan);
		return ret;
	}
	if (!ret)
		ret = pipeline_retire_run(ctx, "rolled-back.json");
	if (ret)
		return EXIT_FAILED;
	if (left.by_hand)
		say_final("pomctl: run %s is rolled back, but for %zu thing%s "
			  "to do by hand (said above)",
			  ctx->state->id, left.by_hand,
			  left.by_hand == 1 ? "" : "s");
	else if (left.earlier_products)
		say_final("pomctl: run %s is rolled back: the host is as it "
			  "was before it, but for %zu build product%s of an "
			  "earlier run, left on purpose (that run's rollback "
			  "removes them)",
			  ctx->state->id, left.earlier_products,
			  left.earlier_products == 1 ? "" : "s");
	else
		say_final("pomctl: run %s is rolled back: the host is as it "
			  "was before it",
			  ctx->state->id);
	return EXIT_DONE;
}

/* --- the subcommand ------------------------------------------------------ */

/*
 * A run in progress that changed nothing yet (it stopped at update or
 * fetch, say): there is nothing to undo, so rollback sets it aside, as
 * runs/ID.abandoned.json, and a new upgrade may start.  0 when it did;
 * -1 when there is no such run (nothing said).
 */
static int abandon(struct ctx *ctx, struct history *h, bool plan)
{
	struct run_entry *cur = h->nr ? &h->e[h->nr - 1] : NULL;
	int ret;

	if (!cur || !cur->current || cur->changed ||
	    lifecycle_finished(&cur->st))
		return -1;
	if (plan && ctx->json) {
		struct plan p;

		plan_init(&p);
		plan_begin_step(&p, "run", cur->st.id);
		plan_note(&p, "set run %s aside: it changed nothing",
			  cur->st.id);
		plan_print(&p, stdout, true);
		plan_clear(&p);
		return 0;
	}
	if (plan) {
		say("pomctl rollback would set run %s aside: it changed "
		    "nothing",
		    cur->st.id);
		return 0;
	}
	ctx->state = &cur->st;
	ret = pipeline_retire_run(ctx, "abandoned.json");
	ctx->state = NULL;
	if (ret)
		return -1;
	say_final("pomctl: run %s changed nothing; it is set aside "
		  "(pomctl upgrade can start a new one)",
		  cur->st.id);
	return 0;
}

/*
 * The run rollback takes: --run ID, or the last one that changed
 * something and is not rolled back.  Into ctx->state; 0, or an exit code.
 */
static int rollback_target(struct ctx *ctx, struct history *h,
			   const struct run_request *rq, const char *run_id)
{
	struct run_entry *e, *last;

	if (lifecycle_check_dir(ctx) < 0 ||
	    history_load(h, ctx->state_dir.buf, pipeline_step_names(),
			 pomctl_nr_steps) < 0)
		return EXIT_USAGE;
	/* a run in progress that changed nothing: set aside, not past it */
	if (!run_id && abandon(ctx, h, rq->plan) == 0)
		return EXIT_DONE;
	last = history_last_to_undo(h);
	e = run_id ? history_find(h, run_id) : last;
	if (run_id && !e) {
		error("there is no run '%s' in '%s' (pomctl history lists "
		      "them)",
		      run_id, ctx->state_dir.buf);
		return EXIT_USAGE;
	}
	if (run_id && e->rolled_back) {
		error("run %s is rolled back already", run_id);
		return EXIT_USAGE;
	}
	if (e && last && e != last && strcmp(last->st.id, e->st.id) > 0) {
		error("run %s came after run %s and is not rolled back: roll "
		      "it back first (pomctl rollback)",
		      last->st.id, e->st.id);
		return EXIT_USAGE;
	}
	if (!e || !e->changed) {
		error("nothing to roll back: no run in '%s' changed anything "
		      "that is not rolled back already (pomctl history lists "
		      "the runs)",
		      ctx->state_dir.buf);
		return EXIT_USAGE;
	}
	ctx->state = xmalloc(sizeof(*ctx->state));
	*ctx->state = e->st;
	memset(&e->st, 0, sizeof(e->st)); /* ctx owns it now */
	return lifecycle_apply_settings(ctx) < 0 ? EXIT_USAGE : 0;
}

int rollback_command(struct ctx *ctx, const struct run_request *rq,
		     const char *run_id)
{
	struct history h = { NULL, 0 };
	int lock_fd = -1, ret;

	ctx->readonly = rq->plan;
	if (!rq->plan) {
		ret = lifecycle_lock(ctx, &lock_fd);
		if (ret)
			return ret;
	}
	ret = rollback_target(ctx, &h, rq, run_id);
	if (!ret && !ctx->state) { /* set aside: nothing to undo */
		if (rq->plan && ctx->detailed_exitcode)
			ret = EXIT_CHANGES;
		goto out;
	}
	if (!ret && !rq->plan && !lifecycle_assume_yes(ctx, rq) &&
	    isatty(STDIN_FILENO))
		ret = rollback(ctx, rq->force, true);
	if (!ret && !rq->plan)
		ret = lifecycle_ask(ctx, rq, "rollback");
	if (!ret)
		ret = rollback(ctx, rq->force, rq->plan);
out:
	history_clear(&h);
	state_unlock(lock_fd);
	return ret;
}
