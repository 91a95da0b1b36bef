// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdatomic.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <jansson.h>

#include "pomctl/archive.h"
#include "pomctl/ktree.h"
#include "pomctl/listing.h"
#include "pomctl/pipeline.h"
#include "pomctl/pom.h"
#include "pomctl/run.h"
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

/* In a worker: test patches until none is left. */
static void work(struct ctx *ctx, const struct pom_tree *pt,
		 const char *kdir, struct board *b)
{
	size_t i;

	error_set_quiet(true);
	while (!run_interrupted() &&
	       (i = atomic_fetch_add(&b->next, 1)) < pt->nr) {
		struct pom_check res = { POM_FAILS, STRBUF_INIT };

		pom_test(ctx, pt, &pt->patches[i], kdir, &res);
		b->slot[i].status = (int)res.status;
		snprintf(b->slot[i].detail, RESULT_MAX, "%s", res.detail.buf);
		b->slot[i].done = true;
		strbuf_release(&res.detail);
	}
}

/*
 * Start one worker: its pid, or -1 (reported); in the worker, 0 once it
 * has tested its share: it must _exit() then.
 */
static pid_t start(struct ctx *ctx, const struct pom_tree *pt,
		   const char *kdir, struct board *b)
{
	pid_t parent = getpid(), pid;

	fflush(NULL);
	pid = fork();
	if (pid < 0)
		return error("cannot fork: %s", strerror(errno));
	if (pid == 0) {
		run_die_with_parent(parent);
		work(ctx, pt, kdir, b);
	}
	return pid;
}

static void collect(const struct board *b, size_t nr,
		    struct pom_check *results)
{
	for (size_t i = 0; i < nr; i++) {
		const struct slot *s = &b->slot[i];
		bool ok = s->done && s->status >= POM_APPLIES &&
			  s->status <= POM_NOT_FOR_KERNEL;

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
		    const char *kdir, unsigned workers, struct pom_check *results)
{
	size_t size = sizeof(struct board) + pt->nr * sizeof(struct slot);
	struct board *b = mmap(NULL, size, PROT_READ | PROT_WRITE,
			       MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	pid_t *pids = xcalloc(workers, sizeof(*pids));
	unsigned started = 0, left;
	bool told = false;
	int ret = 0;

	if (b == MAP_FAILED) {
		free(pids);
		return error("cannot map the workers' results: %s",
			     strerror(errno));
	}
	atomic_init(&b->next, 0);
	for (unsigned k = 0; k < workers && k < pt->nr; k++) {
		pid_t pid = start(ctx, pt, kdir, b);

		if (pid == 0) {		/* a worker, done */
			free(pids);
			_exit(0);
		}
		if (pid > 0)
			pids[started++] = pid;
	}
	if (!started && pt->nr)
		ret = -1;	/* reported by start() */
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
	if (!ret && run_interrupted())
		ret = error("list-patches was interrupted");
	if (!ret)
		collect(b, pt->nr, results);
	munmap(b, size);
	return ret;
}

static json_t *patch_json(const struct pom_patch *p, const struct pom_check *c)
{
	json_t *deps = json_array(), *conf = json_array(), *opts = json_array();

	for (size_t i = 0; i < p->depends.nr; i++)
		json_array_append_new(deps, json_string(p->depends.v[i]));
	for (size_t i = 0; i < p->conflicts.nr; i++)
		json_array_append_new(conf, json_string(p->conflicts.v[i]));
	for (size_t i = 0; i < p->options.nr; i++)
		json_array_append_new(opts, json_string(p->options.v[i]));
	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:o, s:o, s:o, s:b}",
			 "name", p->name, "repository", p->repo, "title",
			 p->title ? p->title : "", "status",
			 pom_status_name(c->status), "detail", c->detail.buf,
			 "depends", deps, "conflicts", conf, "options", opts,
			 "userspace", p->userspace || p->userspace_dir);
}

static void print(struct ctx *ctx, const struct pom_tree *pt,
		  const char *label, const struct ktree *kt,
		  const struct pom_check *results)
{
	if (ctx->opt->json) {
		json_t *list = json_array(), *doc;

		for (size_t i = 0; i < pt->nr; i++)
			json_array_append_new(list, patch_json(&pt->patches[i],
							       &results[i]));
		doc = json_pack("{s:i, s:s, s:s, s:s, s:s, s:o}", "schema", 1,
				"kernel", kt->dir, "release", kt->release, "pom",
				label, "layout", pt->ng ? "ng" : "classic",
				"patches", list);
		json_dumpf(doc, stdout, JSON_INDENT(2));
		putchar('\n');
		json_decref(doc);
		return;
	}
	printf("patch-o-matic %s (%s) against %s (%s):\n", label,
	       pt->ng ? "-ng" : "classic", kt->dir, kt->release);
	for (size_t i = 0; i < pt->nr; i++) {
		const struct pom_patch *p = &pt->patches[i];

		printf("  %-18s %-10s %-19s %s\n", p->name, p->repo,
		       pom_status_name(results[i].status),
		       p->title ? p->title : "");
		if (results[i].detail.len)
			printf("      %s\n", results[i].detail.buf);
	}
}

/* The patch-o-matic tree to read: a directory, a tarball, or fetch's. */
static int pom_dir(struct ctx *ctx, const char *pom, struct strbuf *dir,
		   char **tmp)
{
	const char *fetched;
	const char *t = getenv("TMPDIR");

	*tmp = NULL;
	if (pom && is_dir(pom)) {
		strbuf_addstr(dir, pom);
		return 0;
	}
	if (!pom) {
		fetched = ctx->state ? state_get_output(ctx->state, "fetch",
							"pom_dir") : NULL;
		if (!fetched)
			return error("no patch-o-matic tree: give --pom DIR or "
				     "TARBALL, or let pomctl upgrade fetch one");
		strbuf_addstr(dir, fetched);
		return 0;
	}
	if (!path_exists(pom))
		return error("patch-o-matic tree or tarball '%s' does not "
			     "exist", pom);
	strbuf_addf(dir, "%s/pomctl-list-XXXXXX", t && *t ? t : "/tmp");
	if (!mkdtemp(dir->buf))
		return error("cannot create a temporary directory: %s",
			     strerror(errno));
	*tmp = xstrdup(dir->buf);
	strbuf_addstr(dir, "/pom");
	return archive_extract_top(pom, dir);
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

	ret = kernel ? ktree_open(&kt, kernel) : ktree_open_configured(ctx, &kt);
	if (ret)
		return EXIT_FAILED;
	ret = pom_dir(ctx, pom, &dir, &tmp);
	if (!ret)
		ret = pom_open(&pt, dir.buf, kt.v);
	if (!ret && !workers) {
		for (size_t i = 0; i < pt.nr; i++)
			puts(pt.patches[i].name);
		pom_release(&pt);
	} else if (!ret) {
		results = xcalloc(pt.nr, sizeof(*results));
		for (size_t i = 0; i < pt.nr; i++)
			strbuf_init(&results[i].detail);
		ret = test_all(ctx, &pt, kt.dir, workers, results);
		if (!ret)
			print(ctx, &pt, tmp ? pom : pt.dir, &kt, results);
		for (size_t i = 0; i < pt.nr; i++)
			strbuf_release(&results[i].detail);
		free(results);
		pom_release(&pt);
	}
	if (tmp)
		remove_tree(tmp);
	free(tmp);
	ktree_release(&kt);
	strbuf_release(&dir);
	return ret ? EXIT_FAILED : EXIT_DONE;
}
