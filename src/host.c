// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include <sys/utsname.h>

#include "pomctl/host.h"
#include "pomctl/names.h"
#include "pomctl/safepath.h"
#include "pomctl/util.h"

#define BOOT_ID_PATH "/proc/sys/kernel/random/boot_id"

static char *pinned_or(const struct config *cfg, const char *key,
		       const char *fallback)
{
	const char *v = config_get(cfg, "host", key);

	return xstrdup(*v ? v : fallback);
}

int host_real_boot_id(struct strbuf *sb)
{
	int ret = read_file(BOOT_ID_PATH, 256, false, sb);

	if (!ret)
		strbuf_rtrim(sb);
	return ret;
}

static int read_boot_id(struct strbuf *sb)
{
	int ret = host_real_boot_id(sb);

	if (ret)
		return error("cannot read the boot id from '%s': %s; pin it "
			     "with [host] boot_id",
			     BOOT_ID_PATH, strerror(-ret));
	return 0;
}

int host_init(struct host *host, const struct config *cfg)
{
	struct utsname u;
	struct strbuf id = STRBUF_INIT;

	memset(host, 0, sizeof(*host));
	if (uname(&u) < 0)
		return error("uname: %s", strerror(errno));
	host->release = pinned_or(cfg, "release", u.release);
	host->arch = pinned_or(cfg, "arch", u.machine);
	if (*config_get(cfg, "host", "boot_id")) {
		host->boot_id = pinned_or(cfg, "boot_id", "");
		return 0;
	}
	if (read_boot_id(&id) < 0) {
		host_clear(host);
		return -1;
	}
	host->boot_id = strbuf_detach(&id);
	return 0;
}

void host_clear(struct host *host)
{
	free(host->release);
	free(host->boot_id);
	free(host->arch);
	memset(host, 0, sizeof(*host));
}

int kernel_version(const char *release, unsigned v[3])
{
	int n = 0;

	if (sscanf(release, "%u.%u.%u%n", &v[0], &v[1], &v[2], &n) != 3 ||
	    n == 0)
		return -1;
	return 0;
}

bool kernel_uses_ko(const unsigned v[3])
{
	return v[0] > 2 || (v[0] == 2 && v[1] >= 6);
}

void match_probe_init(struct match_probe *p)
{
	p->where = MATCH_ABSENT;
	p->by_version = false;
	strbuf_init(&p->detail);
	strvec_init(&p->looked);
}

void match_probe_clear(struct match_probe *p)
{
	strbuf_clear(&p->detail);
	strvec_clear(&p->looked);
}

/* Matches that went into the mainline kernel, and as what. */
static const struct mainline {
	const char *name;
	unsigned since[3];
	const char *module;
	const char *option;
} mainline[] = {
	{ "string",
	  { 2, 6, 14 },
	  "xt_string",
	  "CONFIG_NETFILTER_XT_MATCH_STRING" },
};

/* Whether text has a line that is exactly line. */
static bool has_line(const char *text, const char *line)
{
	size_t n = strlen(line);

	for (const char *p = text; (p = strstr(p, line)); p += n)
		if ((p == text || p[-1] == '\n') && (!p[n] || p[n] == '\n'))
			return true;
	return false;
}

/*
 * Whether the running kernel's configuration (/boot/config-RELEASE) leaves
 * option out: a kernel of a mainline version may be built without it, or
 * from a tree that predates it.  False when there is no configuration to
 * read: the version says the rest.
 */
/*
 * How the running kernel's configuration (/boot/config-RELEASE) builds
 * option: 'y' built in, 'm' a module, 'n' not at all, 0 when there is no
 * such file to ask.
 */
static char config_builds(const char *root, const char *release,
			  const char *option)
{
	struct strbuf rel = STRBUF_INIT, path = STRBUF_INIT, text = STRBUF_INIT;
	char how = 0;

	strbuf_addf(&rel, "/boot/config-%s", release);
	root_path(&path, root, rel.buf);
	if (read_file(path.buf, 4 << 20, false, &text) == 0) {
		struct strbuf y = STRBUF_INIT, m = STRBUF_INIT;

		strbuf_addf(&y, "%s=y", option);
		strbuf_addf(&m, "%s=m", option);
		how = has_line(text.buf, y.buf) ? 'y' :
		      has_line(text.buf, m.buf) ? 'm' :
						  'n';
		strbuf_clear(&y);
		strbuf_clear(&m);
	}
	strbuf_clear(&rel);
	strbuf_clear(&path);
	strbuf_clear(&text);
	return how;
}

static int version_cmp(const unsigned a[3], const unsigned b[3])
{
	for (int i = 0; i < 3; i++)
		if (a[i] != b[i])
			return a[i] < b[i] ? -1 : 1;
	return 0;
}

/* nftw has no user pointer: the search it serves is one at a time. */
static struct {
	const struct strvec *names;
	struct strbuf *found;
} search;

static int visit(const char *path, const struct stat *st, int type,
		 struct FTW *ftw)
{
	const char *base = path + ftw->base;

	(void)st;
	if (type != FTW_F)
		return 0;
	for (size_t i = 0; i < search.names->nr; i++)
		if (!strcmp(base, search.names->v[i])) {
			strbuf_addstr(search.found, path);
			return 1;
		}
	return 0;
}

static void module_names(const char *name, const unsigned v[3],
			 struct strvec *names)
{
	static const char *const suffixes[] = { "", ".gz", ".xz", ".zst" };

	if (!kernel_uses_ko(v)) {
		strvec_pushf(names, "ipt_%s.o", name);
		return;
	}
	for (size_t i = 0; i < ARRAY_SIZE(suffixes); i++) {
		strvec_pushf(names, "ipt_%s.ko%s", name, suffixes[i]);
		strvec_pushf(names, "xt_%s.ko%s", name, suffixes[i]);
	}
}

static bool probe_module(const char *root, const char *release,
			 const char *name, const unsigned v[3],
			 struct match_probe *p)
{
	struct strbuf dir = STRBUF_INIT, rel = STRBUF_INIT;
	struct strvec names = STRVEC_INIT;

	strbuf_addf(&rel, "/lib/modules/%s", release);
	root_path(&dir, root, rel.buf);
	module_names(name, v, &names);
	search.names = &names;
	search.found = &p->detail;
	if (nftw(dir.buf, visit, 16, FTW_PHYS) == 1) {
		p->where = MATCH_MODULE;
		/* report the path as the host will see it */
		memmove(p->detail.buf, p->detail.buf + strlen(root),
			p->detail.len - strlen(root) + 1);
		p->detail.len -= strlen(root);
	}
	strvec_pushf(&p->looked, "looked for %s%s under %s", names.v[0],
		     names.nr > 1 ? " or xt_*.ko" : "", rel.buf);
	strvec_clear(&names);
	strbuf_clear(&dir);
	strbuf_clear(&rel);
	return p->where == MATCH_MODULE;
}

static bool probe_registered(const char *root, const char *name,
			     struct match_probe *p)
{
	struct strbuf path = STRBUF_INIT, text = STRBUF_INIT;
	bool found = false, target = extension_is_target(name);
	const char *proc = target ? "/proc/net/ip_tables_targets" :
				    "/proc/net/ip_tables_matches";

	root_path(&path, root, proc);
	if (read_file(path.buf, 1 << 16, false, &text) == 0)
		for (char *save = NULL, *w = strtok_r(text.buf, "\n", &save);
		     w && !found; w = strtok_r(NULL, "\n", &save))
			found = !strcmp(w, name);
	if (found) {
		p->where = MATCH_REGISTERED;
		strbuf_addstr(&p->detail, proc);
	}
	strvec_pushf(&p->looked,
		     "looked in %s (the %s the running kernel "
		     "has registered)",
		     proc, target ? "targets" : "matches");
	strbuf_clear(&path);
	strbuf_clear(&text);
	return found;
}

static bool probe_mainline(const char *root, const char *release,
			   const char *name, const unsigned v[3],
			   struct match_probe *p)
{
	for (size_t i = 0; i < ARRAY_SIZE(mainline); i++) {
		const struct mainline *m = &mainline[i];

		if (strcmp(m->name, name))
			continue;
		strvec_pushf(&p->looked,
			     "%s is in mainline kernels since "
			     "%u.%u.%u as %s",
			     name, m->since[0], m->since[1], m->since[2],
			     m->module);
		if (version_cmp(v, m->since) < 0)
			continue;
		switch (config_builds(root, release, m->option)) {
		case 'n':
			strvec_pushf(&p->looked,
				     "the running kernel's "
				     "configuration (/boot/config-%s) does not "
				     "build it (%s)",
				     release, m->option);
			return false;
		case 'y':
			p->where = MATCH_BUILTIN;
			strbuf_addf(&p->detail, "%s=y in /boot/config-%s",
				    m->option, release);
			return true;
		case 'm':
			break;
		default:
			p->by_version = true;
		}
		p->where = MATCH_MAINLINE;
		strbuf_addstr(&p->detail, m->module);
		return true;
	}
	return false;
}

int host_probe_match(const char *root, const char *release, const char *name,
		     struct match_probe *p)
{
	unsigned v[3];

	if (kernel_version(release, v) < 0)
		return error("'%s' is not a kernel release (MAJOR.MINOR.PATCH)",
			     release);
	/* the module file, what the running kernel lists, then its
	 * configuration (built in, or a module under another name) */
	if (probe_module(root, release, name, v, p) ||
	    probe_registered(root, name, p))
		return 0;
	probe_mainline(root, release, name, v, p);
	return 0;
}
