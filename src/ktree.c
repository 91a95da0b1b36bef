// SPDX-License-Identifier: GPL-2.0-or-later
#include <dirent.h>
#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <archive.h>

#include "pomctl/ktree.h"
#include "pomctl/manifest.h"
#include "pomctl/env.h"
#include "pomctl/run-command.h"
#include "pomctl/safepath.h"
#include "pomctl/text.h"
#include "pomctl/util.h"

#define MAKEFILE_MAX (1 << 20)
#define CONFIG_MAX (8 << 20)
#define HEAD_LINES 40

/* "NAME = value" near the top of the Makefile: value, or NULL. */
static char *makefile_var(const struct lines *l, const char *name)
{
	size_t n = strlen(name);

	for (size_t i = 0; i < l->nr && i < HEAD_LINES; i++) {
		size_t len;
		const char *s = line_at(l, i, &len), *end = s + len;

		if (len <= n || strncmp(s, name, n) || !strchr(" \t=", s[n]))
			continue;
		s += n;
		while (s < end && (*s == ' ' || *s == '\t'))
			s++;
		if (s == end || *s++ != '=')
			continue;
		while (s < end && (*s == ' ' || *s == '\t'))
			s++;
		while (end > s && (end[-1] == ' ' || end[-1] == '\t'))
			end--;
		return strndup(s, (size_t)(end - s));
	}
	return NULL;
}

static void set_release(struct ktree *t)
{
	struct strbuf sb = STRBUF_INIT;

	strbuf_addf(&sb, "%u.%u.%u%s", t->v[0], t->v[1], t->v[2],
		    t->extraversion);
	free(t->release);
	t->release = strbuf_detach(&sb);
	t->is26 = t->v[0] > 2 || (t->v[0] == 2 && t->v[1] >= 6);
}

int ktree_open(struct ktree *t, const char *dir)
{
	static const char *const names[] = { "VERSION", "PATCHLEVEL",
					     "SUBLEVEL" };
	struct strbuf path = STRBUF_INIT;
	struct lines l;
	int ret = 0;

	memset(t, 0, sizeof(*t));
	lines_init(&l);
	t->dir = realpath(dir, NULL);
	if (!t->dir)
		return error("kernel tree '%s' %s (see [kernel] tree)", dir,
			     errno == ENOENT ? "does not exist" :
					       strerror(errno));
	strbuf_addf(&path, "%s/Makefile", t->dir);
	if (lines_read(&l, path.buf, MAKEFILE_MAX)) {
		ret = error(
			"'%s' is not a kernel tree: cannot read '%s' ([kernel] "
			"tree)",
			dir, path.buf);
		goto out;
	}
	for (size_t i = 0; i < ARRAY_SIZE(names) && !ret; i++) {
		char *v = makefile_var(&l, names[i]), *end = NULL;

		if (v)
			t->v[i] = (unsigned)strtoul(v, &end, 10);
		if (!v || !*v || *end)
			ret = error("'%s' does not look like a kernel Makefile "
				    "(no number in %s)",
				    path.buf, names[i]);
		free(v);
	}
	t->extraversion = makefile_var(&l, "EXTRAVERSION");
	if (!t->extraversion)
		t->extraversion = xstrdup("");
	set_release(t);
out:
	if (ret)
		ktree_clear(t);
	lines_clear(&l);
	strbuf_clear(&path);
	return ret;
}

int ktree_running_extraversion(const struct ktree *t, const char *running,
			       struct strbuf *out, struct strbuf *why)
{
	static const char custom[] = "custom";
	size_t n = strlen(t->extraversion);
	struct strbuf rel = STRBUF_INIT;
	int ret = 0;

	strbuf_reset(out);
	strbuf_addstr(out, t->extraversion);
	if (strcmp(t->release, running) && n >= sizeof(custom) - 1 &&
	    !strcmp(t->extraversion + n - (sizeof(custom) - 1), custom)) {
		strbuf_reset(out); /* Red Hat's kernel-source: "-13.8custom" */
		strbuf_add(out, t->extraversion, n - (sizeof(custom) - 1));
	}
	strbuf_addf(&rel, "%u.%u.%u%s", t->v[0], t->v[1], t->v[2], out->buf);
	if (strcmp(rel.buf, running)) {
		strbuf_addf(why,
			    "the kernel tree %s is the source of %s, not of "
			    "the running %s: a module built in it would not "
			    "load into the running kernel",
			    t->dir, t->release, running);
		strbuf_reset(out);
		ret = -1;
	}
	strbuf_clear(&rel);
	return ret;
}

void ktree_clear(struct ktree *t)
{
	free(t->dir);
	free(t->extraversion);
	free(t->release);
	memset(t, 0, sizeof(*t));
}

const char *ktree_oldconfig_target(const struct ktree *t)
{
	return t->is26 ? "olddefconfig" : "oldconfig";
}

bool ktree_has_dep(const struct ktree *t)
{
	return !t->is26;
}

const char *ktree_module_suffix(const struct ktree *t)
{
	return t->is26 ? ".ko" : ".o";
}

static bool taken_release(const struct ktree *t, const char *ext,
			  const struct strvec *taken)
{
	struct strbuf rel = STRBUF_INIT;
	bool found = false;

	strbuf_addf(&rel, "%u.%u.%u%s", t->v[0], t->v[1], t->v[2], ext);
	for (size_t i = 0; i < taken->nr && !found; i++)
		found = !strcmp(taken->v[i], rel.buf);
	strbuf_clear(&rel);
	return found;
}

void ktree_new_extraversion(const struct ktree *t, const char *suffix,
			    const struct strvec *taken, struct strbuf *out)
{
	const char *ext = t->extraversion, *found = NULL;
	size_t stem, n = strlen(suffix);
	unsigned variant = 0;

	/* the tree has the suffix already: vary from there */
	for (const char *p = ext; (p = strstr(p, suffix)); p++)
		found = p;
	if (found && strspn(found + n, "0123456789") == strlen(found + n)) {
		stem = (size_t)(found - ext);
		variant = 1;
	} else {
		stem = strlen(ext);
	}
	for (;; variant++) {
		strbuf_reset(out);
		strbuf_add(out, ext, stem);
		strbuf_addstr(out, suffix);
		if (variant)
			strbuf_addf(out, "%u", variant);
		if (!taken_release(t, out->buf, taken))
			break;
	}
}

/* The Makefile l with its EXTRAVERSION line set: false when it has none. */
static bool render_extraversion(const struct lines *l, const char *extraversion,
				struct strbuf *out)
{
	bool done = false;

	strbuf_reset(out);
	for (size_t i = 0; i < l->nr; i++) {
		size_t len;
		const char *s = line_raw(l, i, &len);

		if (!done && i < HEAD_LINES &&
		    !strncmp(s, "EXTRAVERSION", 12) && strchr(" \t=", s[12])) {
			strbuf_addf(out, "EXTRAVERSION = %s\n", extraversion);
			done = true;
		} else {
			strbuf_add(out, s, len);
		}
	}
	return done;
}

int ktree_edit_extraversion(struct ktree *t, const char *from,
			    const char *extraversion, struct manifest *m,
			    struct strbuf *diff)
{
	struct strbuf path = STRBUF_INIT, out = STRBUF_INIT,
		      before = STRBUF_INIT;
	struct lines l;
	int ret;

	lines_init(&l);
	strbuf_addf(&path, "%s/Makefile", t->dir);
	ret = lines_read(&l, path.buf, MAKEFILE_MAX);
	if (ret) {
		ret = error("cannot read '%s': %s", path.buf, strerror(-ret));
		goto out;
	}
	if (!render_extraversion(&l, extraversion, &out)) {
		ret = error("'%s' has no EXTRAVERSION line to set", path.buf);
		goto out;
	}
	if (from)
		render_extraversion(&l, from, &before);
	else
		strbuf_add(&before, l.text.buf, l.text.len);
	text_diff(path.buf, before.buf, before.len, out.buf, out.len, diff);
	if (m && (manifest_backup(m, path.buf) < 0 ||
		  write_file_keep(path.buf, out.buf, out.len, 0644) < 0))
		ret = -1;
	if (!ret) {
		free(t->extraversion);
		t->extraversion = xstrdup(extraversion);
		set_release(t);
	}
out:
	lines_clear(&l);
	strbuf_clear(&path);
	strbuf_clear(&out);
	strbuf_clear(&before);
	return ret;
}

int ktree_set_extraversion(struct ktree *t, const char *extraversion,
			   struct manifest *m, struct strbuf *diff)
{
	return ktree_edit_extraversion(t, NULL, extraversion, m, diff);
}

int ktree_find_config(const char *root, const struct ktree *t,
		      const char *running, const char *arch,
		      const char *configured, struct strbuf *path,
		      struct strvec *tried)
{
	struct strbuf sb = STRBUF_INIT, rel = STRBUF_INIT;
	int ret = -1;

	if (*configured) {
		root_path(path, root, configured);
		strvec_push(tried, path->buf);
		if (path_exists(path->buf))
			return 0;
		return error(
			"the configured kernel configuration '%s' ([kernel] "
			"config) does not exist",
			path->buf);
	}
	strbuf_addf(&rel, "/boot/config-%s", running);
	root_path(&sb, root, rel.buf);
	strvec_push(tried, sb.buf);
	strbuf_reset(&sb);
	strbuf_addf(&sb, "%s/configs/kernel-%u.%u.%u-%s.config", t->dir,
		    t->v[0], t->v[1], t->v[2], arch);
	strvec_push(tried, sb.buf);
	root_path(&sb, root, "/proc/config.gz");
	strvec_push(tried, sb.buf);
	for (size_t i = 0; i < tried->nr && ret; i++)
		if (path_exists(tried->v[i])) {
			strbuf_reset(path);
			strbuf_addstr(path, tried->v[i]);
			ret = 0;
		}
	if (ret) {
		strbuf_reset(&sb);
		strvec_join(tried, ", ", &sb);
		error("cannot find the running kernel's configuration: none of "
		      "%s exists; name one with [kernel] config",
		      sb.buf);
	}
	strbuf_clear(&sb);
	strbuf_clear(&rel);
	return ret;
}

static const struct {
	const char *option, *arch;
} arch_options[] = {
	{ "CONFIG_X86_64", "x86_64" }, /* before CONFIG_X86: both are set */
	{ "CONFIG_X86", "i386" },	 { "CONFIG_IA64", "ia64" },
	{ "CONFIG_PPC64", "ppc64" },	 { "CONFIG_PPC", "ppc" },
	{ "CONFIG_SPARC64", "sparc64" }, { "CONFIG_S390", "s390" },
	{ "CONFIG_ALPHA", "alpha" },
};

void ktree_arch(const char *config_path, const char *configured,
		const char *host_arch, struct strbuf *arch)
{
	strbuf_reset(arch);
	if (*configured) {
		strbuf_addstr(arch, configured);
		return;
	}
	for (size_t i = 0; config_path && i < ARRAY_SIZE(arch_options); i++)
		if (strcmp(kconfig_value(config_path, arch_options[i].option),
			   "n")) {
			strbuf_addstr(arch, arch_options[i].arch);
			return;
		}
	if (strlen(host_arch) == 4 && host_arch[0] == 'i' &&
	    !strcmp(host_arch + 2, "86"))
		strbuf_addstr(arch, "i386");
	else
		strbuf_addstr(arch, host_arch);
}

/* The content of a configuration file, gunzipped when it is .gz. */
static int read_config(const char *path, struct strbuf *sb)
{
	struct archive *a;
	struct archive_entry *e;
	char buf[65536];
	la_ssize_t n;
	int ret = 0;
	size_t len = strlen(path);

	if (len < 3 || strcmp(path + len - 3, ".gz")) {
		ret = read_file(path, CONFIG_MAX, false, sb);
		return ret ? error("cannot read '%s': %s", path,
				   strerror(-ret)) :
			     0;
	}
	a = archive_read_new();
	archive_read_support_filter_gzip(a);
	archive_read_support_format_raw(a);
	if (archive_read_open_filename(a, path, 65536) != ARCHIVE_OK ||
	    archive_read_next_header(a, &e) != ARCHIVE_OK)
		ret = error("cannot read '%s': %s", path,
			    archive_error_string(a));
	while (!ret && (n = archive_read_data(a, buf, sizeof(buf))) > 0 &&
	       sb->len < CONFIG_MAX)
		strbuf_add(sb, buf, (size_t)n);
	archive_read_free(a);
	return ret;
}

int ktree_install_config(const struct ktree *t, const char *config,
			 struct manifest *m)
{
	struct strbuf text = STRBUF_INIT, dest = STRBUF_INIT;
	int ret = read_config(config, &text);

	strbuf_addf(&dest, "%s/.config", t->dir);
	if (!ret && m) {
		if (path_exists(dest.buf))
			ret = manifest_backup(m, dest.buf);
		else
			ret = manifest_created(m, dest.buf);
	}
	if (!ret)
		ret = write_file_atomic(dest.buf, text.buf, text.len, 0644);
	strbuf_clear(&text);
	strbuf_clear(&dest);
	return ret;
}

const char *kconfig_value(const char *config, const char *option)
{
	struct lines l;
	const char *value = "n";
	size_t n = strlen(option);

	lines_init(&l);
	if (lines_read(&l, config, CONFIG_MAX) == 0)
		for (size_t i = 0; i < l.nr; i++) {
			size_t len;
			const char *s = line_at(&l, i, &len);

			if (len == n + 2 && !strncmp(s, option, n) &&
			    s[n] == '=') {
				value = s[n + 1] == 'y' ? "y" :
					s[n + 1] == 'm' ? "m" :
							  "n";
				break;
			}
		}
	lines_clear(&l);
	return value;
}

/* Whether line s (len) sets option, or says it is not set. */
static bool mentions(const char *s, size_t len, const char *option)
{
	size_t n = strlen(option);

	if (len > n && !strncmp(s, option, n) && s[n] == '=')
		return true;
	return len == n + 13 && !strncmp(s, "# ", 2) &&
	       !strncmp(s + 2, option, n) &&
	       !memcmp(s + 2 + n, " is not set", 11);
}

int kconfig_set_modules(const char *config, const struct strvec *options,
			bool plan_only, struct strbuf *diff)
{
	struct lines l;
	struct strbuf out = STRBUF_INIT;
	bool *done = xcalloc(options->nr + 1, sizeof(*done));
	int ret = lines_read((lines_init(&l), &l), config, CONFIG_MAX);

	if (ret) {
		free(done);
		lines_clear(&l);
		return error("cannot read '%s': %s", config, strerror(-ret));
	}
	for (size_t i = 0; i < l.nr; i++) {
		size_t len, raw;
		const char *s = line_at(&l, i, &len);
		size_t j;

		for (j = 0; j < options->nr; j++)
			if (mentions(s, len, options->v[j]))
				break;
		if (j < options->nr) {
			strbuf_addf(&out, "%s=m\n", options->v[j]);
			done[j] = true;
		} else {
			s = line_raw(&l, i, &raw);
			strbuf_add(&out, s, raw);
		}
	}
	for (size_t j = 0; j < options->nr; j++)
		if (!done[j])
			strbuf_addf(&out, "%s=m\n", options->v[j]);
	if (diff)
		text_diff(config, l.text.buf, l.text.len, out.buf, out.len,
			  diff);
	if (!plan_only)
		ret = write_file_keep(config, out.buf, out.len, 0644);
	free(done);
	lines_clear(&l);
	strbuf_clear(&out);
	return ret;
}

/* --- why oldconfig dropped an option --------------------------------------- */

static struct {
	const char *option; /* CONFIG_X */
	bool kconfig;
	struct strvec *deps;
	bool found;
} decl;

/* Config.in: "dep_tristate 'prompt' CONFIG_X $CONFIG_A $CONFIG_B" */
static void configin_deps(const struct lines *l)
{
	size_t n = strlen(decl.option);

	for (size_t i = 0; i < l->nr && !decl.found; i++) {
		size_t len;
		const char *s = line_at(l, i, &len);
		const char *q = memrchr(s, '\'', len);
		const char *p = q ? q + 1 : s, *end = s + len;

		while (p < end && (*p == ' ' || *p == '\t'))
			p++;
		if (!q || (size_t)(end - p) < n || strncmp(p, decl.option, n) ||
		    (p + n < end && !strchr(" \t", p[n])))
			continue;
		decl.found = true;
		for (p += n; p < end;) {
			const char *w;

			while (p < end && (*p == ' ' || *p == '\t'))
				p++;
			w = p;
			while (p < end && *p != ' ' && *p != '\t')
				p++;
			if (p > w && *w == '$')
				strvec_pushf(decl.deps, "%.*s",
					     (int)(p - w - 1), w + 1);
		}
	}
}

/* Kconfig: "config X" ... "depends on A && B" */
static void kconfig_deps(const struct lines *l)
{
	const char *name = decl.option + strlen("CONFIG_");
	bool in = false;

	for (size_t i = 0; i < l->nr; i++) {
		size_t len;
		const char *s = line_at(l, i, &len), *end = s + len;

		while (s < end && (*s == ' ' || *s == '\t'))
			s++;
		if ((size_t)(end - s) > 7 && !strncmp(s, "config ", 7)) {
			in = (size_t)(end - s - 7) == strlen(name) &&
			     !strncmp(s + 7, name, strlen(name));
			decl.found |= in;
			continue;
		}
		if (!in || (size_t)(end - s) < 11 ||
		    strncmp(s, "depends on ", 11))
			continue;
		for (s += 11; s < end;) {
			const char *w;

			while (s < end && strchr(" \t&", *s))
				s++;
			w = s;
			while (s < end && !strchr(" \t&", *s))
				s++;
			if (s > w)
				strvec_pushf(decl.deps, "CONFIG_%.*s",
					     (int)(s - w), w);
		}
	}
}

static int visit_decl(const char *path, const struct stat *st, int type,
		      struct FTW *ftw)
{
	const char *base = path + ftw->base;
	struct lines l;

	(void)st;
	if (type != FTW_F ||
	    strcmp(base, decl.kconfig ? "Kconfig" : "Config.in"))
		return 0;
	lines_init(&l);
	if (lines_read(&l, path, CONFIG_MAX) == 0) {
		if (decl.kconfig)
			kconfig_deps(&l);
		else
			configin_deps(&l);
	}
	lines_clear(&l);
	return decl.found;
}

static void explain_drop(const struct ktree *t, const char *config,
			 const char *option, struct strbuf *why)
{
	struct strvec deps = STRVEC_INIT;
	bool named = false;

	decl.option = option;
	decl.kconfig = t->is26;
	decl.deps = &deps;
	decl.found = false;
	nftw(t->dir, visit_decl, 16, FTW_PHYS);
	if (!decl.found)
		strbuf_addf(why,
			    "%s is declared in no %s of the tree: the "
			    "patch's configuration line did not land",
			    option, t->is26 ? "Kconfig" : "Config.in");
	for (size_t i = 0; decl.found && i < deps.nr; i++)
		if (!strcmp(kconfig_value(config, deps.v[i]), "n")) {
			strbuf_addf(why, "%s%s depends on %s, which is off",
				    named ? "; " : "", option, deps.v[i]);
			named = true;
		}
	if (decl.found && !named)
		strbuf_addf(why, "oldconfig turned %s off", option);
	strvec_clear(&deps);
}

int ktree_check_options(const struct ktree *t, const struct strvec *options)
{
	struct strbuf config = STRBUF_INIT, why = STRBUF_INIT;
	int ret = 0;

	strbuf_addf(&config, "%s/.config", t->dir);
	for (size_t i = 0; i < options->nr; i++) {
		if (strcmp(kconfig_value(config.buf, options->v[i]), "n"))
			continue;
		strbuf_reset(&why);
		explain_drop(t, config.buf, options->v[i], &why);
		ret = error("%s was dropped by make %s: %s", options->v[i],
			    ktree_oldconfig_target(t), why.buf);
	}
	strbuf_clear(&config);
	strbuf_clear(&why);
	return ret;
}

/* --- make ------------------------------------------------------------------- */

static bool is_make_error(const char *line)
{
	return strstr(line, "error:") || strstr(line, "Error ") ||
	       strstr(line, "*** ") || strstr(line, "No such file");
}

const char *ktree_distcc_hosts(const struct env *env)
{
	const char *hosts = config_get(env->cfg, "build", "distcc_hosts");

	return hosts && hosts[strspn(hosts, " \t")] ? hosts : NULL;
}

/*
 * The compilations distcc runs at once on hosts: each host's "/N", else
 * distcc's own limits (2 for localhost, 4 for any other host).
 */
static unsigned distcc_slots(const char *hosts)
{
	struct strvec words = STRVEC_INIT;
	unsigned long slots = 0;

	strvec_split(&words, hosts, " \t");
	for (size_t i = 0; i < words.nr; i++) {
		const char *w = words.v[i], *slash = strchr(w, '/');

		if (*w == '-' || *w == '+') /* --randomize, +zeroconf */
			continue;
		if (slash && slash[1] >= '1' && slash[1] <= '9')
			slots += strtoul(slash + 1, NULL, 10);
		else
			slots += strncmp(w, "localhost", 9) ? 4 : 2;
	}
	strvec_clear(&words);
	return slots ? (unsigned)(slots < 1024 ? slots : 1024) : 1;
}

/* [build] jobs; when 0, what distcc can take, else the number of CPUs. */
static unsigned jobs(const struct env *env)
{
	unsigned long n = config_get_uint(env->cfg, "build", "jobs");
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);

	if (n)
		return (unsigned)n;
	if (ktree_distcc_hosts(env))
		return distcc_slots(ktree_distcc_hosts(env));
	return cpus > 0 ? (unsigned)cpus : 1;
}

/*
 * [build] ccache and distcc_hosts in front of the compiler: "CC=ccache
 * gcc" for make's command line, and into vars (when not NULL) what they
 * need to know.  Nothing when neither is set: the kernel's own CC stands.
 */
static void compiler(const struct env *env, struct strvec *argv,
		     struct strvec *vars)
{
	bool ccache = config_get_bool(env->cfg, "build", "ccache");
	const char *hosts = ktree_distcc_hosts(env);
	struct strvec cc = STRVEC_INIT, distcc = STRVEC_INIT;
	struct strbuf sb = STRBUF_INIT;

	if (!ccache && !hosts)
		return;
	if (ccache)
		config_get_words(env->cfg, "commands", "ccache", &cc);
	if (hosts) {
		config_get_words(env->cfg, "commands", "distcc", &distcc);
		if (!ccache)
			strvec_pushv(&cc, strvec_argv(&distcc));
		for (size_t i = 0; ccache && i < distcc.nr; i++)
			strbuf_addf(&sb, "%s%s",
				    i ? " " : "CCACHE_PREFIX=", distcc.v[i]);
		if (vars && sb.len)
			strvec_push(vars, sb.buf);
		if (vars)
			strvec_pushf(vars, "DISTCC_HOSTS=%s", hosts);
	}
	strvec_push(&cc, config_get(env->cfg, "build", "cc"));
	strbuf_reset(&sb);
	for (size_t i = 0; i < cc.nr; i++)
		strbuf_addf(&sb, "%s%s", i ? " " : "CC=", cc.v[i]);
	strvec_push(argv, sb.buf);
	strvec_clear(&cc);
	strvec_clear(&distcc);
	strbuf_clear(&sb);
}

/* make's argv; a parallel make (the compile) gets -jN and the compiler. */
static void make_argv(const struct env *env, const struct ktree *t,
		      const char *arch, const char *const *targets,
		      const char *const *extra, bool parallel,
		      struct strvec *argv, struct strvec *vars)
{
	config_get_words(env->cfg, "commands", "make", argv);
	strvec_pushv(argv, (const char *const[]){ "-C", t->dir, NULL });
	strvec_pushf(argv, "ARCH=%s", arch);
	if (parallel) {
		strvec_pushf(argv, "-j%u", jobs(env));
		compiler(env, argv, vars);
	}
	strvec_pushv(argv, targets);
	strvec_pushv(argv, extra);
}

void ktree_make_argv(const struct env *env, const struct ktree *t,
		     const char *arch, const char *const *targets,
		     const char *const *extra, bool parallel,
		     struct strvec *argv, struct strvec *vars)
{
	make_argv(env, t, arch, targets, extra, parallel, argv, vars);
}

int ktree_make(const struct env *env, const struct ktree *t, const char *arch,
	       const char *const *targets, const char *const *extra,
	       const char *input, bool parallel)
{
	struct child_process cp = CHILD_PROCESS_INIT;
	struct strvec errors = STRVEC_INIT;
	struct strbuf what = STRBUF_INIT;
	int ret;

	make_argv(env, t, arch, targets, extra, parallel, &cp.args, &cp.env);
	for (const char *const *p = targets; *p; p++)
		strbuf_addf(&what, "%s%s", what.len ? " " : "", *p);
	cp.log_fd = env->log_fd;
	cp.label = what.buf;
	cp.input = input;
	cp.is_error = is_make_error;
	cp.errors = &errors;
	ret = run_command(&cp);
	if (ret > 0 && run_interrupted()) {
		ret = -1; /* not a failure: the step says "interrupted" */
	} else if (ret > 0) {
		struct strbuf lines = STRBUF_INIT;

		for (size_t i = 0; i < errors.nr && i < 10; i++)
			strbuf_addf(&lines, "\n    %s", errors.v[i]);
		ret = error("make %s in %s failed (exit %d)%s%s", what.buf,
			    t->dir, ret, errors.nr ? "; the first errors:" : "",
			    lines.buf);
		strbuf_clear(&lines);
	} else if (ret < 0) {
		ret = -1;
	}
	strvec_clear(&errors);
	strbuf_clear(&what);
	return ret;
}

/* --- the configured tree ------------------------------------------------- */

int ktree_open_configured(const struct env *env, struct ktree *t)
{
	struct strbuf dir = STRBUF_INIT;
	int ret;

	env_path(env, config_get(env->cfg, "kernel", "tree"), &dir);
	ret = ktree_open(t, dir.buf);
	strbuf_clear(&dir);
	return ret;
}

int ktree_config_and_arch(const struct env *env, const struct ktree *t,
			  struct strbuf *config, struct strbuf *arch)
{
	struct strvec tried = STRVEC_INIT;
	int ret = ktree_find_config(env->root, t, env->host.release,
				    env->host.arch,
				    config_get(env->cfg, "kernel", "config"),
				    config, &tried);

	if (!ret)
		ktree_arch(config->buf, config_get(env->cfg, "build", "arch"),
			   env->host.arch, arch);
	strvec_clear(&tried);
	return ret;
}
