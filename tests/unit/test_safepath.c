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
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "pomctl/safepath.h"
#include "pomctl/util.h"
#include "unit.h"

static const struct {
	const char *path;
	const char *why; /* NULL: safe */
} rules[] = {
	{ "net/ipv4/netfilter/Config.in", NULL },
	{ "a/./b", NULL },
	{ "a..b/c..", NULL },
	{ "...", NULL },
	{ "", "is empty" },
	{ "/etc/passwd", "is an absolute path" },
	{ "..", "has a '..' component" },
	{ "../x", "has a '..' component" },
	{ "a/../../tmp/x/victim", "has a '..' component" },
	{ "a/..", "has a '..' component" },
	{ "a/\033[2Jb", "has a control character" },
	{ "a\nb", "has a control character" },
	{ "a/\177", "has a control character" },
};

static void test_rule(void **unused)
{
	char long_name[300];
	struct strbuf huge = STRBUF_INIT;

	(void)unused;
	for (size_t i = 0; i < ARRAY_SIZE(rules); i++) {
		const char *why = relpath_check(rules[i].path);

		if (!rules[i].why)
			assert_null(why);
		else
			assert_string_equal(why, rules[i].why);
	}
	memset(long_name, 'x', sizeof(long_name) - 1);
	long_name[sizeof(long_name) - 1] = '\0';
	assert_string_equal(relpath_check(long_name),
			    "has a component over 255 bytes");
	for (int i = 0; i < 200; i++)
		strbuf_addstr(&huge, "abcdefgh/");
	assert_string_equal(relpath_check(huge.buf), "is too long");
	strbuf_clear(&huge);
}

static char base[UNIT_DIR_MAX];

static void at(const char *rel, char *out, size_t n)
{
	snprintf(out, n, "%s/%s", base, rel);
}

static void mklink(const char *target, const char *rel)
{
	char p[UNIT_DIR_MAX + 64];

	at(rel, p, sizeof(p));
	assert_int_equal(symlink(target, p), 0);
}

static void mkfile(const char *rel, const char *text)
{
	char p[UNIT_DIR_MAX + 64];
	FILE *f;

	at(rel, p, sizeof(p));
	f = fopen(p, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static int setup(void **unused)
{
	char p[UNIT_DIR_MAX + 64];

	(void)unused;
	assert_int_equal(unit_tmpdir("safepath", base), 0);
	at("tree", p, sizeof(p));
	mkdir(p, 0755);
	at("tree/ptr", p, sizeof(p));
	mkdir(p, 0755);
	at("tree/etc", p, sizeof(p));
	mkdir(p, 0755);
	mkfile("secret", "outside\n");
	mkfile("tree/etc/inside", "inside\n");
	/* the chain of issue 14: each link "inside" alone, together at / */
	mklink(".", "tree/ptr/l0");
	for (int i = 1; i < 6; i++) {
		char target[32], name[32];

		snprintf(target, sizeof(target), "l%d/..", i - 1);
		snprintf(name, sizeof(name), "tree/ptr/l%d", i);
		mklink(target, name);
	}
	mklink("/etc/inside", "tree/abs");
	mklink("../../secret", "tree/etc/up");
	mklink("loop2", "tree/loop1");
	mklink("loop1", "tree/loop2");
	return 0;
}

static int teardown(void **unused)
{
	(void)unused;
	return remove_tree(base);
}

static void tree(char *out, size_t n)
{
	at("tree", out, n);
}

/* The chain leads out of the tree: refused, by openat2 and by the walk. */
static void test_chain(void **unused)
{
	char t[UNIT_DIR_MAX + 64];
	struct strbuf sb = STRBUF_INIT;

	(void)unused;
	tree(t, sizeof(t));
	assert_int_equal(path_walk(t, "ptr/l5/secret", BENEATH_TREE, true, &sb,
				   NULL),
			 -EXDEV);
	assert_int_equal(open_beneath(t, "ptr/l5/secret", O_RDONLY, 0,
				      BENEATH_TREE),
			 -EXDEV);
	assert_int_equal(open_beneath_walk(t, "ptr/l5/secret", O_RDONLY, 0,
					   BENEATH_TREE),
			 -EXDEV);
	assert_int_equal(read_beneath(t, "etc/up", 100, BENEATH_TREE, &sb),
			 -EXDEV);
	assert_int_equal(read_beneath(t, "etc/inside", 100, BENEATH_TREE, &sb),
			 0);
	assert_string_equal(sb.buf, "inside\n");
	strbuf_clear(&sb);
}

/* In a root, an absolute link and ".." stay in it. */
static void test_root(void **unused)
{
	char t[UNIT_DIR_MAX + 64];
	struct strbuf sb = STRBUF_INIT;
	bool diverged;
	int fd;

	(void)unused;
	tree(t, sizeof(t));
	assert_int_equal(path_walk(t, "/abs", BENEATH_ROOT, true, &sb,
				   &diverged),
			 0);
	assert_string_equal(sb.buf, "etc/inside");
	assert_true(diverged);
	assert_int_equal(path_walk(t, "/etc/up", BENEATH_ROOT, true, &sb,
				   &diverged),
			 0);
	assert_string_equal(sb.buf, "secret"); /* tree/secret: not there */
	assert_true(diverged);
	assert_int_equal(path_walk(t, "/etc/new/file", BENEATH_ROOT, true, &sb,
				   &diverged),
			 0);
	assert_string_equal(sb.buf, "etc/new/file");
	assert_false(diverged);
	assert_int_equal(path_walk(t, "/abs", BENEATH_ROOT, false, &sb, NULL),
			 0);
	assert_string_equal(sb.buf, "abs");
	for (int walk = 0; walk < 2; walk++) {
		fd = (walk ? open_beneath_walk : open_beneath)(t, "/abs",
							       O_RDONLY, 0,
							       BENEATH_ROOT);
		assert_true(fd >= 0);
		strbuf_reset(&sb);
		assert_int_equal(read_fd(fd, 100, &sb), 0);
		assert_string_equal(sb.buf, "inside\n");
		close(fd);
		assert_int_equal((walk ? open_beneath_walk :
					 open_beneath)(t, "/etc/up", O_RDONLY,
						       0, BENEATH_ROOT),
				 -ENOENT);
	}
	assert_int_equal(path_walk(t, "loop1", BENEATH_ROOT, true, &sb, NULL),
			 -ELOOP);
	strbuf_clear(&sb);
}

static void test_under(void **unused)
{
	(void)unused;
	assert_string_equal(path_under("/a/b", "/a/b/c/d"), "c/d");
	assert_string_equal(path_under("/a/b/", "/a/b/c"), "c");
	assert_null(path_under("/a/b", "/a/bc/d"));
	assert_null(path_under("/a/b", "/a/b"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rule),
		cmocka_unit_test(test_chain),
		cmocka_unit_test(test_root),
		cmocka_unit_test(test_under),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
