// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The pipeline over the test-double step table (tests/fixtures/teststeps.c:
 * nine steps whose work is `make NAME` in ROOT/teststeps): the steps run
 * in the table's order and are checkpointed; run again, a done step whose
 * inputs did not change is not run; a changed input runs that step and
 * the steps that depend on its output; a failure stops the run there and
 * says why; --from runs again from a step.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "pomctl/lifecycle.h"
#include "pomctl/log.h"
#include "pomctl/pipeline.h"
#include "pomctl/util.h"
#include "unit.h"

struct fixture {
	char dir[UNIT_DIR_MAX];
	struct strbuf steps; /* ROOT/teststeps */
	struct config cfg;
	struct ctx ctx;
	struct strvec patches;
	struct run_request rq;
};

static int setup(void **state)
{
	struct fixture *f = xcalloc(1, sizeof(*f));
	struct strbuf mk = STRBUF_INIT;
	char *text;

	if (unit_tmpdir("pipeline", f->dir))
		return -1;
	strbuf_init(&f->steps);
	strbuf_addf(&f->steps, "%s/teststeps", f->dir);
	strbuf_addf(&mk, "%s/tests/fixtures/teststeps.mk",
		    getenv("POMCTL_TOP") ? getenv("POMCTL_TOP") : ".");
	text = unit_read("/", mk.buf);
	if (!text || unit_write(f->steps.buf, "Makefile", text))
		return -1;
	for (size_t i = 0; i < pomctl_nr_steps; i++) {
		struct strbuf rel = STRBUF_INIT;

		strbuf_addf(&rel, "input-%s", pomctl_steps[i].name);
		unit_write(f->steps.buf, rel.buf, "1\n");
		strbuf_clear(&rel);
	}
	free(text);
	strbuf_clear(&mk);

	config_init(&f->cfg);
	f->ctx.env.cfg = &f->cfg;
	f->ctx.env.root = f->dir;
	f->ctx.env.log_fd = -1;
	strbuf_init(&f->ctx.state_dir);
	strbuf_init(&f->ctx.log_path);
	strbuf_addf(&f->ctx.state_dir, "%s/state", f->dir);
	if (host_init(&f->ctx.env.host, &f->cfg) < 0 ||
	    mkdir_p(f->ctx.state_dir.buf, 0700) < 0)
		return -1;
	strvec_init(&f->patches);
	strvec_push(&f->patches, "string");
	f->rq.patches = &f->patches;
	f->rq.yes = true;
	lifecycle_new_run(&f->ctx, &f->rq);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	remove_tree(f->dir);
	state_clear(f->ctx.state);
	free(f->ctx.state);
	host_clear(&f->ctx.env.host);
	config_clear(&f->cfg);
	strbuf_clear(&f->ctx.state_dir);
	strbuf_clear(&f->ctx.log_path);
	free(f->ctx.pause_release);
	free(f->ctx.end_reason);
	strvec_clear(&f->patches);
	strbuf_clear(&f->steps);
	free(f);
	return 0;
}

/* What make ran since the last call, one name a line ("" for nothing). */
static char *ran(struct fixture *f)
{
	char *text = unit_read(f->steps.buf, "ran");
	struct strbuf path = STRBUF_INIT;

	strbuf_addf(&path, "%s/ran", f->steps.buf);
	unlink(path.buf);
	strbuf_clear(&path);
	return text ? text : xstrdup("");
}

static void expect_ran(struct fixture *f, const char *names)
{
	char *got = ran(f);

	assert_string_equal(got, names);
	free(got);
}

static enum step_status status_of(struct fixture *f, const char *step)
{
	return state_step(f->ctx.state, step)->status;
}

static void test_in_order_then_nothing(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(pipeline_run(&f->ctx), EXIT_DONE);
	expect_ran(f, "check\nupdate\nfetch\ntrial\npatch\nrpm\nkernel\n"
		      "install\nverify\n");
	for (size_t i = 0; i < pomctl_nr_steps; i++)
		assert_int_equal(status_of(f, pomctl_steps[i].name), STEP_DONE);
	assert_string_equal(state_get_output(f->ctx.state, "rpm", "out"), "1");

	/* again: every step done, no input changed: nothing runs */
	assert_int_equal(pipeline_run(&f->ctx), EXIT_DONE);
	expect_ran(f, "");
}

/* A changed input: that step, and rpm after fetch (its output read). */
static void test_changed_input(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(pipeline_run(&f->ctx), EXIT_DONE);
	free(ran(f));
	unit_write(f->steps.buf, "input-fetch", "2\n");
	assert_int_equal(pipeline_run(&f->ctx), EXIT_DONE);
	expect_ran(f, "fetch\nrpm\n");
	assert_string_equal(state_get_output(f->ctx.state, "fetch", "out"),
			    "2");
}

/* A failure stops the run at that step, its reason kept; then resumed. */
static void test_failure_then_resume(void **state)
{
	struct fixture *f = *state;
	struct strbuf path = STRBUF_INIT;

	unit_write(f->steps.buf, "fail-patch", "");
	assert_int_equal(pipeline_run(&f->ctx), EXIT_FAILED);
	expect_ran(f, "check\nupdate\nfetch\ntrial\npatch\n");
	assert_int_equal(status_of(f, "patch"), STEP_FAILED);
	assert_int_equal(status_of(f, "rpm"), STEP_PENDING);
	assert_non_null(strstr(state_step(f->ctx.state, "patch")->error,
			       "make patch exited with 2"));

	strbuf_addf(&path, "%s/fail-patch", f->steps.buf);
	unlink(path.buf);
	assert_int_equal(pipeline_run(&f->ctx), EXIT_DONE);
	expect_ran(f, "patch\nrpm\nkernel\ninstall\nverify\n");
	strbuf_clear(&path);
}

/* --from: the step named and every step after it run again. */
static void test_from(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(pipeline_run(&f->ctx), EXIT_DONE);
	free(ran(f));
	f->ctx.resume_from = "install";
	assert_int_equal(pipeline_run(&f->ctx), EXIT_DONE);
	expect_ran(f, "install\nverify\n");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_in_order_then_nothing,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_changed_input, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_failure_then_resume, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_from, setup, teardown),
	};

	log_setup(true, false);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
