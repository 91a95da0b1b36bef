// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The contract between steps, kept: every output read or written -- of
 * this run's state or of an earlier run's -- is one the step table
 * declares (struct step: gives, takes), of its kind; a step reads its own
 * outputs and those of earlier steps it takes, nothing else.  Anything
 * else is a bug of pomctl, and pomctl stops at once, naming it.  The
 * engine's own records (stages, a step that ended the run or was
 * skipped) are its business.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pomctl/pipeline.h"
#include "pomctl/util.h"
#include "pipeline-internal.h"

static void __attribute__((noreturn, format(printf, 1, 2)))
bug(const char *fmt, ...)
{
	va_list ap;

	fputs("pomctl: BUG: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs(" (steps/steps.c declares what each step gives and takes)\n",
	      stderr);
	abort();
}

static const struct step_output *declared(const char *step, const char *key)
{
	const struct step *s = pipeline_find_step(step);

	for (const struct step_output *o = s ? s->gives : NULL; o && o->key;
	     o++)
		if (!strcmp(o->key, key))
			return o;
	return NULL;
}

static bool engine_key(const char *key)
{
	return !strcmp(key, ENDS_RUN) || !strcmp(key, SKIPPED) ||
	       !strncmp(key, STAGE_KEY, strlen(STAGE_KEY));
}

/* Whether value has the shape of kind: words are non-empty, no blanks. */
static bool of_kind(const char *value, enum output_kind kind)
{
	const char *blank = " \t\n\r\v\f";

	switch (kind) {
	case OUT_WORD:
		return !value[strcspn(value, blank)];
	case OUT_WORDS:
	case OUT_PATHS:
		for (const char *p = value; *p; p++)
			if (strchr(blank, *p) &&
			    (*p != ' ' || p == value || !p[1] || p[1] == ' '))
				return false;
		return true;
	case OUT_PATH:
		return !strchr(value, '\n');
	case OUT_TEXT:
		return true;
	}
	return false;
}

static void check(const char *step, const char *key, const char *value)
{
	const struct step_output *o;

	if (engine_key(key))
		return;
	o = declared(step, key);
	if (!o)
		bug("output '%s' of step '%s' %s, but the step does not give it",
		    key, step, value ? "written" : "read");
	if (value && !of_kind(value, o->kind))
		bug("output '%s' of step '%s': '%.80s' is not of its kind", key,
		    step, value);
}

void pipeline_check_outputs(void)
{
	state_check_outputs(check);
}

static bool takes(const struct step *reader, const char *step, const char *key)
{
	for (const struct step_input *in = reader->takes; in && in->step; in++)
		if (!strcmp(in->step, step) && !strcmp(in->key, key))
			return true;
	return false;
}

const char *ctx_output_of_kind(struct ctx *ctx, const char *step,
			       const char *key, int kind)
{
	const struct step_output *o = declared(step, key);
	const struct step *reader = ctx->step ? pipeline_find_step(ctx->step) :
						NULL;
	const char *v;

	if (!o)
		bug("output '%s' of step '%s' read, but the step does not give "
		    "it",
		    key, step);
	if (kind >= 0 && (int)o->kind != kind)
		bug("output '%s' of step '%s' read as another kind", key, step);
	if (reader && strcmp(reader->name, step) &&
	    (!takes(reader, step, key) || reader < pipeline_find_step(step)))
		bug("step '%s' reads output '%s' of step '%s', but does not "
		    "take it",
		    reader->name, key, step);
	v = ctx->state ? state_get_output(ctx->state, step, key) : NULL;
	return v ? v : "";
}

const char *step_output(struct ctx *ctx, const char *step, const char *key)
{
	return ctx_output_of_kind(ctx, step, key, -1);
}

void ctx_output_words(struct ctx *ctx, const char *step, const char *key,
		      struct strvec *out)
{
	strvec_split(out, ctx_output_of_kind(ctx, step, key, OUT_WORDS), " ");
}

void ctx_set_output(struct ctx *ctx, const char *step, const char *key,
		    const char *value)
{
	if (ctx->step && strcmp(ctx->step, step))
		bug("step '%s' writes output '%s' of step '%s'", ctx->step, key,
		    step);
	check(step, key, value);
	state_set_output(ctx->state, step, key, value);
}
