// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Whether a patch applies to a kernel tree, for list-patches: the answers
 * that need no trial, the trial with what the patch depends on, and the
 * quick path of a patch whose diffs alone are left to try.
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

#include "pomctl/env.h"
#include "pomctl/pom.h"
#include "pomctl/text.h"
#include "pomctl/util.h"

#include "pom-internal.h"

/* The answers that need no trial: not for this kernel, applied already. */
static bool decided_early(const struct env *env, const struct pom_tree *pt,
			  const struct pom_patch *p, const char *kdir,
			  struct pom_check *res)
{
	res->status = POM_APPLIES;
	if (p->unsafe) {
		res->status = POM_UNSAFE;
		strbuf_addstr(&res->detail, p->unsafe);
		return true;
	}
	if (p->not_for_kernel) {
		res->status = POM_NOT_FOR_KERNEL;
		strbuf_addstr(&res->detail, p->not_for_kernel);
		return true;
	}
	if (!pom_kernel_part(p)) {
		strbuf_addstr(&res->detail,
			      "userspace only: its diff goes into "
			      "the iptables package");
		return true;
	}
	if (pom_parts_applied(env, pt, p, kdir)) {
		res->status = POM_APPLIED;
		return true;
	}
	return false;
}

/* The trial of p with what it depends on. */
static void test_with_deps(const struct env *env, const struct pom_tree *pt,
			   const struct pom_patch *p, const char *kdir,
			   struct pom_check *res)
{
	struct strvec names = STRVEC_INIT;
	struct pom_patch **set = NULL;
	bool *applied = NULL;
	size_t n = 0;

	strvec_push(&names, p->name);
	if (pom_order(pt, &names, &set, &n, &res->detail) < 0)
		res->status = POM_MISSING_DEP;
	applied = xcalloc(n + 1, sizeof(*applied));
	for (size_t i = 0; i + 1 < n; i++)
		applied[i] = pom_parts_applied(env, pt, set[i], kdir);
	if (res->status == POM_APPLIES &&
	    pom_try_parts(env, pt, set, n, applied, kdir, true, &res->detail) <
		    0)
		res->status = POM_FAILS;
	free(applied);
	free(set);
	strvec_clear(&names);
}

int pom_test(const struct env *env, const struct pom_tree *pt,
	     const struct pom_patch *p, const char *kdir, struct pom_check *res)
{
	if (!decided_early(env, pt, p, kdir, res))
		test_with_deps(env, pt, p, kdir, res);
	return 0;
}

/* "A[,B]" at *s, moved past it: B, 1 when left out; false if malformed. */
static bool hunk_range(const char **s, long *count)
{
	char *end;

	if (!isdigit((unsigned char)**s))
		return false;
	strtol(*s, &end, 10);
	*count = 1;
	if (*end == ',') {
		if (!isdigit((unsigned char)end[1]))
			return false;
		*count = strtol(end + 1, &end, 10);
	}
	*s = end;
	return true;
}

/* "@@ -A[,B] +C[,D] @@...": the old and new line counts B and D. */
static bool hunk_counts(const char *s, long *before, long *after)
{
	if (strncmp(s, "@@ -", 4))
		return false;
	s += 4;
	if (!hunk_range(&s, before) || strncmp(s, " +", 2))
		return false;
	s += 2;
	return hunk_range(&s, after) && !strncmp(s, " @@", 3);
}

/*
 * Whether diff is unified, every hunk after a "+++" header and exactly as
 * long as it says: then put end to end with others it reads as itself
 * (patch(1) would take a stray hunk for one more of the file before).
 */
static bool diff_is_complete(const char *diff)
{
	struct lines l;
	long before = 0, after = 0;
	bool header = false, ok, hunks = false;

	lines_init(&l);
	ok = lines_read(&l, diff, TEXT_MAX) == 0;
	for (size_t i = 0; ok && i < l.nr; i++) {
		size_t len;
		const char *s = line_at(&l, i, &len);

		if (before > 0 || after > 0) { /* inside a hunk */
			char c = len ? s[0] : ' ';

			if (c == ' ' || c == '-')
				before--;
			if (c == ' ' || c == '+')
				after--;
			ok = (c == ' ' || c == '-' || c == '+' || c == '\\') &&
			     before >= 0 && after >= 0;
		} else if (len >= 3 && !strncmp(s, "@@ ", 3)) {
			ok = header && hunk_counts(s, &before, &after);
			hunks = true;
		} else if (len >= 4 && !strncmp(s, "+++ ", 4)) {
			header = true;
		} else if (len >= 4 && !strncmp(s, "*** ", 4)) {
			ok = false; /* a context diff: left alone */
		}
	}
	lines_clear(&l);
	return ok && hunks && before <= 0 && after <= 0;
}

/*
 * Whether p alone, with diffs that touch distinct files, has only its diffs
 * left to try once its new files and line-adds pass in memory: then
 * pom_test() would run nothing but patch --dry-run of each diff.
 */
static bool diffs_left(const struct pom_tree *pt, const struct pom_patch *p,
		       const char *kdir)
{
	struct strvec names = STRVEC_INIT;
	struct pom_patch **set = NULL;
	struct pom_target t = { kdir, NULL, NULL, pt->is26, true };
	struct strbuf why = STRBUF_INIT;
	bool no = false, left;
	size_t n = 0;

	strvec_push(&names, p->name);
	left = p->diffs.nr && !p->depends.nr &&
	       pom_order(pt, &names, &set, &n, &why) == 0 && n == 1 &&
	       set[0] == p && pom_parts_disjoint(set, 1, &no);
	for (size_t i = 0; i < p->diffs.nr && left; i++)
		left = diff_is_complete(p->diffs.v[i]);
	left = left && pom_apply_files(&t, p, &why) == 0;
	free(set);
	strvec_clear(&names);
	strbuf_clear(&why);
	return left;
}

bool pom_test_begin(const struct env *env, const struct pom_tree *pt,
		    const struct pom_patch *p, const char *kdir,
		    struct pom_check *res)
{
	if (decided_early(env, pt, p, kdir, res))
		return false;
	if (diffs_left(pt, p, kdir))
		return true;
	test_with_deps(env, pt, p, kdir, res);
	return false;
}
