// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A patch-o-matic tree opened for a kernel: its patches read (pom-read.c)
 * and checked for safety (every file a patch names inside its tree and
 * the kernel's), what each adds (options, modules), patches found by
 * name, a set ordered by its requirements and checked for conflicts.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pomctl/env.h"
#include "pomctl/ktree.h"
#include "pomctl/pom.h"
#include "pomctl/safepath.h"
#include "pomctl/text.h"
#include "pomctl/util.h"

#include "pom-internal.h"

static const char *const status_names[] = {
	[POM_APPLIES] = "applies",
	[POM_APPLIED] = "already applied",
	[POM_FAILS] = "fails",
	[POM_MISSING_DEP] = "missing dependency",
	[POM_NOT_FOR_KERNEL] = "not for this kernel",
	[POM_UNSAFE] = "unsafe",
};

const char *pom_status_name(enum pom_status s)
{
	return status_names[s];
}

/* --- versions ---------------------------------------------------------------- */

/* Compare dotted versions numerically: "2.6.9" < "2.6.14". */
int pom_vercmp(const char *a, const char *b)
{
	while (*a || *b) {
		unsigned long x = strtoul(a, (char **)&a, 10);
		unsigned long y = strtoul(b, (char **)&b, 10);

		if (x != y)
			return x < y ? -1 : 1;
		if (*a == '.')
			a++;
		if (*b == '.')
			b++;
		if (!(*a >= '0' && *a <= '9') && !(*b >= '0' && *b <= '9'))
			break;
	}
	return 0;
}

static void kernel_string(const unsigned kv[3], struct strbuf *sb)
{
	strbuf_reset(sb);
	strbuf_addf(sb, "%u.%u.%u", kv[0], kv[1], kv[2]);
}

/* A part versioned v ("2.4", "2.6.11", "" for none) suits the kernel? */
bool pom_part_suits(const char *v, const unsigned kv[3])
{
	unsigned major = 0, minor = 0;
	struct strbuf k = STRBUF_INIT;
	bool ok;

	if (!*v)
		return true;
	if (sscanf(v, "%u.%u", &major, &minor) != 2)
		return false;
	kernel_string(kv, &k);
	ok = major == kv[0] && minor == kv[1] && pom_vercmp(v, k.buf) <= 0;
	strbuf_clear(&k);
	return ok;
}

/* "linux < 2.6.14", "linux-2.6 >= 2.6.11": false when it rules out kv. */
static bool requirement_holds(const char *req, const unsigned kv[3])
{
	char project[64], op[3], version[64];
	struct strbuf k = STRBUF_INIT;
	int c;
	bool ok = true;

	if (sscanf(req, "%63s %2s %63s", project, op, version) != 3 ||
	    strncmp(project, "linux", 5))
		return true; /* not about the kernel */
	if (project[5] == '-' && !pom_part_suits(project + 6, kv))
		return true; /* about another branch */
	kernel_string(kv, &k);
	c = pom_vercmp(k.buf, version);
	if (!strcmp(op, "=="))
		ok = c == 0;
	else if (!strcmp(op, ">="))
		ok = c >= 0;
	else if (!strcmp(op, ">"))
		ok = c > 0;
	else if (!strcmp(op, "<="))
		ok = c <= 0;
	else if (!strcmp(op, "<"))
		ok = c < 0;
	strbuf_clear(&k);
	return ok;
}
/* --- what a patch adds: options and modules --------------------------------- */

static bool is_config_target(const char *target)
{
	return ends_with(target, "/Config.in") ||
	       ends_with(target, "/Kconfig") || !strcmp(target, "Kconfig");
}

/* CONFIG_ names declared in a config line-add (its anchor excluded). */
static void ladd_options(const struct pom_ladd *a, struct strvec *out)
{
	bool kconfig = ends_with(a->target, "Kconfig");
	struct lines l;

	lines_init(&l);
	if (lines_read(&l, a->src, INFO_MAX) == 0)
		for (size_t i = kconfig ? 0 : 1; i < l.nr; i++) {
			size_t len;
			const char *s = line_at(&l, i, &len);
			struct strbuf line = STRBUF_INIT;
			char *tok;

			strbuf_add(&line, s, len);
			if (kconfig && !strncmp(line.buf, "config ", 7))
				strvec_pushf(out, "CONFIG_%s", line.buf + 7);
			else if (!kconfig &&
				 (tok = strstr(line.buf, "CONFIG_")) &&
				 strchr(line.buf, '\''))
				strvec_pushf(
					out, "%.*s",
					(int)strspn(
						tok,
						"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_"),
					tok);
			strbuf_clear(&line);
		}
	lines_clear(&l);
}

/* Objects named by a Makefile line-add: "obj-$(CONFIG_X) += ipt_x.o". */
static void ladd_objects(const struct pom_ladd *a, struct strvec *out)
{
	struct lines l;

	lines_init(&l);
	if (lines_read(&l, a->src, INFO_MAX) == 0)
		for (size_t i = 1; i < l.nr; i++) {
			size_t len;
			const char *s = line_at(&l, i, &len);
			const char *plus = memmem(s, len, "+=", 2);
			struct strbuf dir = STRBUF_INIT;
			const char *slash = strrchr(a->target, '/');

			if (!plus)
				continue;
			if (slash)
				strbuf_add(&dir, a->target,
					   (size_t)(slash - a->target) + 1);
			for (const char *w = plus + 2, *end = s + len;
			     w < end;) {
				size_t n = 0;

				while (w < end && (*w == ' ' || *w == '\t'))
					w++;
				/* a word ends at a blank or the line's end; any
				 * other byte (a NUL too) belongs to it */
				while (w + n < end &&
				       !memchr(" \t\n\r", w[n], 4))
					n++;
				if (n > 2 && !memcmp(w + n - 2, ".o", 2))
					strvec_pushf(out, "%s%.*s", dir.buf,
						     (int)(n - 2), w);
				w += n ? n : 1; /* past a word or a \r, \n */
			}
			strbuf_clear(&dir);
		}
	lines_clear(&l);
}

bool pom_kernel_part(const struct pom_patch *p)
{
	return p->diffs.nr || p->ncopies || p->nladds;
}

static bool is_ipv6(const char *s)
{
	return !strncmp(s, "CONFIG_IP6_", 11) || strstr(s, "ipv6/") ||
	       ends_with(s, ".patch.ipv6");
}

void pom_parts(const struct pom_patch *p, struct strbuf *out)
{
	const struct strvec *lists[] = { &p->options, &p->objects, &p->diffs };
	bool v4 = false, v6 = false;

	for (size_t k = 0; k < ARRAY_SIZE(lists); k++)
		for (size_t i = 0; i < lists[k]->nr; i++) {
			bool six = is_ipv6(lists[k]->v[i]);

			v6 |= six;
			v4 |= !six;
		}
	if (!pom_kernel_part(p)) {
		strbuf_addstr(out, "userspace only");
		return;
	}
	strbuf_addstr(out, v6 && !v4 ? "IPv6" : v6 ? "IPv4 and IPv6" : "IPv4");
	if (p->userspace || p->userspace_dir)
		strbuf_addstr(out, ", userspace");
}

static void derive(struct pom_patch *p, const unsigned kv[3])
{
	for (size_t i = 0; i < p->nladds; i++) {
		if (is_config_target(p->ladds[i].target))
			ladd_options(&p->ladds[i], &p->options);
		else if (ends_with(p->ladds[i].target, "Makefile"))
			ladd_objects(&p->ladds[i], &p->objects);
	}
	for (size_t i = 0; i < p->requires.nr && !p->not_for_kernel; i++)
		if (!requirement_holds(p->requires.v[i], kv)) {
			struct strbuf sb = STRBUF_INIT;

			strbuf_addf(&sb, "it requires %s", p->requires.v[i]);
			p->not_for_kernel = strbuf_detach(&sb);
		}
	if (!p->not_for_kernel && !pom_kernel_part(p) && !p->userspace &&
	    !p->userspace_dir)
		p->not_for_kernel = xstrdup("it has no part for this kernel");
}

/* --- safety: a patch names files inside its tree and the kernel's ------- */

static void unsafe_name(struct pom_patch *p, const char *what, const char *name,
			const char *why)
{
	struct strbuf sb = STRBUF_INIT;

	strbuf_addf(&sb, "%s '", what);
	strbuf_addprintable(&sb, name);
	strbuf_addf(&sb, "' %s", why);
	p->unsafe = strbuf_detach(&sb);
}

/* Every file of p is in the tree (after links); every name it writes safe. */
static void check_file(const struct pom_tree *pt, struct pom_patch *p,
		       const char *file)
{
	if (!p->unsafe && file && !pom_inside(pt, file))
		unsafe_name(p, "its file", file,
			    "leads outside the "
			    "patch-o-matic tree through a link");
}

static void check_target(struct pom_patch *p, const char *what,
			 const char *name)
{
	const char *why = relpath_check(name);

	if (!p->unsafe && why)
		unsafe_name(p, what, name, why);
}

static void check_safety(const struct pom_tree *pt, struct pom_patch *p)
{
	struct strvec files = STRVEC_INIT;

	for (size_t i = 0; i < p->diffs.nr; i++)
		check_file(pt, p, p->diffs.v[i]);
	for (size_t i = 0; i < p->nladds; i++) {
		check_file(pt, p, p->ladds[i].src);
		check_target(p, "its line-add target", p->ladds[i].target);
	}
	for (size_t i = 0; i < p->ncopies; i++) {
		check_file(pt, p, p->copies[i].src);
		check_target(p, "its new file", p->copies[i].dst);
	}
	check_file(pt, p, p->userspace);
	check_file(pt, p, p->userspace_dir);
	for (size_t i = 0; i < p->diffs.nr && !p->unsafe; i++) {
		strvec_clear(&files);
		pom_diff_targets(p->diffs.v[i], &files);
		for (size_t j = 0; j < files.nr; j++)
			check_target(p, "its diff names the file", files.v[j]);
	}
	strvec_clear(&files);
}

static int by_name(const void *a, const void *b)
{
	const struct pom_patch *x = a, *y = b;
	int c = strcmp(x->name, y->name);

	return c ? c : strcmp(x->repo, y->repo);
}

/*
 * A tree with no patch: say which directories were read, and where a
 * patch-o-matic tree one level down was meant, name it.
 */
static int no_patches(const struct pom_tree *pt, const char *dir)
{
	struct strvec names = STRVEC_INIT;
	struct strbuf read = STRBUF_INIT, hint = STRBUF_INIT, sub = STRBUF_INIT;
	int ret;

	list_dir(pt->dir, &names);
	for (size_t i = 0; i < names.nr; i++) {
		strbuf_reset(&sub);
		strbuf_addf(&sub, "%s/%s", pt->dir, names.v[i]);
		if (!is_dir(sub.buf))
			continue;
		strbuf_addf(&read, "%s%s", read.len ? ", " : "", names.v[i]);
		strbuf_addstr(&sub, "/runme");
		if (path_exists(sub.buf) && !hint.len)
			strbuf_addf(&hint, "; did you mean '%s/%s'?", dir,
				    names.v[i]);
	}
	ret = error("'%s' holds no patch-o-matic patches (%s layout; read %s: "
		    "no NAME.patch%s)%s",
		    dir, pt->ng ? "-ng" : "classic",
		    read.len ? read.buf : "no directory",
		    pt->ng ? " in a directory with an info file" : "",
		    hint.buf);
	strvec_clear(&names);
	strbuf_clear(&read);
	strbuf_clear(&hint);
	strbuf_clear(&sub);
	return ret;
}

int pom_open(struct pom_tree *pt, const char *dir, const unsigned kv[3])
{
	struct strbuf path = STRBUF_INIT;
	int ret;

	memset(pt, 0, sizeof(*pt));
	if (!is_dir(dir) || !(pt->dir = realpath(dir, NULL)))
		return error("patch-o-matic tree '%s' is not a directory", dir);
	pt->is26 = kv[0] > 2 || (kv[0] == 2 && kv[1] >= 6);
	strbuf_addf(&path, "%s/patchlets", dir);
	pt->ng = is_dir(path.buf);
	strbuf_reset(&path);
	strbuf_addf(&path, "%s/config", dir);
	pt->ng |= path_exists(path.buf);
	ret = pt->ng ? pom_read_ng(pt, kv) : pom_read_classic(pt);
	for (size_t i = 0; i < pt->nr; i++) {
		check_safety(pt, &pt->patches[i]);
		derive(&pt->patches[i], kv);
	}
	if (!ret && !pt->nr)
		ret = no_patches(pt, dir);
	if (pt->nr) /* patches is NULL when there are none */
		qsort(pt->patches, pt->nr, sizeof(*pt->patches), by_name);
	strbuf_clear(&path);
	if (ret)
		pom_clear(pt);
	return ret;
}

static void patch_clear(struct pom_patch *p)
{
	free(p->name);
	free(p->repo);
	free(p->title);
	free(p->help);
	free(p->info);
	strvec_clear(&p->depends);
	strvec_clear(&p->conflicts);
	strvec_clear(&p->requires);
	strvec_clear(&p->diffs);
	for (size_t i = 0; i < p->ncopies; i++) {
		free(p->copies[i].src);
		free(p->copies[i].dst);
	}
	free(p->copies);
	for (size_t i = 0; i < p->nladds; i++) {
		free(p->ladds[i].src);
		free(p->ladds[i].target);
	}
	free(p->ladds);
	free(p->userspace);
	free(p->userspace_dir);
	strvec_clear(&p->options);
	strvec_clear(&p->objects);
	free(p->not_for_kernel);
	free(p->unsafe);
}

void pom_clear(struct pom_tree *pt)
{
	for (size_t i = 0; i < pt->nr; i++)
		patch_clear(&pt->patches[i]);
	free(pt->patches);
	free(pt->dir);
	memset(pt, 0, sizeof(*pt));
}

int pom_find(const struct pom_tree *pt, const char *name,
	     struct pom_patch **out, struct strbuf *err)
{
	struct strbuf found = STRBUF_INIT;
	size_t n = 0;

	*out = NULL;
	for (size_t i = 0; i < pt->nr; i++)
		if (!strcmp(pt->patches[i].name, name)) {
			strbuf_addf(&found, "%s%s/%s", n ? ", " : "",
				    pt->patches[i].repo, name);
			if (!n++)
				*out = &pt->patches[i];
		}
	if (n == 1) {
		strbuf_clear(&found);
		return 0;
	}
	if (n)
		error_to(err,
			 "patch '%s' is in several repositories of '%s' (%s); "
			 "remove the ones you do not mean",
			 name, pt->dir, found.buf);
	else {
		const char **names = xcalloc(pt->nr + 1, sizeof(*names));

		for (size_t i = 0; i < pt->nr; i++)
			names[i] = pt->patches[i].name;
		suggest(name, names, pt->nr, &found);
		free(names);
		error_to(
			err,
			"there is no patch '%s' in the patch-o-matic tree '%s' "
			"(pomctl list-patches lists them)%s",
			name, pt->dir, found.buf);
	}
	strbuf_clear(&found);
	*out = NULL;
	return -1;
}

/* --- ordering ------------------------------------------------------------- */

static int visit_order(const struct pom_tree *pt, struct pom_patch *p,
		       struct pom_patch ***set, size_t *n, struct strvec *path,
		       struct strbuf *err)
{
	for (size_t i = 0; i < *n; i++)
		if ((*set)[i] == p)
			return 0;
	for (size_t i = 0; i < path->nr; i++)
		if (!strcmp(path->v[i], p->name))
			return error_to(err,
					"patches '%s' and '%s' depend on each "
					"other",
					p->name, path->v[path->nr - 1]);
	strvec_push(path, p->name);
	for (size_t i = 0; i < p->depends.nr; i++) {
		struct pom_patch *dep;
		struct strbuf why = STRBUF_INIT;
		int r = pom_find(pt, p->depends.v[i], &dep, &why);

		strbuf_clear(&why);
		if (r < 0)
			return error_to(
				err,
				"patch '%s' needs '%s', which is not in "
				"the patch-o-matic tree",
				p->name, p->depends.v[i]);
		if (visit_order(pt, dep, set, n, path, err) < 0)
			return -1;
	}
	free(path->v[--path->nr]);
	path->v[path->nr] = NULL;
	*set = xrealloc(*set, (*n + 1) * sizeof(**set));
	(*set)[(*n)++] = p;
	return 0;
}

static int check_conflicts(struct pom_patch **set, size_t n, struct strbuf *err)
{
	for (size_t i = 0; i < n; i++)
		for (size_t c = 0; c < set[i]->conflicts.nr; c++)
			for (size_t j = 0; j < n; j++)
				if (!strcmp(set[j]->name,
					    set[i]->conflicts.v[c]))
					return error_to(err,
							"patches '%s' and '%s' "
							"conflict: choose one",
							set[i]->name,
							set[j]->name);
	return 0;
}

int pom_order(const struct pom_tree *pt, const struct strvec *names,
	      struct pom_patch ***set, size_t *n, struct strbuf *err)
{
	struct strvec path = STRVEC_INIT;
	int ret = 0;

	*set = NULL;
	*n = 0;
	for (size_t i = 0; i < names->nr && !ret; i++) {
		struct pom_patch *p;

		ret = pom_find(pt, names->v[i], &p, err);
		if (!ret)
			ret = visit_order(pt, p, set, n, &path, err);
	}
	if (!ret)
		ret = check_conflicts(*set, *n, err);
	strvec_clear(&path);
	if (ret) {
		free(*set);
		*set = NULL;
		*n = 0;
	}
	return ret;
}

int pom_check_set(struct pom_patch **set, size_t n, const char *release)
{
	for (size_t i = 0; i < n; i++)
		if (set[i]->unsafe)
			return error("patch '%s' is unsafe, nothing was "
				     "changed: %s",
				     set[i]->name, set[i]->unsafe);
	for (size_t i = 0; i < n; i++)
		if (set[i]->not_for_kernel)
			return error("patch '%s' is not for kernel %s: %s",
				     set[i]->name, release,
				     set[i]->not_for_kernel);
	return 0;
}

int pom_check_request(const struct env *env, const char *dir,
		      const struct strvec *names, const struct ktree *kt)
{
	struct strbuf why = STRBUF_INIT;
	struct pom_tree pt;
	struct pom_patch **set = NULL;
	size_t n;
	int ret = pom_open(&pt, dir, kt->v);

	if (!ret) {
		ret = pom_order(&pt, names, &set, &n, NULL);
		if (!ret)
			ret = pom_check_set(set, n, kt->release);
		if (!ret && pom_try_set(env, &pt, set, n, kt->dir, &why) < 0)
			ret = error(
				"the patches do not apply to %s: %s; nothing "
				"was changed on the host: leave out of --patch what "
				"does not apply (pomctl list-patches says what "
				"does)",
				kt->dir, why.buf);
		free(set);
		pom_clear(&pt);
	}
	strbuf_clear(&why);
	return ret;
}

/* The files a diff touches (its +++ and --- paths, first component off). */
void pom_diff_targets(const char *diff, struct strvec *out)
{
	struct lines l;

	lines_init(&l);
	if (lines_read(&l, diff, TEXT_MAX) == 0)
		for (size_t i = 0; i < l.nr; i++) {
			size_t len, n;
			const char *s = line_at(&l, i, &len), *slash;

			if (len < 5 ||
			    (strncmp(s, "+++ ", 4) && strncmp(s, "--- ", 4)))
				continue;
			s += 4;
			len -= 4;
			n = strcspn(s, "\t");
			n = n < len ? n : len;
			slash = memchr(s, '/', n);
			if (!slash || (n >= 9 && !strncmp(s, "/dev/null", 9)))
				continue;
			strvec_pushf(out, "%.*s",
				     (int)(n - (size_t)(slash + 1 - s)),
				     slash + 1);
		}
	lines_clear(&l);
}

/* The files one part touches, each once, into out. */
void pom_part_files(const char *diff, struct strvec *out)
{
	struct strvec files = STRVEC_INIT;

	pom_diff_targets(diff, &files);
	strvec_sort(&files);
	for (size_t i = 0; i < files.nr; i++)
		if (!i || strcmp(files.v[i], files.v[i - 1]))
			strvec_push(out, files.v[i]);
	strvec_clear(&files);
}

void pom_diff_files(const struct pom_patch *p, struct strvec *out)
{
	for (size_t i = 0; i < p->diffs.nr; i++)
		pom_part_files(p->diffs.v[i], out);
}
