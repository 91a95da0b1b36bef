// SPDX-License-Identifier: GPL-2.0-or-later
#include <stdarg.h>
#include <string.h>

#include "pomctl/log.h"
#include "pomctl/plan.h"
#include "pomctl/util.h"

static const char *str(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s ? s : "";
}

void plan_init(struct plan *p)
{
	memset(p, 0, sizeof(*p));
	p->steps = json_array();
	p->cautions = json_array();
	p->headlines = json_array();
}

void plan_clear(struct plan *p)
{
	json_decref(p->steps);
	json_decref(p->cautions);
	json_decref(p->headlines);
	memset(p, 0, sizeof(*p));
}

void plan_begin_step(struct plan *p, const char *name, const char *title)
{
	json_t *step = json_pack("{s:s, s:s, s:[]}", "name", name, "title",
				 title, "actions");

	json_array_append_new(p->steps, step);
	p->cur = json_object_get(step, "actions");
}

static void add(struct plan *p, json_t *action)
{
	if (!p->cur)
		plan_begin_step(p, "pomctl", "");
	json_array_append_new(p->cur, action);
}

void plan_command(struct plan *p, const char *const *argv, const char *cwd)
{
	json_t *a = json_array(), *cmd;

	for (; *argv; argv++)
		json_array_append_new(a, json_string(*argv));
	cmd = json_pack("{s:s, s:o}", "type", "command", "argv", a);

	if (cwd)
		json_object_set_new(cmd, "cwd", json_string(cwd));
	add(p, cmd);
	p->commands++;
}

void plan_edit(struct plan *p, const char *path, const char *diff)
{
	add(p, json_pack("{s:s, s:s, s:s}", "type", "edit", "path", path,
			 "diff", diff));
	p->edits++;
}

void plan_download(struct plan *p, const char *url, long long size,
		   const char *dest)
{
	add(p, json_pack("{s:s, s:s, s:I, s:s}", "type", "download", "url", url,
			 "size", (json_int_t)size, "dest", dest));
	p->downloads++;
	if (size >= 0)
		p->download_bytes += (unsigned long long)size;
	else
		p->unknown_sizes = true;
}

void plan_package(struct plan *p, const char *action, const char *package)
{
	add(p, json_pack("{s:s, s:s, s:s}", "type", "package", "action", action,
			 "package", package));
	p->packages++;
}

void plan_remove(struct plan *p, const struct strvec *paths)
{
	add(p, json_pack("{s:s, s:o}", "type", "remove", "paths",
			 json_strings(paths)));
	p->edits += paths->nr;
}

void plan_restore(struct plan *p, const struct strvec *paths, const char *from)
{
	add(p, json_pack("{s:s, s:o, s:s}", "type", "restore", "paths",
			 json_strings(paths), "from", from));
	p->edits += paths->nr;
}

/* The last remove or restore action of p naming path alone, or NULL. */
static json_t *last_on(const struct plan *p, const char *path)
{
	json_t *step, *a, *last = NULL;
	size_t i, j;

	json_array_foreach (p->steps, i, step)
		json_array_foreach (json_object_get(step, "actions"), j, a) {
			json_t *paths = json_object_get(a, "paths");

			if (json_array_size(paths) == 1 &&
			    !strcmp(json_string_value(json_array_get(paths, 0)),
				    path))
				last = a;
		}
	return last;
}

const char *plan_restored_from(const struct plan *p, const char *path)
{
	json_t *a = last_on(p, path);

	return a && !strcmp(str(a, "type"), "restore") ? str(a, "from") : NULL;
}

bool plan_will_exist(const struct plan *p, const char *path)
{
	json_t *a = last_on(p, path);

	return a ? !strcmp(str(a, "type"), "restore") : path_exists(path);
}

void plan_reboot(struct plan *p, const char *release)
{
	add(p, json_pack("{s:s, s:s}", "type", "reboot", "release", release));
	p->reboots++;
}

/* A note, pending or caution: its text, which a caution also keeps aside. */
static void add_text(struct plan *p, const char *type, const char *fmt,
		     va_list ap)
{
	struct strbuf sb = STRBUF_INIT;

	strbuf_vaddf(&sb, fmt, ap);
	add(p, json_pack("{s:s, s:s}", "type", type, "text", sb.buf));
	if (!strcmp(type, "caution"))
		json_array_append_new(p->cautions, json_string(sb.buf));
	strbuf_clear(&sb);
}

void plan_caution(struct plan *p, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	add_text(p, "caution", fmt, ap);
	va_end(ap);
}

void plan_headline(struct plan *p, const char *fmt, ...)
{
	struct strbuf sb = STRBUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	strbuf_vaddf(&sb, fmt, ap);
	va_end(ap);
	json_array_append_new(p->headlines, json_string(sb.buf));
	strbuf_clear(&sb);
}

void plan_headlines(const struct plan *p, FILE *out)
{
	size_t i;
	json_t *h;

	json_array_foreach (p->headlines, i, h)
		fprintf(out, "  %s\n", json_string_value(h));
}

void plan_step_idle(struct plan *p)
{
	p->idle++;
}

void plan_cautions(const struct plan *p, FILE *out)
{
	size_t i;
	json_t *c;

	json_array_foreach (p->cautions, i, c)
		fprintf(out, "  caution: %s\n", json_string_value(c));
}

void plan_note(struct plan *p, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	add_text(p, "note", fmt, ap);
	va_end(ap);
}

void plan_pending(struct plan *p, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	add_text(p, "pending", fmt, ap);
	va_end(ap);
}

bool plan_has_changes(const struct plan *p)
{
	return p->commands || p->edits || p->downloads || p->packages ||
	       p->reboots;
}

void plan_quote_command(json_t *a, struct strbuf *sb)
{
	struct strvec v = STRVEC_INIT;
	size_t i;
	json_t *arg;

	json_array_foreach (json_object_get(a, "argv"), i, arg)
		strvec_push(&v, json_string_value(arg));
	quote_argv(sb, strvec_argv(&v));
	strvec_clear(&v);
}

static void print_command(json_t *a, FILE *out)
{
	struct strbuf sb = STRBUF_INIT;

	plan_quote_command(a, &sb);
	fprintf(out, "    run: %s", sb.buf);
	if (json_is_string(json_object_get(a, "cwd")))
		fprintf(out, "    (in %s)", str(a, "cwd"));
	fputc('\n', out);
	strbuf_clear(&sb);
}

void plan_print_paths(json_t *a, FILE *out, const char *lead)
{
	json_t *paths = json_object_get(a, "paths");
	bool remove = !strcmp(str(a, "type"), "remove");
	size_t i, n = json_array_size(paths);
	json_t *path;

	if (n == 1) {
		fprintf(out, "%s%s %s", lead, remove ? "remove" : "restore",
			json_string_value(json_array_get(paths, 0)));
		if (!remove)
			fprintf(out, " from %s", str(a, "from"));
		fputc('\n', out);
		return;
	}
	fprintf(out, "%s%s %zu files", lead, remove ? "remove" : "put back", n);
	if (!remove)
		fprintf(out, " from %s", str(a, "from"));
	fputs(" (", out);
	json_array_foreach (paths, i, path) {
		if (i == 8) {
			fprintf(out, " and %zu more", n - 8);
			break;
		}
		fprintf(out, "%s%s", i ? ", " : "", json_string_value(path));
	}
	fputs(")\n", out);
}

static void print_diff(const char *diff, FILE *out)
{
	for (const char *line = diff; *line;) {
		const char *nl = strchrnul(line, '\n');

		fprintf(out, "      %.*s\n", (int)(nl - line), line);
		line = *nl ? nl + 1 : nl;
	}
}

static void print_action(json_t *a, FILE *out)
{
	const char *type = str(a, "type");
	struct strbuf size = STRBUF_INIT;

	if (!strcmp(type, "command")) {
		print_command(a, out);
	} else if (!strcmp(type, "edit")) {
		fprintf(out, "    edit: %s\n", str(a, "path"));
		print_diff(str(a, "diff"), out);
	} else if (!strcmp(type, "download")) {
		json_int_t n = json_integer_value(json_object_get(a, "size"));

		if (n >= 0)
			human_size(&size, (unsigned long long)n);
		fprintf(out, "    download: %s -> %s (%s)\n", str(a, "url"),
			str(a, "dest"), n >= 0 ? size.buf : "size unknown");
	} else if (!strcmp(type, "package")) {
		fprintf(out, "    package: %s %s\n", str(a, "action"),
			str(a, "package"));
	} else if (!strcmp(type, "remove") || !strcmp(type, "restore")) {
		plan_print_paths(a, out, "    ");
	} else if (!strcmp(type, "reboot")) {
		fprintf(out, "    reboot into %s\n", str(a, "release"));
	} else if (!strcmp(type, "caution")) {
		fprintf(out, "    caution: %s\n", str(a, "text"));
	} else {
		fprintf(out, "    %s\n", str(a, "text"));
	}
	strbuf_clear(&size);
}

void plan_summary(const struct plan *p, struct strbuf *sb)
{
	size_t n = json_array_size(p->steps);

	if (p->idle && p->idle <= n) /* resume: the steps left */
		strbuf_addf(sb, "%zu of ", n - p->idle);
	strbuf_addf(sb,
		    "%zu step%s: %u command%s, %u file edit%s, "
		    "%u download%s",
		    n, n == 1 ? "" : "s", p->commands,
		    p->commands == 1 ? "" : "s", p->edits,
		    p->edits == 1 ? "" : "s", p->downloads,
		    p->downloads == 1 ? "" : "s");
	if (p->downloads && !p->download_bytes && p->unknown_sizes) {
		strbuf_addstr(sb, " (size unknown)");
	} else if (p->downloads) {
		strbuf_addstr(sb, " (");
		human_size(sb, p->download_bytes);
		strbuf_addf(sb, "%s)",
			    p->unknown_sizes ? " and some of unknown size" :
					       "");
	}
	strbuf_addf(sb, ", %u package%s, %u reboot%s", p->packages,
		    p->packages == 1 ? "" : "s", p->reboots,
		    p->reboots == 1 ? "" : "s");
}

static void print_json(const struct plan *p, FILE *out)
{
	struct strbuf sb = STRBUF_INIT;
	json_t *doc;

	plan_summary(p, &sb);
	doc = json_pack(
		"{s:i, s:O, s:{s:i, s:i, s:i, s:I, s:i, s:i, s:s, s:O, s:O}}",
		"schema", 1, "steps", p->steps, "summary", "commands",
		p->commands, "edits", p->edits, "downloads", p->downloads,
		"download_bytes", (json_int_t)p->download_bytes, "packages",
		p->packages, "reboots", p->reboots, "text", sb.buf, "cautions",
		p->cautions, "headlines", p->headlines);
	if (out == stdout) {
		say_json(doc);
	} else {
		json_dumpf(doc, out, JSON_INDENT(2));
		fputc('\n', out);
	}
	json_decref(doc);
	strbuf_clear(&sb);
}

void plan_print(const struct plan *p, FILE *out, bool json)
{
	struct strbuf sb = STRBUF_INIT;
	size_t i, j, n = json_array_size(p->steps);
	json_t *step, *a;

	if (json) {
		print_json(p, out);
		return;
	}
	json_array_foreach (p->steps, i, step) {
		fprintf(out, "step %zu/%zu: %s - %s\n", i + 1, n,
			str(step, "name"), str(step, "title"));
		json_array_foreach (json_object_get(step, "actions"), j, a)
			print_action(a, out);
	}
	plan_summary(p, &sb);
	fprintf(out, "%s\n", sb.buf);
	plan_headlines(p, out);
	plan_cautions(p, out);
	strbuf_clear(&sb);
}
