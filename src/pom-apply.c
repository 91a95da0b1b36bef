// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Applying patch-o-matic patches: line-adds placed as runme places them,
 * diffs through patch(1), new files copied; whether a patch is applied
 * already; and the all-or-nothing trial of a set on a scratch copy (or dry
 * on the tree) before the tree itself is touched, with an undo log.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pomctl/manifest.h"
#include "pomctl/env.h"
#include "pomctl/pom.h"
#include "pomctl/run-command.h"
#include "pomctl/safepath.h"
#include "pomctl/scratch.h"
#include "pomctl/text.h"
#include "pomctl/util.h"
#include "pomctl/xalloc.h"

#include "pom-internal.h"

/* --- line-adds -------------------------------------------------------------- */

enum ladd_kind { LADD_PLAIN, LADD_HELP, LADD_KCONFIG };

static enum ladd_kind ladd_kind(const char *target)
{
	if (ends_with(target, "Configure.help"))
		return LADD_HELP;
	if (ends_with(target, "Kconfig") || !strcmp(target, "Kconfig"))
		return LADD_KCONFIG;
	return LADD_PLAIN;
}

/* Whether lines [from, nr) of body occur in file, in a row, at or after at. */
static bool block_present(const struct lines *file, size_t at,
			  const struct lines *body, size_t from)
{
	size_t n = body->nr - from;

	for (size_t i = at; i + n <= file->nr; i++) {
		size_t j = 0;

		while (j < n) {
			size_t len;
			const char *s = line_at(body, from + j, &len);

			if (!line_equals(file, i + j, s, len))
				break;
			j++;
		}
		if (j == n)
			return true;
	}
	return false;
}

static void copy_lines(struct strbuf *out, const struct lines *l, size_t from,
		       size_t to)
{
	for (size_t i = from; i < to; i++) {
		size_t len;
		const char *s = line_raw(l, i, &len);

		strbuf_add(out, s, len);
		if (!len || s[len - 1] != '\n')
			strbuf_addch(out, '\n'); /* before what follows */
	}
}

/* Where a Configure.help entry whose CONFIG_ line is at ends. */
static size_t entry_end(const struct lines *l, size_t at)
{
	size_t i = at + 1;

	for (; i < l->nr; i++) {
		size_t len;
		const char *s = line_at(l, i, &len);

		if (len && s[0] != ' ' && s[0] != '\t')
			break;
	}
	return i;
}

static long last_endmenu(const struct lines *l)
{
	for (size_t i = l->nr; i-- > 0;) {
		size_t len;
		const char *s = line_at(l, i, &len);

		if (len >= 7 && !strncmp(s, "endmenu", 7))
			return (long)i;
	}
	return -1;
}

/*
 * The file with the line-add applied, into out: 0 when changed, 1 when
 * it is there already, -1 (why) when it cannot be applied.
 */
static int ladd_text(enum ladd_kind kind, const struct lines *file,
		     const struct lines *ladd, struct strbuf *out,
		     struct strbuf *why)
{
	size_t alen, at, body = kind == LADD_KCONFIG ? 0 : 1;
	const char *anchor;
	long a;

	if (ladd->nr <= body)
		return strbuf_addstr(why, "the line-add is empty"), -1;
	if (kind == LADD_KCONFIG) {
		a = last_endmenu(file);
		if (a < 0)
			return strbuf_addstr(why, "no endmenu line"), -1;
		if (block_present(file, 0, ladd, 0))
			return 1;
		copy_lines(out, file, 0, (size_t)a);
		copy_lines(out, ladd, 0, ladd->nr);
		strbuf_addch(out, '\n');
		copy_lines(out, file, (size_t)a, file->nr);
		return 0;
	}
	anchor = line_at(ladd, 0, &alen);
	a = lines_find(file, 0, anchor, alen);
	if (a < 0)
		return strbuf_addf(why, "its anchor line '%.*s' is not there",
				   (int)alen, anchor),
		       -1;
	if (block_present(file, (size_t)a + 1, ladd, body))
		return 1;
	at = kind == LADD_HELP ? entry_end(file, (size_t)a) : (size_t)a + 1;
	copy_lines(out, file, 0, at);
	if (kind == LADD_HELP && at > 0 && !line_equals(file, at - 1, "", 0))
		strbuf_addch(out, '\n');
	copy_lines(out, ladd, body, ladd->nr);
	if (kind == LADD_HELP && at < file->nr)
		strbuf_addch(out, '\n');
	copy_lines(out, file, at, file->nr);
	/* keep a missing final newline missing */
	if (file->text.len && file->text.buf[file->text.len - 1] != '\n' &&
	    at < file->nr && out->len && out->buf[out->len - 1] == '\n')
		out->buf[--out->len] = '\0';
	return 0;
}

/*
 * Whether rel, a file a patch names, stays in the kernel tree kdir with
 * its links followed; why not, into why.  A hostile tree's link (net ->
 * /etc) is never written or read through.
 */
static bool in_tree(const char *kdir, const char *rel, struct strbuf *why)
{
	struct strbuf where = STRBUF_INIT;
	int r = path_walk(kdir, rel, BENEATH_TREE, true, &where, NULL);

	strbuf_clear(&where);
	if (r != -EXDEV && r != -ELOOP)
		return true;
	strbuf_addf(why, "%s leads outside %s through a link", rel, kdir);
	return false;
}

/* An undo log of the files an application changes, kept in memory. */
struct undo {
	struct strvec paths;
	struct strbuf *before; /* NULL: the file did not exist */
	size_t nr;
};

static void undo_note(struct undo *u, const char *path)
{
	struct strbuf *old = NULL;

	for (size_t i = 0; i < u->paths.nr; i++)
		if (!strcmp(u->paths.v[i], path))
			return;
	if (path_exists(path)) {
		old = xmalloc(sizeof(*old));
		strbuf_init(old);
		if (read_file(path, TEXT_MAX, false, old) < 0) {
			strbuf_clear(old);
			free(old);
			old = NULL;
		}
	}
	strvec_push(&u->paths, path);
	u->before = xrealloc(u->before, u->paths.nr * sizeof(*u->before));
	if (old) {
		u->before[u->paths.nr - 1] = *old;
		free(old);
	} else {
		u->before[u->paths.nr - 1].buf = NULL;
	}
}

static void undo_run(struct undo *u)
{
	for (size_t i = u->paths.nr; i-- > 0;) {
		if (u->before[i].buf)
			write_file_keep(u->paths.v[i], u->before[i].buf,
					u->before[i].len, 0644);
		else
			unlink(u->paths.v[i]);
	}
}

static void undo_clear(struct undo *u)
{
	for (size_t i = 0; i < u->paths.nr; i++)
		if (u->before[i].buf)
			strbuf_clear(&u->before[i]);
	free(u->before);
	strvec_clear(&u->paths);
}

/* Before changing or creating path in the tree: back up, note for undo. */
static int before_change(struct pom_target *t, const char *path)
{
	if (!t->m)
		return 0;
	undo_note(t->undo, path);
	if (path_exists(path))
		return manifest_backup(t->m, path);
	return manifest_created(t->m, path);
}

/*
 * The new text of path in t: kept durable in the tree (its mode kept),
 * not in a scratch copy, which is read once and removed.
 */
static int target_write(const struct pom_target *t, const char *path,
			const char *data, size_t len)
{
	if (t->m)
		return write_file_keep(path, data, len, 0644);
	if (unlink(path) < 0 && errno != ENOENT)
		return error("cannot replace '%s': %s", path, strerror(errno));
	return write_file_scratch(path, data, len);
}

/* 0 applied, 1 present already, -1 (why) */
static int apply_ladd(struct pom_target *t, const struct pom_ladd *a,
		      struct strbuf *why)
{
	struct lines file, ladd;
	struct strbuf path = STRBUF_INIT, out = STRBUF_INIT;
	int ret;

	lines_init(&file);
	lines_init(&ladd);
	strbuf_addf(&path, "%s/%s", t->dir, a->target);
	if (!in_tree(t->dir, a->target, why)) {
		ret = -1;
	} else if (lines_read(&file, path.buf, TEXT_MAX) < 0) {
		strbuf_addf(why, "%s: no such file for its line-add",
			    a->target);
		ret = -1;
	} else if (lines_read(&ladd, a->src, TEXT_MAX) < 0) {
		strbuf_addf(why, "cannot read '%s'", a->src);
		ret = -1;
	} else {
		struct strbuf sub = STRBUF_INIT;

		ret = ladd_text(ladd_kind(a->target), &file, &ladd, &out, &sub);
		if (ret < 0)
			strbuf_addf(why, "%s: %s", a->target, sub.buf);
		strbuf_clear(&sub);
	}
	if (ret == 0 && !t->dry &&
	    (before_change(t, path.buf) < 0 ||
	     target_write(t, path.buf, out.buf, out.len) < 0))
		ret = -1;
	lines_clear(&file);
	lines_clear(&ladd);
	strbuf_clear(&path);
	strbuf_clear(&out);
	return ret;
}

/* --- patch(1) ----------------------------------------------------------------- */

/* "|+++ linux/net/x.c\tdate" -> "net/x.c" (first component off) */
static void header_path(const char *line, size_t n, char *out, size_t max)
{
	const char *p = line + 5, *end = line + n, *slash;

	end = memchr(p, '\t', (size_t)(end - p)) ?
		      memchr(p, '\t', (size_t)(end - p)) :
		      end;
	slash = memchr(p, '/', (size_t)(end - p));
	if (slash)
		p = slash + 1;
	snprintf(out, max, "%.*s", (int)(end - p), p);
}

static void note_file(struct strbuf *list, struct strbuf *seen,
		      const char *file)
{
	if (strstr(seen->buf, file))
		return;
	strbuf_addf(list, "%s%s", list->len ? ", " : "", file);
	strbuf_addf(seen, "%s\n", file);
}

/*
 * From patch's output: the files it rejected hunks of (rejected) and those
 * it could not find (missing).
 */
static void rejected_files(const char *output, struct strbuf *rejected,
			   struct strbuf *missing)
{
	char current[512] = "", header[512] = "";
	struct strbuf seen = STRBUF_INIT;

	for (const char *line = output; *line;) {
		const char *nl = strchrnul(line, '\n');
		size_t n = (size_t)(nl - line);

		if (sscanf(line, "checking file %511[^\n]", current) == 1 ||
		    sscanf(line, "patching file %511[^\n]", current) == 1)
			;
		else if (n > 5 && !strncmp(line, "|+++ ", 5))
			header_path(line, n, header, sizeof(header));
		else if (memmem(line, n, "No file to patch", 16))
			note_file(missing, &seen, *header ? header : "a file");
		else if (memmem(line, n, "FAILED", 6))
			note_file(rejected, &seen,
				  *current ? current : "a file");
		line = *nl ? nl + 1 : nl;
	}
	strbuf_clear(&seen);
}

void pom_patch_argv(const struct env *env, const char *dir, const char *diff,
		    int strip, bool reverse, bool dry, struct strvec *argv)
{
	config_get_words(env->cfg, "commands", "patch", argv);
	strvec_pushf(argv, "-p%d", strip);
	strvec_pushv(argv, (const char *const[]){
				   "-f", "--no-backup-if-mismatch", "-r", "-",
				   "-d", dir, "-i", diff, NULL });
	if (reverse)
		strvec_push(argv, "-R");
	if (dry)
		strvec_push(argv, "--dry-run");
}

static int run_patch_command(const struct env *env, struct child_process *cp,
			     bool dry, struct strbuf *out)
{
	int null_fd = -1, ret;

	cp->log_fd = env->log_fd;
	if (cp->log_fd < 0)
		cp->log_fd = null_fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
	cp->out = out;
	cp->label = dry ? "patch --dry-run" : "patch";
	cp->quiet_progress = dry;
	ret = run_command(cp);
	if (null_fd >= 0)
		close(null_fd);
	return ret;
}

/*
 * The answers of patch --dry-run while nothing changes (the preflight and
 * the plan), by command: a second question (the fetch step's fit check,
 * then the patch step's) has the first one's answer.
 */
static struct dry_answer {
	struct strbuf argv; /* the words, each ended by '\0' */
	struct strbuf out;
	int rc;
} * dry_answers;
static size_t nr_dry_answers;
static bool remember_dry_runs;

void pom_remember_dry_runs(bool on)
{
	for (size_t i = 0; i < nr_dry_answers && !on; i++) {
		strbuf_clear(&dry_answers[i].argv);
		strbuf_clear(&dry_answers[i].out);
	}
	if (!on) {
		free(dry_answers);
		dry_answers = NULL;
		nr_dry_answers = 0;
	}
	remember_dry_runs = on;
}

static struct dry_answer *dry_answer(const struct env *env,
				     struct child_process *cp)
{
	struct strbuf key = STRBUF_INIT;
	struct dry_answer *a;

	for (size_t i = 0; i < cp->args.nr; i++)
		strbuf_add(&key, cp->args.v[i], strlen(cp->args.v[i]) + 1);
	for (size_t i = 0; i < nr_dry_answers; i++) {
		a = &dry_answers[i];
		if (a->argv.len == key.len &&
		    !memcmp(a->argv.buf, key.buf, key.len)) {
			strbuf_clear(&key);
			child_process_clear(cp);
			return a;
		}
	}
	dry_answers = xrealloc(dry_answers,
			       (nr_dry_answers + 1) * sizeof(*dry_answers));
	a = &dry_answers[nr_dry_answers++];
	a->argv = key;
	strbuf_init(&a->out);
	a->rc = run_patch_command(env, cp, true, &a->out);
	return a;
}

int pom_patch_run(const struct env *env, const char *dir, const char *diff,
		  int strip, bool reverse, bool dry, struct strbuf *out)
{
	struct child_process cp = CHILD_PROCESS_INIT;
	struct dry_answer *a;

	pom_patch_argv(env, dir, diff, strip, reverse, dry, &cp.args);
	if (!dry || !remember_dry_runs)
		return run_patch_command(env, &cp, dry, out);
	a = dry_answer(env, &cp);
	if (out)
		strbuf_add(out, a->out.buf, a->out.len);
	return a->rc;
}

int pom_patch_file(const struct env *env, const char *dir, const char *diff,
		   int strip, bool reverse, bool dry, struct strbuf *why)
{
	struct strbuf out = STRBUF_INIT;
	int ret = pom_patch_run(env, dir, diff, strip, reverse, dry, &out);

	if (ret > 0 && why) {
		struct strbuf rej = STRBUF_INIT, miss = STRBUF_INIT;

		rejected_files(out.buf, &rej, &miss);
		strbuf_addf(why, "%s:",
			    strrchr(diff, '/') ? strrchr(diff, '/') + 1 : diff);
		if (rej.len)
			strbuf_addf(why, " hunks rejected in %s", rej.buf);
		if (miss.len)
			strbuf_addf(why,
				    "%s %s missing (does it need another "
				    "patch first?)",
				    rej.len ? ";" : "", miss.buf);
		if (!rej.len && !miss.len)
			strbuf_addf(why, " patch exited with %d", ret);
		strbuf_clear(&rej);
		strbuf_clear(&miss);
	}
	strbuf_clear(&out);
	return ret ? -1 : 0;
}

static int run_patch(const struct env *env, const char *dir, const char *diff,
		     bool reverse, bool dry, struct strbuf *why)
{
	return pom_patch_file(env, dir, diff, 1, reverse, dry, why);
}

static int apply_diff(const struct env *env, struct pom_target *t,
		      const char *diff, struct strbuf *why)
{
	struct strvec files = STRVEC_INIT;
	struct strbuf path = STRBUF_INIT;
	int ret = 0;

	if (t->dry)
		return run_patch(env, t->dir, diff, false, true, why);
	if (t->m) {
		/* all of it must go in, or nothing is touched */
		ret = run_patch(env, t->dir, diff, false, true, why);
		pom_diff_targets(diff, &files);
		for (size_t i = 0; i < files.nr && !ret; i++) {
			if (!in_tree(t->dir, files.v[i], why)) {
				ret = -1;
				break;
			}
			strbuf_reset(&path);
			strbuf_addf(&path, "%s/%s", t->dir, files.v[i]);
			ret = before_change(t, path.buf);
		}
	}
	if (!ret)
		ret = run_patch(env, t->dir, diff, false, false, why);
	strvec_clear(&files);
	strbuf_clear(&path);
	return ret;
}

static int copy_new_file(struct pom_target *t, const struct pom_copy *c,
			 struct strbuf *why)
{
	struct strbuf dst = STRBUF_INIT;
	struct stat st;
	int ret = 0;

	strbuf_addf(&dst, "%s/%s", t->dir, c->dst);
	if (!in_tree(t->dir, c->dst, why)) {
		ret = -1;
	} else if (path_exists(dst.buf)) {
		strbuf_addf(why, "%s exists already", c->dst);
		ret = -1;
	} else if (t->dry) {
		ret = stat(c->src, &st) < 0 ? -1 : 0;
		if (ret)
			strbuf_addf(why, "cannot read '%s'", c->src);
	} else {
		ret = stat(c->src, &st) < 0 ||
				      mkdir_parent(dst.buf, 0755) < 0 ||
				      before_change(t, dst.buf) < 0 ||
				      (t->m ? copy_file_atomic(c->src, dst.buf,
							       st.st_mode &
								       0777) :
					      copy_file_scratch(c->src,
								dst.buf)) < 0 ?
			      -1 :
			      0;
		if (ret)
			strbuf_addf(why, "cannot create %s", c->dst);
	}
	strbuf_clear(&dst);
	return ret;
}

static bool skipped(const struct pom_target *t, const struct pom_ladd *a)
{
	return pom_ladd_other_series(a->target, t->is26);
}

/* p's new files and line-adds into t.  0 or -1 (why). */
int pom_apply_files(struct pom_target *t, const struct pom_patch *p,
		    struct strbuf *why)
{
	int ret = 0;

	for (size_t i = 0; i < p->ncopies && !ret; i++)
		ret = copy_new_file(t, &p->copies[i], why);
	for (size_t i = 0; i < p->nladds && !ret; i++)
		if (!skipped(t, &p->ladds[i]))
			ret = apply_ladd(t, &p->ladds[i], why) < 0 ? -1 : 0;
	return ret;
}

/* Every part of p into t: diffs, new files, line-adds.  0 or -1 (why). */
static int apply_parts(const struct env *env, struct pom_target *t,
		       const struct pom_patch *p, struct strbuf *why)
{
	int ret = 0;

	for (size_t i = 0; i < p->diffs.nr && !ret; i++)
		ret = apply_diff(env, t, p->diffs.v[i], why);
	return ret ? ret : pom_apply_files(t, p, why);
}

/* --- already applied ---------------------------------------------------- */

static bool ladd_present(const char *kdir, const struct pom_ladd *a)
{
	struct lines file, ladd;
	struct strbuf path = STRBUF_INIT, out = STRBUF_INIT, why = STRBUF_INIT;
	bool present;

	lines_init(&file);
	lines_init(&ladd);
	strbuf_addf(&path, "%s/%s", kdir, a->target);
	present = lines_read(&file, path.buf, TEXT_MAX) == 0 &&
		  lines_read(&ladd, a->src, TEXT_MAX) == 0 &&
		  ladd_text(ladd_kind(a->target), &file, &ladd, &out, &why) ==
			  1;
	lines_clear(&file);
	lines_clear(&ladd);
	strbuf_clear(&path);
	strbuf_clear(&out);
	strbuf_clear(&why);
	return present;
}

bool pom_parts_applied(const struct env *env, const struct pom_tree *pt,
		       const struct pom_patch *p, const char *kdir)
{
	struct strbuf path = STRBUF_INIT;
	bool applied = true;
	struct pom_target t = { kdir, NULL, NULL, pt->is26, false };

	for (size_t i = 0; i < p->ncopies && applied; i++) {
		strbuf_reset(&path);
		strbuf_addf(&path, "%s/%s", kdir, p->copies[i].dst);
		applied = path_exists(path.buf);
	}
	for (size_t i = 0; i < p->nladds && applied; i++)
		applied = skipped(&t, &p->ladds[i]) ||
			  ladd_present(kdir, &p->ladds[i]);
	for (size_t i = 0; i < p->diffs.nr && applied; i++)
		applied = run_patch(env, kdir, p->diffs.v[i], true, true,
				    NULL) == 0;
	strbuf_clear(&path);
	return applied;
}

bool pom_is_applied(const struct env *env, const struct pom_tree *pt,
		    const struct pom_patch *p, const char *kdir)
{
	return !p->unsafe && !p->not_for_kernel &&
	       pom_parts_applied(env, pt, p, kdir);
}

/* --- the trial of a set ------------------------------------------------------ */

/*
 * The files the patches of set touch (their diffs, line-adds and new
 * files), those marked in applied (if given) aside, into out.
 */
static void set_files(struct pom_patch *const *set, size_t n,
		      const bool *applied, struct strvec *out)
{
	for (size_t i = 0; i < n; i++) {
		if (applied && applied[i])
			continue;
		for (size_t j = 0; j < set[i]->diffs.nr; j++)
			pom_part_files(set[i]->diffs.v[j], out);
		for (size_t j = 0; j < set[i]->nladds; j++)
			strvec_push(out, set[i]->ladds[j].target);
		for (size_t j = 0; j < set[i]->ncopies; j++)
			strvec_push(out, set[i]->copies[j].dst);
	}
}

/* A private copy of the files the patches of set touch. */
static char *make_scratch(struct pom_patch *const *set, size_t n,
			  const char *kdir)
{
	struct strbuf dir = STRBUF_INIT, from = STRBUF_INIT, to = STRBUF_INIT;
	struct strvec files = STRVEC_INIT;
	int ret = 0;

	if (scratch_make("scratch", &dir) < 0) {
		strbuf_clear(&dir);
		return NULL;
	}
	set_files(set, n, NULL, &files);
	for (size_t i = 0; i < files.nr && !ret; i++) {
		struct strbuf why = STRBUF_INIT;

		if (relpath_check(files.v[i])) /* check_safety's */
			strbuf_addf(&why, "unsafe file name '%s'", files.v[i]);
		if (why.len || !in_tree(kdir, files.v[i], &why)) {
			ret = error("a patch's file: %s", why.buf);
			strbuf_clear(&why);
			break;
		}
		strbuf_reset(&from);
		strbuf_addf(&from, "%s/%s", kdir, files.v[i]);
		if (!path_exists(from.buf))
			continue;
		strbuf_reset(&to);
		strbuf_addf(&to, "%s/%s", dir.buf, files.v[i]);
		if (path_exists(to.buf))
			continue; /* named by two parts */
		ret = mkdir_parent(to.buf, 0700);
		if (!ret) /* a private copy: nothing to sync */
			ret = copy_file_scratch(from.buf, to.buf);
	}
	strvec_clear(&files);
	strbuf_clear(&from);
	strbuf_clear(&to);
	if (ret) {
		remove_tree(dir.buf);
		strbuf_clear(&dir);
		return NULL;
	}
	return strbuf_detach(&dir);
}

/*
 * Whether no two parts of the patches of set still to apply touch the same
 * file.  Then each part can be tried on the tree itself, dry (patch
 * --dry-run, line-adds in memory), and the answer is the one a scratch
 * copy would give, without copying anything.
 */
bool pom_parts_disjoint(struct pom_patch *const *set, size_t n,
			const bool *applied)
{
	struct strvec all = STRVEC_INIT;
	bool disjoint = true;

	set_files(set, n, applied, &all);
	for (size_t i = 0; i < all.nr; i++) /* "./x", "a//b" compare badly */
		if (!strncmp(all.v[i], "./", 2) || strstr(all.v[i], "//") ||
		    strstr(all.v[i], "/./"))
			disjoint = false;
	strvec_sort(&all);
	for (size_t i = 1; i < all.nr && disjoint; i++)
		disjoint = strcmp(all.v[i], all.v[i - 1]) != 0;
	strvec_clear(&all);
	return disjoint;
}

/*
 * Try the not yet applied of set: dry on the tree when their parts are
 * disjoint and dry is allowed, else applied to a scratch copy.  0 or -1
 * (why).
 */
int pom_try_parts(const struct env *env, const struct pom_tree *pt,
		  struct pom_patch *const *set, size_t n, const bool *applied,
		  const char *kdir, bool dry_ok, struct strbuf *why)
{
	bool dry = dry_ok && pom_parts_disjoint(set, n, applied);
	char *scratch = dry ? NULL : make_scratch(set, n, kdir);
	struct pom_target t = { dry ? kdir : scratch, NULL, NULL, pt->is26,
				dry };
	int ret = dry || scratch ? 0 : -1;

	/* every patch of the set is tried: each failure is said, not the
	 * first only */
	for (size_t i = 0; i < n && (dry || scratch); i++) {
		struct strbuf sub = STRBUF_INIT;

		if (applied[i])
			continue;
		if (apply_parts(env, &t, set[i], &sub)) {
			strbuf_addf(why, "%s%s: %s", why->len ? "; " : "",
				    set[i]->name, sub.buf);
			ret = -1;
		}
		strbuf_clear(&sub);
	}
	if (scratch)
		remove_tree(scratch);
	free(scratch);
	return ret;
}

int pom_try_set(const struct env *env, const struct pom_tree *pt,
		struct pom_patch **set, size_t n, const char *kdir,
		struct strbuf *why)
{
	bool *applied = xcalloc(n + 1, sizeof(*applied));
	int ret;

	for (size_t i = 0; i < n; i++)
		applied[i] = pom_parts_applied(env, pt, set[i], kdir);
	/* dry on the tree where the parts are disjoint: no copy, no space */
	ret = pom_try_parts(env, pt, set, n, applied, kdir, true, why);
	free(applied);
	return ret;
}

int pom_apply(const struct env *env, const struct pom_tree *pt,
	      struct pom_patch **set, size_t n, const char *kdir,
	      struct manifest *m, struct strvec *done)
{
	bool *applied = xcalloc(n + 1, sizeof(*applied));
	struct strbuf why = STRBUF_INIT;
	struct undo undo = { STRVEC_INIT, NULL, 0 };
	struct pom_target t = { kdir, m, &undo, pt->is26, false };
	int ret = 0;

	for (size_t i = 0; i < n && !ret; i++)
		if (set[i]->unsafe)
			ret = error(
				"patch '%s' is unsafe, nothing was changed: "
				"%s",
				set[i]->name, set[i]->unsafe);
	if (!ret) {
		for (size_t i = 0; i < n; i++)
			applied[i] = pom_parts_applied(env, pt, set[i], kdir);
		ret = pom_try_parts(env, pt, set, n, applied, kdir, false,
				    &why);
		if (ret)
			error("the patches do not apply to %s, nothing was "
			      "changed: %s",
			      kdir, why.buf);
	}
	for (size_t i = 0; i < n && !ret; i++) {
		if (applied[i])
			continue;
		strbuf_reset(&why);
		ret = apply_parts(env, &t, set[i], &why);
		if (ret) {
			undo_run(&undo);
			error("patch '%s' failed on %s after it applied to a "
			      "copy (%s); the tree was put back as it was",
			      set[i]->name, kdir, why.buf);
		} else {
			manifest_patch(m, set[i]->name);
			strvec_push(done, set[i]->name);
		}
	}
	if (manifest_save(m) < 0)
		ret = -1;
	undo_clear(&undo);
	strbuf_clear(&why);
	free(applied);
	return ret;
}
