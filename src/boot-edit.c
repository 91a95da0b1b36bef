// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A boot loader configuration changed as pomctl must: the new kernel's
 * entry added like the running one's (GRUB, LILO, GRUB 2's BLS files),
 * the one-shot boot of it and the check that the loader can do it, the
 * default set once verify passed, an entry removed by rollback.  Reading
 * a configuration is boot.c.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "pomctl/boot.h"
#include "pomctl/manifest.h"
#include "pomctl/env.h"
#include "pomctl/run-command.h"
#include "pomctl/util.h"
#include "boot-internal.h"

/* Every occurrence of old in s replaced by new, into out. */
static void replace_all(const char *s, size_t len, const char *old,
			const char *new, struct strbuf *out)
{
	size_t n = strlen(old);
	const char *end = s + len, *hit;

	while (n && (hit = memmem(s, (size_t)(end - s), old, n))) {
		strbuf_add(out, s, (size_t)(hit - s));
		strbuf_addstr(out, new);
		s = hit + n;
	}
	strbuf_add(out, s, (size_t)(end - s));
}

/* LILO labels are at most 15 characters and must be unique. */
static void lilo_label(const struct bootcfg *b, const char *release,
		       struct strbuf *label)
{
	for (unsigned k = 0;; k++) {
		bool taken = false;

		strbuf_reset(label);
		strbuf_addf(label, "%.*s", LILO_LABEL_MAX - (k ? 2 : 0),
			    release);
		if (k)
			strbuf_addf(label, "-%u", k % 10);
		for (size_t i = 0; i < b->nr; i++)
			taken |= !strcmp(b->e[i].title, label->buf);
		if (!taken || k > 9)
			return;
	}
}

/*
 * For a kernel kept in a directory of its release: the image or initrd
 * line of the old entry with the path make install gives the new kernel,
 * beside that directory ("/boot/2.4.20-wt2/bzImage" ->
 * "/boot/vmlinuz-NEW", its initrd "/boot/initrd-NEW.img"), into out.
 */
static bool new_path_line(const struct bootcfg *b, const char *s, size_t len,
			  const char *from, const char *to, struct strbuf *out)
{
	const char *image = b->loader == LOADER_LILO ? "image" : "kernel";
	struct strbuf v = STRBUF_INIT, comp = STRBUF_INIT, line = STRBUF_INIT;
	bool initrd = boot_keyword(s, len, "initrd", true, &v), done = false;
	const char *at, *hit;
	size_t path_len;

	if (!initrd && !boot_keyword(s, len, image, true, &v))
		goto out;
	strbuf_add(&line, s, len); /* s is not NUL-terminated */
	strbuf_addf(&comp, "/%s/", from);
	at = strstr(line.buf, v.buf);
	path_len = at ? strcspn(at, " \t\"") : 0;
	hit = at ? strstr(at, comp.buf) : NULL;
	if (!hit || (size_t)(hit - at) >= path_len)
		goto out;
	strbuf_add(out, line.buf, (size_t)(hit - line.buf) + 1);
	strbuf_addf(out, initrd ? "initrd-%s.img" : "vmlinuz-%s", to);
	strbuf_addstr(out, at + path_len);
	done = true;
out:
	strbuf_clear(&v);
	strbuf_clear(&comp);
	strbuf_clear(&line);
	return done;
}

static int add_to_file(struct bootcfg *b, const struct boot_entry *old,
		       const char *from, const char *to, struct manifest *m,
		       struct strbuf *diff)
{
	struct strbuf out = STRBUF_INIT, label = STRBUF_INIT;
	int ret = 0;

	strbuf_add(&out, b->l.text.buf, b->l.text.len);
	if (out.len && out.buf[out.len - 1] != '\n')
		strbuf_addch(&out, '\n');
	for (size_t i = old->start; i < old->end; i++) {
		size_t len;
		const char *s = line_at(&b->l, i, &len);
		struct strbuf v = STRBUF_INIT;

		if (old->in_dir && new_path_line(b, s, len, from, to, &out)) {
			/* the new kernel is where make install puts it */
		} else if (b->loader == LOADER_LILO &&
			   boot_keyword(s, len, "label", true, &v)) {
			lilo_label(b, to, &label);
			strbuf_add(&out, s, (size_t)(strstr(s, v.buf) - s));
			strbuf_addstr(&out, label.buf);
		} else if (b->loader == LOADER_GRUB &&
			   boot_keyword(s, len, "title", false, &v) &&
			   !strstr(v.buf, from)) {
			/* a title without the release: the new one must differ */
			strbuf_add(&out, s, len);
			strbuf_addf(&out, " (%s)", to);
		} else {
			replace_all(s, len, from, to, &out);
		}
		strbuf_addch(&out, '\n');
		strbuf_clear(&v);
	}
	text_diff(b->path, b->l.text.buf, b->l.text.len, out.buf, out.len,
		  diff);
	if (m && (manifest_backup(m, b->path) < 0 ||
		  write_file_keep(b->path, out.buf, out.len, 0644) < 0))
		ret = -1;
	strbuf_clear(&out);
	strbuf_clear(&label);
	return ret;
}

static int add_bls(const struct boot_entry *old, const char *from,
		   const char *to, struct manifest *m, struct strbuf *diff)
{
	struct strbuf text = STRBUF_INIT, out = STRBUF_INIT, path = STRBUF_INIT;
	const char *slash = strrchr(old->file, '/');
	int ret = read_file(old->file, BOOT_CONFIG_MAX, false, &text);

	if (ret)
		return error("cannot read '%s'", old->file);
	replace_all(text.buf, text.len, from, to, &out);
	strbuf_add(&path, old->file, (size_t)(slash - old->file));
	strbuf_addf(&path, "/%s.conf", to);
	text_diff(path.buf, "", 0, out.buf, out.len, diff);
	if (m) {
		ret = manifest_created(m, path.buf);
		if (!ret)
			ret = write_file_atomic(path.buf, out.buf, out.len,
						0644);
	}
	strbuf_clear(&text);
	strbuf_clear(&out);
	strbuf_clear(&path);
	return ret;
}

int boot_add_like(const struct env *env, struct bootcfg *b, const char *old,
		  const char *new, struct manifest *m, struct strbuf *diff)
{
	long i = boot_find(b, old);

	(void)env;
	if (i < 0)
		return error("the boot loader configuration '%s' has no entry "
			     "for the running kernel %s to copy for %s: add an "
			     "entry for %s by hand, then run pomctl resume",
			     b->path, old, new, new);
	if (b->loader == LOADER_GRUB2)
		return add_bls(&b->e[i], old, new, m, diff);
	return add_to_file(b, &b->e[i], old, new, m, diff);
}

const char *boot_default_release(const struct bootcfg *b)
{
	if (b->def < 0 || (size_t)b->def >= b->nr)
		return NULL;
	return b->e[b->def].release;
}

bool boot_check(const struct env *env, const struct bootcfg *b,
		const char *running, const char *new, const char *def_before,
		struct strbuf *why)
{
	const char *def = boot_default_release(b);

	if (boot_find(b, new) < 0)
		strbuf_addf(why, "there is no boot entry for %s in %s", new,
			    b->path);
	else if (boot_find(b, running) < 0)
		strbuf_addf(why,
			    "the running kernel %s has no boot entry in %s "
			    "any more",
			    running, b->path);
	else if (def_before && (!def || strcmp(def, def_before)) &&
		 !config_get_bool(env->cfg, "boot", "default_to_new"))
		strbuf_addf(why,
			    "the default boot entry of %s no longer boots "
			    "%s, as it did before the install: set it back, or "
			    "set [boot] default_to_new",
			    b->path, def_before);
	return !why->len;
}

bool boot_needs_initrd(const struct bootcfg *b, const char *running,
		       const char *new, struct strbuf *path)
{
	long r = boot_find(b, running), n = boot_find(b, new);

	if (r < 0 || n < 0 || !b->e[r].initrd)
		return false;
	strbuf_reset(path);
	strbuf_addstr(path, b->e[n].initrd ? b->e[n].initrd : "");
	return true;
}

void one_shot_clear(struct one_shot *os)
{
	strvec_clear(&os->asked);
	strvec_clear(&os->first);
	strvec_clear(&os->argv);
	strbuf_clear(&os->input);
	strbuf_clear(&os->how);
	os->back_to = -1;
}

/*
 * GRUB legacy comes in flavours that boot an entry once differently: Red
 * Hat's grub shell takes `savedefault --default=N --once` (its help says
 * --once; the state is in stage2, written in place); GRUB 0.97 as
 * upstream, Debian and SUSE ship it has no such option, but with `default
 * saved` it boots the entry grub/default names, and an entry's `savedefault
 * M` writes M there when it boots: grub-set-default N, and the new entry
 * saying `savedefault OLD`, make a one-shot that survives a kernel that
 * does not come up; a configuration that says `default N` is made to say
 * `default saved` first (the file backed up: rollback puts it back).
 * Older GRUBs have neither: the menu is the only way.
 */
enum grub_once {
	GRUB_ONCE_SHELL,
	GRUB_ONCE_SAVED,
	GRUB_ONCE_MAKE_SAVED,
	GRUB_ONCE_NONE,
	GRUB_ONCE_CANNOT_RUN
};

/*
 * A loader command, its output into out (and the step log, or nowhere
 * outside a step): run_command()'s code.
 */
static int loader_run(const struct env *env, const struct strvec *argv,
		      const char *input, const char *label, struct strbuf *out)
{
	struct child_process cp = CHILD_PROCESS_INIT;
	int null = -1, rc;

	strvec_pushv(&cp.args, strvec_argv((struct strvec *)argv));
	cp.input = input && *input ? input : NULL;
	cp.out = out;
	cp.quiet_progress = true;
	cp.label = label;
	cp.log_fd = env->log_fd >= 0 ?
			    env->log_fd :
			    (null = open("/dev/null", O_WRONLY | O_CLOEXEC));
	rc = run_command(&cp);
	if (null >= 0)
		close(null);
	return rc;
}

int boot_command(const struct env *env, const struct strvec *argv,
		 const char *input, const char *what)
{
	struct strbuf out = STRBUF_INIT;
	const char *err;
	int ret = 0;

	if (loader_run(env, argv, input, what, &out))
		ret = error("%s (%s) failed: %s", what, argv->v[0],
			    out.len ? out.buf : "(no output)");
	/* the grub shell exits 0 whatever it answers */
	else if ((err = strstr(out.buf, "Error ")))
		ret = error("%s was refused by %s: %.*s", what, argv->v[0],
			    (int)strcspn(err, "\n"), err);
	strbuf_clear(&out);
	return ret;
}

/*
 * The GRUB shell's answer to "help savedefault": asked once a process
 * (boot_forget() asks again), as the plan, the preflight and the step all
 * want it and it does not change while they run.
 */
static struct {
	struct strbuf argv; /* the command's words, joined */
	struct strbuf out, err;
	int rc;
} grub_help = { STRBUF_INIT, STRBUF_INIT, STRBUF_INIT, 0 };

void boot_forget(void)
{
	strbuf_clear(&grub_help.argv);
	strbuf_clear(&grub_help.out);
	strbuf_clear(&grub_help.err);
}

static int ask_grub_help(const struct env *env, const struct strvec *argv)
{
	struct strbuf key = STRBUF_INIT;
	bool quiet;

	for (size_t i = 0; i < argv->nr; i++)
		strbuf_addf(&key, "%s%c", argv->v[i], '\0');
	if (grub_help.argv.len && key.len == grub_help.argv.len &&
	    !memcmp(key.buf, grub_help.argv.buf, key.len)) {
		strbuf_clear(&key);
		return grub_help.rc;
	}
	boot_forget();
	grub_help.argv = key;
	quiet = error_set_quiet(true); /* said by the caller, as the loader's */
	grub_help.rc = loader_run(env, argv, "help savedefault\nquit\n",
				  "asking GRUB how it boots an entry once",
				  &grub_help.out);
	if (grub_help.rc < 0)
		strbuf_addstr(&grub_help.err, error_last());
	error_set_quiet(quiet);
	return grub_help.rc;
}

static enum grub_once grub_once_kind(const struct env *env,
				     const struct bootcfg *b,
				     struct one_shot *os)
{
	enum grub_once kind = GRUB_ONCE_NONE;
	const struct strbuf *out = &grub_help.out;
	int rc;

	config_get_words(env->cfg, "commands", "grub", &os->asked);
	strvec_push(&os->asked, "--batch");
	rc = ask_grub_help(env, &os->asked);
	if (rc < 0) { /* not found, not executable, not for this machine */
		kind = GRUB_ONCE_CANNOT_RUN;
		strbuf_addf(&os->how,
			    "the GRUB shell [commands] grub cannot be run "
			    "(%s): pomctl needs it to boot the new kernel once "
			    "(GRUB legacy, %s); install GRUB's shell or set "
			    "[commands] grub to one that runs here",
			    grub_help.err.buf, b->path);
	} else if (rc == 0 && strstr(out->buf, "--once")) {
		kind = GRUB_ONCE_SHELL;
		strbuf_addstr(&os->how,
			      "the grub shell's savedefault --once (Red "
			      "Hat's GRUB)");
	} else if (b->saved) {
		kind = GRUB_ONCE_SAVED;
		strbuf_addf(&os->how,
			    "grub-set-default, as %s says 'default "
			    "saved' (GRUB 0.97): the new entry's `savedefault "
			    "%ld` makes the old default come back after one "
			    "boot",
			    b->path, b->def);
	} else if (rc == 0 && strstr(out->buf, "savedefault [NUM")) {
		kind = GRUB_ONCE_MAKE_SAVED;
		strbuf_addf(
			&os->how,
			"grub-set-default, once %s says 'default "
			"saved' instead of 'default %ld' (GRUB 0.97; the file "
			"is kept for rollback): the new entry's `savedefault "
			"%ld` makes the old default come back after one "
			"boot",
			b->path, b->def, b->def);
	} else {
		strbuf_addf(
			&os->how,
			"this GRUB has no one-shot boot: its shell "
			"does not know savedefault --once (%s), and %s does "
			"not say 'default saved'",
			rc ? "it failed" : "GRUB 0.97 or older", b->path);
	}
	return kind;
}

int boot_one_shot(const struct env *env, const struct bootcfg *b,
		  const char *release, struct one_shot *os)
{
	long n = boot_find(b, release);

	os->argv_known = n >= 0 || b->loader == LOADER_GRUB2;
	switch (b->loader) {
	case LOADER_GRUB:
		switch (grub_once_kind(env, b, os)) {
		case GRUB_ONCE_SHELL:
			os->kind = "stage2";
			config_get_words(env->cfg, "commands", "grub",
					 &os->argv);
			strvec_push(&os->argv, "--batch");
			os->argv_known = true;
			if (n >= 0)
				strbuf_addf(&os->input,
					    "savedefault --default="
					    "%ld --once\nquit\n",
					    n);
			break; /* stage2 is written in place: no file */
		case GRUB_ONCE_MAKE_SAVED:
			os->make_saved = true;
			/* fall through */
		case GRUB_ONCE_SAVED:
			os->kind = "grub/default";
			config_get_words(env->cfg, "commands",
					 "grub_set_default", &os->argv);
			if (n >= 0)
				strvec_pushf(&os->argv, "%ld", n);
			os->back_to = b->def;
			os->records_state = true;
			break;
		case GRUB_ONCE_NONE:
			return 1;
		case GRUB_ONCE_CANNOT_RUN:
			return BOOT_ONE_SHOT_CANNOT_RUN;
		}
		break;
	case LOADER_LILO:
		/* the map first: LILO boots only what lilo installed */
		os->kind = "lilo";
		config_get_words(env->cfg, "commands", "lilo", &os->first);
		config_get_words(env->cfg, "commands", "lilo", &os->argv);
		if (n >= 0)
			strvec_pushv(&os->argv,
				     (const char *const[]){ "-R", b->e[n].title,
							    NULL });
		strbuf_addstr(&os->how,
			      "lilo -R with the label of the new "
			      "entry, after lilo has installed the map");
		break;
	case LOADER_GRUB2:
		os->kind = "grubenv";
		config_get_words(env->cfg, "commands", "grub2_reboot",
				 &os->argv);
		strvec_push(&os->argv, release);
		strbuf_addstr(&os->how, "grub2-reboot");
		os->records_state = true;
		return 0;
	}
	return n < 0 ? -1 : 0;
}

int boot_record_state(const struct env *env, const struct bootcfg *b,
		      struct manifest *m)
{
	struct strbuf state = STRBUF_INIT;
	int ret;

	boot_state_file(env, b, &state);
	ret = path_exists(state.buf) ? manifest_backup(m, state.buf) :
				       manifest_created(m, state.buf);
	strbuf_clear(&state);
	return ret;
}

/*
 * The `savedefault` line of an entry: set to `savedefault VALUE`, or gone
 * with value < 0; a new line goes after the entry's last, indented as its
 * second.
 */
int boot_entry_savedefault(const struct bootcfg *b, const char *release,
			   long value, struct manifest *m, struct strbuf *diff)
{
	struct strbuf out = STRBUF_INIT, v = STRBUF_INIT, line = STRBUF_INIT;
	long n = boot_find(b, release);
	bool done = value < 0;
	int ret = 0;

	if (n < 0)
		return error("%s has no entry for %s", b->path, release);
	if (value >= 0) {
		size_t len, at = b->e[n].start + 1 < b->e[n].end ?
					 b->e[n].start + 1 :
					 b->e[n].start;
		const char *s = line_at(&b->l, at, &len);

		if (at == b->e[n].start) /* a bare title */
			strbuf_addch(&line, '\t');
		else
			strbuf_add(&line, s, strspn(s, " \t"));
		strbuf_addf(&line, "savedefault %ld\n", value);
	}
	for (size_t i = 0; i < b->l.nr; i++) {
		size_t len, raw;
		const char *s = line_at(&b->l, i, &len);
		bool in = i >= b->e[n].start && i < b->e[n].end;

		if (in && boot_keyword(s, len, "savedefault", false, &v)) {
			if (!done)
				strbuf_addstr(&out, line.buf);
			done = true;
			continue;
		}
		s = line_raw(&b->l, i, &raw);
		strbuf_add(&out, s, raw);
		if (raw && s[raw - 1] != '\n' && i + 1 == b->e[n].end)
			strbuf_addch(&out, '\n');
		if (!done && i + 1 == b->e[n].end) {
			strbuf_addstr(&out, line.buf);
			done = true;
		}
	}
	text_diff(b->path, b->l.text.buf, b->l.text.len, out.buf, out.len,
		  diff);
	if (m && strcmp(out.buf, b->l.text.buf) &&
	    (manifest_backup(m, b->path) < 0 ||
	     write_file_keep(b->path, out.buf, out.len, 0644) < 0))
		ret = -1;
	strbuf_clear(&out);
	strbuf_clear(&v);
	strbuf_clear(&line);
	return ret;
}

/* The line of a global setting (before any entry), its value; or -1. */
static long global_line(const struct bootcfg *b, const char *kw,
			struct strbuf *value)
{
	size_t first = b->nr ? b->e[0].start : b->l.nr;

	for (size_t i = 0; i < first; i++) {
		size_t len;
		const char *s = line_at(&b->l, i, &len);

		if (boot_keyword(s, len, kw, true, value))
			return (long)i;
	}
	return -1;
}

/* The configuration with line `at` (-1: a new first line) set to `line`. */
static void with_line(const struct bootcfg *b, long at, const char *line,
		      struct strbuf *out)
{
	if (at < 0)
		strbuf_addf(out, "%s\n", line);
	for (size_t i = 0; i < b->l.nr; i++) {
		size_t len;
		const char *s = line_raw(&b->l, i, &len);

		if ((long)i == at)
			strbuf_addf(out, "%s\n", line);
		else
			strbuf_add(out, s, len);
	}
}

int boot_make_saved(const struct env *env, struct manifest *m,
		    struct strbuf *diff)
{
	struct strbuf value = STRBUF_INIT, out = STRBUF_INIT;
	struct bootcfg b;
	int ret = boot_load(env, &b, NULL);

	if (ret)
		return ret;
	if (!b.saved) {
		with_line(&b, global_line(&b, "default", &value),
			  "default saved", &out);
		text_diff(b.path, b.l.text.buf, b.l.text.len, out.buf, out.len,
			  diff);
		if (m && (manifest_backup(m, b.path) < 0 ||
			  write_file_keep(b.path, out.buf, out.len, 0644) < 0))
			ret = -1;
	}
	boot_clear(&b);
	strbuf_clear(&value);
	strbuf_clear(&out);
	return ret;
}

int boot_set_default(const struct env *env, const struct bootcfg *b,
		     const char *release, struct manifest *m,
		     struct strbuf *diff, struct strvec *argv)
{
	struct strbuf value = STRBUF_INIT, line = STRBUF_INIT,
		      out = STRBUF_INIT;
	long n = boot_find(b, release), at;
	int ret = 0;

	if (n < 0)
		return error("%s has no entry for %s", b->path, release);
	if (b->loader == LOADER_GRUB && b->saved) {
		/* GRUB 0.97: grub/default, and the one-shot's line goes */
		config_get_words(env->cfg, "commands", "grub_set_default",
				 argv);
		strvec_pushf(argv, "%ld", n);
		if (m && boot_record_state(env, b, m) < 0)
			return -1;
		return boot_entry_savedefault(b, release, -1, m, diff);
	}
	if (b->def == n)
		return 1;
	if (b->loader == LOADER_GRUB2) {
		config_get_words(env->cfg, "commands", "grub2_set_default",
				 argv);
		strvec_push(argv, release);
		return m ? boot_record_state(env, b, m) : 0;
	}
	at = global_line(b, "default", &value);
	if (b->loader == LOADER_GRUB)
		strbuf_addf(&line, "default=%ld", n);
	else
		strbuf_addf(&line, "default=%s", b->e[n].title);
	if (!ret) {
		with_line(b, at, line.buf, &out);
		text_diff(b->path, b->l.text.buf, b->l.text.len, out.buf,
			  out.len, diff);
	}
	if (!ret && m &&
	    (manifest_backup(m, b->path) < 0 ||
	     write_file_keep(b->path, out.buf, out.len, 0644) < 0))
		ret = -1;
	if (!ret && b->loader == LOADER_LILO) /* the map must follow */
		config_get_words(env->cfg, "commands", "lilo", argv);
	strbuf_clear(&value);
	strbuf_clear(&line);
	strbuf_clear(&out);
	return ret;
}

int boot_remove(const struct env *env, const struct bootcfg *b,
		const char *release, struct manifest *m, struct strbuf *diff,
		struct strvec *argv)
{
	struct strbuf out = STRBUF_INIT, value = STRBUF_INIT;
	long n = boot_find(b, release), def_at, fb_at;
	int ret = 0;

	if (n < 0 || n == b->def)
		return n < 0 ? 0 :
			       error("%s is the default entry of %s: it "
				     "stays",
				     release, b->path);
	if (b->loader == LOADER_GRUB2) {
		strbuf_addf(diff, "remove %s\n", b->e[n].file);
		if (!m)
			return 0;
		if (manifest_backup(m, b->e[n].file) < 0)
			return -1;
		if (unlink(b->e[n].file) < 0)
			ret = error("cannot remove '%s': %s", b->e[n].file,
				    strerror(errno));
		return ret;
	}
	if (b->loader == LOADER_GRUB && b->saved && b->def > n) {
		/* grub/default numbers entries too */
		config_get_words(env->cfg, "commands", "grub_set_default",
				 argv);
		strvec_pushf(argv, "%ld", b->def - 1);
		if (m && boot_record_state(env, b, m) < 0)
			return -1;
	}
	def_at = global_line(b, "default", &value);
	fb_at = global_line(b, "fallback", &value);
	for (size_t i = 0; i < b->l.nr; i++) {
		size_t len;
		const char *s = line_raw(&b->l, i, &len);

		if (i >= b->e[n].start && i < b->e[n].end)
			continue;
		/* GRUB numbers entries: those after the removed one move up */
		if (b->loader == LOADER_GRUB && !b->saved &&
		    (long)i == def_at && b->def > n)
			strbuf_addf(&out, "default=%ld\n", b->def - 1);
		else if (b->loader == LOADER_GRUB && (long)i == fb_at &&
			 b->fallback > n)
			strbuf_addf(&out, "fallback=%ld\n", b->fallback - 1);
		else
			strbuf_add(&out, s, len);
	}
	text_diff(b->path, b->l.text.buf, b->l.text.len, out.buf, out.len,
		  diff);
	if (m && (manifest_backup(m, b->path) < 0 ||
		  write_file_keep(b->path, out.buf, out.len, 0644) < 0))
		ret = -1;
	if (!ret && b->loader == LOADER_LILO) /* the map must follow */
		config_get_words(env->cfg, "commands", "lilo", argv);
	strbuf_clear(&out);
	strbuf_clear(&value);
	return ret;
}

void boot_state_file(const struct env *env, const struct bootcfg *b,
		     struct strbuf *path)
{
	/* where the loader keeps it, never beside the config file */
	if (b->loader == LOADER_LILO)
		env_path(env, "/boot/map", path);
	else if (b->loader == LOADER_GRUB2)
		env_path(env, "/boot/grub2/grubenv", path);
	else
		env_path(env, "/boot/grub/default", path);
}

bool boot_has_entry(const struct env *env, const char *release,
		    struct strbuf *where)
{
	struct bootcfg b;
	bool found = false;

	strbuf_reset(where);
	if (boot_load(env, &b, where) == 0) { /* not read: not found */
		strbuf_reset(where);
		found = boot_find(&b, release) >= 0;
		strbuf_addstr(where, b.path);
		boot_clear(&b);
	} else {
		strbuf_reset(where);
	}
	return found;
}
