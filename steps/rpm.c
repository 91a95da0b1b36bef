// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Step 6, rpm: edit the distribution's iptables spec for the new iptables
 * and the patch-o-matic extensions, check the result with librpmbuild,
 * build it with rpmbuild against the patched kernel tree, and check with
 * librpm that the packages hold each extension.  It runs after patch: the
 * iptables build picks its optional extensions by looking at the tree.
 */
#include <dirent.h>
#include <ftw.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pomctl/archive.h"
#include "pomctl/ktree.h"
#include "pomctl/log.h"
#include "pomctl/manifest.h"
#include "pomctl/pom.h"
#include "pomctl/rpmdb.h"
#include "pomctl/run-command.h"
#include "pomctl/safepath.h"
#include "pomctl/scratch.h"
#include "pomctl/spec.h"
#include "pomctl/text.h"
#include "pomctl/util.h"
#include "steps.h"

/* Everything the step works with, gathered once. */
struct job {
	/* spec: the file to write; orig: the distribution's text to edit
	 * (its backup, once an earlier run has edited the spec) */
	struct strbuf topdir, spec, orig, sources, kdir, tmp, src, packager,
		pom_dir, release;
	const char *version, *tarball, *pom_tarball;
	struct ktree kt;
	struct pom_tree pt;
	bool have_kt, have_pt;
	struct strvec drop, userspace, extensions, extension_names;
};

static void packager(struct ctx *ctx, struct strbuf *sb)
{
	const char *p = config_get(ctx->env.cfg, "general", "packager");
	struct passwd *pw = getpwuid(getuid());
	char host[256] = "localhost";

	if (*p) {
		strbuf_addstr(sb, p);
		return;
	}
	gethostname(host, sizeof(host) - 1);
	strbuf_addf(sb, "%s@%s", pw ? pw->pw_name : "root", host);
}

static void job_clear(struct job *j)
{
	if (j->tmp.len)
		remove_tree(j->tmp.buf);
	strbuf_clear(&j->topdir);
	strbuf_clear(&j->spec);
	strbuf_clear(&j->orig);
	strbuf_clear(&j->sources);
	strbuf_clear(&j->kdir);
	strbuf_clear(&j->tmp);
	strbuf_clear(&j->src);
	strbuf_clear(&j->packager);
	strbuf_clear(&j->pom_dir);
	strbuf_clear(&j->release);
	if (j->have_pt)
		pom_clear(&j->pt);
	if (j->have_kt)
		ktree_clear(&j->kt);
	strvec_clear(&j->drop);
	strvec_clear(&j->userspace);
	strvec_clear(&j->extensions);
	strvec_clear(&j->extension_names);
}

/* The new iptables sources, extracted into a private directory. */
static int extract_sources(struct ctx *ctx, struct job *j)
{
	struct strbuf tarball = STRBUF_INIT;
	struct archive_limits lim;
	double start;
	int ret;

	if (scratch_make("rpm", &j->tmp) < 0) {
		strbuf_reset(&j->tmp);
		return -1;
	}
	strbuf_addf(&tarball, "%s/%s", j->sources.buf, j->tarball);
	strbuf_addf(&j->src, "%s/src", j->tmp.buf);
	start = monotonic_seconds();
	archive_limits_from_config(ctx->env.cfg, &lim);
	ret = archive_extract_top(tarball.buf, &j->src, &lim);
	steplog_work(ctx->env.log_fd, start, "extract %s", tarball.buf);
	strbuf_clear(&tarball);
	return ret;
}

/*
 * The spec the edit starts from, the distribution's: this run's backup of
 * it, or the spec as fetched; but when that is pomctl's own (a run on a
 * host an earlier run upgraded fetches the SRPM pomctl built), the first
 * backup the earliest run made.
 */
static void original_spec(struct ctx *ctx, struct job *j)
{
	struct strbuf text = STRBUF_INIT;
	struct manifest m;
	const char *backup = NULL;
	char *first = NULL;

	if (ctx_manifest_open(ctx, "rpm", &m) == 0)
		backup = manifest_backup_of(&m, j->spec.buf);
	if (!backup || !path_exists(backup))
		backup = j->spec.buf;
	if (read_file(backup, 4 << 20, false, &text) == 0 &&
	    spec_edited_by_pomctl(text.buf) &&
	    (first = manifest_first_backup(ctx->env.root, ctx->state_dir.buf,
					   "rpm", j->spec.buf)))
		backup = first;
	strbuf_addstr(&j->orig, backup);
	free(first);
	manifest_clear(&m);
	strbuf_clear(&text);
}

static int job_init(struct ctx *ctx, struct job *j)
{
	struct strbuf sb = STRBUF_INIT;

	memset(j, 0, sizeof(*j));
	env_path(&ctx->env, config_get(ctx->env.cfg, "rpm", "topdir"),
		 &j->topdir);
	strbuf_addf(&j->sources, "%s/SOURCES", j->topdir.buf);
	env_path(&ctx->env, step_output(ctx, "fetch", "spec"), &j->spec);
	original_spec(ctx, j);
	j->version = step_output(ctx, "fetch", "iptables_version");
	j->tarball = step_output(ctx, "fetch", "iptables_tarball");
	j->pom_tarball = step_output(ctx, "fetch", "pom_tarball");
	fetch_pom_dir(ctx, &j->pom_dir);
	packager(ctx, &j->packager);
	if (!j->version || !j->tarball || !j->pom_dir.len)
		return error("the fetch step has no results to build from; run "
			     "pomctl resume --from fetch");
	rpm_build_clear(ctx, j->version, &j->release);
	if (ktree_open_configured(&ctx->env, &j->kt) < 0)
		return -1;
	j->have_kt = true;
	strbuf_addstr(&j->kdir, j->kt.dir);
	if (pom_open(&j->pt, j->pom_dir.buf, j->kt.v) < 0)
		return -1;
	j->have_pt = true;
	strbuf_clear(&sb);
	return extract_sources(ctx, j);
}

/* Which of the spec's patches the new sources make redundant. */
static int redundant_patches(struct ctx *ctx, struct job *j, bool drop_failing)
{
	struct spec s;
	struct spec_patch *p;
	struct strbuf path = STRBUF_INIT, why = STRBUF_INIT;
	size_t n;
	int ret = spec_read(&s, j->orig.buf);

	if (ret)
		return -1;
	n = spec_patches(&s, &p);
	for (size_t i = 0; i < n && !ret; i++) {
		int strip = p[i].strip >= 0 ? p[i].strip : 0;
		const char *unsafe = relpath_check(p[i].file);

		if (unsafe || !strcmp(p[i].file, ".")) {
			strbuf_reset(&path);
			strbuf_addprintable(&path, p[i].file);
			ret = error(
				"the spec '%s' names Patch%d '%s', which %s: "
				"pomctl will not read it; mend the spec",
				j->orig.buf, p[i].num, path.buf,
				unsafe ? unsafe : "is a directory");
			break;
		}
		strbuf_reset(&path);
		strbuf_addf(&path, "%s/%s", j->sources.buf, p[i].file);
		if (pom_patch_file(&ctx->env, j->src.buf, path.buf, strip,
				   false, true, NULL) == 0)
			continue; /* still needed */
		if (pom_patch_file(&ctx->env, j->src.buf, path.buf, strip, true,
				   true, NULL) == 0 ||
		    drop_failing) {
			strvec_push(&j->drop, p[i].file);
			continue;
		}
		ret = error("Patch%d (%s) neither applies to iptables %s nor "
			    "is contained in it: drop it from the spec, or run "
			    "pomctl resume --drop-failing-patches",
			    p[i].num, p[i].file, j->version);
	}
	spec_patches_free(p, n);
	spec_clear(&s);
	strbuf_clear(&path);
	strbuf_clear(&why);
	return ret;
}

/*
 * The patches the kernel tree carries: the patch step's finding (this
 * run's and earlier runs'), or before it ran, the requested ones.
 */
static void present_names(struct ctx *ctx, struct strvec *names)
{
	const char *present = step_output(ctx, "patch", "present");

	if (present)
		strvec_split(names, present, " ");
	else
		strvec_pushv(names, strvec_argv(&ctx->state->patches));
}

/*
 * The shared objects iptables builds for the extension name, into out:
 * each of libipt_NAME (IPv4, iptables before 1.4), libxt_NAME (both
 * families, iptables 1.4 and later) and libip6t_NAME (IPv6) whose source
 * is in the iptables sources already, or made by the patch's userspace
 * diff (a userspace-only patch such as raw has none).
 */
static void extension_objects(const struct job *j, const char *name,
			      const struct strbuf *diff, struct strvec *out)
{
	static const char *const prefixes[] = { "libipt_", "libxt_",
						"libip6t_" };
	struct strbuf path = STRBUF_INIT;

	for (size_t i = 0; i < ARRAY_SIZE(prefixes); i++) {
		strbuf_reset(&path);
		strbuf_addf(&path, "extensions/%s%s.c", prefixes[i], name);
		if (!(diff->len && strstr(diff->buf, path.buf))) {
			strbuf_reset(&path);
			strbuf_addf(&path, "%s/extensions/%s%s.c", j->src.buf,
				    prefixes[i], name);
			if (!path_exists(path.buf))
				continue;
		}
		strvec_pushf(out, "%s%s.so", prefixes[i], name);
	}
	strbuf_clear(&path);
}

/* The largest userspace diff or file of a patch that is read. */
#define USERSPACE_MAX (16 << 20)

static struct {
	const char *src; /* the iptables sources */
	size_t base;	 /* length of the iptables/ dir's path */
	struct strbuf *diff;
	int ret;
} us;

static int visit_userspace(const char *path, const struct stat *st, int type,
			   struct FTW *ftw)
{
	struct strbuf old = STRBUF_INIT, new = STRBUF_INIT,
		      target = STRBUF_INIT, label = STRBUF_INIT;
	const char *rel = path + us.base + 1;

	(void)st;
	(void)ftw;
	if (type != FTW_F)
		return 0;
	strbuf_addf(&target, "%s/%s", us.src, rel);
	if (path_exists(target.buf) &&
	    read_file(target.buf, USERSPACE_MAX, false, &old) < 0)
		us.ret = error("cannot read '%s'", target.buf);
	if (read_file(path, USERSPACE_MAX, false, &new) < 0)
		us.ret = error("cannot read '%s'", path);
	strbuf_addf(&label, "iptables/%s", rel);
	if (!us.ret)
		text_diff(label.buf, old.buf, old.len, new.buf, new.len,
			  us.diff);
	strbuf_clear(&old);
	strbuf_clear(&new);
	strbuf_clear(&target);
	strbuf_clear(&label);
	return us.ret;
}

/*
 * The userspace part of p as one diff for the iptables tree (applied with
 * patch -p1): a classic .userspace diff or an -ng iptables.patch as they
 * are, an -ng iptables/ tree as the diff that makes src (the new iptables
 * sources) look like it.  Empty when there is nothing to change.
 */
static int userspace_diff(const struct pom_patch *p, const char *src,
			  struct strbuf *diff)
{
	int ret = 0;

	if (p->userspace) {
		ret = read_file(p->userspace, USERSPACE_MAX, false, diff);
		return ret ? error("cannot read '%s': %s", p->userspace,
				   strerror(-ret)) :
			     0;
	}
	if (!p->userspace_dir)
		return 0;
	us.src = src;
	us.base = strlen(p->userspace_dir);
	us.diff = diff;
	us.ret = 0;
	nftw(p->userspace_dir, visit_userspace, 16, FTW_PHYS);
	return us.ret;
}

/* Extensions the packages must hold, and the userspace diffs to carry. */
static int userspace_parts(struct ctx *ctx, struct job *j, bool write,
			   struct manifest *m)
{
	struct strbuf diff = STRBUF_INIT, path = STRBUF_INIT,
		      file = STRBUF_INIT;
	struct strvec names = STRVEC_INIT;
	size_t before;
	int ret = 0;

	present_names(ctx, &names);
	for (size_t i = 0; i < names.nr && !ret; i++) {
		const char *name = names.v[i];
		struct pom_patch *p;

		ret = pom_find(&j->pt, name, &p, &file); /* not one: passed */
		if (ret) {
			ret = 0;
			continue;
		}
		strbuf_reset(&diff);
		ret = userspace_diff(p, j->src.buf, &diff);
		before = j->extensions.nr;
		extension_objects(j, name, &diff, &j->extensions);
		if (j->extensions.nr > before)
			strvec_push(&j->extension_names, name);
		if (ret || !diff.len)
			continue;
		strbuf_reset(&file);
		strbuf_addf(&file, "iptables-pom-%s.patch", name);
		strvec_push(&j->userspace, file.buf);
		strbuf_reset(&path);
		strbuf_addf(&path, "%s/%s", j->sources.buf, file.buf);
		if (write && m && !path_exists(path.buf))
			ret = manifest_created(m, path.buf);
		if (write && !ret)
			ret = write_file_atomic(path.buf, diff.buf, diff.len,
						0644);
	}
	strvec_clear(&names);
	strbuf_clear(&diff);
	strbuf_clear(&path);
	strbuf_clear(&file);
	return ret;
}

/* The edited spec's text and its diff. */
static int edit_spec(struct ctx *ctx, struct job *j, struct strbuf *text,
		     struct strbuf *diff, struct strbuf *log)
{
	struct strbuf kver = STRBUF_INIT, old = STRBUF_INIT;
	const char *top = strrchr(j->pom_dir.buf, '/');
	struct spec_request req = {
		j->version,
		j->release.buf,
		j->tarball,
		j->kdir.buf,
		NULL,
		j->packager.buf,
		j->pom_tarball,
		top ? top + 1 : j->pom_dir.buf,
		&ctx->state->patches,
		&j->drop,
		&j->userspace,
		true, /* the distribution's, rpmbuild runs it */
	};
	struct spec s;
	int ret;

	strbuf_addf(&kver, "%u.%u.%u", j->kt.v[0], j->kt.v[1], j->kt.v[2]);
	req.kernel_version = kver.buf;
	ret = spec_read(&s, j->orig.buf);
	if (!ret)
		ret = spec_edit_pom(&s, &req, log);
	if (!ret) {
		spec_render(&s, text);
		read_file(j->orig.buf, 4 << 20, false, &old);
		text_diff(j->spec.buf, old.buf, old.len, text->buf, text->len,
			  diff);
	}
	spec_clear(&s);
	strbuf_clear(&kver);
	strbuf_clear(&old);
	return ret;
}

static void expected_packages(const struct job *j, struct strvec *pkgs,
			      struct strvec *srcs)
{
	strvec_pushv(pkgs, (const char *const[]){ "iptables", "iptables-devel",
						  "iptables-pom", NULL });
	strvec_push(srcs, j->tarball);
	if (j->pom_tarball)
		strvec_push(srcs, j->pom_tarball);
	strvec_pushv(srcs, strvec_argv((struct strvec *)&j->userspace));
}

/* Write the edited spec only once librpmbuild accepts it. */
static int install_spec(struct ctx *ctx, struct job *j, const char *text,
			struct manifest *m)
{
	struct strbuf tmp = STRBUF_INIT;
	struct strvec pkgs = STRVEC_INIT, srcs = STRVEC_INIT;
	struct spec_expect x;
	int ret;

	expected_packages(j, &pkgs, &srcs);
	x = (struct spec_expect){ j->version, j->release.buf, &pkgs, &srcs,
				  &j->userspace };
	strbuf_addf(&tmp, "%s.pomctl-new", j->spec.buf);
	ret = write_file_atomic(tmp.buf, text, strlen(text), 0644);
	if (!ret) {
		double start = monotonic_seconds();

		ret = spec_validate(tmp.buf, j->topdir.buf, &x);
		steplog_work(ctx->env.log_fd, start,
			     "librpmbuild parses the "
			     "edited spec");
	}
	if (!ret)
		ret = manifest_backup(m, j->spec.buf);
	if (!ret && rename(tmp.buf, j->spec.buf) < 0)
		ret = error("cannot replace '%s'", j->spec.buf);
	unlink(tmp.buf);
	strvec_clear(&pkgs);
	strvec_clear(&srcs);
	strbuf_clear(&tmp);
	return ret;
}

static bool is_build_error(const char *line)
{
	return strstr(line, "error:") || strstr(line, "Error ") ||
	       strstr(line, "Bad exit status") || strstr(line, "*** ");
}

static void rpmbuild_argv(struct ctx *ctx, const struct job *j,
			  struct strvec *argv)
{
	config_get_words(ctx->env.cfg, "commands", "rpmbuild", argv);
	strvec_push(argv, "--define");
	strvec_pushf(argv, "_topdir %s", j->topdir.buf);
	strvec_pushv(argv, (const char *const[]){ "-ba", j->spec.buf, NULL });
}

static int rpmbuild(struct ctx *ctx, const struct job *j)
{
	struct child_process cp = CHILD_PROCESS_INIT;
	struct strvec errors = STRVEC_INIT;
	struct strbuf lines = STRBUF_INIT;
	int ret;

	rpmbuild_argv(ctx, j, &cp.args);
	cp.log_fd = ctx->env.log_fd;
	cp.label = "rpmbuild";
	cp.is_error = is_build_error;
	cp.errors = &errors;
	ret = run_command(&cp);
	for (size_t i = 0; i < errors.nr && i < 10; i++)
		strbuf_addf(&lines, "\n    %s", errors.v[i]);
	if (ret > 0 && !run_interrupted()) /* else: "interrupted" */
		ret = error("rpmbuild -ba %s failed (exit %d)%s%s", j->spec.buf,
			    ret, errors.nr ? "; the first errors:" : "",
			    lines.buf);
	strvec_clear(&errors);
	strbuf_clear(&lines);
	return ret ? -1 : 0;
}

/* RPMS/ARCH/NAME-VERSION-RELEASE.ARCH.rpm, found. */
static int find_package(const struct job *j, const char *name,
			const char *release, struct strbuf *path)
{
	struct strbuf rpms = STRBUF_INIT, prefix = STRBUF_INIT,
		      sub = STRBUF_INIT;
	struct dirent *a, *f;
	DIR *d, *e;
	int ret = -1;

	strbuf_addf(&rpms, "%s/RPMS", j->topdir.buf);
	strbuf_addf(&prefix, "%s-%s-%s.", name, j->version, release);
	d = opendir(rpms.buf);
	while (ret && d && (a = readdir(d))) {
		strbuf_reset(&sub);
		strbuf_addf(&sub, "%s/%s", rpms.buf, a->d_name);
		if (a->d_name[0] == '.' || !(e = opendir(sub.buf)))
			continue;
		while (ret && (f = readdir(e)))
			if (!strncmp(f->d_name, prefix.buf, prefix.len)) {
				strbuf_reset(path);
				strbuf_addf(path, "%s/%s", sub.buf, f->d_name);
				ret = 0;
			}
		closedir(e);
	}
	if (d)
		closedir(d);
	strbuf_clear(&rpms);
	strbuf_clear(&prefix);
	strbuf_clear(&sub);
	return ret;
}

static bool has_file_ending(const struct strvec *files, const char *name)
{
	size_t n = strlen(name);

	for (size_t i = 0; i < files->nr; i++) {
		size_t len = strlen(files->v[i]);

		if (len > n && files->v[i][len - n - 1] == '/' &&
		    !strcmp(files->v[i] + len - n, name))
			return true;
	}
	return false;
}

static int check_packages(const struct job *j, struct strbuf *built)
{
	static const char *const names[] = { "iptables", "iptables-devel",
					     "iptables-pom" };
	const char *release = j->release.buf;
	struct strbuf path = STRBUF_INIT;
	struct strvec files = STRVEC_INIT;
	int ret = 0;

	for (size_t i = 0; i < ARRAY_SIZE(names) && !ret; i++) {
		if (find_package(j, names[i], release, &path) < 0)
			ret = error("rpmbuild made no %s-%s-%s package",
				    names[i], j->version, release);
		else if (rpmdb_check_package(path.buf, NULL, NULL) < 0)
			ret = -1;
		else
			strbuf_addf(built, "%s%s", built->len ? " " : "",
				    path.buf);
		if (!ret && i == 0)
			ret = rpmdb_package_files(path.buf, &files);
	}
	for (size_t i = 0; !ret && i < j->extensions.nr; i++)
		if (!has_file_ending(&files, j->extensions.v[i]))
			ret = error(
				"the built iptables package has no %s: the "
				"iptables build did not see the patched "
				"kernel tree (KERNEL_DIR=%s); see pomctl log "
				"rpm",
				j->extensions.v[i], j->kdir.buf);
	strvec_clear(&files);
	strbuf_clear(&path);
	return ret;
}

void rpm_fingerprint(struct ctx *ctx, struct fingerprint *fp)
{
	fp_add_step(fp, ctx->state, "fetch");
	fp_add_step(fp, ctx->state, "patch");
	fp_add_config(fp, ctx, "rpm", "topdir");
	fp_add_config(fp, ctx, "rpm", "release");
	fp_add_config(fp, ctx, "rpm", "drop_failing_patches");
	fp_add_config(fp, ctx, "general", "packager");
	fp_add_config(fp, ctx, "commands", "rpmbuild");
	fp_add_config(fp, ctx, "kernel", "tree");
}

/*
 * The spec as the SRPM brought it checked with librpmbuild, then its
 * edits: patches that no longer apply dropped (when asked), the
 * userspace parts (written into the rpm tree and recorded in m when
 * write), the new text, its diff and the edit log.  The plan's and the
 * run's, so that a spec the run refuses is the plan's refusal too.
 */
static int spec_edits(struct ctx *ctx, struct job *j, bool write,
		      struct manifest *m, struct strbuf *text,
		      struct strbuf *diff, struct strbuf *log)
{
	double start = monotonic_seconds();
	int ret = spec_validate(j->orig.buf, j->topdir.buf, NULL);

	steplog_work(ctx->env.log_fd, start, "librpmbuild parses %s",
		     j->orig.buf);
	if (!ret)
		ret = redundant_patches(
			ctx, j,
			config_get_bool(ctx->env.cfg, "rpm",
					"drop_failing_patches"));
	if (!ret)
		ret = userspace_parts(ctx, j, write, m);
	return ret ? ret : edit_spec(ctx, j, text, diff, log);
}

int rpm_plan(struct ctx *ctx)
{
	struct job j;
	struct strbuf text = STRBUF_INIT, diff = STRBUF_INIT, log = STRBUF_INIT;
	struct strvec argv = STRVEC_INIT;
	int ret;

	if (state_step(ctx->state, "fetch")->status != STEP_DONE ||
	    !step_output(ctx, "fetch", "spec")) {
		plan_pending(
			ctx->env.plan,
			"once fetch has installed the SRPM: the "
			"spec is edited (version, release, -devel and -pom "
			"subpackages, patches the new iptables contains "
			"dropped, KERNEL_DIR), checked with librpmbuild and "
			"built with rpmbuild -ba");
		return 0;
	}
	ret = job_init(ctx, &j);
	if (!ret)
		ret = spec_edits(ctx, &j, false, NULL, &text, &diff, &log);
	if (!ret) {
		plan_edit(ctx->env.plan, j.spec.buf, diff.buf);
		rpmbuild_argv(ctx, &j, &argv);
		plan_command(ctx->env.plan, strvec_argv(&argv), NULL);
		plan_note(ctx->env.plan,
			  "then iptables, iptables-devel and "
			  "iptables-pom must be built%s%s",
			  j.extensions.nr ? ", the main package holding " : "",
			  j.extensions.nr ? j.extensions.v[0] : "");
	}
	job_clear(&j);
	strvec_clear(&argv);
	strbuf_clear(&text);
	strbuf_clear(&diff);
	strbuf_clear(&log);
	return ret;
}

/*
 * The first directory of topdir/rel (a directory, or a file's) that is
 * not there yet, recorded as the step's: rpmbuild makes it.
 */
static int record_new_dir(struct manifest *m, const char *topdir,
			  const char *rel, bool file)
{
	struct strbuf dir = STRBUF_INIT;
	const char *end = file ? strrchr(rel, '/') : rel + strlen(rel);
	int ret = 0;

	strbuf_addstr(&dir, topdir);
	for (const char *p = rel; end && p < end;) {
		const char *slash = strchrnul(p, '/');

		if (slash > end)
			slash = end;
		strbuf_addf(&dir, "/%.*s", (int)(slash - p), p);
		if (!path_exists(dir.buf)) {
			ret = manifest_created(m, dir.buf);
			break;
		}
		p = *slash ? slash + 1 : slash;
	}
	strbuf_clear(&dir);
	return ret;
}

/*
 * Before rpmbuild writes them, the package files it will write (named by
 * the installed spec): the step's, for rollback to remove, or their
 * earlier content backed up; and the directories rpmbuild makes for them
 * and for its build root, the step's too.  Recorded first, so that a
 * build killed half way leaves nothing of its own unrecorded.
 */
static int record_outputs(struct job *j, struct manifest *m)
{
	struct strvec outs = STRVEC_INIT;
	struct strbuf path = STRBUF_INIT;
	int ret = spec_outputs(j->spec.buf, j->topdir.buf, &outs);

	if (!ret)
		ret = record_new_dir(m, j->topdir.buf, "BUILDROOT", false);
	for (size_t i = 0; i < outs.nr && !ret; i++) {
		strbuf_reset(&path);
		strbuf_addf(&path, "%s/%s", j->topdir.buf, outs.v[i]);
		ret = record_new_dir(m, j->topdir.buf, outs.v[i], true);
		if (!ret)
			ret = manifest_will_write(m, path.buf);
	}
	strvec_clear(&outs);
	strbuf_clear(&path);
	return ret;
}

int rpm_run(struct ctx *ctx)
{
	struct job j;
	struct manifest m;
	struct strbuf text = STRBUF_INIT, diff = STRBUF_INIT, log = STRBUF_INIT,
		      built = STRBUF_INIT;
	int ret = job_init(ctx, &j);

	if (!ret)
		ret = ctx_manifest_open(ctx, "rpm", &m);
	if (!ret) {
		ret = spec_edits(ctx, &j, true, &m, &text, &diff, &log);
		if (!ret) {
			steplog_printf(ctx->env.log_fd, "%s%s", log.buf,
				       diff.buf);
			ret = install_spec(ctx, &j, text.buf, &m);
		}
		if (!ret)
			ret = record_outputs(&j, &m);
		manifest_save(&m);
		manifest_clear(&m);
	}
	if (!ret)
		ret = rpmbuild(ctx, &j);
	if (!ret) {
		double start = monotonic_seconds();

		ret = check_packages(&j, &built);
		steplog_work(ctx->env.log_fd, start,
			     "librpm reads the built "
			     "packages");
	}
	if (!ret) {
		info("  built %s", built.buf);
		struct strbuf names = STRBUF_INIT, own = STRBUF_INIT;

		ctx_own_paths(ctx, built.buf, &own);
		strvec_join(&j.extension_names, " ", &names);
		ctx_set_output(ctx, "rpm", "packages", own.buf);
		ctx_set_output(ctx, "rpm", "version", j.version);
		ctx_set_output(ctx, "rpm", "extensions", names.buf);
		strbuf_clear(&names);
		strbuf_clear(&own);
	}
	job_clear(&j);
	strbuf_clear(&text);
	strbuf_clear(&diff);
	strbuf_clear(&log);
	strbuf_clear(&built);
	return ret;
}
