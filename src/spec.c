// SPDX-License-Identifier: GPL-2.0-or-later
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <rpm/header.h>
#include <rpm/rpmbuild.h>
#include <rpm/rpmmacro.h>
#include <rpm/rpmspec.h>

#include "pomctl/rpmdb.h"
#include "pomctl/scratch.h"
#include "pomctl/spec.h"
#include "pomctl/util.h"

#define SPEC_MAX (4 << 20)

enum edit_op { INSERT, REPLACE, DELETE };

struct spec_edit {
	size_t line; /* INSERT goes before this line */
	enum edit_op op;
	char *text;
	size_t seq;
};

static const char *const section_names[] = {
	"package",
	"description",
	"prep",
	"build",
	"install",
	"check",
	"clean",
	"files",
	"changelog",
	"pre",
	"post",
	"preun",
	"postun",
	"pretrans",
	"posttrans",
	"trigger",
	"triggerin",
	"triggerun",
	"triggerpostun",
	"verifyscript",
	"filetriggerin",
	"filetriggerun",
	"transfiletriggerin",
	"transfiletriggerun",
	"generate_buildrequires",
	"patchlist",
	"sourcelist",
};

/* --- structure ------------------------------------------------------------- */

/* A section header: "%name" then the end or a blank.  name gets it. */
static bool section_header(const char *s, size_t len, struct strbuf *name,
			   struct strbuf *arg)
{
	if (!len || s[0] != '%')
		return false;
	for (size_t i = 0; i < ARRAY_SIZE(section_names); i++) {
		size_t n = strlen(section_names[i]);

		if (len < n + 1 || strncmp(s + 1, section_names[i], n) ||
		    (len > n + 1 && s[n + 1] != ' ' && s[n + 1] != '\t'))
			continue;
		strbuf_reset(name);
		strbuf_addstr(name, section_names[i]);
		strbuf_reset(arg);
		s += n + 1;
		len -= n + 1;
		while (len && (*s == ' ' || *s == '\t'))
			s++, len--;
		while (len && (s[len - 1] == ' ' || s[len - 1] == '\t'))
			len--;
		strbuf_add(arg, s, len);
		return true;
	}
	return false;
}

/* --- structure: continued lines and conditionals ------------------------------ */

/* Whether line i continues a logical line begun before it. */
static bool is_continuation(const struct spec *s, size_t i)
{
	return i < s->l.nr && s->cont[i];
}

/*
 * cont[i]: line i continues the line before it, which ends with '\', or
 * is inside the braces of a %{...} opened on an earlier line -- rpm 4.18
 * reads a multi-line %{expand:...} body as one macro, whatever its lines
 * look like.
 */
static void compute_continuations(struct spec *s)
{
	size_t open = 0;

	s->cont = xcalloc(s->l.nr + 1, sizeof(*s->cont));
	for (size_t i = 0; i < s->l.nr; i++) {
		size_t len;
		const char *line = line_at(&s->l, i, &len);

		s->cont[i] |= open > 0;
		for (size_t k = 0; k < len; k++) {
			if (!open && line[k] == '%' && k + 1 < len &&
			    line[k + 1] == '{')
				open++, k++;
			else if (open && line[k] == '{')
				open++;
			else if (open && line[k] == '}')
				open--;
		}
		if (len && line[len - 1] == '\\')
			s->cont[i + 1] = true;
	}
}

enum cond { COND_NONE, COND_IF, COND_ELSE, COND_ENDIF };

/* What line i is to the conditional structure. */
static enum cond cond_at(const struct spec *s, size_t i)
{
	static const char *const opening[] = { "%if", "%ifarch", "%ifnarch",
					       "%ifos", "%ifnos" };
	static const char *const middle[] = { "%else", "%elif", "%elifarch",
					      "%elifos" };
	size_t len, a = 0, w;
	const char *line = line_at(&s->l, i, &len);

	if (is_continuation(s, i))
		return COND_NONE;
	while (a < len && (line[a] == ' ' || line[a] == '\t'))
		a++;
	for (w = a; w < len && !isspace((unsigned char)line[w]);)
		w++;
	for (size_t k = 0; k < ARRAY_SIZE(opening); k++)
		if (w - a == strlen(opening[k]) &&
		    !strncmp(line + a, opening[k], w - a))
			return COND_IF;
	for (size_t k = 0; k < ARRAY_SIZE(middle); k++)
		if (w - a == strlen(middle[k]) &&
		    !strncmp(line + a, middle[k], w - a))
			return COND_ELSE;
	return w - a == 6 && !strncmp(line + a, "%endif", 6) ? COND_ENDIF :
							       COND_NONE;
}

/*
 * depth[i]: how many conditionals line i is inside.  An %if, %else or
 * %endif line stands at the depth of the conditional it belongs to, its
 * branches one deeper; depth[nr] is the end's.
 */
static void compute_depths(struct spec *s)
{
	int d = 0;

	s->depth = xmalloc((s->l.nr + 1) * sizeof(*s->depth));
	for (size_t i = 0; i < s->l.nr; i++) {
		enum cond c = cond_at(s, i);

		if ((c == COND_ELSE || c == COND_ENDIF) && d > 0)
			d--;
		s->depth[i] = d;
		if (c == COND_IF || c == COND_ELSE)
			d++;
	}
	s->depth[s->l.nr] = d;
}

/*
 * The depth a line inserted before line pos would stand at: an %else or
 * %endif closes a branch, so what goes before it is inside.
 */
static int pos_depth(const struct spec *s, size_t pos)
{
	enum cond c = pos < s->l.nr ? cond_at(s, pos) : COND_NONE;

	return s->depth[pos] + (c == COND_ELSE || c == COND_ENDIF);
}

/*
 * An insertion point (before line pos) moved forward out of every
 * conditional deeper than base: past its %endif, its %else branches too.
 */
static size_t after_blocks(const struct spec *s, size_t pos, int base)
{
	while (pos < s->l.nr && pos_depth(s, pos) > base)
		pos++;
	return pos;
}

/* The same, moved back before the %if of every conditional deeper than base. */
static size_t before_blocks(const struct spec *s, size_t pos, int base)
{
	while (pos > 0 && pos_depth(s, pos) > base)
		pos--;
	return pos;
}

/* The depth a section's own lines stand at. */
static int section_depth(const struct spec *s, const struct spec_section *sec)
{
	return s->depth[sec->start];
}

static void add_section(struct spec *s, const char *name, const char *arg,
			size_t start)
{
	s->sec = xrealloc(s->sec, (s->nsec + 1) * sizeof(*s->sec));
	s->sec[s->nsec].name = xstrdup(name);
	s->sec[s->nsec].arg = xstrdup(arg);
	s->sec[s->nsec].start = start;
	s->sec[s->nsec].end = s->l.nr;
	if (s->nsec)
		s->sec[s->nsec - 1].end = start;
	s->nsec++;
}

int spec_parse(struct spec *s, const char *name, const char *text, size_t len)
{
	struct strbuf sec = STRBUF_INIT, arg = STRBUF_INIT;

	memset(s, 0, sizeof(*s));
	lines_init(&s->l);
	if (memchr(text, '\0', len))
		return error("spec '%s' contains a NUL byte: not a spec file",
			     name);
	s->path = xstrdup(name);
	lines_split(&s->l, text, len);
	compute_continuations(s);
	add_section(s, "preamble", "", 0);
	for (size_t i = 0; i < s->l.nr; i++) {
		size_t n;
		const char *line = line_at(&s->l, i, &n);

		if (!is_continuation(s, i) &&
		    section_header(line, n, &sec, &arg))
			add_section(s, sec.buf, arg.buf, i);
	}
	compute_depths(s);
	strbuf_release(&sec);
	strbuf_release(&arg);
	return 0;
}

int spec_read(struct spec *s, const char *path)
{
	struct strbuf text = STRBUF_INIT;
	int ret = read_file(path, SPEC_MAX, false, &text);

	if (ret) {
		memset(s, 0, sizeof(*s));
		strbuf_release(&text);
		return error("cannot read spec '%s': %s", path, strerror(-ret));
	}
	ret = spec_parse(s, path, text.buf, text.len);
	strbuf_release(&text);
	return ret;
}

void spec_release(struct spec *s)
{
	for (size_t i = 0; i < s->nsec; i++) {
		free(s->sec[i].name);
		free(s->sec[i].arg);
	}
	for (size_t i = 0; i < s->nedits; i++)
		free(s->edits[i].text);
	free(s->sec);
	free(s->edits);
	free(s->depth);
	free(s->cont);
	free(s->path);
	lines_release(&s->l);
	memset(s, 0, sizeof(*s));
}

static const struct spec_section *
find_section(const struct spec *s, const char *name, const char *arg)
{
	for (size_t i = 0; i < s->nsec; i++)
		if (!strcmp(s->sec[i].name, name) &&
		    (!arg || !strcmp(s->sec[i].arg, arg)))
			return &s->sec[i];
	return NULL;
}

/* Does the spec have subpackage sub ("devel"), by either naming? */
static bool has_package(const struct spec *s, const char *sub)
{
	struct strbuf full = STRBUF_INIT;
	bool found;

	strbuf_addf(&full, "-n iptables-%s", sub);
	found = find_section(s, "package", sub) ||
		find_section(s, "package", full.buf);
	strbuf_release(&full);
	return found;
}

/* --- edits ---------------------------------------------------------------------- */

static void add_edit(struct spec *s, size_t line, enum edit_op op,
		     const char *text)
{
	/* never between a line ending in '\' and the line it continues in */
	while (op == INSERT && line < s->l.nr && is_continuation(s, line))
		line++;
	s->edits = xrealloc(s->edits, (s->nedits + 1) * sizeof(*s->edits));
	s->edits[s->nedits].line = line;
	s->edits[s->nedits].op = op;
	s->edits[s->nedits].text = text ? xstrdup(text) : NULL;
	s->edits[s->nedits].seq = s->nedits;
	s->nedits++;
}

static void insert_after(struct spec *s, size_t line, const char *text)
{
	add_edit(s, line + 1, INSERT, text);
}

/* Line i's ending ("\n", "\r\n" or none), for a replacement of it. */
static const char *ending(const struct spec *s, size_t i)
{
	size_t len;
	const char *raw = line_raw(&s->l, i, &len);

	if (len >= 2 && raw[len - 2] == '\r')
		return "\r\n";
	return len && raw[len - 1] == '\n' ? "\n" : "";
}

/*
 * "Tag:   value": the tag (with its number) and the value's offset.  A
 * qualifier is part of the tag -- "Requires(pre)", "Summary(de)" -- so
 * that it is never taken for the plain tag.
 */
static bool tag_of(const char *line, size_t len, struct strbuf *tag,
		   size_t *value_at)
{
	size_t i = 0;

	while (i < len && isalnum((unsigned char)line[i]))
		i++;
	if (!i || !isalpha((unsigned char)line[0]))
		return false;
	if (i < len && line[i] == '(') {
		const char *close = memchr(line + i, ')', len - i);

		if (!close)
			return false;
		i = (size_t)(close - line) + 1;
	}
	strbuf_reset(tag);
	strbuf_add(tag, line, i);
	while (i < len && (line[i] == ' ' || line[i] == '\t'))
		i++;
	if (i >= len || line[i] != ':')
		return false;
	for (i++; i < len && (line[i] == ' ' || line[i] == '\t');)
		i++;
	*value_at = i;
	return true;
}

/* Line i's tag, unless it continues another line (a macro body, say). */
static bool tag_at(const struct spec *s, size_t i, struct strbuf *tag,
		   size_t *value_at)
{
	size_t len;
	const char *line = line_at(&s->l, i, &len);

	return !is_continuation(s, i) && tag_of(line, len, tag, value_at);
}

/* Lines of the main preamble with tag (case-insensitive), from `from`. */
static long find_tag(const struct spec *s, const char *tag, size_t from,
		     size_t *value_at)
{
	struct strbuf t = STRBUF_INIT;
	long found = -1;

	for (size_t i = from; i < s->sec[0].end && found < 0; i++)
		if (tag_at(s, i, &t, value_at) && !strcasecmp(t.buf, tag))
			found = (long)i;
	strbuf_release(&t);
	return found;
}

static void tag_value(const struct spec *s, size_t i, size_t at,
		      struct strbuf *v)
{
	size_t len;
	const char *line = line_at(&s->l, i, &len);

	strbuf_reset(v);
	strbuf_add(v, line + at, len - at);
	strbuf_rtrim(v);
}

/* Replace the value of line i (at its offset at) with value. */
static void set_value(struct spec *s, size_t i, size_t at, const char *value)
{
	size_t len;
	const char *line = line_at(&s->l, i, &len);
	struct strbuf sb = STRBUF_INIT;

	strbuf_add(&sb, line, at);
	strbuf_addf(&sb, "%s%s", value, ending(s, i));
	add_edit(s, i, REPLACE, sb.buf);
	strbuf_release(&sb);
}

/*
 * The Patch or Source entries in the order rpm (4.15 and later) numbers
 * them: the main preamble's tags -- PrefixN is N, a numberless Prefix one
 * more than the entry before (the first 0) -- then each line of
 * %patchlist or %sourcelist, numbered the same way.
 */
struct entry {
	size_t line;
	int num;
	bool listed;   /* a line of the list section */
	bool implicit; /* numbered by its place */
};

struct entries {
	struct entry *e;
	size_t nr;
	long last_tag;			 /* the line of the last tag, or -1 */
	int max;			 /* the highest number taken, or -1 */
	const struct spec_section *list; /* the last list, or NULL */
};

/* A line of a list section that names a file. */
static bool list_entry(const struct spec *s, size_t i)
{
	size_t len;
	const char *line = line_at(&s->l, i, &len);
	size_t a = strspn(line, " \t");

	return a < len && line[a] != '#' && cond_at(s, i) == COND_NONE &&
	       !is_continuation(s, i) && strncmp(line + a, "%define", 7) &&
	       strncmp(line + a, "%global", 7);
}

static void add_entry(struct entries *r, size_t line, int num, bool listed,
		      bool implicit)
{
	r->e = xrealloc(r->e, (r->nr + 1) * sizeof(*r->e));
	r->e[r->nr++] = (struct entry){ line, num, listed, implicit };
	r->max = num > r->max ? num : r->max;
}

static void entries_of(const struct spec *s, const char *prefix,
		       struct entries *r)
{
	struct strbuf t = STRBUF_INIT, list = STRBUF_INIT;
	size_t at, n = strlen(prefix);
	int cur = -1;

	memset(r, 0, sizeof(*r));
	r->last_tag = r->max = -1;
	for (size_t i = 0; i < s->sec[0].end; i++) {
		bool implicit;

		if (!tag_at(s, i, &t, &at) || strncasecmp(t.buf, prefix, n) ||
		    strspn(t.buf + n, "0123456789") != t.len - n)
			continue;
		implicit = t.len == n;
		cur = implicit ? cur + 1 : atoi(t.buf + n);
		add_entry(r, i, cur, false, implicit);
		r->last_tag = (long)i;
	}
	strbuf_addf(&list, "%slist", prefix);
	list.buf[0] = (char)tolower((unsigned char)list.buf[0]);
	for (size_t k = 0; k < s->nsec; k++) {
		if (strcmp(s->sec[k].name, list.buf))
			continue;
		r->list = &s->sec[k];
		for (size_t i = s->sec[k].start + 1; i < s->sec[k].end; i++)
			if (list_entry(s, i))
				add_entry(r, i, ++cur, true, true);
	}
	strbuf_release(&t);
	strbuf_release(&list);
}

static void entries_release(struct entries *r)
{
	free(r->e);
	memset(r, 0, sizeof(*r));
}

/*
 * The patch a %prep line applies, or -1: %patchN; %patch with -P N, or N
 * among its arguments (rpm 4.18: anywhere, after options and their
 * values); %patch alone (0); a line that names %{PATCHN} (patch -p1 <
 * %{PATCH1}).  *strip: its -p level, -1 when it gives none.
 */
static int patch_line_number(const char *line, size_t len, int *strip)
{
	static const char with_value[] = "PpbzFdoD";
	struct strbuf sb = STRBUF_INIT;
	char *save = NULL, *w;
	const char *ref;
	int num = -1;

	*strip = -1;
	strbuf_add(&sb, line, len);
	if (len < 6 || strncmp(line, "%patch", 6)) {
		/* %{PATCH1} or %PATCH1, not %{PATCH10} for 1 */
		ref = strstr(sb.buf, "%{PATCH");
		ref = ref			       ? ref + 7 :
		      (ref = strstr(sb.buf, "%PATCH")) ? ref + 6 :
							 NULL;
		if (ref && isdigit((unsigned char)*ref))
			num = atoi(ref);
		if (num >= 0 && (w = strstr(sb.buf, " -p")) &&
		    isdigit((unsigned char)w[3]))
			*strip = atoi(w + 3);
		strbuf_release(&sb);
		return num;
	}
	if (isdigit((unsigned char)sb.buf[6])) {
		num = atoi(sb.buf + 6);
	} else if (sb.buf[6] && sb.buf[6] != ' ' && sb.buf[6] != '\t') {
		strbuf_release(&sb);
		return -1; /* %patchfoo is not a %patch line */
	}
	for (w = strtok_r(sb.buf + 6, " \t", &save); w;
	     w = strtok_r(NULL, " \t", &save)) {
		char opt = w[0] == '-' && w[1] ? w[1] : 0;
		const char *v = opt && strchr(with_value, opt) ?
					(w[2] ? w + 2 :
						strtok_r(NULL, " \t", &save)) :
					NULL;

		if (opt == 'P' && v)
			num = atoi(v);
		else if (opt == 'p' && v)
			*strip = atoi(v);
		else if (!opt && num < 0 &&
			 strspn(w, "0123456789") == strlen(w))
			num = atoi(w);
	}
	strbuf_release(&sb);
	return num < 0 ? 0 : num;
}

/* Every line of %prep that applies patch num (-1: any): its line. */
static void patch_lines(const struct spec *s, int num, long *lines, size_t *n,
			int *strip)
{
	const struct spec_section *prep = find_section(s, "prep", NULL);

	*n = 0;
	for (size_t i = prep ? prep->start + 1 : 0; prep && i < prep->end;
	     i++) {
		size_t len;
		const char *line = line_at(&s->l, i, &len);
		int st, k = patch_line_number(line, len, &st);

		if (k >= 0 && (num < 0 || k == num)) {
			lines[(*n)++] = (long)i;
			if (strip)
				*strip = st;
			if (*n == 64)
				break;
		}
	}
}

/* An entry's file: the tag's value or the list line, its last component. */
static char *entry_file(const struct spec *s, const struct entry *e)
{
	struct strbuf t = STRBUF_INIT, v = STRBUF_INIT;
	size_t at = 0;
	const char *slash;
	char *file;

	if (!e->listed)
		tag_at(s, e->line, &t, &at);
	tag_value(s, e->line, at, &v);
	strbuf_reset(&t);
	strbuf_addstr(&t, v.buf + strspn(v.buf, " \t"));
	slash = strrchr(t.buf, '/');
	file = xstrdup(slash ? slash + 1 : t.buf);
	strbuf_release(&t);
	strbuf_release(&v);
	return file;
}

size_t spec_patches(const struct spec *s, struct spec_patch **out)
{
	struct entries r;
	size_t n;

	entries_of(s, "Patch", &r);
	*out = xcalloc(r.nr ? r.nr : 1, sizeof(**out));
	for (size_t i = 0; i < r.nr; i++) {
		long lines[64];
		size_t k;
		int strip = -1;

		(*out)[i].num = r.e[i].num;
		(*out)[i].file = entry_file(s, &r.e[i]);
		patch_lines(s, r.e[i].num, lines, &k, &strip);
		(*out)[i].strip = k ? strip : -1;
	}
	n = r.nr;
	entries_release(&r);
	return n;
}

void spec_patches_free(struct spec_patch *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(p[i].file);
	free(p);
}

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
		if (!p || is_continuation(s, i))
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
 * The child's limits: CPU time always; memory where no sanitizer or
 * valgrind owns the address space (they reserve terabytes of it).
 */
static void limit_parser(void)
{
	struct rlimit cpu = { 60, 60 };
	const char *preload = getenv("LD_PRELOAD");
	bool owned = preload && strstr(preload, "vgpreload");

#if defined(__SANITIZE_ADDRESS__)
	owned = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
	owned = true;
#endif
#endif
	setrlimit(RLIMIT_CPU, &cpu);
	if (!owned) {
		struct rlimit mem = { 2UL << 30, 2UL << 30 };

		setrlimit(RLIMIT_AS, &mem);
	}
}

/* The child's side: fn's code, its message and its answer, in one write. */
static _Noreturn void parse_child(int fd, int (*fn)(void *, struct strbuf *),
				  void *arg)
{
	struct strbuf answer = STRBUF_INIT, msg = STRBUF_INIT;
	int ret;

	limit_parser();
	error_set_quiet(true);
	ret = fn(arg, &answer);
	strbuf_addf(&msg, "%d\n%s\n%s", ret < 0 ? -1 : ret,
		    ret < 0 ? error_last() : "", answer.buf);
	_exit(write_all(fd, msg.buf, msg.len) < 0 ? 3 : 0);
}

/*
 * fn(arg, answer) -- a parse of the spec at path by librpmbuild -- in a
 * child process.  Specs come from the network, and one can crash
 * librpmbuild (an %if expression nested a few hundred thousand parentheses
 * deep overflows its recursive parser's stack) or hold it (a lua loop):
 * a crash or a limit of the child is a refusal naming the spec, never a
 * crash of pomctl.  fn's code and error come back as this process's, its
 * answer (a line) into answer.
 */
static int parse_isolated(const char *path, int (*fn)(void *, struct strbuf *),
			  void *arg, struct strbuf *answer)
{
	struct strbuf got = STRBUF_INIT;
	char buf[4096], *nl;
	int fds[2], status = 0, ret;
	ssize_t n;
	pid_t pid;

	if (pipe2(fds, O_CLOEXEC) < 0)
		return error("cannot create a pipe: %s", strerror(errno));
	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid == 0) {
		close(fds[0]);
		parse_child(fds[1], fn, arg);
	}
	close(fds[1]);
	while (pid > 0 && (n = read(fds[0], buf, sizeof(buf))) != 0)
		if (n > 0 && got.len < 65536)
			strbuf_add(&got, buf, (size_t)n);
		else if (n < 0 && errno != EINTR)
			break;
	close(fds[0]);
	if (pid < 0)
		ret = error("cannot fork to parse spec '%s': %s", path,
			    strerror(errno));
	else if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) ||
		 WEXITSTATUS(status) || !(nl = strchr(got.buf, '\n')))
		ret = error("librpm could not parse spec '%s' (%s): it is "
			    "damaged or hostile; refused",
			    path,
			    WIFSIGNALED(status) ?
				    (WTERMSIG(status) == SIGXCPU ?
					     "it ran out of its CPU time" :
					     strsignal(WTERMSIG(status))) :
				    "the parser failed");
	else {
		char *msg = nl + 1, *rest = strchr(msg, '\n');

		ret = atoi(got.buf);
		if (rest)
			*rest++ = '\0';
		if (ret < 0)
			error("%s", msg);
		if (answer && rest)
			strbuf_addstr(answer, rest);
	}
	strbuf_release(&got);
	return ret;
}

#define PROBE_VERSION "0.0.pomctl.probe"

/* In the parser's child: the Version the spec at arg parses to. */
static int probe_version(void *arg, struct strbuf *answer)
{
	rpmSpec spec;
	const char *v;

	rpmdb_clear_message();
	spec = rpmSpecParse(arg, RPMSPEC_ANYARCH | RPMSPEC_FORCE, NULL);
	if (!spec)
		return -1;
	v = headerGetString(rpmSpecSourceHeader(spec), RPMTAG_VERSION);
	strbuf_addstr(answer, v ? v : "");
	rpmSpecFree(spec);
	return 0;
}

/*
 * Whether rpm takes the Version line i (its value at `at`): a line inside
 * no conditional does; one inside a branch is asked of librpmbuild -- the
 * spec parsed with that value set to a marker gives the marker as its
 * Version only when the branch is the one taken.  When the probe cannot be
 * made (or may not: ask_rpm false), the line counts.
 */
static bool version_line_taken(const struct spec *s, size_t i, size_t at,
			       bool ask_rpm)
{
	struct strbuf text = STRBUF_INIT, dir = STRBUF_INIT, path = STRBUF_INIT,
		      answer = STRBUF_INIT;
	bool taken = true, quiet;

	if (!s->depth[i] || !ask_rpm || rpmdb_init() < 0)
		return true;
	for (size_t k = 0; k < s->l.nr; k++) {
		size_t len;
		const char *raw = line_raw(&s->l, k, &len);

		if (k == i)
			strbuf_add(&text, raw, at);
		strbuf_add(&text, k == i ? PROBE_VERSION "\n" : raw,
			   k == i ? strlen(PROBE_VERSION "\n") : len);
	}
	quiet = error_set_quiet(true);
	if (scratch_make("spec", &dir) == 0) {
		strbuf_addf(&path, "%s/probe.spec", dir.buf);
		if (write_file_atomic(path.buf, text.buf, text.len, 0600) ==
			    0 &&
		    parse_isolated(path.buf, probe_version, path.buf,
				   &answer) == 0)
			taken = !strcmp(answer.buf, PROBE_VERSION);
		remove_tree(dir.buf);
	}
	error_set_quiet(quiet);
	strbuf_release(&text);
	strbuf_release(&dir);
	strbuf_release(&path);
	strbuf_release(&answer);
	return taken;
}

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
	long i = find_tag(s, "Version", 0, &at), d;

	if (i < 0)
		return error("spec '%s' has no Version tag", s->path);
	for (; i >= 0; i = find_tag(s, "Version", (size_t)i + 1, &at)) {
		tag_value(s, (size_t)i, at, &v);
		if (!version_line_taken(s, (size_t)i, at, ask_rpm)) {
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
				set_value(s, (size_t)d, dat, version);
			strbuf_addf(log, "%%define %s: %s\n", macro.buf,
				    version);
		} else {
			set_value(s, (size_t)i, at, version);
			strbuf_addf(log, "Version: %s (was %s)\n", version,
				    v.buf);
		}
	}
	strbuf_release(&v);
	strbuf_release(&macro);
	return 0;
}

static int edit_release(struct spec *s, const char *release, struct strbuf *log)
{
	size_t at;
	long i = find_tag(s, "Release", 0, &at);

	if (i < 0)
		return error("spec '%s' has no Release tag", s->path);
	for (; i >= 0; i = find_tag(s, "Release", (size_t)i + 1, &at))
		set_value(s, (size_t)i, at, release);
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
	long i = find_tag(s, tag, 0, &at);

	if (i < 0)
		i = find_tag(s, tag = "Source", 0, &at);
	if (i < 0) { /* rpm 4.15+: the first line of %sourcelist */
		struct entries r;

		entries_of(s, "Source", &r);
		if (r.nr && r.e[0].listed && r.e[0].num == 0) {
			i = (long)r.e[0].line;
			at = strspn(line_at(&s->l, (size_t)i, &at), " \t");
		}
		entries_release(&r);
		tag = NULL;
	}
	for (; i >= 0; i = tag ? find_tag(s, tag, (size_t)i + 1, &at) : -1) {
		strbuf_reset(&nv);
		tag_value(s, (size_t)i, at, &v);
		if (!strchr(v.buf, '%')) { /* macros follow Version */
			const char *slash = strrchr(v.buf, '/');

			if (slash)
				strbuf_add(&nv, v.buf,
					   (size_t)(slash - v.buf) + 1);
			strbuf_addstr(&nv, tarball);
			set_value(s, (size_t)i, at, nv.buf);
			strbuf_addf(log, "Source0: %s\n", nv.buf);
		}
	}
	strbuf_release(&v);
	strbuf_release(&nv);
}

static void join_names(const struct strvec *v, struct strbuf *sb)
{
	for (size_t i = 0; i < v->nr; i++)
		strbuf_addf(sb, "%s%s", i ? ", " : "", v->v[i]);
}

/* The main Summary, in every conditional branch that sets it. */
static void edit_summary(struct spec *s, const struct strvec *patches)
{
	struct strbuf v = STRBUF_INIT, nv = STRBUF_INIT;
	size_t at;
	long i = find_tag(s, "Summary", 0, &at);

	for (; i >= 0; i = find_tag(s, "Summary", (size_t)i + 1, &at)) {
		strbuf_reset(&nv);
		tag_value(s, (size_t)i, at, &v);
		if (!strstr(v.buf, "patch-o-matic")) {
			bool dot = v.len && v.buf[v.len - 1] == '.';

			strbuf_add(&nv, v.buf, v.len - dot);
			strbuf_addstr(&nv, " (with patch-o-matic: ");
			join_names(patches, &nv);
			strbuf_addf(&nv, ")%s", dot ? "." : "");
			set_value(s, (size_t)i, at, nv.buf);
		}
	}
	strbuf_release(&v);
	strbuf_release(&nv);
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
				      cond_at(s, i - 1) == COND_IF))
		i--;
	return after_blocks(s, i, section_depth(s, sec));
}

static void edit_description(struct spec *s, const struct strvec *patches)
{
	const struct spec_section *d = find_section(s, "description", "");
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
	join_names(patches, &sb);
	strbuf_addstr(&sb, ".\n");
	add_edit(s, append_point(s, d), INSERT, sb.buf);
	strbuf_release(&sb);
}

static void edit_requires(struct spec *s, const char *kernel,
			  struct strbuf *log)
{
	struct strbuf v = STRBUF_INIT, line = STRBUF_INIT;
	size_t at;
	long i, rel;
	bool done = false;

	strbuf_addf(&line, "kernel >= %s", kernel);
	for (i = find_tag(s, "Requires", 0, &at); i >= 0;
	     i = find_tag(s, "Requires", (size_t)i + 1, &at)) {
		tag_value(s, (size_t)i, at, &v);
		if (!strncmp(v.buf, "kernel", 6) &&
		    strchr(" <>=,", v.buf[6] ? v.buf[6] : ' ')) {
			set_value(s, (size_t)i, at, line.buf);
			done = true;
		}
	}
	if (!done) {
		rel = find_tag(s, "Release", 0, &at);
		strbuf_reset(&v);
		strbuf_addf(&v, "Requires: %s\n", line.buf);
		/* a Release in %if/%else: after the %endif, for every branch */
		add_edit(s,
			 after_blocks(s, (size_t)(rel >= 0 ? rel : 0) + 1, 0),
			 INSERT, v.buf);
	}
	strbuf_addf(log, "Requires: %s\n", line.buf);
	strbuf_release(&v);
	strbuf_release(&line);
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

	entries_of(s, "Patch", &r);
	for (size_t d = 0; d < drop->nr && !ret; d++)
		for (size_t k = 0; k < r.nr && !ret; k++) {
			char *file = entry_file(s, &r.e[k]);
			bool hit = !strcmp(file, drop->v[d]);

			free(file);
			if (!hit)
				continue;
			for (size_t j = k + 1; j < r.nr && !ret; j++) {
				patch_lines(s, r.e[j].num, lines, &nl, NULL);
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
			add_edit(s, r.e[k].line, DELETE, NULL);
			patch_lines(s, r.e[k].num, lines, &nl, NULL);
			for (size_t j = 0; j < nl; j++)
				add_edit(s, (size_t)lines[j], DELETE, NULL);
			strbuf_addf(log, "dropped Patch%d: %s\n", r.e[k].num,
				    drop->v[d]);
		}
	entries_release(&r);
	return ret;
}

/* Where a new %patch line goes: after the last one, else after %setup. */
static size_t prep_insert_point(const struct spec *s)
{
	const struct spec_section *prep = find_section(s, "prep", NULL);
	long lines[64];
	size_t n;
	int strip;

	if (!prep)
		return s->l.nr;
	patch_lines(s, -1, lines, &n, &strip);
	if (n) /* a %patch for one architecture: after its %endif */
		return after_blocks(s, (size_t)lines[n - 1] + 1,
				    section_depth(s, prep));
	for (size_t i = prep->start + 1; i < prep->end; i++) {
		size_t len;
		const char *line = line_at(&s->l, i, &len);

		if (len >= 6 && !strncmp(line, "%setup", 6))
			return after_blocks(s, i + 1, section_depth(s, prep));
	}
	return prep->start + 1;
}

/*
 * The %prep line that applies every PatchN by itself (%autosetup, or
 * %autopatch) and its -p level (-1 when it gives none): the line, or -1.
 */
static long autopatch_line(const struct spec *s, int *strip)
{
	const struct spec_section *prep = find_section(s, "prep", NULL);

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
		strbuf_release(&sb);
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

	entries_of(s, prefix, &r);
	n = r.max + 1 + k;
	if (r.list) {
		strbuf_addf(&sb, "%s\n", file);
		add_edit(s, append_point(s, r.list), INSERT, sb.buf);
	} else {
		entries_of(s, other, &o);
		last = r.last_tag >= 0 ? r.last_tag : o.last_tag;
		entries_release(&o);
		strbuf_addf(&sb, "%s%d: %s\n", prefix, n, file);
		add_edit(s,
			 after_blocks(s, (size_t)(last >= 0 ? last : 0) + 1, 0),
			 INSERT, sb.buf);
	}
	entries_release(&r);
	strbuf_release(&sb);
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
		add_edit(s, prep, INSERT, sb.buf);
		strbuf_addf(log, "Patch%d: %s, applied in %%prep\n", n,
			    files->v[i]);
	}
	strbuf_release(&sb);
	return 0;
}

static void add_subpackages(struct spec *s, const struct spec_request *req,
			    int pom_source, struct strbuf *log)
{
	const struct spec_section *prep = find_section(s, "prep", NULL);
	const struct spec_section *inst = find_section(s, "install", NULL);
	const struct spec_section *chlog = find_section(s, "changelog", NULL);
	/* whole packages: never inside a conditional a section is in */
	size_t files_at = before_blocks(s, chlog ? chlog->start : s->l.nr, 0);
	size_t pkg_at = before_blocks(s, prep ? prep->start : 0, 0);
	struct strbuf sb = STRBUF_INIT;

	if (!has_package(s, "devel")) {
		add_edit(s, pkg_at, INSERT,
			 "%package devel\n"
			 "Summary: Development package for iptables (libipq).\n"
			 "Group: System Environment/Libraries\n"
			 "Requires: %{name} = %{version}-%{release}\n\n"
			 "%description devel\n"
			 "libipq, the iptables library for userspace packet "
			 "queuing: the library,\nits header and its manual "
			 "pages.\n\n");
		if (inst)
			add_edit(s, append_point(s, inst), INSERT,
				 "make install-devel DESTDIR=$RPM_BUILD_ROOT "
				 "LIBDIR=%{_libdir} INCDIR=%{_includedir} "
				 "MANDIR=%{_mandir}\n");
		add_edit(s, files_at, INSERT,
			 "%files devel\n%defattr(-,root,root)\n"
			 "%{_libdir}/libipq.a\n%{_includedir}/libipq.h\n"
			 "%{_mandir}/man3/*\n\n");
		strbuf_addstr(log, "added %package devel\n");
	}
	if (!has_package(s, "pom") && req->pom_tarball) {
		add_edit(s, pkg_at, INSERT,
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
			add_edit(s, append_point(s, inst), INSERT, sb.buf);
		add_edit(s, files_at, INSERT,
			 "%files pom\n%defattr(-,root,root)\n"
			 "/usr/src/patch-o-matic\n\n");
		strbuf_addstr(log, "added %package pom\n");
	}
	strbuf_release(&sb);
}

static int add_pom_source(struct spec *s, const struct spec_request *req)
{
	if (!req->pom_tarball || has_package(s, "pom"))
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
	const struct spec_section *c = find_section(s, "changelog", NULL);
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
	join_names(req->patches, &sb);
	strbuf_addf(&sb, "%s\n", CHANGELOG_MARK);
	for (size_t i = 0; req->drop && i < req->drop->nr; i++)
		strbuf_addf(&sb, "- dropped %s: contained in %s\n",
			    req->drop->v[i], req->version);
	strbuf_addstr(&sb, c ? "\n" : "");
	if (c)
		insert_after(s, c->start, sb.buf);
	else
		add_edit(s, s->l.nr, INSERT, sb.buf);
	strbuf_addstr(log, "added a %changelog entry\n");
	strbuf_release(&sb);
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
		const struct spec_section *sec = find_section(s, sections[k],
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
			strbuf_addstr(&sb, ending(s, i));
			add_edit(s, i, REPLACE, sb.buf);
			strbuf_release(&sb);
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

	if (!find_section(s, "prep", NULL) || !find_section(s, "build", NULL))
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

static int by_line(const void *a, const void *b)
{
	const struct spec_edit *x = a, *y = b;

	if (x->line != y->line)
		return x->line < y->line ? -1 : 1;
	if (x->op != y->op)
		return x->op == INSERT ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* Text of pomctl's, with the spec's own line ending. */
static void add_text(struct strbuf *out, const char *text, bool crlf)
{
	for (; *text; text++) {
		if (crlf && *text == '\n' &&
		    (!out->len || out->buf[out->len - 1] != '\r'))
			strbuf_addch(out, '\r');
		strbuf_addch(out, *text);
	}
}

void spec_render(const struct spec *s, struct strbuf *out)
{
	struct spec_edit *e = xmalloc((s->nedits + 1) * sizeof(*e));
	size_t k = 0;
	bool crlf = s->l.nr && !strcmp(ending(s, 0), "\r\n");

	if (s->nedits) { /* edits is NULL when there are none */
		memcpy(e, s->edits, s->nedits * sizeof(*e));
		qsort(e, s->nedits, sizeof(*e), by_line);
	}
	for (size_t i = 0; i <= s->l.nr; i++) {
		bool replaced = false;

		for (; k < s->nedits && e[k].line == i; k++) {
			if (e[k].op == INSERT) {
				if (i == s->l.nr && out->len &&
				    out->buf[out->len - 1] != '\n')
					strbuf_addstr(out,
						      crlf ? "\r\n" : "\n");
				add_text(out, e[k].text, crlf);
			} else if (!replaced) {
				replaced = true;
				if (e[k].op == REPLACE)
					add_text(out, e[k].text, crlf);
			}
		}
		if (i < s->l.nr && !replaced) {
			size_t len;
			const char *raw = line_raw(&s->l, i, &len);

			strbuf_add(out, raw, len);
		}
	}
	free(e);
}

/* --- validation ----------------------------------------------------------------- */

static int check_expect(rpmSpec spec, const char *path, const char *arch,
			const struct spec_expect *x)
{
	const char *prep = rpmSpecGetSection(spec, RPMBUILD_PREP);
	Header h = rpmSpecSourceHeader(spec);
	const char *v = headerGetString(h, RPMTAG_VERSION);
	const char *r = headerGetString(h, RPMTAG_RELEASE);
	struct strvec names = STRVEC_INIT, sources = STRVEC_INIT;
	rpmSpecPkgIter pi = rpmSpecPkgIterInit(spec);
	rpmSpecSrcIter si = rpmSpecSrcIterInit(spec);
	rpmSpecPkg pkg;
	rpmSpecSrc src;
	int ret = 0;

	while ((pkg = rpmSpecPkgIterNext(pi)))
		strvec_push(&names, headerGetString(rpmSpecPkgHeader(pkg),
						    RPMTAG_NAME));
	while ((src = rpmSpecSrcIterNext(si)))
		strvec_push(&sources, rpmSpecSrcFilename(src, 0));
	rpmSpecPkgIterFree(pi);
	rpmSpecSrcIterFree(si);
	if (x->version && (!v || strcmp(v, x->version)))
		ret = error("the edited spec '%s' has Version %s, not %s", path,
			    v ? v : "(none)", x->version);
	else if (x->release && (!r || strcmp(r, x->release)))
		ret = error("the edited spec '%s' has Release %s, not %s", path,
			    r ? r : "(none)", x->release);
	for (size_t i = 0; !ret && x->packages && i < x->packages->nr; i++)
		if (!strvec_has(&names, x->packages->v[i]))
			ret = error(
				"the edited spec '%s' has no package %s%s%s",
				path, x->packages->v[i], arch ? " for " : "",
				arch ? arch : "");
	for (size_t i = 0; !ret && x->sources && i < x->sources->nr; i++)
		if (!strvec_has(&sources, x->sources->v[i]))
			ret = error(
				"the edited spec '%s' does not list %s as a "
				"source",
				path, x->sources->v[i]);
	for (size_t i = 0; !ret && x->applied && i < x->applied->nr; i++)
		if (!prep || !strstr(prep, x->applied->v[i]))
			ret = error("the edited spec '%s' does not apply %s in "
				    "%%prep for %s (a conditional around the "
				    "patch lines?): edit the spec by hand",
				    path, x->applied->v[i],
				    arch ? arch : "this host's architecture");
	strvec_clear(&names);
	strvec_clear(&sources);
	return ret;
}

/* Parse path for arch (NULL: the host's); its check; 0 or -1. */
static int parse_for(const char *path, const char *arch,
		     const struct spec_expect *expect)
{
	rpmSpec spec;
	int ret = 0;

	if (arch)
		rpmPushMacro(NULL, "_target_cpu", NULL, arch, RMIL_CMDLINE);
	rpmdb_clear_message();
	spec = rpmSpecParse(path, RPMSPEC_ANYARCH | RPMSPEC_FORCE, NULL);
	if (!spec && strstr(rpmdb_last_message(""), "invalid utf-8 encoding"))
		ret = error(
			"spec '%s' does not parse: %s; it is not UTF-8 (an "
			"ISO-8859 Summary or changelog, say), which this "
			"rpm refuses while %%_invalid_encoding_terminates_"
			"build is 1: set it to 0 in /etc/rpm/macros (rpmbuild "
			"reads it too), or convert the spec, then pomctl "
			"resume",
			path, rpmdb_last_message(""));
	else if (!spec)
		ret = error("spec '%s' does not parse%s%s: %s", path,
			    arch ? " for " : "", arch ? arch : "",
			    rpmdb_last_message("rpmSpecParse failed"));
	else if (expect && rpmdb_error_count()) /* rpmspec would exit 0 */
		ret = error("the edited spec '%s' parses%s%s with errors: %s",
			    path, arch ? " for " : "", arch ? arch : "",
			    rpmdb_last_message(""));
	else if (expect)
		ret = check_expect(spec, path, arch, expect);
	rpmSpecFree(spec);
	if (arch)
		rpmPopMacro(NULL, "_target_cpu");
	return ret;
}

struct validation {
	const char *path, *topdir;
	const struct spec_expect *expect;
};

/* In the parser's child: the spec for this host and two others. */
static int validate(void *arg, struct strbuf *answer)
{
	static const char *const other_arches[] = { "i686", "s390x" };
	const struct validation *v = arg;
	int ret;

	(void)answer;
	rpmPushMacro(NULL, "_topdir", NULL, v->topdir, RMIL_CMDLINE);
	ret = parse_for(v->path, NULL, v->expect);
	for (size_t i = 0; !ret && v->expect && i < ARRAY_SIZE(other_arches);
	     i++)
		ret = parse_for(v->path, other_arches[i], v->expect);
	rpmPopMacro(NULL, "_topdir");
	return ret;
}

/* In the parser's child: the package files rpmbuild -ba would write, one
 * line of paths relative to the top directory. */
static int outputs(void *arg, struct strbuf *answer)
{
	const struct validation *v = arg;
	rpmSpec spec;
	rpmSpecPkgIter pi;
	rpmSpecPkg pkg;
	char *fmt, *name;

	rpmPushMacro(NULL, "_topdir", NULL, v->topdir, RMIL_CMDLINE);
	spec = rpmSpecParse(v->path, RPMSPEC_FORCE, NULL);
	if (!spec)
		return error("spec '%s' does not parse: %s", v->path,
			     rpmdb_last_message("rpmSpecParse failed"));
	fmt = rpmExpand("%{_rpmfilename}", NULL);
	pi = rpmSpecPkgIterInit(spec);
	while ((pkg = rpmSpecPkgIterNext(pi))) {
		name = headerFormat(rpmSpecPkgHeader(pkg), fmt, NULL);
		if (name && !strchr(name, ' ') && !strstr(name, ".."))
			strbuf_addf(answer, "RPMS/%s ", name);
		free(name);
	}
	rpmSpecPkgIterFree(pi);
	name = headerFormat(rpmSpecSourceHeader(spec),
			    "%{NAME}-%{VERSION}-%{RELEASE}.src.rpm", NULL);
	if (name && !strchr(name, ' ') && !strstr(name, ".."))
		strbuf_addf(answer, "SRPMS/%s", name);
	free(name);
	free(fmt);
	rpmSpecFree(spec);
	rpmPopMacro(NULL, "_topdir");
	return 0;
}

int spec_outputs(const char *path, const char *topdir, struct strvec *out)
{
	struct validation v = { path, topdir, NULL };
	struct strbuf answer = STRBUF_INIT;
	int ret;

	if (rpmdb_init() < 0)
		return -1;
	ret = parse_isolated(path, outputs, &v, &answer);
	if (!ret)
		strvec_split(out, answer.buf, " ");
	strbuf_release(&answer);
	return ret;
}

int spec_validate(const char *path, const char *topdir,
		  const struct spec_expect *expect)
{
	struct validation v = { path, topdir, expect };

	if (rpmdb_init() < 0)
		return -1;
	return parse_isolated(path, validate, &v, NULL);
}
