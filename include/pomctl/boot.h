/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Boot loader configurations: GRUB legacy (grub.conf / menu.lst), LILO
 * (lilo.conf), GRUB 2 with Boot Loader Specification entries
 * (one file per entry in /boot/loader/entries; menuentry stanzas written
 * into grub.cfg itself are not read).
 *
 *	struct bootcfg b;
 *	boot_load(env, &b, NULL);		1. [boot] loader and config
 *	boot_find(&b, release);			2. the entry booting release
 *	boot_add_like(env, &b, old, new, m, &diff);  3. a copy of old's entry
 *	boot_check(env, &b, running, new, &why);     4. the safety checks
 *	boot_one_shot(env, &b, new, &os);	     5. boot new once
 *	boot_clear(&b);
 *
 * pomctl never edits the running kernel's entry: a new entry is appended
 * after the others (so GRUB's default and fallback numbers keep pointing
 * where they did), a LILO stanza is appended, a BLS entry is a new file.
 * Functions return 0 or -1 (reported) unless said otherwise.
 */
#ifndef POMCTL_BOOT_H
#define POMCTL_BOOT_H

#include <stdbool.h>

#include "pomctl/strbuf.h"
#include "pomctl/text.h"

struct env;
struct manifest;

enum loader { LOADER_GRUB, LOADER_LILO, LOADER_GRUB2 };

struct boot_entry {
	char *title;	   /* GRUB title, LILO label, BLS title */
	char *image;	   /* kernel image path as written */
	char *initrd;	   /* NULL when none */
	char *release;	   /* from the image name "vmlinuz-RELEASE" */
	char *file;	   /* BLS: the entry's file */
	size_t start, end; /* its lines in the configuration */
	bool in_dir;	   /* kept as DIR/RELEASE/bzImage */
	bool xen;	   /* GRUB: kernel /xen.gz, Linux a module */
	unsigned modules;  /* GRUB Xen: module lines seen */
};

struct bootcfg {
	enum loader loader;
	char *path; /* the configuration (host path) */
	struct lines l;
	struct boot_entry *e;
	size_t nr;
	long def; /* the default entry, -1 when unknown */
	long fallback;
	bool saved; /* GRUB: `default saved` (def read from
				 * grub/default) */
};

/*
 * [boot] loader's configuration into b: 0, or -1 when it cannot be read
 * (reported, or said in err when err is not NULL: see error_to()).
 */
int boot_load(const struct env *env, struct bootcfg *b, struct strbuf *err);
/* The same, GRUB legacy's or LILO's text read from text_path (a backup
 * a rollback would restore; NULL: the configuration itself). */
int boot_load_from(const struct env *env, const char *text_path,
		   struct bootcfg *b, struct strbuf *err);
void boot_clear(struct bootcfg *b);
/* Parse a GRUB legacy or LILO configuration (tests); 0 or -1. */
int boot_parse(struct bootcfg *b, enum loader loader, const char *name,
	       const char *text, size_t len);

/* The entry booting release, or -1. */
long boot_find(const struct bootcfg *b, const char *release);

/*
 * Add an entry for release `new` that copies the entry of `old` with the
 * release changed.  diff gets the change; with m NULL nothing is written
 * (plan), else the configuration is backed up in m first.
 */
int boot_add_like(const struct env *env, struct bootcfg *b, const char *old,
		  const char *new, struct manifest *m, struct strbuf *diff);

/* The release the default entry boots, or NULL when unknown. */
const char *boot_default_release(const struct bootcfg *b);

/*
 * The safety checks after an install: an entry for new; the running
 * kernel's entry still there; the default still booting what it booted
 * before the install, def_before (unless [boot] default_to_new).  why
 * gets the first failure.
 */
bool boot_check(const struct env *env, const struct bootcfg *b,
		const char *running, const char *new, const char *def_before,
		struct strbuf *why);

/* The initrd the new entry names, when the running entry has one. */
bool boot_needs_initrd(const struct bootcfg *b, const char *running,
		       const char *new, struct strbuf *path);

/*
 * How a reboot starts the new kernel once, and the old default after it or
 * when the new one does not come up: the command that arranges it (GRUB
 * legacy: Red Hat's grub shell fed "savedefault --default=N --once", or
 * GRUB 0.97's grub-set-default N with the new entry saying `savedefault
 * OLD`; LILO: lilo -R LABEL; GRUB 2: grub2-reboot ENTRY).
 */
struct one_shot {
	const char *kind;    /* "stage2" (Red Hat's GRUB), "grub/default"
				 * (GRUB 0.97), "lilo", "grubenv", or NULL */
	struct strvec asked; /* the command run to learn the mechanism
				 * (GRUB legacy), or empty */
	struct strvec first; /* a command to run before (LILO: lilo, so
				 * that the map holds the new stanza) */
	struct strvec argv;  /* the command */
	bool argv_known;     /* argv is complete (a plan: the entry's number
				 * may go into input, not argv) */
	struct strbuf input; /* its stdin, may stay empty */
	long back_to;	     /* >= 0: the new entry first gets `savedefault
				 * back_to` (boot_entry_savedefault) */
	bool make_saved;     /* GRUB 0.97 whose configuration says
				 * `default N`: it says `default saved` first
				 * (boot_make_saved) */
	bool records_state;  /* the command changes boot_state_file(),
				 * to be recorded first; not where the
				 * loader reads its state by disk blocks, so
				 * that it must never be replaced by a copy
				 * (Red Hat's stage2, LILO's map: lilo
				 * rewrites it) */
	struct strbuf how;   /* the mechanism, or why there is none */
};
/* clang-format off */
#define ONE_SHOT_INIT \
	{ NULL, STRVEC_INIT, STRVEC_INIT, STRVEC_INIT, false, STRBUF_INIT, \
	  -1, false, false, STRBUF_INIT }
/* clang-format on */
void one_shot_clear(struct one_shot *os);

/*
 * Fill os for release: 0; 1 when this loader cannot boot an entry once
 * (os->how says why: the menu entry must be chosen by hand at the reboot);
 * -1 when release has no entry yet (a plan): os->argv holds what does not
 * depend on it, os->how the mechanism; BOOT_ONE_SHOT_CANNOT_RUN when the
 * loader's own tool cannot be run at all (os->how names it and why: an
 * error, never a loader without one-shot).  A GRUB legacy host's grub
 * shell is asked (`help savedefault`), which runs it.
 */
#define BOOT_ONE_SHOT_CANNOT_RUN 2
int boot_one_shot(const struct env *env, const struct bootcfg *b,
		  const char *release, struct one_shot *os);
/* Forget the GRUB shell's answer (asked once a process): a run may change
 * the host's GRUB. */
void boot_forget(void);

/*
 * Set release's `savedefault` line (GRUB legacy) to `savedefault VALUE`,
 * or remove it with value < 0.  diff gets the edit; with m NULL nothing is
 * written, else the configuration is backed up in m first.
 */
int boot_entry_savedefault(const struct bootcfg *b, const char *release,
			   long value, struct manifest *m, struct strbuf *diff);

/*
 * GRUB 0.97's configuration, read afresh, made to say `default saved`
 * instead of `default N` (the entry GRUB boots is then the one its state
 * file names; grub-set-default writes it).  diff gets the edit; with m
 * NULL nothing is written, else the configuration is backed up in m first.
 */
int boot_make_saved(const struct env *env, struct manifest *m,
		    struct strbuf *diff);

/*
 * Run a boot loader command (a one-shot, lilo, grub-set-default) with
 * input on its stdin; what names it in errors.  The grub shell answers
 * "Error N: ..." and exits 0: that answer is a failure too.  0 or -1.
 */
int boot_command(const struct env *env, const struct strvec *argv,
		 const char *input, const char *what);

/* Record in m the loader's state file (boot_state_file) before a change. */
int boot_record_state(const struct env *env, const struct bootcfg *b,
		      struct manifest *m);

/*
 * After verify: make the entry booting release the default.  GRUB legacy:
 * its `default=N`, or with `default saved` argv gets grub-set-default N
 * (its state file recorded in m) and the entry loses its one-shot
 * `savedefault` line; LILO: `default=LABEL`, and argv gets `lilo` to run
 * after; GRUB 2: argv gets `grub2-set-default ENTRY` and nothing is
 * edited (grubenv recorded in m).  diff gets the edit; with m NULL nothing
 * is written (plan), else the configuration is backed up in m first.  0;
 * 1 when release is the default already; -1 (reported).
 */
int boot_set_default(const struct env *env, const struct bootcfg *b,
		     const char *release, struct manifest *m,
		     struct strbuf *diff, struct strvec *argv);
/*
 * Remove the entry booting release (never the default): GRUB legacy's
 * lines, `default` and `fallback` renumbered (with `default saved`, argv
 * gets grub-set-default with the new number); LILO's stanza, and argv
 * gets `lilo` to run after; a BLS entry's file.  diff gets the edit; with
 * m NULL nothing is written, else what changes is backed up in m first.
 * 0 (also when there is no such entry), or -1 (reported).
 */
int boot_remove(const struct env *env, const struct bootcfg *b,
		const char *release, struct manifest *m, struct strbuf *diff,
		struct strvec *argv);

/*
 * The file the one-shot command writes (GRUB legacy: grub/default beside
 * the configuration; LILO: /boot/map; GRUB 2: grubenv), for the manifest.
 */
void boot_state_file(const struct env *env, const struct bootcfg *b,
		     struct strbuf *path);

/* true when there is an entry for release; where says what was read. */
bool boot_has_entry(const struct env *env, const char *release,
		    struct strbuf *where);

/* The host path of the loader's configuration (rooted [boot] config). */
void boot_config_path(const struct env *env, struct strbuf *path);

#endif
