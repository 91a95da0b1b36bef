// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The commands that only read: status, log, history and list-patches
 * (its work is in listing.c).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "pomctl/command.h"
#include "pomctl/history.h"
#include "pomctl/hostset.h"
#include "pomctl/listing.h"
#include "pomctl/log.h"
#include "pomctl/util.h"

#define LOG_MAX_SIZE (256 * 1024 * 1024)

int cmd_status(struct ctx *ctx, const struct cmdline *cl, const char *arg)
{
	struct hostset hs;
	json_t *host;
	int ret;

	(void)arg;
	ctx->readonly = true;
	ret = lifecycle_load(ctx, &cl->rq);
	if (ret == -1)
		return EXIT_USAGE;
	ctx_host_view(ctx, &hs, false);
	host = hostset_json(&hs);
	if (ret == -ENOENT && cl->json) {
		json_t *doc = json_pack("{s:i, s:s, s:[], s:O}", "schema", 1,
					"state_dir", ctx->state_dir.buf,
					"steps", "host", host);

		say_json(doc);
		json_decref(doc);
		ret = EXIT_DONE;
	} else if (ret == -ENOENT) {
		printf("no run in progress in %s; start one with pomctl "
		       "upgrade --patch NAME (pomctl history lists the runs)\n",
		       ctx->state_dir.buf);
		ret = EXIT_DONE;
	} else {
		ret = pipeline_status(ctx, host, history_state_of(ctx->state));
	}
	if (!cl->json)
		hostset_print(&hs, stdout);
	json_decref(host);
	hostset_clear(&hs);
	return ret;
}

static int print_log_json(const char *step, const char *path,
			  struct strbuf *text)
{
	json_t *doc = json_pack("{s:i, s:s, s:s, s:s%}", "schema", 1, "step",
				step, "path", path, "log", text->buf,
				text->len);

	if (!doc)
		return error("the log of step '%s' is not valid text", step);
	say_json(doc);
	json_decref(doc);
	return 0;
}

/*
 * A step's log holds the sections of every run since the state directory
 * began; this run's (from the first headed with its id) are what log
 * shows.  The whole file stays as it is.
 */
static void this_run_only(struct ctx *ctx, const struct cmdline *cl,
			  struct strbuf *text)
{
	struct strbuf head = STRBUF_INIT;
	bool quiet = error_set_quiet(true);
	const char *from;
	int ret;

	ctx->readonly = true;
	ret = lifecycle_load(ctx, &cl->rq);
	error_set_quiet(quiet);
	if (ret != 0)
		return; /* no run (or none readable): all of it */
	strbuf_addf(&head, " of run %s, ", ctx->state->id);
	from = strstr(text->buf, head.buf);
	while (from && from > text->buf && from[-1] != '\n')
		from--;
	if (from && from > text->buf) {
		size_t skip = (size_t)(from - text->buf);

		memmove(text->buf, from, text->len - skip);
		strbuf_setlen(text, text->len - skip);
	}
	strbuf_clear(&head);
}

int cmd_log(struct ctx *ctx, const struct cmdline *cl, const char *word)
{
	struct strbuf path = STRBUF_INIT, text = STRBUF_INIT;
	const struct step *s;
	const char *step;
	int ret;

	s = pipeline_step_arg(word, &text);
	if (!s) {
		ret = command_usage_error("log", "%s", text.buf);
		strbuf_clear(&text);
		return ret;
	}
	step = s->name;
	pipeline_log_path(ctx, step, &path);
	ret = read_file(path.buf, LOG_MAX_SIZE, true, &text);
	if (ret == -ENOENT) { /* nothing to show: not a failed step */
		error("step '%s' has no log yet ('%s' does not exist)", step,
		      path.buf);
		ret = EXIT_USAGE;
	} else if (ret) {
		error("cannot read '%s': %s", path.buf, strerror(-ret));
		ret = EXIT_FAILED;
	} else {
		this_run_only(ctx, cl, &text);
		if (cl->json)
			ret = print_log_json(step, path.buf, &text) ?
				      EXIT_FAILED :
				      0;
		else
			fwrite(text.buf, 1, text.len, stdout);
	}
	strbuf_clear(&path);
	strbuf_clear(&text);
	return ret;
}

/* history ID: one run, as status shows the current one, and its undoing. */
static int show_run(struct ctx *ctx, struct history *h, const char *id)
{
	struct run_entry *e = history_find(h, id);
	struct run_entry *last = history_last_to_undo(h);
	const char *state;

	if (!e) {
		error("there is no run '%s' in '%s' (pomctl history lists them)",
		      id, ctx->state_dir.buf);
		return EXIT_USAGE;
	}
	state = history_state_name(e);
	ctx->state = xmalloc(sizeof(*ctx->state));
	*ctx->state = e->st;
	memset(&e->st, 0, sizeof(e->st)); /* ctx owns it now */
	pipeline_status(ctx, NULL, state);
	if (ctx->json)
		return EXIT_DONE;
	if (!e->changed || e->rolled_back)
		printf("rollback: nothing of it to undo\n");
	else if (last && last != e && strcmp(last->st.id, id) > 0)
		printf("rollback: after run %s, which came later (pomctl "
		       "rollback --run %s --plan shows it)\n",
		       last->st.id, last->st.id);
	else
		printf("rollback: pomctl rollback --run %s --plan shows what it "
		       "would undo\n",
		       id);
	return EXIT_DONE;
}

int cmd_history(struct ctx *ctx, const struct cmdline *cl, const char *id)
{
	struct history h;
	int ret = EXIT_DONE;

	ctx->readonly = true;
	if (lifecycle_check_dir(ctx) < 0 ||
	    history_load(&h, ctx->state_dir.buf, pipeline_step_names(),
			 pomctl_nr_steps) < 0)
		return EXIT_USAGE;
	if (id)
		ret = show_run(ctx, &h, id);
	else if (!h.nr && !cl->json)
		printf("no run in %s; start one with pomctl upgrade --patch "
		       "NAME\n",
		       ctx->state_dir.buf);
	else
		history_print(&h, cl->json);
	history_clear(&h);
	return ret;
}

int cmd_list_patches(struct ctx *ctx, const struct cmdline *cl, const char *arg)
{
	unsigned long jobs = config_get_uint(ctx->env.cfg, "build", "jobs");
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);

	(void)arg;
	ctx->readonly = true;
	if (lifecycle_load(ctx, &cl->rq) == -1)
		return EXIT_USAGE;
	if (!jobs)
		jobs = cpus > 0 ? (unsigned long)cpus : 1;
	return list_patches(ctx, cl->kernel, cl->pom,
			    cl->names_only ? 0 : (unsigned)jobs);
}
