/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Patch-o-matic trees, classic and -ng (../shared/POM-FORMATS.md), and
 * their application to a kernel tree with patch(1).
 *
 *	struct pom_tree pt;
 *	pom_open(&pt, dir, kernel_version);	1. every patch, its parts for
 *						   this kernel chosen
 *	pom_order(&pt, names, &set, &n);	2. the requested patches and
 *						   their dependencies, in order
 *	pom_test(env, &pt, p, kdir, ...);	3. applies / applied / fails
 *	pom_apply(env, set, n, kdir, ...);	4. all or nothing
 *	pom_clear(&pt);
 *
 * Testing never touches the kernel tree: a patch and the dependencies it
 * needs are applied to a scratch copy of the files they touch.  Applying
 * first does the whole set on such a copy; only when every step of it
 * succeeded is the tree changed, with every changed file backed up and
 * every created file recorded in the manifest, and a failure midway undoes
 * what was done.  Line-adds are never added twice, and refused when their
 * anchor is missing.  Files are bytes throughout.
 */
#ifndef POMCTL_POM_H
#define POMCTL_POM_H

#include <stdbool.h>
#include <stddef.h>

#include "pomctl/strbuf.h"

struct env;
struct ktree;
struct manifest;

struct pom_ladd {
	char *src;    /* the line-add file */
	char *target; /* the file it adds to, relative to the tree */
};

struct pom_copy {
	char *src; /* a whole new file of an -ng project dir */
	char *dst; /* relative to the tree */
};

struct pom_patch {
	char *name;
	char *repo;
	char *title;
	char *help;
	char *info;	       /* the info or .help file it was read from */
	struct strvec depends; /* applied first */
	struct strvec conflicts;
	struct strvec requires; /* "linux < 2.6.14" */
	struct strvec diffs;	/* kernel diffs, applied with patch -p1 */
	struct pom_copy *copies;
	size_t ncopies;
	struct pom_ladd *ladds;
	size_t nladds;
	char *userspace;       /* a diff for the iptables tree, or NULL */
	char *userspace_dir;   /* an -ng iptables/ tree, or NULL */
	struct strvec options; /* CONFIG_ options its config line-adds add */
	struct strvec objects; /* modules its Makefile line-adds build */
	char *not_for_kernel;  /* why it has nothing for this kernel */
	char *unsafe;	       /* why it may not be used: a file of it leads
				   out of the tree, or a name it writes
				   breaks safepath.h's rule */
};

struct pom_tree {
	char *dir;
	bool ng;
	bool is26; /* the kernel the parts were chosen for */
	struct pom_patch *patches;
	size_t nr;
};

/* Read the tree at dir for a kernel of version kv: 0 or -1 (reported). */
int pom_open(struct pom_tree *pt, const char *dir, const unsigned kv[3]);
void pom_clear(struct pom_tree *pt);

/*
 * The patch called name: 0; -1 when none or several are (reported, or
 * said in err when err is not NULL: see error_to()).
 */
int pom_find(const struct pom_tree *pt, const char *name,
	     struct pom_patch **out, struct strbuf *err);

/*
 * The patches called names and those they depend on, dependencies first;
 * *set is allocated.  Fails for an unknown name, a missing dependency, a
 * cycle, or two patches that conflict: reported, or said in err.
 */
int pom_order(const struct pom_tree *pt, const struct strvec *names,
	      struct pom_patch ***set, size_t *n, struct strbuf *err);

/*
 * A set to apply to the kernel release: none of it unsafe, each with a
 * part for this kernel.  0 or -1 (reported, naming the patch).
 */
int pom_check_set(struct pom_patch **set, size_t n, const char *release);
/*
 * The requested names in the tree at dir for the kernel tree kt: each
 * there, ordered with what it depends on, the set checked as
 * pom_check_set() does, and tried on a copy of the files it touches in kt
 * (pom_try_set): a patch that does not apply is known before anything
 * costly runs.  0 or -1 (reported, naming the patches and their rejected
 * files).
 */
int pom_check_request(const struct env *env, const char *dir,
		      const struct strvec *names, const struct ktree *kt);
/*
 * Whether the patches of set not in kdir yet apply to it, tried dry on
 * kdir where no two parts touch the same file, else on a scratch copy of
 * the files they touch (kdir is not changed either way): 0, or -1 with
 * each one that does not and why in why.
 */
int pom_try_set(const struct env *env, const struct pom_tree *pt,
		struct pom_patch **set, size_t n, const char *kdir,
		struct strbuf *why);

/*
 * Whether the kernel tree kdir carries p already (its line-adds present,
 * its new files there, its diffs reverse-apply): read only.
 */
bool pom_is_applied(const struct env *env, const struct pom_tree *pt,
		    const struct pom_patch *p, const char *kdir);

/*
 * Whether the kernel parts of set (in order) only add modules to the tree
 * kdir: each a file kdir lacks (an -ng copy, a diff's file that is new),
 * lines added to a build file (Config.in, Configure.help, Kconfig,
 * Makefile: a line-add, or a diff's hunks without a removed line), or a
 * change to a file an earlier patch of the set adds.  true, with the new
 * files appended to added; false, with what the first other change is in
 * why ("string-nocase changes net/ipv4/netfilter/ip_tables.c"), or why a
 * patch may not be used at all (pom_open's unsafe).  Reads only.  An
 * empty added: nothing for the kernel (userspace only).  (The modules
 * path: such a set's modules, built in the tree the running kernel came
 * from, load into it with no reboot.)
 */
bool pom_adds_modules_only(struct pom_patch *const *set, size_t n,
			   const char *kdir, struct strvec *added,
			   struct strbuf *why);

/* Whether p changes the kernel (a userspace-only patch does not). */
bool pom_kernel_part(const struct pom_patch *p);

/*
 * What p consists of, for people: "IPv4", "IPv4 and IPv6", "IPv6" (its
 * kernel halves: options CONFIG_IP6_..., modules under net/ipv6, a classic
 * NAME.patch.ipv6), then ", userspace" where it has a userspace part;
 * "userspace only" for a patch without a kernel part.
 */
void pom_parts(const struct pom_patch *p, struct strbuf *out);

enum pom_status {
	POM_APPLIES,
	POM_APPLIED, /* already in the tree */
	POM_FAILS,
	POM_MISSING_DEP,
	POM_NOT_FOR_KERNEL,
	POM_UNSAFE, /* refused before any file is touched */
};

const char *pom_status_name(enum pom_status s);

struct pom_check {
	enum pom_status status;
	struct strbuf detail; /* the files whose hunks are rejected, ... */
};

/*
 * How patch p stands against the kernel tree kdir (read only; its
 * dependencies are tried on a scratch copy first).
 */
int pom_test(const struct env *env, const struct pom_tree *pt,
	     const struct pom_patch *p, const char *kdir,
	     struct pom_check *res);

/*
 * For testing many patches with few patch(1) runs.  pom_test_begin(): the
 * answer in res (false), or true when all that is left to know is whether
 * p's diffs apply, each one dry, to kdir: its new files and line-adds pass,
 * it depends on nothing and its diffs touch distinct files.  Then
 * concatenated with those of other such patches, none touching a file
 * another touches, one dry run that goes through says that each of them
 * applies; when it fails, pom_test() says which and why.
 */
bool pom_test_begin(const struct env *env, const struct pom_tree *pt,
		    const struct pom_patch *p, const char *kdir,
		    struct pom_check *res);
/* The files p's diffs touch, each once, sorted, into out. */
void pom_diff_files(const struct pom_patch *p, struct strvec *out);

/*
 * Apply set (from pom_order) to kdir; patches already applied are left
 * alone.  applied gets the names of those this call applied.
 */
int pom_apply(const struct env *env, const struct pom_tree *pt,
	      struct pom_patch **set, size_t n, const char *kdir,
	      struct manifest *m, struct strvec *applied);

/*
 * patch -pSTRIP [-R] [--dry-run] -d dir -i diff, non-interactive, no
 * backups or reject files; why gets the files whose hunks were rejected
 * or that are missing.  0 when it applies, -1 (not reported) otherwise.
 */
int pom_patch_file(const struct env *env, const char *dir, const char *diff,
		   int strip, bool reverse, bool dry, struct strbuf *why);
/* Its command line ([commands] patch and the flags), appended to argv. */
void pom_patch_argv(const struct env *env, const char *dir, const char *diff,
		    int strip, bool reverse, bool dry, struct strvec *argv);
/*
 * With on, while neither the trees nor the diffs change (a preflight, a
 * plan): a dry run asked again has the first answer.  Off forgets them.
 */
void pom_remember_dry_runs(bool on);
/* The same run: patch's exit status (-1: it did not run) and output. */
int pom_patch_run(const struct env *env, const char *dir, const char *diff,
		  int strip, bool reverse, bool dry, struct strbuf *out);

#endif
