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

#include "pomctl/boot.h"
#include "pomctl/ktree.h"
#include "pomctl/log.h"
#include "pomctl/manifest.h"
#include "pomctl/pipeline.h"
#include "pomctl/rpmdb.h"
#include "pomctl/run.h"
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
		ktree_release(t);
	lines_release(&l);
	strbuf_release(&path);
	return ret;
}

void ktree_release(struct ktree *t)
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
	strbuf_release(&rel);
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

/*
 * The Makefile's EXTRAVERSION set to extraversion: its diff from the
 * Makefile as it is (or, with from, as it will be with that EXTRAVERSION)
 * into diff; written (after a backup in m) unless m is NULL.
 */
static int edit_extraversion(struct ktree *t, const char *from,
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
	lines_release(&l);
	strbuf_release(&path);
	strbuf_release(&out);
	strbuf_release(&before);
	return ret;
}

int ktree_set_extraversion(struct ktree *t, const char *extraversion,
			   struct manifest *m, struct strbuf *diff)
{
	return edit_extraversion(t, NULL, extraversion, m, diff);
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
		for (size_t i = 0; i < tried->nr; i++)
			strbuf_addf(&sb, "%s%s", i ? ", " : "", tried->v[i]);
		error("cannot find the running kernel's configuration: none of "
		      "%s exists; name one with [kernel] config",
		      sb.buf);
	}
	strbuf_release(&sb);
	strbuf_release(&rel);
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
	strbuf_release(&text);
	strbuf_release(&dest);
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
	lines_release(&l);
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
			bool dry, struct strbuf *diff)
{
	struct lines l;
	struct strbuf out = STRBUF_INIT;
	bool *done = xcalloc(options->nr + 1, sizeof(*done));
	int ret = lines_read((lines_init(&l), &l), config, CONFIG_MAX);

	if (ret) {
		free(done);
		lines_release(&l);
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
	if (!dry)
		ret = write_file_keep(config, out.buf, out.len, 0644);
	free(done);
	lines_release(&l);
	strbuf_release(&out);
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
	lines_release(&l);
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
	strbuf_release(&config);
	strbuf_release(&why);
	return ret;
}

/* --- make ------------------------------------------------------------------- */

static bool is_make_error(const char *line)
{
	return strstr(line, "error:") || strstr(line, "Error ") ||
	       strstr(line, "*** ") || strstr(line, "No such file");
}

static const char *distcc_hosts(struct ctx *ctx)
{
	const char *hosts = config_get(ctx->cfg, "build", "distcc_hosts");

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
static unsigned jobs(struct ctx *ctx)
{
	unsigned long n = config_get_uint(ctx->cfg, "build", "jobs");
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);

	if (n)
		return (unsigned)n;
	if (distcc_hosts(ctx))
		return distcc_slots(distcc_hosts(ctx));
	return cpus > 0 ? (unsigned)cpus : 1;
}

/*
 * [build] ccache and distcc_hosts in front of the compiler: "CC=ccache
 * gcc" for make's command line, and into env (when not NULL) what they
 * need to know.  Nothing when neither is set: the kernel's own CC stands.
 */
static void compiler(struct ctx *ctx, struct strvec *argv, struct strvec *env)
{
	bool ccache = config_get_bool(ctx->cfg, "build", "ccache");
	const char *hosts = distcc_hosts(ctx);
	struct strvec cc = STRVEC_INIT, distcc = STRVEC_INIT;
	struct strbuf sb = STRBUF_INIT;

	if (!ccache && !hosts)
		return;
	if (ccache)
		config_get_words(ctx->cfg, "commands", "ccache", &cc);
	if (hosts) {
		config_get_words(ctx->cfg, "commands", "distcc", &distcc);
		if (!ccache)
			strvec_pushv(&cc, strvec_argv(&distcc));
		for (size_t i = 0; ccache && i < distcc.nr; i++)
			strbuf_addf(&sb, "%s%s",
				    i ? " " : "CCACHE_PREFIX=", distcc.v[i]);
		if (env && sb.len)
			strvec_push(env, sb.buf);
		if (env)
			strvec_pushf(env, "DISTCC_HOSTS=%s", hosts);
	}
	strvec_push(&cc, config_get(ctx->cfg, "build", "cc"));
	strbuf_reset(&sb);
	for (size_t i = 0; i < cc.nr; i++)
		strbuf_addf(&sb, "%s%s", i ? " " : "CC=", cc.v[i]);
	strvec_push(argv, sb.buf);
	strvec_clear(&cc);
	strvec_clear(&distcc);
	strbuf_release(&sb);
}

/* make's argv; a parallel make (the compile) gets -jN and the compiler. */
static void make_argv(struct ctx *ctx, const struct ktree *t, const char *arch,
		      const char *const *targets, const char *const *extra,
		      bool parallel, struct strvec *argv, struct strvec *env)
{
	config_get_words(ctx->cfg, "commands", "make", argv);
	strvec_pushv(argv, (const char *const[]){ "-C", t->dir, NULL });
	strvec_pushf(argv, "ARCH=%s", arch);
	if (parallel) {
		strvec_pushf(argv, "-j%u", jobs(ctx));
		compiler(ctx, argv, env);
	}
	strvec_pushv(argv, targets);
	strvec_pushv(argv, extra);
}

void ktree_make_argv(struct ctx *ctx, const struct ktree *t, const char *arch,
		     const char *const *targets, const char *const *extra,
		     bool parallel, struct strvec *argv)
{
	make_argv(ctx, t, arch, targets, extra, parallel, argv, NULL);
}

int ktree_make(struct ctx *ctx, const struct ktree *t, const char *arch,
	       const char *const *targets, const char *const *extra,
	       const char *input, bool parallel)
{
	struct child_process cp = CHILD_PROCESS_INIT;
	struct strvec errors = STRVEC_INIT;
	struct strbuf what = STRBUF_INIT;
	int ret;

	make_argv(ctx, t, arch, targets, extra, parallel, &cp.args, &cp.env);
	for (const char *const *p = targets; *p; p++)
		strbuf_addf(&what, "%s%s", what.len ? " " : "", *p);
	cp.log_fd = ctx->log_fd;
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
		strbuf_release(&lines);
	} else if (ret < 0) {
		ret = -1;
	}
	strvec_clear(&errors);
	strbuf_release(&what);
	return ret;
}

void installed_releases(struct ctx *ctx, struct strvec *out)
{
	struct strbuf dir = STRBUF_INIT;
	struct rpmdb db;
	struct rpmpkg *pkgs = NULL;
	size_t n = 0;
	DIR *d;
	struct dirent *de;
	bool old;

	ctx_path(ctx, "/lib/modules", &dir);
	d = opendir(dir.buf);
	while (d && (de = readdir(d)))
		if (de->d_name[0] != '.')
			strvec_push(out, de->d_name);
	if (d)
		closedir(d);
	old = error_set_quiet(true);
	if (ctx_rpmdb_open(ctx, &db) == 0) {
		rpmdb_find(&db, "kernel", &pkgs, &n);
		for (size_t i = 0; i < n; i++)
			strvec_pushf(out, "%s-%s", pkgs[i].version,
				     pkgs[i].release);
		rpmpkg_free_all(pkgs, n);
		rpmdb_close(&db);
	}
	error_set_quiet(old);
	strbuf_release(&dir);
}

/* --- the steps' kernel builds ---------------------------------------------- */

int ktree_open_configured(struct ctx *ctx, struct ktree *t)
{
	struct strbuf dir = STRBUF_INIT;
	int ret;

	ctx_path(ctx, config_get(ctx->cfg, "kernel", "tree"), &dir);
	ret = ktree_open(t, dir.buf);
	strbuf_release(&dir);
	return ret;
}

/* The tree's next release, not one of taken (the running, the installed). */
static void next_extraversion(struct ctx *ctx, const struct ktree *t,
			      const char *also, struct strbuf *ext)
{
	struct strvec taken = STRVEC_INIT;

	strvec_push(&taken, ctx->host.release);
	installed_releases(ctx, &taken);
	if (also)
		strvec_push(&taken, also);
	ktree_new_extraversion(t,
			       config_get(ctx->cfg, "kernel",
					  "extraversion_suffix"),
			       &taken, ext);
	strvec_clear(&taken);
}

int ktree_new_release(struct ctx *ctx, struct ktree *t, struct manifest *m,
		      struct strbuf *diff)
{
	struct strbuf ext = STRBUF_INIT;
	int ret;

	next_extraversion(ctx, t, NULL, &ext);
	ret = ktree_set_extraversion(t, ext.buf, m, diff);
	strbuf_release(&ext);
	return ret;
}

int ktree_release_after_trial(struct ctx *ctx, struct ktree *t, bool installs,
			      struct strbuf *diff)
{
	struct strbuf ext = STRBUF_INIT, trial = STRBUF_INIT,
		      ignored = STRBUF_INIT;
	int ret = ktree_new_release(ctx, t, NULL, &ignored); /* the trial's */

	if (!ret) {
		strbuf_addstr(&trial, t->extraversion);
		next_extraversion(ctx, t, installs ? t->release : NULL, &ext);
		ret = edit_extraversion(t, trial.buf, ext.buf, NULL, diff);
	}
	strbuf_release(&ext);
	strbuf_release(&trial);
	strbuf_release(&ignored);
	return ret;
}

int ktree_config_and_arch(struct ctx *ctx, const struct ktree *t,
			  struct strbuf *config, struct strbuf *arch)
{
	struct strvec tried = STRVEC_INIT;
	int ret = ktree_find_config(ctx->root, t, ctx->host.release,
				    ctx->host.arch,
				    config_get(ctx->cfg, "kernel", "config"),
				    config, &tried);

	if (!ret)
		ktree_arch(config->buf, config_get(ctx->cfg, "build", "arch"),
			   ctx->host.arch, arch);
	strvec_clear(&tried);
	return ret;
}

/* Enough empty lines for every new option 2.4's oldconfig may ask. */
static const char *empty_answers(void)
{
	static char answers[65536];

	if (!answers[0])
		memset(answers, '\n', sizeof(answers) - 1);
	return answers;
}

int ktree_oldconfig(struct ctx *ctx, const struct ktree *t, const char *arch)
{
	const char *const target[] = { ktree_oldconfig_target(t), NULL };
	const char *const none[] = { NULL };

	return ktree_make(ctx, t, arch, target, none,
			  t->is26 ? NULL : empty_answers(), false);
}

static void witness_of(const struct ktree *t, struct strbuf *witness)
{
	static const char *const files[] = { "Makefile", ".config" };
	struct strbuf path = STRBUF_INIT;
	char digest[SHA256_HEX];

	strbuf_reset(witness);
	for (size_t i = 0; i < ARRAY_SIZE(files); i++) {
		strbuf_reset(&path);
		strbuf_addf(&path, "%s/%s", t->dir, files[i]);
		strbuf_addf(witness, "%s%s %s", i ? " " : "", files[i],
			    sha256_file(path.buf, digest) == 0 ? digest :
								 "none");
	}
	strbuf_release(&path);
}

bool ktree_stage_begin(struct ctx *ctx, const struct ktree *t,
		       const char *stage)
{
	struct strbuf witness = STRBUF_INIT;
	bool skip;

	witness_of(t, &witness);
	skip = pipeline_stage_skip(ctx, stage, witness.buf);
	strbuf_release(&witness);
	return !skip;
}

int ktree_stage_end(struct ctx *ctx, const struct ktree *t, const char *stage,
		    int ret)
{
	struct strbuf witness = STRBUF_INIT;

	if (!ret) {
		witness_of(t, &witness);
		ret = pipeline_stage_done(ctx, stage, witness.buf);
	}
	strbuf_release(&witness);
	return ret;
}

/* One make as a stage of the running step. */
static int make_stage(struct ctx *ctx, const struct ktree *t, const char *stage,
		      const char *arch, const char *const *targets,
		      const char *const *extra, bool parallel)
{
	if (!ktree_stage_begin(ctx, t, stage))
		return 0;
	return ktree_stage_end(ctx, t, stage,
			       ktree_make(ctx, t, arch, targets, extra, NULL,
					  parallel));
}

/* ccache and distcc, when asked for, must be there before an hour of make. */
static int check_wrapper(struct ctx *ctx, const char *key, const char *off)
{
	struct strvec cmd = STRVEC_INIT;
	struct strbuf path = STRBUF_INIT;
	int ret = 0;

	config_get_words(ctx->cfg, "commands", key, &cmd);
	if (!cmd.nr || find_program(cmd.v[0], &path) < 0 ||
	    access(path.buf, X_OK) < 0)
		ret = error("%s is asked for, but '%s' is not installed: "
			    "install it, or %s",
			    key, cmd.nr ? cmd.v[0] : key, off);
	strvec_clear(&cmd);
	strbuf_release(&path);
	return ret;
}

int ktree_build(struct ctx *ctx, const struct ktree *t, const char *arch)
{
	const char *const dep[] = { "dep", NULL };
	const char *const build[] = { "bzImage", "modules", NULL };
	const char *const none[] = { NULL };

	if (config_get_bool(ctx->cfg, "build", "ccache") &&
	    check_wrapper(ctx, "ccache", "set [build] ccache = no"))
		return -1;
	if (distcc_hosts(ctx) &&
	    check_wrapper(ctx, "distcc", "leave [build] distcc_hosts empty"))
		return -1;
	if (ktree_has_dep(t) &&
	    make_stage(ctx, t, "dependencies", arch, dep, none, false))
		return -1;
	return make_stage(ctx, t, "compiled", arch, build, none, true);
}

static void plan_make(struct ctx *ctx, const struct ktree *t, const char *arch,
		      const char *const *targets, bool parallel)
{
	struct strvec argv = STRVEC_INIT, env = STRVEC_INIT;
	const char *const none[] = { NULL };

	make_argv(ctx, t, arch, targets, none, parallel, &argv, &env);
	plan_command(ctx->plan, strvec_argv(&argv), NULL);
	for (size_t i = 0; i < env.nr; i++)
		plan_note(ctx->plan, "with %s in its environment", env.v[i]);
	strvec_clear(&argv);
	strvec_clear(&env);
}

void ktree_plan_oldconfig(struct ctx *ctx, const struct ktree *t,
			  const char *arch)
{
	plan_make(ctx, t, arch,
		  (const char *const[]){ ktree_oldconfig_target(t), NULL },
		  false);
	if (!t->is26)
		plan_note(ctx->plan, "oldconfig is fed empty lines: every new "
				     "option takes its default");
}

void ktree_plan_build(struct ctx *ctx, const struct ktree *t, const char *arch)
{
	if (ktree_has_dep(t))
		plan_make(ctx, t, arch, (const char *const[]){ "dep", NULL },
			  false);
	plan_make(ctx, t, arch,
		  (const char *const[]){ "bzImage", "modules", NULL }, true);
}

void ktree_plan_make(struct ctx *ctx, const struct ktree *t, const char *arch,
		     const char *target)
{
	plan_make(ctx, t, arch, (const char *const[]){ target, NULL }, false);
}

/* --- installing a build --------------------------------------------------- */

/* INSTALL_MOD_PATH=ROOT and INSTALL_PATH=ROOT/boot for make. */
void ktree_install_args(struct ctx *ctx, struct strvec *mods,
			struct strvec *kernel)
{
	struct strbuf boot = STRBUF_INIT;

	if (*ctx->root)
		strvec_pushf(mods, "INSTALL_MOD_PATH=%s", ctx->root);
	ctx_path(ctx, "/boot", &boot);
	strvec_pushf(kernel, "INSTALL_PATH=%s", boot.buf);
	strbuf_release(&boot);
}

/*
 * The files make install and modules_install will make, recorded before
 * they run (those that are not there yet) for rollback and for undoing an
 * interrupted attempt.
 */
void ktree_installed_files(struct ctx *ctx, const char *release,
			   struct strvec *out)
{
	static const char *const files[] = { "/boot/vmlinuz-%s",
					     "/boot/System.map-%s",
					     "/boot/config-%s",
					     "/boot/initrd-%s.img",
					     "/boot/loader/entries/%s.conf",
					     "/lib/modules/%s" };
	struct strbuf rel = STRBUF_INIT, path = STRBUF_INIT;

	for (size_t i = 0; i < ARRAY_SIZE(files); i++) {
		strbuf_reset(&rel);
		strbuf_addf(&rel, files[i], release);
		ctx_path(ctx, rel.buf, &path);
		strvec_push(out, path.buf);
	}
	strbuf_release(&rel);
	strbuf_release(&path);
}

static int record_installed(struct ctx *ctx, struct manifest *m,
			    const char *release)
{
	struct strvec files = STRVEC_INIT;
	int ret = 0;

	ktree_installed_files(ctx, release, &files);
	for (size_t i = 0; i < files.nr && !ret; i++)
		if (!path_exists(files.v[i]))
			ret = manifest_created(m, files.v[i]);
	strvec_clear(&files);
	return ret;
}

/*
 * /boot/config-RELEASE, as Red Hat's kernel packages install it (when
 * make install did not): the next run's trial starts from the running
 * kernel's configuration, the options of this run's patches included.
 * Recorded as created by record_installed().
 */
static int install_config(struct ctx *ctx, const struct ktree *t)
{
	struct strbuf from = STRBUF_INIT, rel = STRBUF_INIT, to = STRBUF_INIT;
	int ret = 0;

	strbuf_addf(&from, "%s/.config", t->dir);
	strbuf_addf(&rel, "/boot/config-%s", t->release);
	ctx_path(ctx, rel.buf, &to);
	if (!path_exists(to.buf))
		ret = copy_file_atomic(from.buf, to.buf, 0644);
	strbuf_release(&from);
	strbuf_release(&rel);
	strbuf_release(&to);
	return ret;
}

static unsigned long long size_of(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 ? (unsigned long long)st.st_size : 0;
}

/*
 * Before anything is copied: room in /boot for the kernel image, its
 * System.map and .config, and an initrd as big as the running kernel's
 * (Red Hat 8.0's /boot was a 100 MB partition, and kernels pile up).
 * Checked until the image is there: a resumed install does not count
 * itself twice.
 */
static int check_boot_space(struct ctx *ctx, const struct ktree *t,
			    const char *arch)
{
	struct strbuf rel = STRBUF_INIT, path = STRBUF_INIT,
		      need_s = STRBUF_INIT, free_s = STRBUF_INIT;
	unsigned long long need = 0, avail;
	struct statvfs vfs;
	int ret = 0;

	strbuf_addf(&rel, "/boot/vmlinuz-%s", t->release);
	ctx_path(ctx, rel.buf, &path);
	if (path_exists(path.buf))
		goto out;
	strbuf_reset(&path);
	strbuf_addf(&path, "%s/arch/%s/boot/bzImage", t->dir, arch);
	need += size_of(path.buf);
	strbuf_reset(&path);
	strbuf_addf(&path, "%s/System.map", t->dir);
	need += size_of(path.buf);
	strbuf_reset(&path);
	strbuf_addf(&path, "%s/.config", t->dir);
	need += size_of(path.buf);
	strbuf_reset(&rel);
	strbuf_addf(&rel, "/boot/initrd-%s.img", ctx->host.release);
	ctx_path(ctx, rel.buf, &path);
	need += size_of(path.buf);
	ctx_path(ctx, "/boot", &path);
	if (statvfs(path.buf, &vfs) < 0)
		goto out; /* nothing to say: the copy will */
	avail = (unsigned long long)vfs.f_bavail * vfs.f_frsize;
	if (need + need / 10 > avail) {
		human_size(&need_s, need + need / 10);
		human_size(&free_s, avail);
		ret = error("%s has %s free and %s needs about %s (kernel, "
			    "System.map, config, initrd): remove a kernel "
			    "you no longer boot, then run pomctl resume; "
			    "nothing was installed",
			    path.buf, free_s.buf, t->release, need_s.buf);
	}
out:
	strbuf_release(&rel);
	strbuf_release(&path);
	strbuf_release(&need_s);
	strbuf_release(&free_s);
	return ret;
}

int ktree_install(struct ctx *ctx, const struct ktree *t, const char *arch,
		  struct manifest *m)
{
	struct strvec mods = STRVEC_INIT, kernel = STRVEC_INIT;
	struct strbuf where = STRBUF_INIT;
	int ret;

	ret = check_boot_space(ctx, t, arch);
	if (ret)
		return ret;
	ktree_install_args(ctx, &mods, &kernel);
	boot_config_path(ctx, &where);
	ret = path_exists(where.buf) ? manifest_backup(m, where.buf) : 0;
	if (!ret)
		ret = record_installed(ctx, m, t->release);
	if (!ret)
		ret = make_stage(ctx, t, "modules installed", arch,
				 (const char *const[]){ "modules_install",
							NULL },
				 strvec_argv(&mods), false);
	if (!ret)
		ret = make_stage(ctx, t, "kernel installed", arch,
				 (const char *const[]){ "install", NULL },
				 strvec_argv(&kernel), false);
	if (!ret)
		ret = install_config(ctx, t);
	strvec_clear(&mods);
	strvec_clear(&kernel);
	strbuf_release(&where);
	return ret;
}
