// SPDX-License-Identifier: GPL-2.0-or-later
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "pomctl/spec.h"
#include "pomctl/util.h"
#include "spec-internal.h"

#define SPEC_MAX (4 << 20)

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
bool spec_is_continuation(const struct spec *s, size_t i)
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

/* What line i is to the conditional structure. */
enum cond spec_cond_at(const struct spec *s, size_t i)
{
	static const char *const opening[] = { "%if", "%ifarch", "%ifnarch",
					       "%ifos", "%ifnos" };
	static const char *const middle[] = { "%else", "%elif", "%elifarch",
					      "%elifos" };
	size_t len, a = 0, w;
	const char *line = line_at(&s->l, i, &len);

	if (spec_is_continuation(s, i))
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
		enum cond c = spec_cond_at(s, i);

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
	enum cond c = pos < s->l.nr ? spec_cond_at(s, pos) : COND_NONE;

	return s->depth[pos] + (c == COND_ELSE || c == COND_ENDIF);
}

/*
 * An insertion point (before line pos) moved forward out of every
 * conditional deeper than base: past its %endif, its %else branches too.
 */
size_t spec_after_blocks(const struct spec *s, size_t pos, int base)
{
	while (pos < s->l.nr && pos_depth(s, pos) > base)
		pos++;
	return pos;
}

/* The same, moved back before the %if of every conditional deeper than base. */
size_t spec_before_blocks(const struct spec *s, size_t pos, int base)
{
	while (pos > 0 && pos_depth(s, pos) > base)
		pos--;
	return pos;
}

/* The depth a section's own lines stand at. */
int spec_section_depth(const struct spec *s, const struct spec_section *sec)
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

		if (!spec_is_continuation(s, i) &&
		    section_header(line, n, &sec, &arg))
			add_section(s, sec.buf, arg.buf, i);
	}
	compute_depths(s);
	strbuf_clear(&sec);
	strbuf_clear(&arg);
	return 0;
}

int spec_read(struct spec *s, const char *path)
{
	struct strbuf text = STRBUF_INIT;
	int ret = read_file(path, SPEC_MAX, false, &text);

	if (ret) {
		memset(s, 0, sizeof(*s));
		strbuf_clear(&text);
		return error("cannot read spec '%s': %s", path, strerror(-ret));
	}
	ret = spec_parse(s, path, text.buf, text.len);
	strbuf_clear(&text);
	return ret;
}

void spec_clear(struct spec *s)
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
	lines_clear(&s->l);
	memset(s, 0, sizeof(*s));
}

const struct spec_section *spec_find_section(const struct spec *s,
					     const char *name, const char *arg)
{
	for (size_t i = 0; i < s->nsec; i++)
		if (!strcmp(s->sec[i].name, name) &&
		    (!arg || !strcmp(s->sec[i].arg, arg)))
			return &s->sec[i];
	return NULL;
}

/* Does the spec have subpackage sub ("devel"), by either naming? */
bool spec_has_package(const struct spec *s, const char *sub)
{
	struct strbuf full = STRBUF_INIT;
	bool found;

	strbuf_addf(&full, "-n iptables-%s", sub);
	found = spec_find_section(s, "package", sub) ||
		spec_find_section(s, "package", full.buf);
	strbuf_clear(&full);
	return found;
}

/* --- edits ---------------------------------------------------------------------- */

void spec_add_edit(struct spec *s, size_t line, enum edit_op op,
		   const char *text)
{
	/* never between a line ending in '\' and the line it continues in */
	while (op == INSERT && line < s->l.nr && spec_is_continuation(s, line))
		line++;
	s->edits = xrealloc(s->edits, (s->nedits + 1) * sizeof(*s->edits));
	s->edits[s->nedits].line = line;
	s->edits[s->nedits].op = op;
	s->edits[s->nedits].text = text ? xstrdup(text) : NULL;
	s->edits[s->nedits].seq = s->nedits;
	s->nedits++;
}

void spec_insert_after(struct spec *s, size_t line, const char *text)
{
	spec_add_edit(s, line + 1, INSERT, text);
}

/* Line i's ending ("\n", "\r\n" or none), for a replacement of it. */
const char *spec_ending(const struct spec *s, size_t i)
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

	return !spec_is_continuation(s, i) && tag_of(line, len, tag, value_at);
}

/* Lines of the main preamble with tag (case-insensitive), from `from`. */
long spec_find_tag(const struct spec *s, const char *tag, size_t from,
		   size_t *value_at)
{
	struct strbuf t = STRBUF_INIT;
	long found = -1;

	for (size_t i = from; i < s->sec[0].end && found < 0; i++)
		if (tag_at(s, i, &t, value_at) && !strcasecmp(t.buf, tag))
			found = (long)i;
	strbuf_clear(&t);
	return found;
}

void spec_tag_value(const struct spec *s, size_t i, size_t at, struct strbuf *v)
{
	size_t len;
	const char *line = line_at(&s->l, i, &len);

	strbuf_reset(v);
	strbuf_add(v, line + at, len - at);
	strbuf_rtrim(v);
}

/* Replace the value of line i (at its offset at) with value. */
void spec_set_value(struct spec *s, size_t i, size_t at, const char *value)
{
	size_t len;
	const char *line = line_at(&s->l, i, &len);
	struct strbuf sb = STRBUF_INIT;

	strbuf_add(&sb, line, at);
	strbuf_addf(&sb, "%s%s", value, spec_ending(s, i));
	spec_add_edit(s, i, REPLACE, sb.buf);
	strbuf_clear(&sb);
}

/* A line of a list section that names a file. */
static bool list_entry(const struct spec *s, size_t i)
{
	size_t len;
	const char *line = line_at(&s->l, i, &len);
	size_t a = strspn(line, " \t");

	return a < len && line[a] != '#' && spec_cond_at(s, i) == COND_NONE &&
	       !spec_is_continuation(s, i) && strncmp(line + a, "%define", 7) &&
	       strncmp(line + a, "%global", 7);
}

static void add_entry(struct entries *r, size_t line, int num, bool listed,
		      bool implicit)
{
	r->e = xrealloc(r->e, (r->nr + 1) * sizeof(*r->e));
	r->e[r->nr++] = (struct entry){ line, num, listed, implicit };
	r->max = num > r->max ? num : r->max;
}

void spec_entries_of(const struct spec *s, const char *prefix,
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
	strbuf_clear(&t);
	strbuf_clear(&list);
}

void spec_entries_clear(struct entries *r)
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
		strbuf_clear(&sb);
		return num;
	}
	if (isdigit((unsigned char)sb.buf[6])) {
		num = atoi(sb.buf + 6);
	} else if (sb.buf[6] && sb.buf[6] != ' ' && sb.buf[6] != '\t') {
		strbuf_clear(&sb);
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
	strbuf_clear(&sb);
	return num < 0 ? 0 : num;
}

/* Every line of %prep that applies patch num (-1: any): its line. */
void spec_patch_lines(const struct spec *s, int num, long *lines, size_t *n,
		      int *strip)
{
	const struct spec_section *prep = spec_find_section(s, "prep", NULL);

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
char *spec_entry_file(const struct spec *s, const struct entry *e)
{
	struct strbuf t = STRBUF_INIT, v = STRBUF_INIT;
	size_t at = 0;
	const char *slash;
	char *file;

	if (!e->listed)
		tag_at(s, e->line, &t, &at);
	spec_tag_value(s, e->line, at, &v);
	strbuf_reset(&t);
	strbuf_addstr(&t, v.buf + strspn(v.buf, " \t"));
	slash = strrchr(t.buf, '/');
	file = xstrdup(slash ? slash + 1 : t.buf);
	strbuf_clear(&t);
	strbuf_clear(&v);
	return file;
}

size_t spec_patches(const struct spec *s, struct spec_patch **out)
{
	struct entries r;
	size_t n;

	spec_entries_of(s, "Patch", &r);
	*out = xcalloc(r.nr ? r.nr : 1, sizeof(**out));
	for (size_t i = 0; i < r.nr; i++) {
		long lines[64];
		size_t k;
		int strip = -1;

		(*out)[i].num = r.e[i].num;
		(*out)[i].file = spec_entry_file(s, &r.e[i]);
		spec_patch_lines(s, r.e[i].num, lines, &k, &strip);
		(*out)[i].strip = k ? strip : -1;
	}
	n = r.nr;
	spec_entries_clear(&r);
	return n;
}

void spec_patches_free(struct spec_patch *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(p[i].file);
	free(p);
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
	bool crlf = s->l.nr && !strcmp(spec_ending(s, 0), "\r\n");

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
