// SPDX-License-Identifier: GPL-2.0-or-later
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "pomctl/plan.h"
#include "pomctl/util.h"

static char *print(const struct plan *p, bool json)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	assert_non_null(f);
	plan_print(p, f, json);
	fclose(f);
	return text;
}

static void fill(struct plan *p)
{
	plan_begin_step(p, "fetch", "download");
	plan_download(p, "http://127.0.0.1/x.tar.bz2", 3 * 1024 * 1024,
		      "/var/lib/pomctl/cache/x");
	plan_download(p, "http://127.0.0.1/y.tar.bz2", 1258291,
		      "/var/lib/pomctl/cache/y");
	plan_begin_step(p, "trial", "build");
	plan_command(p, (const char *const[]){ "make", "-j2", "bzImage", NULL },
		     "/usr/src/linux-2.4");
	plan_edit(p, "/usr/src/linux-2.4/Makefile",
		  "-EXTRAVERSION = -13.8\n+EXTRAVERSION = -13.8custom\n");
	plan_reboot(p, "2.4.20-13.8custom");
	plan_begin_step(p, "install", "install");
	plan_package(p, "upgrade", "iptables-1.2.8-1.pom");
	plan_note(p, "will check %s once downloaded", "the spec");
}

static void test_summary(void **unused)
{
	struct plan p;
	char *text;

	(void)unused;
	plan_init(&p);
	assert_false(plan_has_changes(&p));
	plan_begin_step(&p, "check", "check");
	plan_note(&p, "only a note");
	assert_false(plan_has_changes(&p));
	fill(&p);
	assert_true(plan_has_changes(&p));
	text = print(&p, false);
	assert_non_null(strstr(text, "step 2/4: fetch - download\n"));
	assert_non_null(strstr(text, "    run: make -j2 bzImage    (in "
				     "/usr/src/linux-2.4)\n"));
	assert_non_null(strstr(text, "      +EXTRAVERSION = -13.8custom\n"));
	assert_non_null(strstr(text, "4 steps: 1 command, 1 file edit, "
				     "2 downloads (4.2 MiB), 1 package, "
				     "1 reboot\n"));
	free(text);
	plan_clear(&p);
}

static void test_json(void **unused)
{
	struct plan p;
	json_error_t err;
	json_t *doc, *summary, *action;
	char *text;

	(void)unused;
	plan_init(&p);
	fill(&p);
	plan_download(&p, "http://x/unknown", -1, "/d");
	text = print(&p, true);
	doc = json_loads(text, 0, &err);
	assert_non_null(doc);
	assert_int_equal(json_integer_value(json_object_get(doc, "schema")), 1);
	summary = json_object_get(doc, "summary");
	assert_int_equal(json_integer_value(
				 json_object_get(summary, "downloads")),
			 3);
	assert_int_equal(json_integer_value(
				 json_object_get(summary, "commands")),
			 1);
	assert_non_null(
		strstr(json_string_value(json_object_get(summary, "text")),
		       "(4.2 MiB and some of unknown size)"));
	action = json_array_get(
		json_object_get(json_array_get(json_object_get(doc, "steps"),
					       1),
				"actions"),
		0);
	assert_string_equal(json_string_value(json_object_get(action, "type")),
			    "command");
	assert_string_equal(json_string_value(
				    json_array_get(json_object_get(action,
								   "argv"),
						   2)),
			    "bzImage");
	json_decref(doc);
	free(text);
	plan_clear(&p);
}

/*
 * A rollback's files: each remove and restore counted as a file edit, the
 * last of them on a path deciding whether it will be there, a list of
 * many said in a line.
 */
static void test_removes_restores(void **unused)
{
	struct strvec one = STRVEC_INIT, many = STRVEC_INIT;
	char dir[] = "/tmp/pomctl-test-plan-XXXXXX", there[64];
	struct plan p;
	char *text;

	(void)unused;
	assert_non_null(mkdtemp(dir));
	snprintf(there, sizeof(there), "%s/there", dir);
	assert_int_equal(write_file_atomic(there, "x", 1, 0644), 0);
	plan_init(&p);
	plan_begin_step(&p, "verify", "undo");
	strvec_push(&one, "/boot/entry.conf");
	plan_restore(&p, &one, "/backups/0-entry.conf");
	assert_true(plan_will_exist(&p, "/boot/entry.conf"));
	assert_string_equal(plan_restored_from(&p, "/boot/entry.conf"),
			    "/backups/0-entry.conf");
	plan_begin_step(&p, "trial", "undo");
	plan_remove(&p, &one);
	assert_false(plan_will_exist(&p, "/boot/entry.conf"));
	assert_null(plan_restored_from(&p, "/boot/entry.conf"));
	/* untouched by the plan: as it is on disk */
	assert_true(plan_will_exist(&p, there));
	assert_false(plan_will_exist(&p, "/nonexistent/pomctl-test"));
	for (int i = 0; i < 10; i++)
		strvec_pushf(&many, "f%d", i);
	plan_begin_step(&p, "kernel tree", "undo");
	plan_remove(&p, &many);
	assert_true(plan_has_changes(&p));
	text = print(&p, false);
	assert_non_null(strstr(text, "    restore /boot/entry.conf from "
				     "/backups/0-entry.conf\n"));
	assert_non_null(strstr(text, "    remove /boot/entry.conf\n"));
	assert_non_null(strstr(text, "    remove 10 files (f0, f1, f2, f3, f4, "
				     "f5, f6, f7 and 2 more)\n"));
	assert_non_null(strstr(text, "3 steps: 0 commands, 12 file edits"));
	free(text);
	plan_clear(&p);
	strvec_clear(&one);
	strvec_clear(&many);
	assert_int_equal(unlink(there), 0);
	assert_int_equal(rmdir(dir), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_summary),
		cmocka_unit_test(test_json),
		cmocka_unit_test(test_removes_restores),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
