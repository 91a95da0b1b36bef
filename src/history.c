// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "pomctl/history.h"
#include "pomctl/log.h"
#include "pomctl/manifest.h"
#include "pomctl/util.h"

#define ROLLED_BACK ".rolled-back.json"
#define ABANDONED ".abandoned.json"

/* Whether any manifest of run records a change (or installed packages). */
static bool run_changed(const char *state_dir, const char *run,
			const char *const *steps, size_t n)
{
	struct strvec pkgs = STRVEC_INIT;
	bool changed = false, quiet = error_set_quiet(true);

	/* every step's record: a step without one has an empty record */
	for (size_t i = 0; i < n && !changed; i++) {
		struct manifest m;

		if (manifest_open(&m, "", state_dir, run, steps[i]) < 0) {
			changed = true; /* damaged: let rollback say so */
			continue;
		}
		manifest_packages(&m, "installed", &pkgs);
		changed = !manifest_is_empty(&m) || pkgs.nr;
		manifest_clear(&m);
	}
	error_set_quiet(quiet);
	strvec_clear(&pkgs);
	return changed;
}

static int add_run(struct history *h, const char *state_dir, const char *path,
		   bool current, const char *const *names, size_t n)
{
	struct run_entry *e;
	int ret;

	h->e = xrealloc(h->e, (h->nr + 1) * sizeof(*h->e));
	e = &h->e[h->nr];
	memset(e, 0, sizeof(*e));
	ret = state_load(&e->st, path, names, n);
	if (ret == -ENOENT)
		return 0;
	if (ret)
		return -1;
	e->current = current;
	e->rolled_back = ends_with(path, ROLLED_BACK) ||
			 ends_with(path, ABANDONED);
	e->abandoned = ends_with(path, ABANDONED);
	e->changed = run_changed(state_dir, e->st.id, names, n);
	h->nr++;
	return 0;
}

static int by_id(const void *a, const void *b)
{
	const struct run_entry *x = a, *y = b;

	return strcmp(x->st.id, y->st.id);
}

int history_load(struct history *h, const char *state_dir,
		 const char *const *names, size_t n)
{
	struct strvec files = STRVEC_INIT;
	struct strbuf path = STRBUF_INIT;
	int ret = 0;

	memset(h, 0, sizeof(*h));
	strbuf_addf(&path, "%s/runs", state_dir);
	list_dir(path.buf, &files);
	for (size_t i = 0; i < files.nr && !ret; i++) {
		if (!ends_with(files.v[i], ".json"))
			continue;
		strbuf_reset(&path);
		strbuf_addf(&path, "%s/runs/%s", state_dir, files.v[i]);
		ret = add_run(h, state_dir, path.buf, false, names, n);
	}
	strbuf_reset(&path);
	strbuf_addf(&path, "%s/%s", state_dir, STATE_FILE);
	if (!ret)
		ret = add_run(h, state_dir, path.buf, true, names, n);
	if (h->nr)
		qsort(h->e, h->nr, sizeof(*h->e), by_id);
	strvec_clear(&files);
	strbuf_clear(&path);
	if (ret)
		history_clear(h);
	return ret;
}

void history_clear(struct history *h)
{
	for (size_t i = 0; i < h->nr; i++)
		state_clear(&h->e[i].st);
	free(h->e);
	memset(h, 0, sizeof(*h));
}

struct run_entry *history_find(struct history *h, const char *id)
{
	for (size_t i = 0; i < h->nr; i++)
		if (!strcmp(h->e[i].st.id, id))
			return &h->e[i];
	return NULL;
}

struct run_entry *history_last_to_undo(struct history *h)
{
	for (size_t i = h->nr; i-- > 0;)
		if (h->e[i].changed && !h->e[i].rolled_back)
			return &h->e[i];
	return NULL;
}

const char *history_state_name(const struct run_entry *e)
{
	if (e->abandoned)
		return "set aside";
	if (e->rolled_back)
		return "rolled back";
	return history_state_of(&e->st);
}

const char *history_state_of(const struct state *st)
{
	for (size_t i = 0; i < st->nr; i++)
		if (st->steps[i].outputs &&
		    json_object_get(st->steps[i].outputs, "ends_run"))
			return "nothing to do";
	for (size_t i = 0; i < st->nr; i++)
		switch (st->steps[i].status) {
		case STEP_FAILED:
			return "failed";
		case STEP_AWAITING_REBOOT:
			return "awaiting a reboot";
		case STEP_INTERRUPTED:
		case STEP_RUNNING:
			return "interrupted";
		case STEP_PENDING:
			return "in progress";
		default:
			break;
		}
	return "done";
}

/* When the run's last step finished (or its start). */
static const char *run_finished_at(const struct state *st)
{
	const char *at = st->created;

	for (size_t i = 0; i < st->nr; i++)
		if (st->steps[i].finished &&
		    strcmp(st->steps[i].finished, at) > 0)
			at = st->steps[i].finished;
	return at;
}

static const char *run_output(struct state *st, const char *step,
			      const char *key)
{
	const char *v = state_get_output(st, step, key);

	return v && *v ? v : "-";
}

static json_t *run_json(struct run_entry *e)
{
	return json_pack("{s:s, s:o, s:s, s:s, s:s, s:s, s:b}", "id", e->st.id,
			 "patches", json_strings(&e->st.patches), "release",
			 run_output(&e->st, "install", "release"), "state",
			 history_state_name(e), "started", e->st.created,
			 "finished", run_finished_at(&e->st), "current",
			 e->current);
}

/* The table: each column as wide as its widest cell. */
static void print_table(struct history *h)
{
	static const char *const head[] = { "RUN", "STATE", "PATCHES", "KERNEL",
					    "STARTED .. LAST STEP" };
	enum { COLS = ARRAY_SIZE(head) };
	struct strvec cells = STRVEC_INIT;
	size_t width[COLS] = { 0 };

	for (size_t c = 0; c < COLS; c++)
		strvec_push(&cells, head[c]);
	for (size_t i = 0; i < h->nr; i++) {
		struct run_entry *e = &h->e[i];
		struct strbuf patches = STRBUF_INIT;

		strvec_join(&e->st.patches, " ", &patches);
		strvec_push(&cells, e->st.id);
		strvec_push(&cells, history_state_name(e));
		strvec_push(&cells, patches.len ? patches.buf : "-");
		strvec_push(&cells, run_output(&e->st, "install", "release"));
		strvec_pushf(&cells, "%s .. %s", e->st.created,
			     run_finished_at(&e->st));
		strbuf_clear(&patches);
	}
	for (size_t i = 0; i < cells.nr; i++)
		if (strlen(cells.v[i]) > width[i % COLS])
			width[i % COLS] = strlen(cells.v[i]);
	for (size_t i = 0; i < cells.nr; i++)
		if (i % COLS == COLS - 1)
			printf("%s\n", cells.v[i]);
		else
			printf("%-*s  ", (int)width[i % COLS], cells.v[i]);
	strvec_clear(&cells);
}

void history_print(struct history *h, bool json)
{
	json_t *runs, *doc;

	if (!json) {
		print_table(h);
		return;
	}
	runs = json_array();
	for (size_t i = 0; i < h->nr; i++)
		json_array_append_new(runs, run_json(&h->e[i]));
	doc = json_pack("{s:i, s:o}", "schema", 2, "runs", runs);
	say_json(doc);
	json_decref(doc);
}
