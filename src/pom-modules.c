// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Whether a set of patch-o-matic patches only adds modules to a kernel
 * tree: new sources and headers, and lines added to the build files.  Such
 * a set's modules, built from the tree the running kernel came from with
 * its configuration, load into the running kernel: no new kernel and no
 * reboot (the modules path).  What changes a file the tree has, C source,
 * header or a build file's existing line, needs the new kernel.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "pom-internal.h"
#include "pomctl/pom.h"
#include "pomctl/text.h"
#include "pomctl/util.h"

/* The build files a module's patch adds lines to (2.4 and 2.6). */
static bool is_build_file(const char *path)
{
	static const char *const names[] = { "Config.in", "Configure.help",
					     "Kconfig", "Makefile" };
	const char *base = strrchr(path, '/');

	base = base ? base + 1 : path;
	for (size_t i = 0; i < ARRAY_SIZE(names); i++)
		if (!strcmp(base, names[i]))
			return true;
	return false;
}

/* One file of a diff, as far as the question needs it. */
struct diff_file {
	struct strbuf path; /* the +++ side, first component off */
	bool deletes;	    /* its +++ side is /dev/null */
	bool old_lines;	    /* a hunk has context or removed lines */
	bool removes;	    /* a hunk removes a line */
};

/* A ---/+++ path without its first component; "" for /dev/null. */
static void diff_path(const char *s, size_t len, struct strbuf *out)
{
	size_t n = strcspn(s, "\t");
	const char *slash;

	n = n < len ? n : len;
	strbuf_reset(out);
	if (n >= 9 && !strncmp(s, "/dev/null", 9))
		return;
	slash = memchr(s, '/', n);
	if (slash)
		strbuf_add(out, slash + 1, n - (size_t)(slash + 1 - s));
}

/* "@@ -A[,B] +C[,D] @@": B and D (1 when not given): 0, or -1. */
static int hunk_counts(const char *s, unsigned long *nold, unsigned long *nnew)
{
	char *end;

	if (strncmp(s, "@@ -", 4))
		return -1;
	strtoul(s + 4, &end, 10);
	*nold = *end == ',' ? strtoul(end + 1, &end, 10) : 1;
	if (strncmp(end, " +", 2))
		return -1;
	strtoul(end + 2, &end, 10);
	*nnew = *end == ',' ? strtoul(end + 1, &end, 10) : 1;
	return strncmp(end, " @@", 3) ? -1 : 0;
}

/*
 * Read the files of the diff at path into files (n of them): 0, or -1
 * when it cannot be read or a hunk is malformed (not a shape to decide
 * on).  Hunk bodies are counted by their headers, so that a removed line
 * that reads "-- x" is not taken for a file's "--- " line.
 */
static int read_diff(const char *path, struct diff_file **files, size_t *n)
{
	struct lines l;
	int ret = 0;

	lines_init(&l);
	if (lines_read(&l, path, TEXT_MAX) < 0)
		ret = -1;
	for (size_t i = 0; !ret && i < l.nr; i++) {
		size_t len;
		const char *s = line_at(&l, i, &len);
		struct diff_file *f = *n ? &(*files)[*n - 1] : NULL;
		unsigned long nold, nnew; /* the hunk's lines left */

		if (len > 4 && !strncmp(s, "+++ ", 4)) {
			*files = xrealloc(*files, (*n + 1) * sizeof(**files));
			f = &(*files)[(*n)++];
			memset(f, 0, sizeof(*f));
			strbuf_init(&f->path);
			diff_path(s + 4, len - 4, &f->path);
			f->deletes = !f->path.len;
			continue;
		}
		if (len < 4 || strncmp(s, "@@ -", 4))
			continue;
		if (!f || hunk_counts(s, &nold, &nnew) < 0) {
			ret = -1;
			break;
		}
		f->old_lines |= nold > 0;
		while ((nold || nnew) && ++i < l.nr) {
			s = line_at(&l, i, &len);
			/* "\ No newline at end of file" */
			if (len && *s == '\\')
				continue;
			if (len && *s == '+' && nnew) {
				nnew--;
			} else if (len && *s == '-' && nold) {
				f->removes = true;
				nold--;
			} else if ((!len || *s == ' ') && nold && nnew) {
				/* context (an empty line too) */
				nold--;
				nnew--;
			} else {
				break;
			}
		}
		if (nold || nnew) /* a line of another kind, or the end */
			ret = -1;
	}
	lines_clear(&l);
	return ret;
}

static bool in_tree(const char *kdir, const char *rel)
{
	struct strbuf sb = STRBUF_INIT;
	struct stat st;
	bool there;

	strbuf_addf(&sb, "%s/%s", kdir, rel);
	there = lstat(sb.buf, &st) == 0;
	strbuf_clear(&sb);
	return there;
}

/*
 * What one diff file does to kdir, given what the set adds before it:
 * NULL when it only adds (a new file into added), else how it changes
 * the tree.
 */
static const char *judge(const struct diff_file *f, const char *kdir,
			 struct strvec *added)
{
	if (f->deletes)
		return "deletes";
	if (strvec_has(added, f->path.buf)) /* a file of the set's own */
		return NULL;
	if (!in_tree(kdir, f->path.buf)) {
		if (f->old_lines)
			return "changes";
		strvec_push(added, f->path.buf);
		return NULL;
	}
	if (!is_build_file(f->path.buf))
		return "changes";
	return f->removes ? "changes lines of" : NULL;
}

static bool diffs_add_only(const struct pom_patch *p, const char *kdir,
			   struct strvec *added, struct strbuf *why)
{
	bool ok = true;

	for (size_t i = 0; ok && i < p->diffs.nr; i++) {
		struct diff_file *files = NULL;
		size_t n = 0;

		if (read_diff(p->diffs.v[i], &files, &n) < 0) {
			strbuf_addf(why,
				    "%s: its diff %s cannot be read as one",
				    p->name, p->diffs.v[i]);
			ok = false;
		}
		for (size_t j = 0; ok && j < n; j++) {
			const char *how = judge(&files[j], kdir, added);

			if (how) {
				strbuf_addf(why, "%s %s %s", p->name, how,
					    files[j].path.len ?
						    files[j].path.buf :
						    "a file");
				ok = false;
			}
		}
		for (size_t j = 0; j < n; j++)
			strbuf_clear(&files[j].path);
		free(files);
	}
	return ok;
}

bool pom_adds_modules_only(struct pom_patch *const *set, size_t n,
			   const char *kdir, struct strvec *added,
			   struct strbuf *why)
{
	bool ok = true;

	for (size_t i = 0; ok && i < n; i++) {
		const struct pom_patch *p = set[i];

		if (p->unsafe) { /* a name that leads out of a tree */
			strbuf_addf(why, "%s may not be used: %s", p->name,
				    p->unsafe);
			ok = false;
		}
		for (size_t j = 0; ok && j < p->ncopies; j++) {
			const char *dst = p->copies[j].dst;

			if (in_tree(kdir, dst) && !strvec_has(added, dst)) {
				strbuf_addf(why, "%s replaces %s", p->name,
					    dst);
				ok = false;
			} else if (!strvec_has(added, dst)) {
				strvec_push(added, dst);
			}
		}
		for (size_t j = 0; ok && j < p->nladds; j++)
			if (!is_build_file(p->ladds[j].target)) {
				strbuf_addf(why, "%s adds lines to %s", p->name,
					    p->ladds[j].target);
				ok = false;
			}
		ok = ok && diffs_add_only(p, kdir, added, why);
	}
	return ok;
}
