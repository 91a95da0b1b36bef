// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A boot loader configuration read: GRUB legacy's grub.conf or
 * menu.lst, LILO's lilo.conf, GRUB 2's BLS entries -- the entries, their
 * kernels' releases, the default and the saved default.  Changing one is
 * boot-edit.c.
 */
#include <ctype.h>
#include <dirent.h>
#include <stdlib.h>
#include <string.h>

#include "pomctl/boot.h"
#include "pomctl/env.h"
#include "pomctl/safepath.h"
#include "pomctl/util.h"
#include "boot-internal.h"

/*
 * The file the config names, its links resolved inside the root: Red
 * Hat's /etc/grub.conf -> ../boot/grub/grub.conf is read and written as
 * the file GRUB reads, and stays a link.
 */
void boot_config_path(const struct env *env, struct strbuf *path)
{
	const char *conf = config_get(env->cfg, "boot", "config");

	if (root_resolve(env->root, conf, path) < 0)
		env_path(env, conf, path);
}

/* --- reading ------------------------------------------------------------------- */

/* A line without leading blanks and comments: its keyword and value. */
bool boot_keyword(const char *s, size_t len, const char *kw, bool eq,
		  struct strbuf *value)
{
	size_t n = strlen(kw), i = 0;

	while (i < len && (s[i] == ' ' || s[i] == '\t'))
		i++;
	if (len - i < n || strncmp(s + i, kw, n))
		return false;
	i += n;
	if (i < len && s[i] != ' ' && s[i] != '\t' && s[i] != '=')
		return false;
	while (i < len && (s[i] == ' ' || s[i] == '\t' || (eq && s[i] == '=')))
		i++;
	strbuf_reset(value);
	strbuf_add(value, s + i, len - i);
	strbuf_rtrim(value);
	return true;
}

/* "/vmlinuz-2.4.20-13.8 ro root=..." -> "vmlinuz-2.4.20-13.8" path, release */
/* A field given again (a second initrd line): the last one counts. */
static void set_field(char **field, const char *value)
{
	free(*field);
	*field = xstrdup(value);
}

/* Kernel images named without their release: it is the directory's. */
static bool plain_image_name(const char *base)
{
	static const char *const names[] = { "vmlinuz", "vmlinux", "bzImage",
					     "zImage", "linux" };

	for (size_t i = 0; i < ARRAY_SIZE(names); i++)
		if (!strcmp(base, names[i]))
			return true;
	return false;
}

/*
 * The image and its release: "/vmlinuz-RELEASE", or a kernel kept in a
 * directory of its release ("/boot/2.4.20-wt2/bzImage"), else the name.
 */
static void set_image(struct boot_entry *e, const char *value)
{
	size_t n = strcspn(value, " \t");
	const char *base, *dir = NULL;

	free(e->image);
	e->image = strndup(value, n);
	if (!e->image)
		die_oom();
	base = strrchr(e->image, '/');
	if (base && base > e->image)
		for (dir = base - 1; dir > e->image && dir[-1] != '/';)
			dir--;
	base = base ? base + 1 : e->image;
	free(e->release);
	e->in_dir = false;
	if (!strncmp(base, "vmlinuz-", 8)) {
		e->release = xstrdup(base + 8);
	} else if (dir && plain_image_name(base) && base - 1 > dir) {
		e->release = strndup(dir, (size_t)(base - 1 - dir));
		if (!e->release)
			die_oom();
		e->in_dir = true;
	} else {
		e->release = xstrdup(base);
	}
}

static struct boot_entry *new_entry(struct bootcfg *b, const char *title,
				    size_t start)
{
	struct boot_entry *e;

	b->e = xrealloc(b->e, (b->nr + 1) * sizeof(*b->e));
	e = &b->e[b->nr++];
	memset(e, 0, sizeof(*e));
	e->title = xstrdup(title);
	e->start = start;
	e->end = start + 1;
	return e;
}

static void parse_grub_line(struct bootcfg *b, size_t i, const char *s,
			    size_t len, struct strbuf *v)
{
	struct boot_entry *e = b->nr ? &b->e[b->nr - 1] : NULL;

	if (boot_keyword(s, len, "title", false, v)) {
		new_entry(b, v->buf, i);
		return;
	}
	if (!e) {
		if (boot_keyword(s, len, "default", true, v)) {
			b->saved = !strcmp(v->buf, "saved");
			b->def = isdigit((unsigned char)v->buf[0]) ?
					 atol(v->buf) :
					 -1;
		} else if (boot_keyword(s, len, "fallback", true, v))
			b->fallback = atol(v->buf);
		return;
	}
	/*
	 * An entry is its title and the option lines after it: blank lines
	 * (and comments, skipped before here) between entries belong to
	 * none -- Debian's AUTOMAGIC block is not part of the last entry.
	 */
	if (strspn(s, " \t\r") < len)
		e->end = i + 1;
	if (boot_keyword(s, len, "kernel", true, v)) {
		set_image(e, v->buf);
		/* Xen: the hypervisor; Linux and its initrd are modules */
		e->xen = !strncmp(e->release, "xen", 3);
		e->modules = 0;
	} else if (boot_keyword(s, len, "initrd", true, v)) {
		set_field(&e->initrd, v->buf);
	} else if (e->xen && boot_keyword(s, len, "module", true, v)) {
		if (e->modules++ == 0)
			set_image(e, v->buf);
		else
			set_field(&e->initrd, v->buf);
	}
}

static void parse_lilo_line(struct bootcfg *b, size_t i, const char *s,
			    size_t len, struct strbuf *v, struct strbuf *def)
{
	struct boot_entry *e = b->nr ? &b->e[b->nr - 1] : NULL;

	if (boot_keyword(s, len, "image", true, v) ||
	    boot_keyword(s, len, "other", true, v)) {
		e = new_entry(b, "", i);
		set_image(e, v->buf);
		return;
	}
	if (!e) {
		if (boot_keyword(s, len, "default", true, v)) {
			strbuf_reset(def);
			strbuf_addstr(def, v->buf);
		}
		return;
	}
	if (len && !(s[0] == ' ' || s[0] == '\t') && s[0] != '#' &&
	    !boot_keyword(s, len, "label", true, v) &&
	    !boot_keyword(s, len, "initrd", true, v) &&
	    !boot_keyword(s, len, "append", true, v) &&
	    !boot_keyword(s, len, "read-only", false, v))
		return; /* a global option after the stanzas: not part of it */
	if (len)
		e->end = i + 1;
	if (boot_keyword(s, len, "label", true, v)) {
		set_field(&e->title, v->buf);
	} else if (boot_keyword(s, len, "initrd", true, v)) {
		set_field(&e->initrd, v->buf);
	}
}

int boot_parse(struct bootcfg *b, enum loader loader, const char *name,
	       const char *text, size_t len)
{
	struct strbuf v = STRBUF_INIT, def = STRBUF_INIT;

	memset(b, 0, sizeof(*b));
	b->loader = loader;
	b->path = xstrdup(name);
	b->def = loader == LOADER_GRUB ? 0 : -1;
	b->fallback = -1;
	lines_init(&b->l);
	lines_split(&b->l, text, len);
	for (size_t i = 0; i < b->l.nr; i++) {
		size_t n;
		const char *s = line_at(&b->l, i, &n);
		size_t skip = strspn(s, " \t");

		if (skip < n && s[skip] == '#')
			continue;
		if (loader == LOADER_GRUB)
			parse_grub_line(b, i, s, n, &v);
		else
			parse_lilo_line(b, i, s, n, &v, &def);
	}
	if (loader == LOADER_LILO) {
		for (size_t i = 0; i < b->nr && def.len; i++)
			if (!strcmp(b->e[i].title, def.buf))
				b->def = (long)i;
		if (!def.len && b->nr)
			b->def = 0; /* LILO boots the first stanza */
	}
	strbuf_clear(&v);
	strbuf_clear(&def);
	return 0;
}

/* BLS: one entry per .conf file in /boot/loader/entries. */
static int load_bls(const struct env *env, struct bootcfg *b)
{
	struct strbuf dir = STRBUF_INIT, path = STRBUF_INIT, v = STRBUF_INIT;
	struct dirent **names;
	int n;

	env_path(env, "/boot/loader/entries", &dir);
	n = scandir(dir.buf, &names, NULL, alphasort);
	for (int i = 0; i < n; i++) {
		struct lines l;
		struct boot_entry *e;
		size_t len = strlen(names[i]->d_name);

		if (len > 5 && !strcmp(names[i]->d_name + len - 5, ".conf")) {
			strbuf_reset(&path);
			strbuf_addf(&path, "%s/%s", dir.buf, names[i]->d_name);
			e = new_entry(b, "", 0);
			e->file = xstrdup(path.buf);
			lines_init(&l);
			lines_read(&l, path.buf, BOOT_CONFIG_MAX);
			for (size_t k = 0; k < l.nr; k++) {
				const char *s = line_at(&l, k, &len);

				if (boot_keyword(s, len, "title", false, &v)) {
					set_field(&e->title, v.buf);
				} else if (boot_keyword(s, len, "linux", false,
							&v)) {
					set_image(e, v.buf);
				} else if (boot_keyword(s, len, "initrd", false,
							&v)) {
					set_field(&e->initrd, v.buf);
				}
			}
			lines_clear(&l);
		}
		free(names[i]);
	}
	if (n >= 0)
		free(names);
	strbuf_clear(&dir);
	strbuf_clear(&path);
	strbuf_clear(&v);
	return 0;
}

/*
 * `default saved`: GRUB 0.97 boots the entry whose number starts
 * grub/default (written by grub-set-default and by `savedefault`), the
 * first when there is none.
 */
static void read_saved_default(const struct env *env, struct bootcfg *b)
{
	struct strbuf path = STRBUF_INIT, text = STRBUF_INIT;

	boot_state_file(env, b, &path);
	b->def = 0;
	if (read_file(path.buf, 4096, true, &text) == 0 &&
	    isdigit((unsigned char)text.buf[0]))
		b->def = strtol(text.buf, NULL, 10);
	strbuf_clear(&path);
	strbuf_clear(&text);
}

int boot_load(const struct env *env, struct bootcfg *b, struct strbuf *err)
{
	return boot_load_from(env, NULL, b, err);
}

int boot_load_from(const struct env *env, const char *text_path,
		   struct bootcfg *b, struct strbuf *err)
{
	const char *loader = config_get(env->cfg, "boot", "loader");
	struct strbuf path = STRBUF_INIT, text = STRBUF_INIT;
	int ret;

	boot_config_path(env, &path);
	if (!strcmp(loader, "grub2") || !strcmp(loader, "bls")) {
		memset(b, 0, sizeof(*b));
		lines_init(&b->l);
		b->loader = LOADER_GRUB2;
		b->path = strbuf_detach(&path);
		b->def = b->fallback = -1;
		return load_bls(env, b);
	}
	ret = read_file(text_path ? text_path : path.buf, BOOT_CONFIG_MAX,
			false, &text);
	if (ret)
		ret = error_to(err,
			       "cannot read the boot loader configuration '%s' "
			       "([boot] config): %s",
			       text_path ? text_path : path.buf,
			       strerror(-ret));
	else
		ret = boot_parse(b,
				 strcmp(loader, "lilo") ? LOADER_GRUB :
							  LOADER_LILO,
				 path.buf, text.buf, text.len);
	if (!ret && b->saved)
		read_saved_default(env, b);
	strbuf_clear(&path);
	strbuf_clear(&text);
	return ret;
}

void boot_clear(struct bootcfg *b)
{
	for (size_t i = 0; i < b->nr; i++) {
		free(b->e[i].title);
		free(b->e[i].image);
		free(b->e[i].initrd);
		free(b->e[i].release);
		free(b->e[i].file);
	}
	free(b->e);
	free(b->path);
	lines_clear(&b->l);
	memset(b, 0, sizeof(*b));
}

long boot_find(const struct bootcfg *b, const char *release)
{
	for (size_t i = 0; i < b->nr; i++)
		if (b->e[i].release && !strcmp(b->e[i].release, release))
			return (long)i;
	return -1;
}
