// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The procedure's edits of the iptables spec (spec_edit_pom): the new
 * Version, Release and Source0, the spec's patches the new sources make
 * redundant dropped, the userspace parts of the patches and the
 * patch-o-matic source added, the subpackages, Requires, the changelog,
 * and the kernel tree the build looks at -- each an edit of the
 * line-preserving editor (spec.c).
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "pomctl/spec.h"
#include "pomctl/util.h"
#include "spec-internal.h"

/* --- the procedure's edits ----------------------------------------------------- */

/* "%{name}" or "%name" -> name; false for anything else. */
static bool single_macro(const char *v, struct strbuf *name)
{
	size_t n;

	strbuf_reset(name);
	if (v[0] != '%')
		return false;
	v++;
	if (*v == '{') {
		n = strcspn(v + 1, "}");
		if (v[1 + n] != '}' || v[2 + n])
			return false;
		strbuf_add(name, v + 1, n);
	} else {
		strbuf_addstr(name, v);
	}
	return name->len &&
	       strspn(name->buf,
		      "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
		      "abcdefghijklmnopqrstuvwxyz0123456789_") == name->len;
}

/*
 * The %define or %global line of macro name from line `from` on (one per
 * conditional branch that defines it), and its value's offset.
 */
static long find_define(const struct spec *s, const char *name, size_t from,
			size_t *at)
{
	size_t n = strlen(name);

	for (size_t i = from; i < s->l.nr; i++) {
		size_t len, p = 0;
		const char *line = line_at(&s->l, i, &len);

		if (len > 8 && !strncmp(line, "%define", 7))
			p = 7;
		else if (len > 8 && !strncmp(line, "%global", 7))
			p = 7;
		if (!p || spec_is_continuation(s, i))
			continue;
		while (p < len && (line[p] == ' ' || line[p] == '\t'))
			p++;
		if (p + n >= len || strncmp(line + p, name, n) ||
		    (line[p + n] != ' ' && line[p + n] != '\t'))
			continue;
		for (p += n; p < len && (line[p] == ' ' || line[p] == '\t');)
			p++;
		*at = p;
		return (long)i;
	}
	return -1;
}

/* --- librpmbuild, at arm's length ------------------------------------------- */

/*
 * Version: the line rpm takes (a Version in a branch not taken -- a
 * snapshot scheme, say -- is left as it is); where it names one macro,
 * that macro's %define in every branch instead.
 */
static int edit_version(struct spec *s, const char *version, bool ask_rpm,
			struct strbuf *log)
{
	struct strbuf v = STRBUF_INIT, macro = STRBUF_INIT;
	size_t at, dat;
	long i = spec_find_tag(s, "Version", 0, &at), d;

	if (i < 0)
		return error("spec '%s' has no Version tag", s->path);
	for (; i >= 0; i = spec_find_tag(s, "Version", (size_t)i + 1, &at)) {
		spec_tag_value(s, (size_t)i, at, &v);
		if (!spec_version_line_taken(s, (size_t)i, at, ask_rpm)) {
			strbuf_addf(log,
				    "Version: %s kept (line %ld, in a "
				    "branch rpm does not take)\n",
				    v.buf, i + 1);
			continue;
		}
		if (single_macro(v.buf, &macro) &&
		    (d = find_define(s, macro.buf, 0, &dat)) >= 0) {
			for (; d >= 0;
			     d = find_define(s, macro.buf, (size_t)d + 1, &dat))
				spec_set_value(s, (size_t)d, dat, version);
			strbuf_addf(log, "%%define %s: %s\n", macro.buf,
				    version);
		} else {
			spec_set_value(s, (size_t)i, at, version);
			strbuf_addf(log, "Version: %s (was %s)\n", version,
				    v.buf);
		}
	}
	strbuf_clear(&v);
	strbuf_clear(&macro);
	return 0;
}

static int edit_release(struct spec *s, const char *release, struct strbuf *log)
{
	size_t at;
	long i = spec_find_tag(s, "Release", 0, &at);

	if (i < 0)
		return error("spec '%s' has no Release tag", s->path);
	for (; i >= 0; i = spec_find_tag(s, "Release", (size_t)i + 1, &at))
		spec_set_value(s, (size_t)i, at, release);
	strbuf_addf(log, "Release: %s\n", release);
	return 0;
}

/* Source0 (or Source), in every conditional branch that sets it. */
static void edit_source0(struct spec *s, const char *tarball,
			 struct strbuf *log)
{
	struct strbuf v = STRBUF_INIT, nv = STRBUF_INIT;
	size_t at;
	const char *tag = "Source0";
	long i = spec_find_tag(s, tag, 0, &at);

	if (i < 0)
		i = spec_find_tag(s, tag = "Source", 0, &at);
	if (i < 0) { /* rpm 4.15+: the first line of %sourcelist */
		struct entries r;

		spec_entries_of(s, "Source", &r);
		if (r.nr && r.e[0].listed && r.e[0].num == 0) {
			i = (long)r.e[0].line;
			at = strspn(line_at(&s->l, (size_t)i, &at), " \t");
		}
		spec_entries_clear(&r);
		tag = NULL;
	}
	for (; i >= 0;
	     i = tag ? spec_find_tag(s, tag, (size_t)i + 1, &at) : -1) {
		strbuf_reset(&nv);
		spec_tag_value(s, (size_t)i, at, &v);
		if (!strchr(v.buf, '%')) { /* macros follow Version */
			const char *slash = strrchr(v.buf, '/');

			if (slash)
				strbuf_add(&nv, v.buf,
					   (size_t)(slash - v.buf) + 1);
			strbuf_addstr(&nv, tarball);
			spec_set_value(s, (size_t)i, at, nv.buf);
			strbuf_addf(log, "Source0: %s\n", nv.buf);
		}
	}
	strbuf_clear(&v);
	strbuf_clear(&nv);
}

/* The main Summary, in every conditional branch that sets it. */
static void edit_summary(struct spec *s, const struct strvec *patches)
{
	struct strbuf v = STRBUF_INIT, nv = STRBUF_INIT;
	size_t at;
	long i = spec_find_tag(s, "Summary", 0, &at);

	for (; i >= 0; i = spec_find_tag(s, "Summary", (size_t)i + 1, &at)) {
		strbuf_reset(&nv);
		spec_tag_value(s, (size_t)i, at, &v);
		if (!strstr(v.buf, "patch-o-matic")) {
			bool dot = v.len && v.buf[v.len - 1] == '.';

			strbuf_add(&nv, v.buf, v.len - dot);
			strbuf_addstr(&nv, " (with patch-o-matic: ");
			strvec_join(patches, ", ", &nv);
			strbuf_addf(&nv, ")%s", dot ? "." : "");
			spec_set_value(s, (size_t)i, at, nv.buf);
		}
	}
	strbuf_clear(&v);
	strbuf_clear(&nv);
}

/*
 * Where a line added at the end of a section goes: after its last
 * non-blank line, at the section's own depth (after the %endif of a
 * conditional the last line is in).
 */
static size_t append_point(const struct spec *s, const struct spec_section *sec)
{
	size_t i = sec->end;

	/* blank lines, and an %if that opens around the next section */
	while (i > sec->start + 1 && (line_equals(&s->l, i - 1, "", 0) ||
				      spec_cond_at(s, i - 1) == COND_IF))
		i--;
	return spec_after_blocks(s, i, spec_section_depth(s, sec));
}

static void edit_description(struct spec *s, const struct strvec *patches)
{
	const struct spec_section *d = spec_find_section(s, "description", "");
	struct strbuf sb = STRBUF_INIT;

	if (!d)
		return;
	for (size_t i = d->start; i < d->end; i++) {
		size_t len;
		const char *line = line_at(&s->l, i, &len);

		if (memmem(line, len, "patch-o-matic", 13))
			return;
	}
	strbuf_addstr(&sb, "\nThis build includes the netfilter patch-o-matic "
			   "extensions: ");
	strvec_join(patches, ", ", &sb);
	strbuf_addstr(&sb, ".\n");
	spec_add_edit(s, append_point(s, d), INSERT, sb.buf);
	strbuf_clear(&sb);
}

static void edit_requires(struct spec *s, const char *kernel,
			  struct strbuf *log)
{
	struct strbuf v = STRBUF_INIT, line = STRBUF_INIT;
	size_t at;
	long i, rel;
	bool done = false;

	strbuf_addf(&line, "kernel >= %s", kernel);
	for (i = spec_find_tag(s, "Requires", 0, &at); i >= 0;
	     i = spec_find_tag(s, "Requires", (size_t)i + 1, &at)) {
		spec_tag_value(s, (size_t)i, at, &v);
		if (!strncmp(v.buf, "kernel", 6) &&
		    strchr(" <>=,", v.buf[6] ? v.buf[6] : ' ')) {
			spec_set_value(s, (size_t)i, at, line.buf);
			done = true;
		}
	}
	if (!done) {
		rel = spec_find_tag(s, "Release", 0, &at);
		strbuf_reset(&v);
		strbuf_addf(&v, "Requires: %s\n", line.buf);
		/* a Release in %if/%else: after the %endif, for every branch */
		spec_add_edit(s,
			      spec_after_blocks(s,
						(size_t)(rel >= 0 ? rel : 0) +
							1,
						0),
			      INSERT, v.buf);
	}
	strbuf_addf(log, "Requires: %s\n", line.buf);
	strbuf_clear(&v);
	strbuf_clear(&line);
}

/*
 * Drop the patches named: the tag or list line, and the %prep lines that
 * apply it.  Where rpm numbers patches by their place, the ones after a
 * dropped one move down: refused when a %prep line applies one of them by
 * number (%autosetup and %autopatch go by order and do not care).
 */
static int drop_patches(struct spec *s, const struct strvec *drop,
			struct strbuf *log)
{
	struct entries r;
	long lines[64];
	size_t nl;
	int ret = 0;

	spec_entries_of(s, "Patch", &r);
	for (size_t d = 0; d < drop->nr && !ret; d++)
		for (size_t k = 0; k < r.nr && !ret; k++) {
			char *file = spec_entry_file(s, &r.e[k]);
			bool hit = !strcmp(file, drop->v[d]);

			free(file);
			if (!hit)
				continue;
			for (size_t j = k + 1; j < r.nr && !ret; j++) {
				spec_patch_lines(s, r.e[j].num, lines, &nl,
						 NULL);
				if (r.e[j].implicit && nl)
					ret = error(
						"%s:%ld: dropping %s renumbers "
						"the patches after it (they "
						"are numbered by their place), "
						"and this line applies patch %d "
						"by number: edit the spec by "
						"hand",
						s->path, lines[0] + 1,
						drop->v[d], r.e[j].num);
			}
			if (ret)
				break;
			spec_add_edit(s, r.e[k].line, DELETE, NULL);
			spec_patch_lines(s, r.e[k].num, lines, &nl, NULL);
			for (size_t j = 0; j < nl; j++)
				spec_add_edit(s, (size_t)lines[j], DELETE,
					      NULL);
			strbuf_addf(log, "dropped Patch%d: %s\n", r.e[k].num,
				    drop->v[d]);
		}
	spec_entries_clear(&r);
	return ret;
}

/* Where a new %patch line goes: after the last one, else after %setup. */
static size_t prep_insert_point(const struct spec *s)
{
	const struct spec_section *prep = spec_find_section(s, "prep", NULL);
	long lines[64];
	size_t n;
	int strip;

	if (!prep)
		return s->l.nr;
	spec_patch_lines(s, -1, lines, &n, &strip);
	if (n) /* a %patch for one architecture: after its %endif */
		return spec_after_blocks(s, (size_t)lines[n - 1] + 1,
					 spec_section_depth(s, prep));
	for (size_t i = prep->start + 1; i < prep->end; i++) {
		size_t len;
		const char *line = line_at(&s->l, i, &len);

		if (len >= 6 && !strncmp(line, "%setup", 6))
			return spec_after_blocks(s, i + 1,
						 spec_section_depth(s, prep));
	}
	return prep->start + 1;
}

/*
 * The %prep line that applies every PatchN by itself (%autosetup, or
 * %autopatch) and its -p level (-1 when it gives none): the line, or -1.
 */
static long autopatch_line(const struct spec *s, int *strip)
{
	const struct spec_section *prep = spec_find_section(s, "prep", NULL);

	for (size_t i = prep ? prep->start + 1 : 0; prep && i < prep->end;
	     i++) {
		size_t len;
		const char *line = line_at(&s->l, i, &len), *p;
		struct strbuf sb = STRBUF_INIT;

		if ((len < 10 || strncmp(line, "%autosetup", 10)) &&
		    (len < 10 || strncmp(line, "%autopatch", 10)))
			continue;
		strbuf_add(&sb, line, len);
		p = strstr(sb.buf, " -p");
		*strip = p && isdigit((unsigned char)p[3]) ? atoi(p + 3) : -1;
		strbuf_clear(&sb);
		return (long)i;
	}
	return -1;
}

/*
 * New entries of kind prefix ("Patch", "Source"), numbered from the first
 * free number: a line of its list section where the spec has one
 * (%patchlist, %sourcelist), else a numbered tag after the last tag (or
 * after the other kind's, or at the top).  k: how many were added before
 * this one (edits are applied at rendering: the spec does not show them
 * yet).  Its number.
 */
static int add_entry_line(struct spec *s, const char *prefix, const char *file,
			  const char *other, int k)
{
	struct entries r, o;
	struct strbuf sb = STRBUF_INIT;
	long last;
	int n;

	spec_entries_of(s, prefix, &r);
	n = r.max + 1 + k;
	if (r.list) {
		strbuf_addf(&sb, "%s\n", file);
		spec_add_edit(s, append_point(s, r.list), INSERT, sb.buf);
	} else {
		spec_entries_of(s, other, &o);
		last = r.last_tag >= 0 ? r.last_tag : o.last_tag;
		spec_entries_clear(&o);
		strbuf_addf(&sb, "%s%d: %s\n", prefix, n, file);
		spec_add_edit(s,
			      spec_after_blocks(s,
						(size_t)(last >= 0 ? last : 0) +
							1,
						0),
			      INSERT, sb.buf);
	}
	spec_entries_clear(&r);
	strbuf_clear(&sb);
	return n;
}

static int add_userspace(struct spec *s, const struct strvec *files,
			 struct strbuf *log)
{
	int strip = -1;
	long autop = autopatch_line(s, &strip);
	size_t prep = prep_insert_point(s);
	struct strbuf sb = STRBUF_INIT;

	/* the userspace diffs have a dummy first component: -p1 */
	if (autop >= 0 && strip != 1)
		return error("spec '%s' line %ld applies its patches with "
			     "%%autosetup/%%autopatch at -p%d; pomctl's "
			     "userspace diffs need -p1: give it -p1, or apply "
			     "the patches with %%patch lines",
			     s->path, autop + 1, strip < 0 ? 0 : strip);
	for (size_t i = 0; i < files->nr; i++) {
		int n = add_entry_line(s, "Patch", files->v[i], "Source",
				       (int)i);

		if (autop >= 0) { /* it applies the new one too */
			strbuf_addf(log,
				    "Patch%d: %s, applied by %%autosetup "
				    "or %%autopatch\n",
				    n, files->v[i]);
			continue;
		}
		strbuf_reset(&sb);
		strbuf_addf(&sb, "%%patch%d -p1\n", n);
		spec_add_edit(s, prep, INSERT, sb.buf);
		strbuf_addf(log, "Patch%d: %s, applied in %%prep\n", n,
			    files->v[i]);
	}
	strbuf_clear(&sb);
	return 0;
}

static void add_subpackages(struct spec *s, const struct spec_request *req,
			    int pom_source, struct strbuf *log)
{
	const struct spec_section *prep = spec_find_section(s, "prep", NULL);
	const struct spec_section *inst = spec_find_section(s, "install", NULL);
	const struct spec_section *chlog = spec_find_section(s, "changelog",
							     NULL);
	/* whole packages: never inside a conditional a section is in */
	size_t files_at = spec_before_blocks(s, chlog ? chlog->start : s->l.nr,
					     0);
	size_t pkg_at = spec_before_blocks(s, prep ? prep->start : 0, 0);
	struct strbuf sb = STRBUF_INIT;

	if (!spec_has_package(s, "devel")) {
		spec_add_edit(
			s, pkg_at, INSERT,
			"%package devel\n"
			"Summary: Development package for iptables (libipq).\n"
			"Group: System Environment/Libraries\n"
			"Requires: %{name} = %{version}-%{release}\n\n"
			"%description devel\n"
			"libipq, the iptables library for userspace packet "
			"queuing: the library,\nits header and its manual "
			"pages.\n\n");
		if (inst)
			spec_add_edit(
				s, append_point(s, inst), INSERT,
				"make install-devel DESTDIR=$RPM_BUILD_ROOT "
				"LIBDIR=%{_libdir} INCDIR=%{_includedir} "
				"MANDIR=%{_mandir}\n");
		spec_add_edit(s, files_at, INSERT,
			      "%files devel\n%defattr(-,root,root)\n"
			      "%{_libdir}/libipq.a\n%{_includedir}/libipq.h\n"
			      "%{_mandir}/man3/*\n\n");
		strbuf_addstr(log, "added %package devel\n");
	}
	if (!spec_has_package(s, "pom") && req->pom_tarball) {
		spec_add_edit(
			s, pkg_at, INSERT,
			"%package pom\n"
			"Summary: The netfilter patch-o-matic tree this "
			"iptables was built with.\n"
			"Group: Development/System\n\n"
			"%description pom\n"
			"The patch-o-matic tree whose extensions were applied "
			"to the kernel and\nbuilt into this iptables, "
			"installed under /usr/src/patch-o-matic.\n\n");
		strbuf_addf(&sb,
			    "mkdir -p $RPM_BUILD_ROOT/usr/src/patch-o-matic\n"
			    "tar -xjf %%{SOURCE%d} -C $RPM_BUILD_ROOT/usr/src/"
			    "patch-o-matic\nmv $RPM_BUILD_ROOT/usr/src/"
			    "patch-o-matic/%s/* $RPM_BUILD_ROOT/usr/src/"
			    "patch-o-matic/\nrmdir $RPM_BUILD_ROOT/usr/src/"
			    "patch-o-matic/%s\n",
			    pom_source, req->pom_top, req->pom_top);
		if (inst)
			spec_add_edit(s, append_point(s, inst), INSERT, sb.buf);
		spec_add_edit(s, files_at, INSERT,
			      "%files pom\n%defattr(-,root,root)\n"
			      "/usr/src/patch-o-matic\n\n");
		strbuf_addstr(log, "added %package pom\n");
	}
	strbuf_clear(&sb);
}

static int add_pom_source(struct spec *s, const struct spec_request *req)
{
	if (!req->pom_tarball || spec_has_package(s, "pom"))
		return -1;
	return add_entry_line(s, "Source", req->pom_tarball, "Patch", 0);
}

/* How pomctl's %changelog line ends: spec_edited_by_pomctl() looks for it. */
#define CHANGELOG_MARK " (pomctl)"

bool spec_edited_by_pomctl(const char *text)
{
	size_t m = strlen(CHANGELOG_MARK);

	for (const char *l = text; *l;) {
		size_t n = strcspn(l, "\n");

		if (!strncmp(l, "- iptables ", 11) && n > m &&
		    !strncmp(l + n - m, CHANGELOG_MARK, m))
			return true;
		l += n + (l[n] == '\n');
	}
	return false;
}

static void add_changelog(struct spec *s, const struct spec_request *req,
			  struct strbuf *log)
{
	const struct spec_section *c = spec_find_section(s, "changelog", NULL);
	struct strbuf sb = STRBUF_INIT;
	const char *epoch = getenv("SOURCE_DATE_EPOCH");
	char date[32], *end = NULL;
	time_t t = time(NULL);
	struct tm tm;

	/* a reproducible build's fixed date, as rpm itself takes it */
	if (epoch && *epoch) {
		long long v = strtoll(epoch, &end, 10);

		if (!*end && v >= 0)
			t = (time_t)v;
	}
	localtime_r(&t, &tm);
	strftime(date, sizeof(date), "%a %b %d %Y", &tm);
	if (!c)
		strbuf_addstr(&sb, "\n%changelog\n");
	strbuf_addf(&sb,
		    "* %s %s - %s-%s\n- iptables %s with the patch-o-matic "
		    "extensions ",
		    date, req->packager, req->version, req->release,
		    req->version);
	strvec_join(req->patches, ", ", &sb);
	strbuf_addf(&sb, "%s\n", CHANGELOG_MARK);
	for (size_t i = 0; req->drop && i < req->drop->nr; i++)
		strbuf_addf(&sb, "- dropped %s: contained in %s\n",
			    req->drop->v[i], req->version);
	strbuf_addstr(&sb, c ? "\n" : "");
	if (c)
		spec_insert_after(s, c->start, sb.buf);
	else
		spec_add_edit(s, s->l.nr, INSERT, sb.buf);
	strbuf_addstr(log, "added a %changelog entry\n");
	strbuf_clear(&sb);
}

/* A make command: "make", "%{__make}", "%__make", "$(MAKE)" first. */
static size_t make_word(const char *line, size_t len)
{
	static const char *const words[] = { "make", "%{__make}", "%__make",
					     "%{make_build}", "%make_build" };
	size_t p = 0;

	while (p < len && (line[p] == ' ' || line[p] == '\t'))
		p++;
	for (size_t i = 0; i < ARRAY_SIZE(words); i++) {
		size_t n = strlen(words[i]);

		if (p + n <= len && !strncmp(line + p, words[i], n) &&
		    (p + n == len || line[p + n] == ' ' || line[p + n] == '\t'))
			return p + n;
	}
	return 0;
}

static int edit_kernel_dir(struct spec *s, const char *dir, struct strbuf *log)
{
	static const char *const sections[] = { "build", "install" };
	unsigned count = 0;

	if (strpbrk(dir, " \t'\"$`\\"))
		return error(
			"the kernel tree '%s' has characters a spec cannot "
			"carry in KERNEL_DIR=",
			dir);
	for (size_t k = 0; k < ARRAY_SIZE(sections); k++) {
		const struct spec_section *sec = spec_find_section(s,
								   sections[k],
								   NULL);

		for (size_t i = sec ? sec->start + 1 : 0; sec && i < sec->end;
		     i++) {
			size_t len, at;
			const char *line = line_at(&s->l, i, &len);
			struct strbuf sb = STRBUF_INIT;

			if (!(at = make_word(line, len)))
				continue;
			if (memmem(line, len, "KERNEL_DIR", 10))
				return error(
					"%s:%zu: the spec's %%%s sets "
					"KERNEL_DIR itself; pomctl cannot "
					"point it at the patched tree: edit "
					"the spec by hand",
					s->path, i + 1, sections[k]);
			strbuf_add(&sb, line, at);
			strbuf_addf(&sb, " KERNEL_DIR=%s", dir);
			strbuf_add(&sb, line + at, len - at);
			strbuf_addstr(&sb, spec_ending(s, i));
			spec_add_edit(s, i, REPLACE, sb.buf);
			strbuf_clear(&sb);
			count++;
		}
	}
	if (!count)
		return error("spec '%s' runs no make in %%build: pomctl cannot "
			     "give it KERNEL_DIR",
			     s->path);
	strbuf_addf(log, "KERNEL_DIR=%s on %u make command%s\n", dir, count,
		    count == 1 ? "" : "s");
	return 0;
}

int spec_edit_pom(struct spec *s, const struct spec_request *req,
		  struct strbuf *log)
{
	int pom_source;

	if (!spec_find_section(s, "prep", NULL) ||
	    !spec_find_section(s, "build", NULL))
		return error("spec '%s' has no %%prep or no %%build section",
			     s->path);
	if (edit_version(s, req->version, req->ask_rpm, log) < 0 ||
	    edit_release(s, req->release, log) < 0 ||
	    edit_kernel_dir(s, req->kernel_dir, log) < 0)
		return -1;
	edit_source0(s, req->tarball, log);
	edit_summary(s, req->patches);
	edit_description(s, req->patches);
	edit_requires(s, req->kernel_version, log);
	if (req->drop && drop_patches(s, req->drop, log) < 0)
		return -1;
	if (req->userspace && add_userspace(s, req->userspace, log) < 0)
		return -1;
	pom_source = add_pom_source(s, req);
	add_subpackages(s, req, pom_source, log);
	add_changelog(s, req, log);
	return 0;
}
