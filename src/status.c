// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * pomctl status: where the run stands, step by step -- each step's
 * status, when it finished, and for a done step whose inputs changed,
 * that it will run again and why (asked of the engine, pipeline.c) --
 * as text or as JSON with the host's view beside it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "pomctl/log.h"
#include "pomctl/pipeline.h"
#include "pomctl/util.h"
#include "pipeline-internal.h"

/* What status says about a step beyond its status word. */
/*
 * A failure in one line: its first line, and of a block of first errors
 * ("...; the first errors:\n    x.c:1: error: ..."), the first.
 */
/* A step's error as status's remark: its first line, at most this long. */
#define REMARK_MAX 160

static void first_error(const char *error, struct strbuf *sb)
{
	static const char block[] = "; the first errors:";
	size_t n = strcspn(error, "\n"), m = strlen(block);
	const char *next = error[n] ? error + n + 1 : NULL;

	if (n >= m && !strncmp(error + n - m, block, m) && next) {
		strbuf_add(sb, error, n - m);
		next += strspn(next, " \t");
		strbuf_addf(sb, ": %.*s", (int)strcspn(next, "\n"), next);
	} else {
		strbuf_add(sb, error, n);
	}
	if (sb->len > REMARK_MAX) { /* the whole of it: pomctl log STEP */
		strbuf_setlen(sb, REMARK_MAX - 3);
		strbuf_addstr(sb, "...");
	}
}

/* "2026-11-27T06:11:03Z" as seconds since the epoch; -1 when not one. */
static long long utc_seconds(const char *s)
{
	struct tm tm;
	const char *end;

	memset(&tm, 0, sizeof(tm));
	end = s ? strptime(s, "%Y-%m-%dT%H:%M:%SZ", &tm) : NULL;
	return end && !*end ? (long long)timegm(&tm) : -1;
}

/* How long a step took ("4m05s"), or since when it runs. */
static void step_time(const struct step_state *s, struct strbuf *sb)
{
	long long from = utc_seconds(s->started), to = utc_seconds(s->finished);
	long long d = to - from;

	if (s->status == STEP_RUNNING && s->started)
		strbuf_addf(sb, "running since %s", s->started);
	else if (from < 0 || to < 0 || d < 0)
		return;
	else if (d < 60)
		strbuf_addf(sb, "%llds", d);
	else if (d < 3600)
		strbuf_addf(sb, "%lldm%02llds", d / 60, d % 60);
	else
		strbuf_addf(sb, "%lldh%02lldm", d / 3600, d % 3600 / 60);
}

static void step_remark(struct ctx *ctx, const struct step *step,
			struct step_state *s, bool past, struct strbuf *sb)
{
	struct strbuf why = STRBUF_INIT;

	if (s->status == STEP_DONE && !past &&
	    !pipeline_step_current(ctx, step, s, &why))
		strbuf_addf(sb, "will re-run: %s", why.buf);
	else if (s->status == STEP_AWAITING_REBOOT)
		strbuf_addf(sb, "reboot into %s, then pomctl resume",
			    s->pause_release);
	else if (s->status == STEP_SKIPPED)
		strbuf_addstr(sb, json_object_get(s->outputs, SKIPPED) ?
					  json_string_value(
						  json_object_get(s->outputs,
								  SKIPPED)) :
					  "an earlier step ended the run");
	else if (json_object_get(s->outputs, ENDS_RUN))
		strbuf_addstr(sb, json_string_value(json_object_get(s->outputs,
								    ENDS_RUN)));
	else if (s->error)
		first_error(s->error, sb);
	else if (!step->run && s->status != STEP_DONE)
		strbuf_addstr(sb, "not part of this build");
	strbuf_clear(&why);
}

static int status_json(struct ctx *ctx, json_t *host, const char *state)
{
	json_t *doc = state_to_json(ctx->state);
	json_t *steps = json_object_get(doc, "steps");
	struct strbuf sb = STRBUF_INIT;

	for (size_t i = 0; i < pomctl_nr_steps; i++) {
		strbuf_reset(&sb);
		step_remark(ctx, &pomctl_steps[i], &ctx->state->steps[i],
			    host == NULL, &sb);
		json_object_set_new(json_array_get(steps, i), "remark",
				    json_string(sb.buf));
	}
	json_object_set_new(doc, "state_dir", json_string(ctx->state_dir.buf));
	json_object_set_new(doc, "state", json_string(state));
	if (host)
		json_object_set(doc, "host", host);
	say_json(doc);
	json_decref(doc);
	strbuf_clear(&sb);
	return EXIT_DONE;
}

int pipeline_status(struct ctx *ctx, json_t *host, const char *state)
{
	struct state *st = ctx->state;
	struct strbuf sb = STRBUF_INIT, took = STRBUF_INIT;

	if (ctx->json)
		return status_json(ctx, host, state);
	printf("run %s (%s): %s", st->id, state, st->command);
	if (*st->bundle)
		printf(" --from %s (its patches:", st->bundle);
	for (size_t i = 0; i < st->patches.nr; i++)
		printf(*st->bundle ? " %s" : " --patch %s", st->patches.v[i]);
	if (*st->bundle)
		printf(")%s\n", st->force ? " (force)" : "");
	else
		printf(" (trial %s%s)\n", st->trial,
		       st->force ? ", force" : "");
	for (size_t i = 0; i < pomctl_nr_steps; i++) {
		struct step_state *s = &st->steps[i];

		strbuf_reset(&sb);
		strbuf_reset(&took);
		step_remark(ctx, &pomctl_steps[i], s, host == NULL, &sb);
		step_time(s, &took);
		if (s->status == STEP_RUNNING) {
			printf("  %zu %-8s %-16s %s%s%s\n", i + 1, s->name,
			       step_status_name(s->status), took.buf,
			       sb.len ? "  " : "", sb.buf);
			continue;
		}
		printf("  %zu %-8s %-16s %-21s %-7s %s\n", i + 1, s->name,
		       step_status_name(s->status),
		       s->finished ? s->finished : "", took.buf, sb.buf);
	}
	strbuf_clear(&sb);
	strbuf_clear(&took);
	return EXIT_DONE;
}
