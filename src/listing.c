// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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

#define RESULT_MAX 4000		/* under PIPE_BUF: one write, no blocking */

struct worker {
	pid_t pid;
	int fd;
	size_t index;
};

/* In the child: test one patch, write "STATUS DETAIL" to fd. */
static _Noreturn void test_in_child(struct ctx *ctx, const struct pom_tree *pt,
				    size_t i, const char *kdir, int fd)
{
	struct pom_check res = { POM_FAILS, STRBUF_INIT };
	char buf[RESULT_MAX];
	int n;

	error_set_quiet(true);
	pom_test(ctx, pt, &pt->patches[i], kdir, &res);
	n = snprintf(buf, sizeof(buf), "%d %s", (int)res.status,
		     res.detail.buf);
	if (write(fd, buf, (size_t)(n < RESULT_MAX ? n : RESULT_MAX - 1)) < 0)
		_exit(1);
	_exit(0);
}

static int start(struct ctx *ctx, const struct pom_tree *pt, size_t i,
		 const char *kdir, struct worker *w)
{
	int fds[2];
	pid_t parent;

	if (pipe(fds) < 0)
		return error("cannot create a pipe: %s", strerror(errno));
	fflush(NULL);
	parent = getpid();
	w->pid = fork();
	if (w->pid < 0)
		return error("cannot fork: %s", strerror(errno));
	if (w->pid == 0) {
		run_die_with_parent(parent);
		close(fds[0]);
		test_in_child(ctx, pt, i, kdir, fds[1]);
	}
	close(fds[1]);
	w->fd = fds[0];
	w->index = i;
	return 0;
}

static void collect(struct worker *w, struct pom_check *results)
{
	char buf[RESULT_MAX];
	ssize_t n = read(w->fd, buf, sizeof(buf) - 1);
	int status = POM_FAILS, used = 0;

	buf[n > 0 ? n : 0] = '\0';
	if (n <= 0 || sscanf(buf, "%d %n", &status, &used) < 1 ||
	    status < POM_APPLIES || status > POM_NOT_FOR_KERNEL) {
		status = POM_FAILS;
		strbuf_addstr(&results[w->index].detail, "the test did not finish");
	} else {
		strbuf_addstr(&results[w->index].detail, buf + used);
	}
	results[w->index].status = (enum pom_status)status;
	close(w->fd);
	w->pid = 0;
}

/* Test every patch, at most `workers` at a time. */
static int test_all(struct ctx *ctx, const struct pom_tree *pt,
		    const char *kdir, unsigned workers, struct pom_check *results)
{
	struct worker *pool = xcalloc(workers, sizeof(*pool));
	size_t next = 0, running = 0;
	int ret = 0;

	while (!ret && (next < pt->nr || running)) {
		for (unsigned k = 0; k < workers && next < pt->nr && !ret; k++)
			if (!pool[k].pid) {
				ret = start(ctx, pt, next++, kdir, &pool[k]);
				running += !ret;
			}
		if (running) {
			pid_t pid = waitpid(-1, NULL, 0);

			for (unsigned k = 0; k < workers; k++)
				if (pool[k].pid && pool[k].pid == pid) {
					collect(&pool[k], results);
					running--;
				}
			if (pid < 0 && errno != EINTR)
				ret = error("waitpid: %s", strerror(errno));
		}
	}
	free(pool);
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
	struct strbuf top = STRBUF_INIT;
	const char *t = getenv("TMPDIR");
	int ret;

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
	ret = archive_top_dir(pom, &top);
	if (!ret)
		ret = archive_extract(pom, dir->buf);
	strbuf_addf(dir, "/%s", top.buf);
	strbuf_release(&top);
	return ret;
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
