/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Inside the pipeline, and only there (the steps have pomctl/pipeline.h):
 * what the engine (pipeline.c), the steps' helpers (ctx.c) and status
 * (status.c) share.
 */
#ifndef POMCTL_PIPELINE_INTERNAL_H
#define POMCTL_PIPELINE_INTERNAL_H

#include <stdbool.h>

#include "pomctl/strbuf.h"

struct ctx;
struct step;
struct step_state;

/* The outputs a step records when it ended the run, and when it was
 * skipped: why. */
#define ENDS_RUN "ends_run"
#define SKIPPED "skipped"
/* The engine's record of a stage done: "stage NAME" -> its witness. */
#define STAGE_KEY "stage "

/* An output of step of the kind asked for, as step_output(). */
const char *ctx_output_of_kind(struct ctx *ctx, const char *step,
			       const char *key, int kind);

/* Whether a done step is still current; why says what changed if not. */
bool pipeline_step_current(struct ctx *ctx, const struct step *step,
			   struct step_state *s, struct strbuf *why);

#endif
