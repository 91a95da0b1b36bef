// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "pomctl/digest.h"
#include "pomctl/names.h"
#include "pomctl/safepath.h"
#include "pomctl/util.h"
#include "unit.h"

static void test_strbuf(void **unused)
{
	struct strbuf sb = STRBUF_INIT;
	char *s;

	(void)unused;
	assert_string_equal(sb.buf, "");
	strbuf_addstr(&sb, "abc");
	strbuf_addf(&sb, "-%d-", 42);
	strbuf_addch(&sb, 'x');
	assert_string_equal(sb.buf, "abc-42-x");
	assert_int_equal(sb.len, 8);
	for (int i = 0; i < 1000; i++)
		strbuf_addstr(&sb, "0123456789");
	assert_int_equal(sb.len, 10008);
	strbuf_reset(&sb);
	strbuf_addstr(&sb, "trail \t\r\n");
	strbuf_rtrim(&sb);
	assert_string_equal(sb.buf, "trail");
	s = strbuf_detach(&sb);
	assert_string_equal(s, "trail");
	assert_string_equal(sb.buf, "");
	free(s);
	strbuf_clear(&sb);
}

static void test_strvec(void **unused)
{
	struct strvec sv = STRVEC_INIT;
	const char *const *argv;

	(void)unused;
	assert_null(strvec_argv(&sv)[0]);
	strvec_push(&sv, "make");
	strvec_pushf(&sv, "-j%d", 4);
	strvec_pushv(&sv, (const char *const[]){ "a", "b", NULL });
	argv = strvec_argv(&sv);
	assert_int_equal(sv.nr, 4);
	assert_string_equal(argv[1], "-j4");
	assert_string_equal(argv[3], "b");
	assert_null(argv[4]);
	strvec_clear(&sv);
	assert_int_equal(sv.nr, 0);
}

static void test_patch_names(void **unused)
{
	static const char *const good[] = { "string", "IMQ", "ipt_TTL",
					    "h323-conntrack-nat", "v1.2+x" };
	static const char *const bad[] = {
		"",    "a;b", "../x", "-x",   ".x",
		"a b", "a/b", "$(x)", "a\nb", "string;touch /tmp/x"
	};

	(void)unused;
	for (size_t i = 0; i < ARRAY_SIZE(good); i++)
		assert_true(patch_name_is_valid(good[i]));
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++)
		assert_false(patch_name_is_valid(bad[i]));
	assert_false(patch_name_is_valid(
		"a23456789012345678901234567890123456789012345678901234567890123456"));
}

static void test_paths(void **unused)
{
	struct strbuf sb = STRBUF_INIT;

	(void)unused;
	assert_true(path_is_clean("/usr/src/linux-2.4"));
	assert_true(path_is_clean("/"));
	assert_true(path_is_clean("/a/..b/c..d"));
	assert_false(path_is_clean("usr/src"));
	assert_false(path_is_clean("/usr/../etc"));
	assert_false(path_is_clean("/usr/./etc"));
	assert_false(path_is_clean("/usr/src/.."));
	assert_false(path_is_clean("/a\nb"));
	root_path(&sb, "", "/boot");
	assert_string_equal(sb.buf, "/boot");
	root_path(&sb, "/tmp/r", "/boot");
	assert_string_equal(sb.buf, "/tmp/r/boot");
	root_path(&sb, "/", "/boot");
	assert_string_equal(sb.buf, "/boot");
	strbuf_clear(&sb);
}

static void test_sha256(void **unused)
{
	char out[SHA256_HEX];
	char path[UNIT_DIR_MAX];
	int fd = unit_tmpfile("test", path);

	(void)unused;
	sha256_hex("abc", 3, out);
	assert_string_equal(out, "ba7816bf8f01cfea414140de5dae2223"
				 "b00361a396177a9cb410ff61f20015ad");
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "abc", 3), 3);
	close(fd);
	assert_int_equal(sha256_file(path, out), 0);
	assert_string_equal(out, "ba7816bf8f01cfea414140de5dae2223"
				 "b00361a396177a9cb410ff61f20015ad");
	unlink(path);
	assert_true(sha256_file(path, out) < 0);
}

/* Piece by piece gives the digest of the whole; a discarded one is freed. */
static void test_sha256_stream(void **unused)
{
	static const char text[] = "abcdbcdecdefdefgefghfghighijhijkijkljklm"
				   "klmnlmnomnopnopq";
	struct sha256_state *s = sha256_begin();
	char whole[SHA256_HEX], pieces[SHA256_HEX];

	(void)unused;
	sha256_hex(text, strlen(text), whole);
	for (size_t i = 0; i < strlen(text); i += 7)
		sha256_update(s, text + i,
			      strlen(text) - i < 7 ? strlen(text) - i : 7);
	sha256_end(s, pieces);
	assert_string_equal(pieces, whole);
	assert_string_equal(whole, "248d6a61d20638b8e5c026930c3e6039"
				   "a33ce45964ff2167f6ecedd419db06c1");
	s = sha256_begin();
	sha256_update(s, "x", 1);
	sha256_end(s, NULL);
}

static void test_atomic_write(void **unused)
{
	char dir[UNIT_DIR_MAX];
	struct strbuf path = STRBUF_INIT, text = STRBUF_INIT;
	struct stat st;

	(void)unused;
	assert_int_equal(unit_tmpdir("test", dir), 0);
	strbuf_addf(&path, "%s/sub/dir/f", dir);
	assert_int_equal(mkdir_p(path.buf, 0700), 0);
	strbuf_addstr(&path, "/state");
	/* a leftover temp file from a crash is replaced, not appended to */
	strbuf_addstr(&text, path.buf);
	strbuf_addstr(&text, ".tmp");
	assert_int_equal(write_file_atomic(text.buf, "junk", 4, 0644), 0);
	assert_int_equal(write_file_atomic(path.buf, "one", 3, 0600), 0);
	assert_int_equal(write_file_atomic(path.buf, "two", 3, 0600), 0);
	strbuf_reset(&text);
	assert_int_equal(read_file(path.buf, 100, true, &text), 0);
	assert_string_equal(text.buf, "two");
	assert_int_equal(stat(path.buf, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	strbuf_reset(&text);
	assert_int_equal(read_file(path.buf, 2, true, &text), -EFBIG);
	strbuf_clear(&path);
	strbuf_clear(&text);
}

static void test_human_size(void **unused)
{
	struct strbuf sb = STRBUF_INIT;

	(void)unused;
	human_size(&sb, 512);
	assert_string_equal(sb.buf, "512 B");
	strbuf_reset(&sb);
	human_size(&sb, 4404019);
	assert_string_equal(sb.buf, "4.2 MiB");
	strbuf_clear(&sb);
}

static void test_error_last(void **unused)
{
	(void)unused;
	error_set_quiet(true);
	assert_int_equal(error("cannot open '%s'", "x"), -1);
	error_set_quiet(false);
	assert_string_equal(error_last(), "cannot open 'x'");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_strbuf),
		cmocka_unit_test(test_strvec),
		cmocka_unit_test(test_patch_names),
		cmocka_unit_test(test_paths),
		cmocka_unit_test(test_sha256),
		cmocka_unit_test(test_sha256_stream),
		cmocka_unit_test(test_atomic_write),
		cmocka_unit_test(test_human_size),
		cmocka_unit_test(test_error_last),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
