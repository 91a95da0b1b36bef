// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "pomctl/state.h"
#include "pomctl/util.h"
#include "unit.h"

static const char *const names[] = { "check", "fetch", "rpm" };

struct fixture {
	char dir[UNIT_DIR_MAX];
	struct strbuf path;
};

static int setup(void **ctx)
{
	struct fixture *f = xcalloc(1, sizeof(*f));

	if (unit_tmpdir("state", f->dir))
		return -1;
	strbuf_init(&f->path);
	strbuf_addf(&f->path, "%s/%s", f->dir, STATE_FILE);
	*ctx = f;
	return 0;
}

static int teardown(void **ctx)
{
	struct fixture *f = *ctx;
	struct strbuf sb = STRBUF_INIT;

	unlink(f->path.buf);
	strbuf_addf(&sb, "%s.tmp", f->path.buf);
	unlink(sb.buf);
	strbuf_reset(&sb);
	strbuf_addf(&sb, "%s/lock", f->dir);
	unlink(sb.buf);
	rmdir(f->dir);
	strbuf_clear(&sb);
	strbuf_clear(&f->path);
	free(f);
	return 0;
}

static void save_sample(struct fixture *f)
{
	struct state st;
	struct step_state *s;

	state_init(&st, names, 3);
	st.path = xstrdup(f->path.buf);
	strvec_push(&st.patches, "string");
	s = state_step(&st, "check");
	s->status = STEP_DONE;
	s->runs = 1;
	xstrset(&s->finished, "2026-11-27T00:00:00Z");
	json_object_set_new(s->fingerprint, "config [kernel] tree",
			    json_string("/usr/src/linux-2.4"));
	state_set_output(&st, "check", "release", "2.4.20-13.8");
	s = state_step(&st, "fetch");
	s->status = STEP_AWAITING_REBOOT;
	xstrset(&s->pause_release, "2.4.20-13.8custom");
	xstrset(&s->pause_boot_id, "b1");
	assert_int_equal(state_save(&st), 0);
	state_clear(&st);
}

static int load(struct fixture *f, struct state *st)
{
	bool old = error_set_quiet(true);
	int ret = state_load(st, f->path.buf, names, 3);

	error_set_quiet(old);
	return ret;
}

static void test_roundtrip(void **ctx)
{
	struct fixture *f = *ctx;
	struct state st;

	save_sample(f);
	assert_int_equal(load(f, &st), 0);
	assert_string_equal(st.patches.v[0], "string");
	assert_int_equal(state_step(&st, "check")->status, STEP_DONE);
	assert_string_equal(state_get_output(&st, "check", "release"),
			    "2.4.20-13.8");
	assert_null(state_get_output(&st, "check", "nosuch"));
	assert_int_equal(state_step(&st, "fetch")->status,
			 STEP_AWAITING_REBOOT);
	assert_string_equal(state_step(&st, "fetch")->pause_release,
			    "2.4.20-13.8custom");
	assert_int_equal(state_step(&st, "rpm")->status, STEP_PENDING);
	state_clear(&st);
}

static void test_missing(void **ctx)
{
	struct fixture *f = *ctx;
	struct state st;

	assert_int_equal(load(f, &st), -ENOENT);
}

/* A crash between writing the temp file and the rename: the old state. */
static void test_crash_before_rename(void **ctx)
{
	struct fixture *f = *ctx;
	struct strbuf tmp = STRBUF_INIT;
	struct state st;
	int fd;

	save_sample(f);
	strbuf_addf(&tmp, "%s.tmp", f->path.buf);
	fd = open(tmp.buf, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "{\"schema\": 1, \"id\": \"hal", 24), 24);
	close(fd);
	assert_int_equal(load(f, &st), 0);
	assert_int_equal(state_step(&st, "check")->status, STEP_DONE);
	/* the next save replaces the leftover */
	assert_int_equal(state_save(&st), 0);
	assert_false(path_exists(tmp.buf));
	state_clear(&st);
	strbuf_clear(&tmp);
}

static void expect_damaged(struct fixture *f, const char *text, const char *why)
{
	struct state st;

	assert_int_equal(write_file_atomic(f->path.buf, text, strlen(text),
					   0600),
			 0);
	assert_int_equal(load(f, &st), -1);
	if (!strstr(error_last(), f->path.buf) || !strstr(error_last(), why))
		fail_msg("'%s' does not name the file and '%s'", error_last(),
			 why);
}

static void test_truncated(void **ctx)
{
	struct fixture *f = *ctx;
	struct strbuf text = STRBUF_INIT;

	save_sample(f);
	assert_int_equal(read_file(f->path.buf, 1 << 20, false, &text), 0);
	/* every truncation of a good file is refused, none crashes */
	for (size_t n = 0; n + 1 < text.len; n += 7) {
		struct state st;

		assert_int_equal(write_file_atomic(f->path.buf, text.buf, n,
						   0600),
				 0);
		assert_int_equal(load(f, &st), -1);
		assert_non_null(strstr(error_last(), "is damaged"));
	}
	strbuf_clear(&text);
}

static void test_damaged_fields(void **ctx)
{
	struct fixture *f = *ctx;

	expect_damaged(f, "[]", "not a JSON object");
	expect_damaged(f, "{\"schema\": 2}", "schema is not 1");
	expect_damaged(f, "{\"schema\": 1, \"id\": 5}", "field: id");
	/* the id names files: no path in it */
	expect_damaged(f,
		       "{\"schema\":1,\"id\":\"../../etc\",\"created\":"
		       "\"x\",\"command\":\"upgrade\",\"trial\":\"full\","
		       "\"force\":false,\"patches\":[],\"steps\":[]}",
		       "field: id");
	expect_damaged(f,
		       "{\"schema\":1,\"id\":\"x\",\"created\":\"x\","
		       "\"command\":\"upgrade\",\"trial\":\"full\","
		       "\"force\":false,\"patches\":[\"a;b\"],\"steps\":[]}",
		       "field: patches");
	expect_damaged(f,
		       "{\"schema\":1,\"id\":\"x\",\"created\":\"x\","
		       "\"command\":\"upgrade\",\"trial\":\"full\","
		       "\"force\":false,\"patches\":[],\"steps\":[]}",
		       "the step list is not the one this pomctl runs");
	expect_damaged(f,
		       "{\"schema\":1,\"id\":\"x\",\"created\":\"x\","
		       "\"command\":\"upgrade\",\"trial\":\"full\","
		       "\"force\":false,\"patches\":[],\"steps\":["
		       "{\"name\":\"check\",\"status\":\"weird\",\"runs\":0,"
		       "\"fingerprint\":{},\"outputs\":{}},"
		       "{\"name\":\"fetch\"},{\"name\":\"rpm\"}]}",
		       "step 'check', field 'status'");
	expect_damaged(f,
		       "{\"schema\":1,\"id\":\"x\",\"created\":\"x\","
		       "\"command\":\"upgrade\",\"trial\":\"full\","
		       "\"force\":false,\"patches\":[],\"steps\":["
		       "{\"name\":\"fetch\"},{\"name\":\"check\"},"
		       "{\"name\":\"rpm\"}]}",
		       "step 1 is not 'check'");
	expect_damaged(f, "{\"schema\":1,\"schema\":1}", "not valid JSON");
}

static void test_fingerprints(void **ctx)
{
	struct fixture *f = *ctx;
	struct fingerprint a, b;
	struct strbuf why = STRBUF_INIT;
	struct state st;

	(void)f;
	state_init(&st, names, 3);
	state_set_output(&st, "fetch", "tarball", "sha-1");
	fp_init(&a);
	fp_add(&a, "config [kernel] tree", "/usr/src/linux-2.4");
	fp_add_step(&a, &st, "fetch");
	fp_add_file(&a, "/nonexistent", "/nonexistent/file");
	assert_string_equal(json_string_value(
				    json_object_get(a.obj,
						    "file /nonexistent")),
			    "absent");

	fp_init(&b);
	fp_add(&b, "config [kernel] tree", "/usr/src/linux-2.4");
	fp_add_step(&b, &st, "fetch");
	fp_add_file(&b, "/nonexistent", "/nonexistent/file");
	assert_true(fp_compare(a.obj, &b, &why));

	state_set_output(&st, "fetch", "tarball", "sha-2");
	fp_clear(&b);
	fp_init(&b);
	fp_add(&b, "config [kernel] tree", "/usr/src/linux-2.4");
	fp_add_step(&b, &st, "fetch");
	fp_add_file(&b, "/nonexistent", "/nonexistent/file");
	assert_false(fp_compare(a.obj, &b, &why));
	assert_string_equal(why.buf, "the results of step 'fetch' changed");

	strbuf_reset(&why);
	fp_add(&b, "config [build] jobs", "4");
	json_object_set_new(a.obj, "step fetch",
			    json_incref(json_object_get(b.obj, "step fetch")));
	assert_false(fp_compare(a.obj, &b, &why));
	assert_string_equal(why.buf, "new input: config [build] jobs");

	strbuf_reset(&why);
	fp_add(&a, "config [build] jobs", "2");
	assert_false(fp_compare(a.obj, &b, &why));
	assert_string_equal(why.buf, "config [build] jobs changed");
	fp_clear(&a);
	fp_clear(&b);
	strbuf_clear(&why);
	state_clear(&st);
}

static void test_lock(void **ctx)
{
	struct fixture *f = *ctx;
	int fd = state_lock(f->dir, NULL), status;
	pid_t pid;

	assert_true(fd >= 0);
	pid = fork();
	if (pid == 0) {
		/* flock is per open file: a second open in another process
		 * must be refused and name our pid */
		error_set_quiet(true);
		_exit(state_lock(f->dir, NULL) == -EWOULDBLOCK &&
				      strstr(error_last(),
					     "another pomctl (pid") ?
			      0 :
			      1);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_int_equal(WEXITSTATUS(status), 0);
	state_unlock(fd);
	fd = state_lock(f->dir, NULL);
	assert_true(fd >= 0);
	state_unlock(fd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_roundtrip, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_missing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_crash_before_rename, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_truncated, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_damaged_fields, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_fingerprints, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_lock, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
