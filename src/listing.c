// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdatomic.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <jansson.h>

#include "pomctl/archive.h"
#include "pomctl/ktree.h"
#include "pomctl/listing.h"
#include "pomctl/log.h"
#include "pomctl/pipeline.h"
#include "pomctl/pom.h"
#include "pomctl/run-command.h"
#include "pomctl/scratch.h"
#include "pomctl/text.h"
#include "pomctl/util.h"

#define RESULT_MAX 4000

/*
 * The workers' shared page: the next patch to take, and one slot per
 * patch that the worker testing it fills.  A slot whose worker died is
 * still not done when all have been reaped.
 */
struct slot {
	int status;
	bool done;
	char detail[RESULT_MAX];
};

struct board {
	atomic_size_t next;
	struct slot slot[];
};

static void set_slot(struct slot *slot, const struct pom_check *res)
{
	slot->status = (int)res->status;
	snprintf(slot->detail, RESULT_MAX, "%s", res->detail.buf);
	slot->done = true;
}

/*
 * A worker's batch: patches whose diffs alone are left to try (see
 * pom_test_begin), no file touched by two of them, tried with one patch
 * --dry-run of their diffs put end to end.  One patch(1) for many is most
 * of list-patches' speed: starting patch(1) costs more than its work.
 * The size adapts: doubled after a batch whose run gave the answers,
 * halved (down to two) after one whose output said nothing usable.
 */
#define BATCH_MAX 32

struct entry {
	size_t idx;	     /* the patch */
	struct strvec files; /* the files its diffs touch */
};

struct batch {
	struct entry e[BATCH_MAX];
	size_t n, cap;
	struct strbuf path; /* the diffs end to end */
};

/* Patch i joins the batch unless it touches a file one there touches. */
static bool batch_takes(struct batch *b, const struct pom_tree *pt, size_t i)
{
	struct entry *e = &b->e[b->n];

	strvec_init(&e->files);
	pom_diff_files(&pt->patches[i], &e->files);
	for (size_t k = 0; k < b->n; k++)
		for (size_t f = 0; f < e->files.nr; f++)
			if (strvec_has(&b->e[k].files, e->files.v[f])) {
				strvec_clear(&e->files);
				return false;
			}
	e->idx = i;
	b->n++;
	return true;
}

/* The diffs of the patches of e[0..n) end to end into the batch file. */
static int write_diffs(struct batch *b, const struct pom_tree *pt,
		       const struct entry *e, size_t n)
{
	struct strbuf text = STRBUF_INIT;
	int fd = open(b->path.buf, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
		      0600),
	    ret = fd < 0 ? -1 : 0;

	for (size_t i = 0; i < n && !ret; i++) {
		const struct pom_patch *p = &pt->patches[e[i].idx];

		for (size_t d = 0; d < p->diffs.nr && !ret; d++) {
			strbuf_reset(&text);
			ret = read_file(p->diffs.v[d], 1U << 30, false, &text);
			if (text.len && text.buf[text.len - 1] != '\n')
				strbuf_addch(&text, '\n');
			if (!ret)
				ret = write_all(fd, text.buf, text.len);
		}
	}
	if (fd >= 0 && close(fd) < 0)
		ret = -1;
	strbuf_clear(&text);
	return ret;
}

/*
 * The files a failed batch run checked without a word of trouble, from its
 * output: a "checking file F" line followed by "Hunk #N succeeded ..."
 * lines only.  False when a line stands outside any file's section: then
 * nothing is known.  A name patch(1) quotes matches no file: that patch is
 * tried alone.
 */
static bool clean_files(const char *out, struct strvec *clean)
{
	static const char check[] = "checking file ";
	struct lines l;
	const char *file = NULL;
	size_t flen = 0;
	bool ok = false, known = true;

	lines_init(&l);
	lines_split(&l, out, strlen(out));
	for (size_t i = 0; i < l.nr && known; i++) {
		size_t len;
		const char *s = line_at(&l, i, &len);

		if (len > strlen(check) && !strncmp(s, check, strlen(check))) {
			if (ok)
				strvec_pushf(clean, "%.*s", (int)flen, file);
			file = s + strlen(check);
			flen = len - strlen(check);
			ok = true;
		} else if (len && !(file && !strncmp(s, "Hunk #", 6) &&
				    memmem(s, len, " succeeded at ", 14))) {
			ok = false;
			known = file != NULL;
		}
	}
	if (ok && known)
		strvec_pushf(clean, "%.*s", (int)flen, file);
	lines_clear(&l);
	return known;
}

static bool all_clean(const struct strvec *files, const struct strvec *clean)
{
	for (size_t i = 0; i < files->nr; i++)
		if (!strvec_has(clean, files->v[i]))
			return false;
	return true;
}

/*
 * Try the patches of e[0..n) in one run.  When it fails, its output says
 * which files went through; a patch with a file that did not is tried
 * alone (pom_test: the answer and why).  Output that says nothing: each
 * half again.  True when the run gave the answers.
 */
static bool try_batch(struct ctx *ctx, const struct pom_tree *pt,
		      const char *kdir, struct board *bd, struct batch *b,
		      const struct entry *e, size_t n)
{
	struct pom_check res = { POM_APPLIES, STRBUF_INIT };
	struct strbuf out = STRBUF_INIT;
	struct strvec clean = STRVEC_INIT;
	int ret = n > 1 && write_diffs(b, pt, e, n) == 0 ?
			  pom_patch_run(&ctx->env, kdir, b->path.buf, 1, false,
					true, &out) :
			  -1;
	bool answered = ret == 0 || (ret == 1 && clean_files(out.buf, &clean));

	for (size_t i = 0; i < n && answered; i++) {
		res.status = POM_APPLIES;
		strbuf_reset(&res.detail);
		if (ret != 0 && !all_clean(&e[i].files, &clean))
			pom_test(&ctx->env, pt, &pt->patches[e[i].idx], kdir,
				 &res);
		set_slot(&bd->slot[e[i].idx], &res);
	}
	if (!answered && n == 1) {
		pom_test(&ctx->env, pt, &pt->patches[e[0].idx], kdir, &res);
		set_slot(&bd->slot[e[0].idx], &res);
	} else if (!answered && !run_interrupted()) {
		try_batch(ctx, pt, kdir, bd, b, e, n / 2);
		try_batch(ctx, pt, kdir, bd, b, e + n / 2, n - n / 2);
	}
	strbuf_clear(&res.detail);
	strbuf_clear(&out);
	strvec_clear(&clean);
	return answered;
}

static void flush(struct ctx *ctx, const struct pom_tree *pt, const char *kdir,
		  struct board *bd, struct batch *b)
{
	bool ok = b->n && try_batch(ctx, pt, kdir, bd, b, b->e, b->n);

	if (b->n > 1) /* one alone is no batch: it says nothing of them */
		b->cap = ok ? (b->cap * 2 > BATCH_MAX ? BATCH_MAX :
							b->cap * 2) :
			      (b->cap > 2 ? b->cap / 2 : 2);
	for (size_t k = 0; k < b->n; k++)
		strvec_clear(&b->e[k].files);
	b->n = 0;
}

/* In a worker: test patches until none is left. */
static void work(struct ctx *ctx, const struct pom_tree *pt, const char *kdir,
		 struct board *bd, const char *tmp, unsigned worker)
{
	struct batch b = { .cap = BATCH_MAX, .path = STRBUF_INIT };
	size_t i;

	error_set_quiet(true);
	strbuf_addf(&b.path, "%s/batch-%u.diff", tmp, worker);
	while (!run_interrupted() &&
	       (i = atomic_fetch_add(&bd->next, 1)) < pt->nr) {
		const struct pom_patch *p = &pt->patches[i];
		struct pom_check res = { POM_FAILS, STRBUF_INIT };

		if (!pom_test_begin(&ctx->env, pt, p, kdir, &res)) {
			set_slot(&bd->slot[i], &res);
		} else {
			if (!batch_takes(&b, pt, i)) {
				flush(ctx, pt, kdir, bd, &b);
				batch_takes(&b, pt, i);
			}
			if (b.n >= b.cap)
				flush(ctx, pt, kdir, bd, &b);
		}
		strbuf_clear(&res.detail);
	}
	if (!run_interrupted())
		flush(ctx, pt, kdir, bd, &b);
	for (size_t k = 0; k < b.n; k++) /* left by an interrupt */
		strvec_clear(&b.e[k].files);
	strbuf_clear(&b.path);
}

/*
 * Start one worker: its pid, or -1 (reported); in the worker, 0 once it
 * has tested its share: it must _exit() then.
 */
static pid_t start(struct ctx *ctx, const struct pom_tree *pt, const char *kdir,
		   struct board *b, const char *tmp, unsigned worker)
{
	pid_t parent = getpid(), pid;

	fflush(NULL);
	pid = fork();
	if (pid < 0)
		return error("cannot fork: %s", strerror(errno));
	if (pid == 0) {
		run_die_with_parent(parent);
		work(ctx, pt, kdir, b, tmp, worker);
	}
	return pid;
}

static void collect(const struct board *b, size_t nr, struct pom_check *results)
{
	for (size_t i = 0; i < nr; i++) {
		const struct slot *s = &b->slot[i];
		bool ok = s->done && s->status >= POM_APPLIES &&
			  s->status <= POM_UNSAFE;

		results[i].status = ok ? (enum pom_status)s->status : POM_FAILS;
		strbuf_addstr(&results[i].detail,
			      ok ? s->detail : "the test did not finish");
	}
}

/*
 * Test every patch with `workers` processes, forked once each: they take
 * the next patch from a shared counter, so a slow one holds up no other.
 */
static int test_all(struct ctx *ctx, const struct pom_tree *pt,
		    const char *kdir, unsigned workers,
		    struct pom_check *results)
{
	size_t size = sizeof(struct board) + pt->nr * sizeof(struct slot);
	struct board *b = mmap(NULL, size, PROT_READ | PROT_WRITE,
			       MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	pid_t *pids = xcalloc(workers, sizeof(*pids));
	struct strbuf tmp = STRBUF_INIT;
	unsigned started = 0, left;
	bool told = false;
	int ret = 0;

	/* the batches' files: gone with the directory, whatever happened */
	if (b == MAP_FAILED || scratch_make("batches", &tmp) < 0) {
		if (b == MAP_FAILED)
			ret = error("cannot map the workers' results: %s",
				    strerror(errno));
		ret = -1;
		if (b != MAP_FAILED)
			munmap(b, size);
		free(pids);
		strbuf_clear(&tmp);
		return ret;
	}
	atomic_init(&b->next, 0);
	for (unsigned k = 0; k < workers && k < pt->nr; k++) {
		pid_t pid = start(ctx, pt, kdir, b, tmp.buf, k);

		if (pid == 0) { /* a worker, done */
			free(pids);
			strbuf_clear(&tmp);
			_exit(0);
		}
		if (pid > 0)
			pids[started++] = pid;
	}
	if (!started && pt->nr)
		ret = -1; /* reported by start() */
	for (left = started; left;) {
		if (waitpid(-1, NULL, 0) > 0)
			left--;
		else if (errno != EINTR)
			break;
		/* interrupted: the workers stop at their next patch */
		for (unsigned k = 0; run_interrupted() && !told && k < started;
		     k++)
			kill(pids[k], SIGTERM);
		told = told || run_interrupted();
	}
	free(pids);
	remove_tree(tmp.buf);
	strbuf_clear(&tmp);
	if (!ret && run_interrupted())
		ret = error("list-patches was interrupted");
	if (!ret)
		collect(b, pt->nr, results);
	munmap(b, size);
	return ret;
}

static json_t *patch_json(const struct pom_patch *p, const struct pom_check *c)
{
	json_t *deps = json_strings(&p->depends),
	       *conf = json_strings(&p->conflicts),
	       *opts = json_strings(&p->options), *doc;
	struct strbuf parts = STRBUF_INIT;

	pom_parts(p, &parts);
	doc = json_pack("{s:s, s:s, s:s, s:s, s:s, s:o, s:o, s:o, s:b, s:s}",
			"name", p->name, "repository", p->repo, "title",
			p->title ? p->title : "", "status",
			pom_status_name(c->status), "detail", c->detail.buf,
			"depends", deps, "conflicts", conf, "options", opts,
			"userspace", p->userspace || p->userspace_dir, "parts",
			parts.buf);
	strbuf_clear(&parts);
	return doc;
}

static void print(struct ctx *ctx, const struct pom_tree *pt, const char *label,
		  const struct ktree *kt, const struct pom_check *results)
{
	if (ctx->json) {
		json_t *list = json_array(), *doc;

		for (size_t i = 0; i < pt->nr; i++)
			json_array_append_new(list, patch_json(&pt->patches[i],
							       &results[i]));
		doc = json_pack("{s:i, s:s, s:s, s:s, s:s, s:o}", "schema", 1,
				"kernel", kt->dir, "release", kt->release,
				"pom", label, "layout",
				pt->ng ? "ng" : "classic", "patches", list);
		say_json(doc);
		json_decref(doc);
		return;
	}
	printf("patch-o-matic %s (%s) against %s (%s):\n", label,
	       pt->ng ? "-ng" : "classic", kt->dir, kt->release);
	printf("  %-18s %-10s %-19s %s\n", "NAME", "REPOSITORY",
	       "STATUS ON THIS TREE", "TITLE");
	for (size_t i = 0; i < pt->nr; i++) {
		const struct pom_patch *p = &pt->patches[i];
		struct strbuf name = STRBUF_INIT, repo = STRBUF_INIT,
			      title = STRBUF_INIT, detail = STRBUF_INIT;

		/* names and titles come from the tree: no ESC reaches a tty */
		strbuf_addprintable(&name, p->name);
		strbuf_addprintable(&repo, p->repo);
		strbuf_addprintable(&title, p->title);
		strbuf_addprintable(&detail, results[i].detail.buf);
		printf("  %-18s %-10s %-19s %s\n", name.buf, repo.buf,
		       pom_status_name(results[i].status), title.buf);
		if (detail.len)
			printf("      %s\n", detail.buf);
		strbuf_reset(&detail);
		pom_parts(p, &detail); /* said where it is not IPv4 alone */
		if (strcmp(detail.buf, "IPv4"))
			printf("      %s: parts: %s\n", name.buf, detail.buf);
		strbuf_clear(&name);
		strbuf_clear(&repo);
		strbuf_clear(&title);
		strbuf_clear(&detail);
	}
	printf("REPOSITORY is the patch-o-matic directory a patch is in, by "
	       "maturity (base, pending, submitted, extra, ...; userspace: "
	       "patches with a userspace part); pomctl upgrade --patch NAME "
	       "puts a patch, with what it requires, into the kernel tree.\n");
}

/*
 * Without a run that fetched one: the patch-o-matic tree extracted last
 * into STATE/pom (an upgrade that stopped on a misspelt name has one).
 */
static int newest_extracted(struct ctx *ctx, struct strbuf *dir)
{
	struct strvec digests = STRVEC_INIT, tops = STRVEC_INIT;
	struct strbuf path = STRBUF_INIT;
	time_t best = 0;
	struct stat st;

	strbuf_addf(&path, "%s/pom", ctx->state_dir.buf);
	list_dir(path.buf, &digests);
	for (size_t i = 0; i < digests.nr; i++) {
		strbuf_reset(&path);
		strbuf_addf(&path, "%s/pom/%s", ctx->state_dir.buf,
			    digests.v[i]);
		strvec_clear(&tops);
		if (list_dir(path.buf, &tops) < 0 || tops.nr != 1)
			continue;
		strbuf_addf(&path, "/%s", tops.v[0]);
		if (stat(path.buf, &st) == 0 && S_ISDIR(st.st_mode) &&
		    st.st_mtime >= best) {
			best = st.st_mtime;
			strbuf_reset(dir);
			strbuf_addstr(dir, path.buf);
		}
	}
	strvec_clear(&digests);
	strvec_clear(&tops);
	strbuf_clear(&path);
	return best ? 0 : -1;
}

/* The patch-o-matic tree to read: a directory, a tarball, or fetch's. */
static int pom_dir(struct ctx *ctx, const char *pom, struct strbuf *dir,
		   char **tmp)
{
	struct archive_limits lim;

	*tmp = NULL;
	if (pom && is_dir(pom)) {
		strbuf_addstr(dir, pom);
		return 0;
	}
	if (!pom) {
		if (!ctx_state_dir_output(ctx, "fetch", "pom_dir", dir) &&
		    newest_extracted(ctx, dir) < 0)
			return error(
				"no patch-o-matic tree: give --pom DIR or "
				"TARBALL, or fill pomctl's cache with pomctl "
				"upgrade --patch NAME --plan (it fetches the "
				"configured patch-o-matic; nothing on the "
				"host changes)");
		return 0;
	}
	if (!path_exists(pom))
		return error("patch-o-matic tree or tarball '%s' does not "
			     "exist",
			     pom);
	if (scratch_make("list", dir) < 0)
		return -1;
	*tmp = xstrdup(dir->buf);
	strbuf_addstr(dir, "/pom");
	archive_limits_from_config(ctx->env.cfg, &lim);
	return archive_extract_top(pom, dir, &lim);
}

int list_patches(struct ctx *ctx, const char *kernel, const char *pom,
		 unsigned workers)
{
	struct ktree kt;
	struct pom_tree pt;
	struct strbuf dir = STRBUF_INIT;
	struct pom_check *results = NULL;
	char *tmp = NULL;
	int ret;

	ret = kernel ? ktree_open(&kt, kernel) :
		       ktree_open_configured(&ctx->env, &kt);
	if (ret)
		return EXIT_USAGE; /* no kernel tree to list against */
	ret = pom_dir(ctx, pom, &dir, &tmp);
	if (!ret)
		ret = pom_open(&pt, dir.buf, kt.v);
	if (ret)
		ret = EXIT_USAGE; /* no usable patch-o-matic tree */
	if (!ret && !workers) {
		for (size_t i = 0; i < pt.nr; i++)
			puts(pt.patches[i].name);
		pom_clear(&pt);
	} else if (!ret) {
		results = xcalloc(pt.nr, sizeof(*results));
		for (size_t i = 0; i < pt.nr; i++)
			strbuf_init(&results[i].detail);
		ret = test_all(ctx, &pt, kt.dir, workers, results);
		if (!ret)
			print(ctx, &pt, tmp ? pom : pt.dir, &kt, results);
		for (size_t i = 0; i < pt.nr; i++)
			strbuf_clear(&results[i].detail);
		free(results);
		pom_clear(&pt);
	}
	if (tmp)
		remove_tree(tmp);
	free(tmp);
	ktree_clear(&kt);
	strbuf_clear(&dir);
	return ret == EXIT_USAGE ? EXIT_USAGE : ret ? EXIT_FAILED : EXIT_DONE;
}
