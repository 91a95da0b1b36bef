// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A patch-o-matic tree read: the classic layout (base/, pending/, extra/
 * ..., NAME.patch with its .help, .config.in and .makefile line-adds) and
 * the -ng layout (NAME/info, linux/ and linux-2.6/ parts, userspace
 * parts), each patch with its parts, line-adds, requirements and the
 * kernels it is for.  Opening a tree, what a patch adds, its safety and
 * the order of a set are pom.c.
 */
#include <dirent.h>
#include <errno.h>
#include <ftw.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pomctl/log.h"
#include "pomctl/pom.h"
#include "pomctl/safepath.h"
#include "pomctl/text.h"
#include "pomctl/util.h"

#include "pom-internal.h"

/* --- reading ---------------------------------------------------------------- */

static struct pom_patch *new_patch(struct pom_tree *pt, const char *name,
				   const char *repo)
{
	struct pom_patch *p;

	pt->patches = xrealloc(pt->patches, (pt->nr + 1) * sizeof(*p));
	p = &pt->patches[pt->nr++];
	memset(p, 0, sizeof(*p));
	p->name = xstrdup(name);
	p->repo = xstrdup(repo);
	return p;
}

static void add_ladd(struct pom_patch *p, const char *src, const char *target)
{
	p->ladds = xrealloc(p->ladds, (p->nladds + 1) * sizeof(*p->ladds));
	p->ladds[p->nladds].src = xstrdup(src);
	p->ladds[p->nladds].target = xstrdup(target);
	p->nladds++;
}

static void add_copy(struct pom_patch *p, const char *src, const char *dst)
{
	p->copies = xrealloc(p->copies, (p->ncopies + 1) * sizeof(*p->copies));
	p->copies[p->ncopies].src = xstrdup(src);
	p->copies[p->ncopies].dst = xstrdup(dst);
	p->ncopies++;
}

/* The first sentence of a help text, as a title. */
static char *first_line(const char *text)
{
	struct strbuf sb = STRBUF_INIT;
	char *stop;

	while (*text == '\n' || *text == ' ' || *text == '\t')
		text++;
	/* lines joined, and a help file's indentation with them: one space */
	for (; *text && strncmp(text, "\n\n", 2); text++)
		if (*text == '\n' || *text == '\t' || *text == ' ') {
			if (sb.len && sb.buf[sb.len - 1] != ' ')
				strbuf_addch(&sb, ' ');
		} else {
			strbuf_addch(&sb, *text);
		}
	stop = strstr(sb.buf, ". ");
	if (stop)
		stop[1] = '\0';
	else
		strbuf_rtrim(&sb);
	/* "..., for example:" announces what the title cannot show */
	if (!stop && sb.len && sb.buf[sb.len - 1] == ':') {
		char *comma = strrchr(sb.buf, ',');

		strbuf_setlen(&sb,
			      comma ? (size_t)(comma - sb.buf) : sb.len - 1);
		strbuf_addch(&sb, '.');
	}
	return strbuf_detach(&sb);
}

/*
 * Whether path, a file of the tree pt, resolves inside it: a link in a
 * patch-o-matic tree is never followed out of it.
 */
bool pom_inside(const struct pom_tree *pt, const char *path)
{
	const char *rel = path_under(pt->dir, path);
	struct strbuf where = STRBUF_INIT;
	bool ok = rel && path_walk(pt->dir, rel, BENEATH_TREE, true, &where,
				   NULL) == 0;

	strbuf_clear(&where);
	return ok;
}

/* classic NAME.patch.help: "Author:" and "Status:" lines, then the text. */
static void read_classic_help(const struct pom_tree *pt, struct pom_patch *p,
			      const char *path)
{
	struct strbuf text = STRBUF_INIT;
	const char *body;

	if (read_beneath(pt->dir, path_under(pt->dir, path), INFO_MAX,
			 BENEATH_TREE, &text) == 0) {
		body = text.buf;
		while (!strncmp(body, "Author:", 7) ||
		       !strncmp(body, "Status:", 7))
			body += strcspn(body, "\n") +
				(body[strcspn(body, "\n")] != 0);
		p->help = xstrdup(body);
		p->title = first_line(body);
		p->info = xstrdup(path);
	}
	strbuf_clear(&text);
}

/*
 * A classic patch's files beside NAME.patch: the IPv4 line-adds, and the
 * IPv6 half -- NAME.patch.ipv6 (a diff) with its own line-adds for
 * net/ipv6/netfilter and Configure.help.
 */
static const struct {
	const char *suffix, *target;
} classic_ladds[] = {
	{ ".config.in", "net/ipv4/netfilter/Config.in" },
	{ ".configure.help", "Documentation/Configure.help" },
	{ ".makefile", "net/ipv4/netfilter/Makefile" },
	{ ".ipv6.config.in", "net/ipv6/netfilter/Config.in" },
	{ ".ipv6.configure.help", "Documentation/Configure.help" },
	{ ".ipv6.makefile", "net/ipv6/netfilter/Makefile" },
};

/* file: NAME.patch, which may be missing (a patch with an IPv6 half only) */
static void read_classic_patch(struct pom_tree *pt, const char *repo,
			       const char *file)
{
	struct strbuf name = STRBUF_INIT, path = STRBUF_INIT;
	struct pom_patch *p;

	strbuf_add(&name, file, strlen(file) - strlen(".patch"));
	p = new_patch(pt, name.buf, repo);
	strbuf_addf(&path, "%s/%s/%s", pt->dir, repo, file);
	if (path_exists(path.buf))
		strvec_push(&p->diffs, path.buf);
	strbuf_addstr(&path, ".ipv6");
	if (path_exists(path.buf))
		strvec_push(&p->diffs, path.buf);
	for (size_t i = 0; i < ARRAY_SIZE(classic_ladds); i++) {
		strbuf_reset(&path);
		strbuf_addf(&path, "%s/%s/%s%s", pt->dir, repo, file,
			    classic_ladds[i].suffix);
		if (path_exists(path.buf))
			add_ladd(p, path.buf, classic_ladds[i].target);
	}
	strbuf_reset(&path);
	strbuf_addf(&path, "%s/%s/%s.help", pt->dir, repo, file);
	read_classic_help(pt, p, path.buf);
	strbuf_reset(&path);
	strbuf_addf(&path, "%s/userspace/%s.userspace", pt->dir, file);
	if (path_exists(path.buf))
		p->userspace = xstrdup(path.buf);
	strbuf_clear(&name);
	strbuf_clear(&path);
}

static bool has_patch(const struct pom_tree *pt, const char *name)
{
	for (size_t i = 0; i < pt->nr; i++)
		if (!strcmp(pt->patches[i].name, name))
			return true;
	return false;
}

/*
 * userspace/ is a repository too (POM-FORMATS.md): besides whole patches
 * (read as any other) and the userspace halves of other repositories'
 * patches, userspace-only patches -- NAME.patch.userspace with no
 * NAME.patch anywhere (raw, mark-bitwise-ops).
 */
static void read_userspace_only(struct pom_tree *pt)
{
	struct strvec files = STRVEC_INIT;
	struct strbuf dir = STRBUF_INIT, name = STRBUF_INIT, path = STRBUF_INIT;

	strbuf_addf(&dir, "%s/userspace", pt->dir);
	list_dir(dir.buf, &files);
	for (size_t i = 0; i < files.nr; i++) {
		struct pom_patch *p;

		if (!ends_with(files.v[i], ".patch.userspace"))
			continue;
		strbuf_reset(&name);
		strbuf_add(&name, files.v[i],
			   strlen(files.v[i]) - strlen(".patch.userspace"));
		if (has_patch(pt, name.buf))
			continue; /* another patch's userspace half */
		p = new_patch(pt, name.buf, "userspace");
		strbuf_reset(&path);
		strbuf_addf(&path, "%s/%s", dir.buf, files.v[i]);
		p->userspace = xstrdup(path.buf);
		strbuf_reset(&path);
		strbuf_addf(&path, "%s/%s.patch.help", dir.buf, name.buf);
		read_classic_help(pt, p, path.buf);
	}
	strvec_clear(&files);
	strbuf_clear(&dir);
	strbuf_clear(&name);
	strbuf_clear(&path);
}

int pom_read_classic(struct pom_tree *pt)
{
	struct strvec repos = STRVEC_INIT, files = STRVEC_INIT;
	struct strbuf dir = STRBUF_INIT;

	list_dir(pt->dir, &repos);
	for (size_t i = 0; i < repos.nr; i++) {
		strbuf_reset(&dir);
		strbuf_addf(&dir, "%s/%s", pt->dir, repos.v[i]);
		if (!is_dir(dir.buf))
			continue;
		strvec_clear(&files);
		list_dir(dir.buf, &files);
		for (size_t j = 0; j < files.nr; j++) {
			struct strbuf base = STRBUF_INIT;

			if (ends_with(files.v[j], ".patch")) {
				read_classic_patch(pt, repos.v[i], files.v[j]);
			} else if (ends_with(files.v[j], ".patch.ipv6")) {
				/* NAME.patch.ipv6 alone: for IPv6 only */
				strbuf_add(&base, files.v[j],
					   strlen(files.v[j]) -
						   strlen(".ipv6"));
				if (!strvec_has(&files, base.buf))
					read_classic_patch(pt, repos.v[i],
							   base.buf);
			}
			strbuf_clear(&base);
		}
	}
	read_userspace_only(pt);
	strvec_clear(&repos);
	strvec_clear(&files);
	strbuf_clear(&dir);
	return 0;
}

/* -ng info: "Key: value" lines, a blank line, the help text. */
static int info_line(struct pom_patch *p, const char *path, unsigned lineno,
		     const char *key, const char *value)
{
	static const char *const known[] = {
		"Title",   "Author",	"Status",    "Repository", "Requires",
		"Depends", "Recompile", "Successor", "Version"
	};
	bool ok = false;

	for (size_t i = 0; i < ARRAY_SIZE(known); i++)
		ok |= !strcmp(key, known[i]);
	if (!ok)
		return error("%s:%u: unknown key '%s'", path, lineno, key);
	if (!strcmp(key, "Title"))
		xstrset(&p->title, value);
	else if (!strcmp(key, "Repository"))
		xstrset(&p->repo, value);
	else if (!strcmp(key, "Requires"))
		strvec_push(&p->requires, value);
	else if (!strcmp(key, "Depends")) {
		struct strbuf sb = STRBUF_INIT;

		strbuf_addstr(&sb, value);
		for (char *save = NULL, *w = strtok_r(sb.buf, ", \t", &save); w;
		     w = strtok_r(NULL, ", \t", &save))
			strvec_push(*w == '!' ? &p->conflicts : &p->depends,
				    *w == '!' ? w + 1 : w);
		strbuf_clear(&sb);
	}
	return 0;
}

static int read_info(struct pom_patch *p, const char *path)
{
	struct lines l;
	struct strbuf key = STRBUF_INIT, help = STRBUF_INIT;
	int ret = 0;
	size_t i;

	lines_init(&l);
	if (lines_read(&l, path, INFO_MAX) < 0) {
		lines_clear(&l);
		return error("cannot read '%s': %s", path, strerror(errno));
	}
	for (i = 0; i < l.nr && !ret; i++) {
		size_t len;
		const char *s = line_at(&l, i, &len), *colon;

		if (!len)
			break;
		colon = memchr(s, ':', len);
		if (!colon) {
			ret = error("%s:%zu: expected 'Key: value'", path,
				    i + 1);
			break;
		}
		strbuf_reset(&key);
		strbuf_add(&key, s, (size_t)(colon - s));
		strbuf_reset(&help);
		for (colon++;
		     colon < s + len && (*colon == ' ' || *colon == '\t');)
			colon++;
		strbuf_add(&help, colon, (size_t)(s + len - colon));
		ret = info_line(p, path, (unsigned)i + 1, key.buf, help.buf);
	}
	strbuf_reset(&help);
	for (i++; i < l.nr; i++) {
		size_t len;
		const char *s = line_raw(&l, i, &len);

		strbuf_add(&help, s, len);
	}
	p->help = strbuf_detach(&help);
	if (!p->title)
		p->title = first_line(p->help);
	p->info = xstrdup(path);
	lines_clear(&l);
	strbuf_clear(&key);
	return ret;
}

/*
 * "linux-2.4.patch_2" -> project "linux", version "2.4"; "linux" dirs too.
 * Returns false for names that are not parts of the linux project.
 */
static bool linux_part(const char *name, bool dir, struct strbuf *version)
{
	const char *rest;

	strbuf_reset(version);
	if (strncmp(name, "linux", 5))
		return false;
	rest = name + 5;
	if (*rest == '-') {
		size_t n = strspn(rest + 1, "0123456789.");

		while (n && rest[n] == '.') /* the dot of ".patch" */
			n--;
		if (!n)
			return false;
		strbuf_add(version, rest + 1, n);
		rest += 1 + n;
	}
	if (dir)
		return *rest == '\0';
	if (strncmp(rest, ".patch", 6))
		return false;
	rest += 6;
	return !*rest || (*rest == '_' && rest[1] &&
			  strspn(rest + 1, "0123456789") == strlen(rest + 1));
}

/* The best version among the linux parts (files or dirs) for kv. */
static bool best_version(const char *dir, const struct strvec *entries,
			 bool dirs, const unsigned kv[3], struct strbuf *best)
{
	struct strbuf v = STRBUF_INIT, path = STRBUF_INIT;
	bool found = false;

	for (size_t i = 0; i < entries->nr; i++) {
		strbuf_reset(&path);
		strbuf_addf(&path, "%s/%s", dir, entries->v[i]);
		if (is_dir(path.buf) != dirs ||
		    !linux_part(entries->v[i], dirs, &v) ||
		    !pom_part_suits(v.buf, kv))
			continue;
		if (!found || pom_vercmp(v.buf, best->buf) > 0) {
			strbuf_reset(best);
			strbuf_addstr(best, v.buf);
		}
		found = true;
	}
	strbuf_clear(&v);
	strbuf_clear(&path);
	return found;
}

/* nftw cannot carry a pointer: the project directory being walked. */
static struct {
	struct pom_patch *p;
	size_t base;
	bool is26;
} walk;

bool pom_ladd_other_series(const char *target, bool is26)
{
	const char *base = strrchr(target, '/');

	base = base ? base + 1 : target;
	if (is26)
		return !strcmp(base, "Config.in") ||
		       !strcmp(base, "Configure.help");
	return !strcmp(base, "Kconfig");
}

static int visit_part(const char *path, const struct stat *st, int type,
		      struct FTW *ftw)
{
	const char *rel, *ladd;
	struct strbuf target = STRBUF_INIT;

	(void)st;
	(void)ftw;
	if (type != FTW_F) /* the top directory too: no rel there */
		return 0;
	rel = path + walk.base + 1;
	ladd = strstr(rel, ".ladd");
	if (ladd &&
	    (!ladd[5] || (ladd[5] == '_' && strspn(ladd + 6, "0123456789") ==
						    strlen(ladd + 6)))) {
		strbuf_add(&target, rel, (size_t)(ladd - rel));
		if (!pom_ladd_other_series(target.buf, walk.is26))
			add_ladd(walk.p, path, target.buf);
	} else {
		add_copy(walk.p, path, rel);
	}
	strbuf_clear(&target);
	return 0;
}

static void read_ng_parts(struct pom_patch *p, const char *dir,
			  const unsigned kv[3], bool is26)
{
	struct strvec entries = STRVEC_INIT;
	struct strbuf best = STRBUF_INIT, v = STRBUF_INIT, path = STRBUF_INIT;

	list_dir(dir, &entries);
	if (best_version(dir, &entries, false, kv, &best))
		for (size_t i = 0; i < entries.nr; i++)
			if (linux_part(entries.v[i], false, &v) &&
			    !strcmp(v.buf, best.buf)) {
				strbuf_reset(&path);
				strbuf_addf(&path, "%s/%s", dir, entries.v[i]);
				if (!is_dir(path.buf))
					strvec_push(&p->diffs, path.buf);
			}
	if (best_version(dir, &entries, true, kv, &best)) {
		strbuf_reset(&path);
		strbuf_addf(&path, "%s/linux%s%s", dir, best.len ? "-" : "",
			    best.buf);
		walk.p = p;
		walk.base = path.len;
		walk.is26 = is26;
		nftw(path.buf, visit_part, 16, FTW_PHYS);
	}
	strbuf_reset(&path);
	strbuf_addf(&path, "%s/iptables.patch", dir);
	if (path_exists(path.buf))
		p->userspace = xstrdup(path.buf);
	strbuf_reset(&path);
	strbuf_addf(&path, "%s/iptables", dir);
	if (is_dir(path.buf))
		p->userspace_dir = xstrdup(path.buf);
	strvec_clear(&entries);
	strbuf_clear(&best);
	strbuf_clear(&v);
	strbuf_clear(&path);
}

int pom_read_ng(struct pom_tree *pt, const unsigned kv[3])
{
	struct strvec names = STRVEC_INIT;
	struct strbuf base = STRBUF_INIT, dir = STRBUF_INIT, info = STRBUF_INIT;
	int ret = 0;

	strbuf_addf(&base, "%s/patchlets", pt->dir);
	if (!is_dir(base.buf)) {
		strbuf_reset(&base);
		strbuf_addstr(&base, pt->dir);
	}
	list_dir(base.buf, &names);
	for (size_t i = 0; i < names.nr && !ret; i++) {
		struct pom_patch *p;

		strbuf_reset(&dir);
		strbuf_addf(&dir, "%s/%s", base.buf, names.v[i]);
		strbuf_reset(&info);
		strbuf_addf(&info, "%s/info", dir.buf);
		if (!path_exists(info.buf))
			continue;
		p = new_patch(pt, names.v[i], "");
		ret = pom_inside(pt, info.buf) ?
			      read_info(p, info.buf) :
			      error("'%s' leads outside the patch-o-matic tree '%s' "
				    "through a link",
				    info.buf, pt->dir);
		if (!ret)
			read_ng_parts(p, dir.buf, kv, pt->is26);
	}
	strvec_clear(&names);
	strbuf_clear(&base);
	strbuf_clear(&dir);
	strbuf_clear(&info);
	return ret;
}
