// SPDX-License-Identifier: GPL-2.0-or-later
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

#include "pomctl/log.h"
#include "pomctl/manifest.h"
#include "pomctl/pipeline.h"
#include "pomctl/pom.h"
#include "pomctl/run.h"
#include "pomctl/safepath.h"
#include "pomctl/scratch.h"
#include "pomctl/text.h"
#include "pomctl/util.h"

#define TEXT_MAX (16 << 20)
#define INFO_MAX (1 << 20)

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
static int vercmp(const char *a, const char *b)
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
static bool part_suits(const char *v, const unsigned kv[3])
{
	unsigned major = 0, minor = 0;
	struct strbuf k = STRBUF_INIT;
	bool ok;

	if (!*v)
		return true;
	if (sscanf(v, "%u.%u", &major, &minor) != 2)
		return false;
	kernel_string(kv, &k);
	ok = major == kv[0] && minor == kv[1] && vercmp(v, k.buf) <= 0;
	strbuf_release(&k);
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
	if (project[5] == '-' && !part_suits(project + 6, kv))
		return true; /* about another branch */
	kernel_string(kv, &k);
	c = vercmp(k.buf, version);
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
	strbuf_release(&k);
	return ok;
}

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
static bool inside(const struct pom_tree *pt, const char *path)
{
	const char *rel = path_under(pt->dir, path);
	struct strbuf where = STRBUF_INIT;
	bool ok = rel && path_walk(pt->dir, rel, BENEATH_TREE, true, &where,
				   NULL) == 0;

	strbuf_release(&where);
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
	strbuf_release(&text);
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
	strbuf_release(&name);
	strbuf_release(&path);
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n > m && !strcmp(s + n - m, suffix);
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
	strbuf_release(&dir);
	strbuf_release(&name);
	strbuf_release(&path);
}

static int read_classic(struct pom_tree *pt)
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
			strbuf_release(&base);
		}
	}
	read_userspace_only(pt);
	strvec_clear(&repos);
	strvec_clear(&files);
	strbuf_release(&dir);
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
		step_state_set(&p->title, value);
	else if (!strcmp(key, "Repository"))
		step_state_set(&p->repo, value);
	else if (!strcmp(key, "Requires"))
		strvec_push(&p->requires, value);
	else if (!strcmp(key, "Depends")) {
		struct strbuf sb = STRBUF_INIT;

		strbuf_addstr(&sb, value);
		for (char *save = NULL, *w = strtok_r(sb.buf, ", \t", &save); w;
		     w = strtok_r(NULL, ", \t", &save))
			strvec_push(*w == '!' ? &p->conflicts : &p->depends,
				    *w == '!' ? w + 1 : w);
		strbuf_release(&sb);
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
		lines_release(&l);
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
	lines_release(&l);
	strbuf_release(&key);
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
		    !part_suits(v.buf, kv))
			continue;
		if (!found || vercmp(v.buf, best->buf) > 0) {
			strbuf_reset(best);
			strbuf_addstr(best, v.buf);
		}
		found = true;
	}
	strbuf_release(&v);
	strbuf_release(&path);
	return found;
}

/* nftw cannot carry a pointer: the project directory being walked. */
static struct {
	struct pom_patch *p;
	size_t base;
	bool is26;
} walk;

static bool ladd_for_other_series(const char *target, bool is26)
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
		if (!ladd_for_other_series(target.buf, walk.is26))
			add_ladd(walk.p, path, target.buf);
	} else {
		add_copy(walk.p, path, rel);
	}
	strbuf_release(&target);
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
	strbuf_release(&best);
	strbuf_release(&v);
	strbuf_release(&path);
}

static int read_ng(struct pom_tree *pt, const unsigned kv[3])
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
		ret = inside(pt, info.buf) ?
			      read_info(p, info.buf) :
			      error("'%s' leads outside the patch-o-matic tree '%s' "
				    "through a link",
				    info.buf, pt->dir);
		if (!ret)
			read_ng_parts(p, dir.buf, kv, pt->is26);
	}
	strvec_clear(&names);
	strbuf_release(&base);
	strbuf_release(&dir);
	strbuf_release(&info);
	return ret;
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
			strbuf_release(&line);
		}
	lines_release(&l);
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
			strbuf_release(&dir);
		}
	lines_release(&l);
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
	if (!p->unsafe && file && !inside(pt, file))
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

static void diff_targets(const char *diff, struct strvec *out);

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
		diff_targets(p->diffs.v[i], &files);
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
	strbuf_release(&read);
	strbuf_release(&hint);
	strbuf_release(&sub);
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
	ret = pt->ng ? read_ng(pt, kv) : read_classic(pt);
	for (size_t i = 0; i < pt->nr; i++) {
		check_safety(pt, &pt->patches[i]);
		derive(&pt->patches[i], kv);
	}
	if (!ret && !pt->nr)
		ret = no_patches(pt, dir);
	if (pt->nr) /* patches is NULL when there are none */
		qsort(pt->patches, pt->nr, sizeof(*pt->patches), by_name);
	strbuf_release(&path);
	if (ret)
		pom_release(pt);
	return ret;
}

static void patch_release(struct pom_patch *p)
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

void pom_release(struct pom_tree *pt)
{
	for (size_t i = 0; i < pt->nr; i++)
		patch_release(&pt->patches[i]);
	free(pt->patches);
	free(pt->dir);
	memset(pt, 0, sizeof(*pt));
}

int pom_find(const struct pom_tree *pt, const char *name,
	     struct pom_patch **out)
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
		strbuf_release(&found);
		return 0;
	}
	if (n)
		error("patch '%s' is in several repositories of '%s' (%s); "
		      "remove the ones you do not mean",
		      name, pt->dir, found.buf);
	else {
		const char **names = xcalloc(pt->nr + 1, sizeof(*names));

		for (size_t i = 0; i < pt->nr; i++)
			names[i] = pt->patches[i].name;
		suggest(name, names, pt->nr, &found);
		free(names);
		error("there is no patch '%s' in the patch-o-matic tree '%s' "
		      "(pomctl list-patches lists them)%s",
		      name, pt->dir, found.buf);
	}
	strbuf_release(&found);
	*out = NULL;
	return -1;
}

/* --- ordering ------------------------------------------------------------- */

static int visit_order(const struct pom_tree *pt, struct pom_patch *p,
		       struct pom_patch ***set, size_t *n, struct strvec *path)
{
	for (size_t i = 0; i < *n; i++)
		if ((*set)[i] == p)
			return 0;
	for (size_t i = 0; i < path->nr; i++)
		if (!strcmp(path->v[i], p->name))
			return error("patches '%s' and '%s' depend on each "
				     "other",
				     p->name, path->v[path->nr - 1]);
	strvec_push(path, p->name);
	for (size_t i = 0; i < p->depends.nr; i++) {
		struct pom_patch *dep;
		bool old = error_set_quiet(true);
		int r = pom_find(pt, p->depends.v[i], &dep);

		error_set_quiet(old);
		if (r < 0)
			return error("patch '%s' needs '%s', which is not in "
				     "the patch-o-matic tree",
				     p->name, p->depends.v[i]);
		if (visit_order(pt, dep, set, n, path) < 0)
			return -1;
	}
	free(path->v[--path->nr]);
	path->v[path->nr] = NULL;
	*set = xrealloc(*set, (*n + 1) * sizeof(**set));
	(*set)[(*n)++] = p;
	return 0;
}

static int check_conflicts(struct pom_patch **set, size_t n)
{
	for (size_t i = 0; i < n; i++)
		for (size_t c = 0; c < set[i]->conflicts.nr; c++)
			for (size_t j = 0; j < n; j++)
				if (!strcmp(set[j]->name,
					    set[i]->conflicts.v[c]))
					return error("patches '%s' and '%s' "
						     "conflict: choose one",
						     set[i]->name,
						     set[j]->name);
	return 0;
}

int pom_order(const struct pom_tree *pt, const struct strvec *names,
	      struct pom_patch ***set, size_t *n)
{
	struct strvec path = STRVEC_INIT;
	int ret = 0;

	*set = NULL;
	*n = 0;
	for (size_t i = 0; i < names->nr && !ret; i++) {
		struct pom_patch *p;

		ret = pom_find(pt, names->v[i], &p);
		if (!ret)
			ret = visit_order(pt, p, set, n, &path);
	}
	if (!ret)
		ret = check_conflicts(*set, *n);
	strvec_clear(&path);
	if (ret) {
		free(*set);
		*set = NULL;
		*n = 0;
	}
	return ret;
}

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

	strbuf_release(&where);
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
			strbuf_release(old);
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

static void undo_release(struct undo *u)
{
	for (size_t i = 0; i < u->paths.nr; i++)
		if (u->before[i].buf)
			strbuf_release(&u->before[i]);
	free(u->before);
	strvec_clear(&u->paths);
}

/* Where the changes of one application go. */
struct target {
	const char *dir;    /* the tree, or a scratch copy */
	struct manifest *m; /* NULL for a scratch copy */
	struct undo *undo;  /* NULL for a scratch copy */
	bool is26;
	bool dry; /* only see whether each part would go in */
};

/* Before changing or creating path in the tree: back up, note for undo. */
static int before_change(struct target *t, const char *path)
{
	if (!t->m)
		return 0;
	undo_note(t->undo, path);
	if (path_exists(path))
		return manifest_backup(t->m, path);
	return manifest_created(t->m, path);
}

/* 0 applied, 1 present already, -1 (why) */
static int apply_ladd(struct target *t, const struct pom_ladd *a,
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
		strbuf_release(&sub);
	}
	if (ret == 0 && !t->dry &&
	    (before_change(t, path.buf) < 0 ||
	     write_file_keep(path.buf, out.buf, out.len, 0644) < 0))
		ret = -1;
	lines_release(&file);
	lines_release(&ladd);
	strbuf_release(&path);
	strbuf_release(&out);
	return ret;
}

/* --- patch(1) ----------------------------------------------------------------- */

/* The files a diff touches (its +++ and --- paths, first component off). */
static void diff_targets(const char *diff, struct strvec *out)
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
	lines_release(&l);
}

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
	strbuf_release(&seen);
}

void pom_patch_argv(struct ctx *ctx, const char *dir, const char *diff,
		    int strip, bool reverse, bool dry, struct strvec *argv)
{
	config_get_words(ctx->cfg, "commands", "patch", argv);
	strvec_pushf(argv, "-p%d", strip);
	strvec_pushv(argv, (const char *const[]){
				   "-f", "--no-backup-if-mismatch", "-r", "-",
				   "-d", dir, "-i", diff, NULL });
	if (reverse)
		strvec_push(argv, "-R");
	if (dry)
		strvec_push(argv, "--dry-run");
}

int pom_patch_run(struct ctx *ctx, const char *dir, const char *diff, int strip,
		  bool reverse, bool dry, struct strbuf *out)
{
	struct child_process cp = CHILD_PROCESS_INIT;
	int null_fd = -1, ret;

	pom_patch_argv(ctx, dir, diff, strip, reverse, dry, &cp.args);
	cp.log_fd = ctx->log_fd;
	if (cp.log_fd < 0)
		cp.log_fd = null_fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
	cp.out = out;
	cp.label = dry ? "patch --dry-run" : "patch";
	cp.quiet_progress = dry;
	ret = run_command(&cp);
	if (null_fd >= 0)
		close(null_fd);
	return ret;
}

int pom_patch_file(struct ctx *ctx, const char *dir, const char *diff,
		   int strip, bool reverse, bool dry, struct strbuf *why)
{
	struct strbuf out = STRBUF_INIT;
	int ret = pom_patch_run(ctx, dir, diff, strip, reverse, dry, &out);

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
		strbuf_release(&rej);
		strbuf_release(&miss);
	}
	strbuf_release(&out);
	return ret ? -1 : 0;
}

static int run_patch(struct ctx *ctx, const char *dir, const char *diff,
		     bool reverse, bool dry, struct strbuf *why)
{
	return pom_patch_file(ctx, dir, diff, 1, reverse, dry, why);
}

static int apply_diff(struct ctx *ctx, struct target *t, const char *diff,
		      struct strbuf *why)
{
	struct strvec files = STRVEC_INIT;
	struct strbuf path = STRBUF_INIT;
	int ret = 0;

	if (t->dry)
		return run_patch(ctx, t->dir, diff, false, true, why);
	if (t->m) {
		/* all of it must go in, or nothing is touched */
		ret = run_patch(ctx, t->dir, diff, false, true, why);
		diff_targets(diff, &files);
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
		ret = run_patch(ctx, t->dir, diff, false, false, why);
	strvec_clear(&files);
	strbuf_release(&path);
	return ret;
}

static int copy_new_file(struct target *t, const struct pom_copy *c,
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
				      copy_file_atomic(c->src, dst.buf,
						       st.st_mode & 0777) < 0 ?
			      -1 :
			      0;
		if (ret)
			strbuf_addf(why, "cannot create %s", c->dst);
	}
	strbuf_release(&dst);
	return ret;
}

static bool skipped(const struct target *t, const struct pom_ladd *a)
{
	return ladd_for_other_series(a->target, t->is26);
}

/* p's new files and line-adds into t.  0 or -1 (why). */
static int apply_files(struct target *t, const struct pom_patch *p,
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
static int apply_parts(struct ctx *ctx, struct target *t,
		       const struct pom_patch *p, struct strbuf *why)
{
	int ret = 0;

	for (size_t i = 0; i < p->diffs.nr && !ret; i++)
		ret = apply_diff(ctx, t, p->diffs.v[i], why);
	return ret ? ret : apply_files(t, p, why);
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
	lines_release(&file);
	lines_release(&ladd);
	strbuf_release(&path);
	strbuf_release(&out);
	strbuf_release(&why);
	return present;
}

static bool is_applied(struct ctx *ctx, const struct pom_tree *pt,
		       const struct pom_patch *p, const char *kdir)
{
	struct strbuf path = STRBUF_INIT;
	bool applied = true;
	struct target t = { kdir, NULL, NULL, pt->is26, false };

	for (size_t i = 0; i < p->ncopies && applied; i++) {
		strbuf_reset(&path);
		strbuf_addf(&path, "%s/%s", kdir, p->copies[i].dst);
		applied = path_exists(path.buf);
	}
	for (size_t i = 0; i < p->nladds && applied; i++)
		applied = skipped(&t, &p->ladds[i]) ||
			  ladd_present(kdir, &p->ladds[i]);
	for (size_t i = 0; i < p->diffs.nr && applied; i++)
		applied = run_patch(ctx, kdir, p->diffs.v[i], true, true,
				    NULL) == 0;
	strbuf_release(&path);
	return applied;
}

/* --- scratch copies --------------------------------------------------------- */

static int by_string(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The files one part touches, each once, into out. */
static void part_files(const char *diff, struct strvec *out)
{
	struct strvec files = STRVEC_INIT;

	diff_targets(diff, &files);
	if (files.nr) /* v is NULL when there are none */
		qsort(files.v, files.nr, sizeof(*files.v), by_string);
	for (size_t i = 0; i < files.nr; i++)
		if (!i || strcmp(files.v[i], files.v[i - 1]))
			strvec_push(out, files.v[i]);
	strvec_clear(&files);
}

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
			part_files(set[i]->diffs.v[j], out);
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
		strbuf_release(&dir);
		return NULL;
	}
	set_files(set, n, NULL, &files);
	for (size_t i = 0; i < files.nr && !ret; i++) {
		struct strbuf why = STRBUF_INIT;

		if (relpath_check(files.v[i])) /* check_safety's */
			strbuf_addf(&why, "unsafe file name '%s'", files.v[i]);
		if (why.len || !in_tree(kdir, files.v[i], &why)) {
			ret = error("a patch's file: %s", why.buf);
			strbuf_release(&why);
			break;
		}
		strbuf_reset(&from);
		strbuf_addf(&from, "%s/%s", kdir, files.v[i]);
		if (!path_exists(from.buf))
			continue;
		strbuf_reset(&to);
		strbuf_addf(&to, "%s/%s", dir.buf, files.v[i]);
		ret = mkdir_parent(to.buf, 0700);
		if (!ret)
			ret = copy_file_atomic(from.buf, to.buf, 0600);
	}
	strvec_clear(&files);
	strbuf_release(&from);
	strbuf_release(&to);
	if (ret) {
		remove_tree(dir.buf);
		strbuf_release(&dir);
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
static bool parts_disjoint(struct pom_patch *const *set, size_t n,
			   const bool *applied)
{
	struct strvec all = STRVEC_INIT;
	bool disjoint = true;

	set_files(set, n, applied, &all);
	for (size_t i = 0; i < all.nr; i++) /* "./x", "a//b" compare badly */
		if (!strncmp(all.v[i], "./", 2) || strstr(all.v[i], "//") ||
		    strstr(all.v[i], "/./"))
			disjoint = false;
	if (all.nr)
		qsort(all.v, all.nr, sizeof(*all.v), by_string);
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
static int try_parts(struct ctx *ctx, const struct pom_tree *pt,
		     struct pom_patch *const *set, size_t n,
		     const bool *applied, const char *kdir, bool dry_ok,
		     struct strbuf *why)
{
	bool dry = dry_ok && parts_disjoint(set, n, applied);
	char *scratch = dry ? NULL : make_scratch(set, n, kdir);
	struct target t = { dry ? kdir : scratch, NULL, NULL, pt->is26, dry };
	int ret = dry || scratch ? 0 : -1;

	/* every patch of the set is tried: each failure is said, not the
	 * first only */
	for (size_t i = 0; i < n && (dry || scratch); i++) {
		struct strbuf sub = STRBUF_INIT;

		if (applied[i])
			continue;
		if (apply_parts(ctx, &t, set[i], &sub)) {
			strbuf_addf(why, "%s%s: %s", why->len ? "; " : "",
				    set[i]->name, sub.buf);
			ret = -1;
		}
		strbuf_release(&sub);
	}
	if (scratch)
		remove_tree(scratch);
	free(scratch);
	return ret;
}

/* The answers that need no trial: not for this kernel, applied already. */
static bool decided_early(struct ctx *ctx, const struct pom_tree *pt,
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
	if (is_applied(ctx, pt, p, kdir)) {
		res->status = POM_APPLIED;
		return true;
	}
	return false;
}

/* The trial of p with what it depends on. */
static void test_with_deps(struct ctx *ctx, const struct pom_tree *pt,
			   const struct pom_patch *p, const char *kdir,
			   struct pom_check *res)
{
	struct strvec names = STRVEC_INIT;
	struct pom_patch **set = NULL;
	bool *applied = NULL, old;
	size_t n = 0;

	strvec_push(&names, p->name);
	old = error_set_quiet(true);
	if (pom_order(pt, &names, &set, &n) < 0) {
		res->status = POM_MISSING_DEP;
		strbuf_addstr(&res->detail, error_last());
	}
	error_set_quiet(old);
	applied = xcalloc(n + 1, sizeof(*applied));
	for (size_t i = 0; i + 1 < n; i++)
		applied[i] = is_applied(ctx, pt, set[i], kdir);
	if (res->status == POM_APPLIES &&
	    try_parts(ctx, pt, set, n, applied, kdir, true, &res->detail) < 0)
		res->status = POM_FAILS;
	free(applied);
	free(set);
	strvec_clear(&names);
}

int pom_test(struct ctx *ctx, const struct pom_tree *pt,
	     const struct pom_patch *p, const char *kdir, struct pom_check *res)
{
	if (!decided_early(ctx, pt, p, kdir, res))
		test_with_deps(ctx, pt, p, kdir, res);
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
	lines_release(&l);
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
	struct target t = { kdir, NULL, NULL, pt->is26, true };
	struct strbuf why = STRBUF_INIT;
	bool old = error_set_quiet(true), no = false, left;
	size_t n = 0;

	strvec_push(&names, p->name);
	left = p->diffs.nr && !p->depends.nr &&
	       pom_order(pt, &names, &set, &n) == 0 && n == 1 && set[0] == p &&
	       parts_disjoint(set, 1, &no);
	error_set_quiet(old);
	for (size_t i = 0; i < p->diffs.nr && left; i++)
		left = diff_is_complete(p->diffs.v[i]);
	left = left && apply_files(&t, p, &why) == 0;
	free(set);
	strvec_clear(&names);
	strbuf_release(&why);
	return left;
}

bool pom_test_begin(struct ctx *ctx, const struct pom_tree *pt,
		    const struct pom_patch *p, const char *kdir,
		    struct pom_check *res)
{
	if (decided_early(ctx, pt, p, kdir, res))
		return false;
	if (diffs_left(pt, p, kdir))
		return true;
	test_with_deps(ctx, pt, p, kdir, res);
	return false;
}

bool pom_is_applied(struct ctx *ctx, const struct pom_tree *pt,
		    const struct pom_patch *p, const char *kdir)
{
	return !p->unsafe && !p->not_for_kernel && is_applied(ctx, pt, p, kdir);
}

void pom_diff_files(const struct pom_patch *p, struct strvec *out)
{
	for (size_t i = 0; i < p->diffs.nr; i++)
		part_files(p->diffs.v[i], out);
}

int pom_apply(struct ctx *ctx, const struct pom_tree *pt,
	      struct pom_patch **set, size_t n, const char *kdir,
	      struct manifest *m, struct strvec *done)
{
	bool *applied = xcalloc(n + 1, sizeof(*applied));
	struct strbuf why = STRBUF_INIT;
	struct undo undo = { STRVEC_INIT, NULL, 0 };
	struct target t = { kdir, m, &undo, pt->is26, false };
	int ret = 0;

	for (size_t i = 0; i < n && !ret; i++)
		if (set[i]->unsafe)
			ret = error(
				"patch '%s' is unsafe, nothing was changed: "
				"%s",
				set[i]->name, set[i]->unsafe);
	if (!ret) {
		for (size_t i = 0; i < n; i++)
			applied[i] = is_applied(ctx, pt, set[i], kdir);
		ret = try_parts(ctx, pt, set, n, applied, kdir, false, &why);
		if (ret)
			error("the patches do not apply to %s, nothing was "
			      "changed: %s",
			      kdir, why.buf);
	}
	for (size_t i = 0; i < n && !ret; i++) {
		if (applied[i])
			continue;
		strbuf_reset(&why);
		ret = apply_parts(ctx, &t, set[i], &why);
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
	undo_release(&undo);
	strbuf_release(&why);
	free(applied);
	return ret;
}

/* --- userspace parts ------------------------------------------------------ */

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
	    read_file(target.buf, TEXT_MAX, false, &old) < 0)
		us.ret = error("cannot read '%s'", target.buf);
	if (read_file(path, TEXT_MAX, false, &new) < 0)
		us.ret = error("cannot read '%s'", path);
	strbuf_addf(&label, "iptables/%s", rel);
	if (!us.ret)
		text_diff(label.buf, old.buf, old.len, new.buf, new.len,
			  us.diff);
	strbuf_release(&old);
	strbuf_release(&new);
	strbuf_release(&target);
	strbuf_release(&label);
	return us.ret;
}

int pom_userspace_diff(const struct pom_patch *p, const char *src,
		       struct strbuf *diff)
{
	int ret = 0;

	if (p->userspace) {
		ret = read_file(p->userspace, TEXT_MAX, false, diff);
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
