// SPDX-License-Identifier: GPL-2.0-or-later
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "pomctl/run-command.h"
#include "pomctl/text.h"
#include "pomctl/util.h"
#include "unit.h"

static void test_lines(void **unused)
{
	static const char text[] = "one\r\ntwo\n\nfour";
	struct lines l;
	size_t len;
	const char *s;

	(void)unused;
	lines_init(&l);
	lines_split(&l, text, sizeof(text) - 1);
	assert_int_equal(l.nr, 4);
	s = line_at(&l, 0, &len);
	assert_int_equal(len, 3);
	assert_memory_equal(s, "one", 3);
	s = line_raw(&l, 0, &len);
	assert_int_equal(len, 5);
	assert_true(line_equals(&l, 2, "", 0));
	assert_true(line_equals(&l, 3, "four", 4));
	assert_int_equal(lines_find(&l, 0, "two", 3), 1);
	assert_int_equal(lines_find(&l, 2, "two", 3), -1);
	lines_clear(&l);
}

/* The diff, applied by patch(1) to the old text, gives the new text. */
static void round_trip(const char *old, const char *new)
{
	char dir[UNIT_DIR_MAX];
	struct strbuf diff = STRBUF_INIT, path = STRBUF_INIT,
		      dpath = STRBUF_INIT, got = STRBUF_INIT;
	struct child_process cp = CHILD_PROCESS_INIT;
	int ret;

	assert_int_equal(unit_tmpdir("text", dir), 0);
	strbuf_addf(&path, "%s/f", dir);
	strbuf_addf(&dpath, "%s/f.diff", dir);
	assert_int_equal(write_file_atomic(path.buf, old, strlen(old), 0644),
			 0);
	text_diff("f", old, strlen(old), new, strlen(new), &diff);
	if (!strcmp(old, new)) {
		assert_int_equal(diff.len, 0);
		goto out;
	}
	assert_int_equal(write_file_atomic(dpath.buf, diff.buf, diff.len, 0644),
			 0);
	strvec_pushv(&cp.args, (const char *const[]){ "patch", "-s", "-p0",
						      "-i", "f.diff", NULL });
	cp.dir = dir;
	ret = run_command(&cp);
	if (ret != 0)
		fail_msg("patch refused (%d, %s):\n%s", ret, error_last(),
			 diff.buf);
	assert_int_equal(read_file(path.buf, 1 << 20, false, &got), 0);
	if (strcmp(got.buf, new))
		fail_msg("patch gave '%s' for\n%s", got.buf, diff.buf);
out:
	remove_tree(dir);
	strbuf_clear(&diff);
	strbuf_clear(&path);
	strbuf_clear(&dpath);
	strbuf_clear(&got);
}

static void test_diff_applies(void **unused)
{
	static const char base[] = "a\nb\nc\nd\ne\nf\ng\nh\n";

	(void)unused;
	round_trip(base, base);
	round_trip(base, "a\nb\nc\nd\nX\ne\nf\ng\nh\n");
	round_trip(base, "X\na\nb\nc\nd\ne\nf\ng\nh\n");
	round_trip(base, "a\nb\nc\nd\ne\nf\ng\nh\nX\n");
	round_trip(base, "a\nb\nc\nD\ne\nf\ng\nh\n");
	round_trip(base, "a\nb\nh\n");
	round_trip("x\ny", "x\ny\nz");
	round_trip("x\r\ny\r\n", "x\r\nnew\r\ny\r\n");
	round_trip("caf\xe9\n", "caf\xe9\nna\xefve\n");
	round_trip("", "new\n");
}

/*
 * Two edits far apart are two small hunks, as diff -u makes them, not one
 * hunk of everything between (a spec's Version and its %changelog).
 */
static void test_diff_hunks(void **unused)
{
	struct strbuf old = STRBUF_INIT, new = STRBUF_INIT, diff = STRBUF_INIT;
	size_t hunks = 0;

	(void)unused;
	for (int i = 1; i <= 60; i++) {
		strbuf_addf(&old, "line %d\n", i);
		if (i == 5)
			strbuf_addstr(&new, "Version: 1.2.8\n");
		else
			strbuf_addf(&new, "line %d\n", i);
		if (i == 50)
			strbuf_addstr(&new, "- a changelog line\n");
	}
	text_diff("iptables.spec", old.buf, old.len, new.buf, new.len, &diff);
	for (const char *p = diff.buf; (p = strstr(p, "\n@@ ")); p++)
		hunks++;
	hunks += !strncmp(diff.buf, "@@ ", 3);
	assert_int_equal(hunks, 2);
	assert_non_null(strstr(diff.buf, "@@ -2,7 +2,7 @@\n"));
	assert_non_null(strstr(diff.buf, "@@ -48,6 +48,7 @@\n"));
	assert_null(strstr(diff.buf, "-line 20\n"));
	strbuf_clear(&old);
	strbuf_clear(&new);
	strbuf_clear(&diff);
}

static void test_diff_header(void **unused)
{
	struct strbuf diff = STRBUF_INIT;
	static const char old[] = "VERSION = 2\nPATCHLEVEL = 4\nSUBLEVEL = 20\n"
				  "EXTRAVERSION = -13.8\n\nKERNELRELEASE = x\n";
	static const char new[] =
		"VERSION = 2\nPATCHLEVEL = 4\nSUBLEVEL = 20\n"
		"EXTRAVERSION = -13.8custom\n\nKERNELRELEASE = x\n";

	(void)unused;
	text_diff("Makefile", old, strlen(old), new, strlen(new), &diff);
	assert_string_equal(
		diff.buf, "--- Makefile\n+++ Makefile\n@@ -1,6 +1,6 @@\n"
			  " VERSION = 2\n PATCHLEVEL = 4\n SUBLEVEL = 20\n"
			  "-EXTRAVERSION = -13.8\n+EXTRAVERSION = -13.8custom\n"
			  " \n KERNELRELEASE = x\n");
	strbuf_clear(&diff);
}

/* diff -u of old and new as diffutils writes it (labels "f"). */
static void gnu_diff(const char *dir, const char *old, const char *new,
		     struct strbuf *out)
{
	struct child_process cp = CHILD_PROCESS_INIT;
	struct strbuf a = STRBUF_INIT, b = STRBUF_INIT;

	strbuf_addf(&a, "%s/a", dir);
	strbuf_addf(&b, "%s/b", dir);
	assert_int_equal(write_file_atomic(a.buf, old, strlen(old), 0644), 0);
	assert_int_equal(write_file_atomic(b.buf, new, strlen(new), 0644), 0);
	strvec_pushv(&cp.args, (const char *const[]){ "diff", "-u", "--label",
						      "f", "--label", "f",
						      a.buf, b.buf, NULL });
	cp.out = out;
	cp.log_fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
	assert_true(run_command(&cp) <= 1);
	close(cp.log_fd);
	strbuf_clear(&a);
	strbuf_clear(&b);
}

/*
 * What the plan shows is what diff -u shows, whether pomctl asked diff(1)
 * or wrote the hunk itself: 400 seeded edits (one line replaced, several,
 * lines added or removed, the last line's newline) of texts whose lines
 * repeat, each compared with diffutils' own output.
 */
static void test_diff_is_diffutils(void **unused)
{
	static const char *const words[] = {
		"a\n", "b\n",  "c\n", "d\n", "EXTRAVERSION = -13.8\n",
		"\n",  "x\r\n"
	};
	char dir[UNIT_DIR_MAX];
	struct strbuf old = STRBUF_INIT, new = STRBUF_INIT, ours = STRBUF_INIT,
		      theirs = STRBUF_INIT;
	unsigned seed = 20261206;

	(void)unused;
	assert_int_equal(unit_tmpdir("diffu", dir), 0);
	for (int round = 0; round < 400; round++) {
		size_t n = 1 + rand_r(&seed) % 14, at, cut, add;

		strbuf_reset(&old);
		for (size_t i = 0; i < n; i++)
			strbuf_addstr(&old, words[rand_r(&seed) % 7]);
		if (rand_r(&seed) % 5 == 0)
			strbuf_setlen(&old, old.len - 1); /* no newline */
		/* new: old's lines with [at, at + cut) replaced by add lines */
		at = rand_r(&seed) % (n + 1);
		cut = rand_r(&seed) % 3;
		add = rand_r(&seed) % 3;
		strbuf_reset(&new);
		for (size_t i = 0, line = 0; i < old.len; line++) {
			size_t len = strcspn(old.buf + i, "\n");

			len += old.buf[i + len] == '\n';
			if (line == at)
				for (size_t k = 0; k < add; k++)
					strbuf_addstr(&new,
						      words[rand_r(&seed) % 7]);
			if (line < at || line >= at + cut)
				strbuf_add(&new, old.buf + i, len);
			i += len;
		}
		if (at >= n)
			for (size_t k = 0; k < add; k++)
				strbuf_addstr(&new, words[rand_r(&seed) % 7]);
		strbuf_reset(&ours);
		strbuf_reset(&theirs);
		text_diff("f", old.buf, old.len, new.buf, new.len, &ours);
		gnu_diff(dir, old.buf, new.buf, &theirs);
		if (strcmp(ours.buf, theirs.buf))
			fail_msg("round %d: pomctl's diff\n%s\ndiffutils'\n%s",
				 round, ours.buf, theirs.buf);
	}
	remove_tree(dir);
	strbuf_clear(&old);
	strbuf_clear(&new);
	strbuf_clear(&ours);
	strbuf_clear(&theirs);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lines),
		cmocka_unit_test(test_diff_applies),
		cmocka_unit_test(test_diff_header),
		cmocka_unit_test(test_diff_hunks),
		cmocka_unit_test(test_diff_is_diffutils),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
