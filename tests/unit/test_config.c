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

#include "pomctl/config.h"
#include "pomctl/util.h"
#include "unit.h"

static int parse(struct config *cfg, const char *text)
{
	bool old = error_set_quiet(true);
	int ret = config_parse(cfg, "test.conf", text, strlen(text));

	error_set_quiet(old);
	return ret;
}

static void test_defaults(void **unused)
{
	struct config cfg;

	(void)unused;
	config_init(&cfg);
	assert_string_equal(config_get(&cfg, "kernel", "tree"),
			    "/usr/src/linux-2.4");
	assert_string_equal(config_get(&cfg, "rpm", "topdir"),
			    "/usr/src/redhat");
	assert_string_equal(config_get(&cfg, "update", "updater"), "up2date");
	assert_string_equal(config_get(&cfg, "boot", "config"),
			    "/boot/grub/grub.conf");
	assert_string_equal(config_get(&cfg, "kernel", "extraversion_suffix"),
			    "custom");
	assert_false(config_get_bool(&cfg, "boot", "default_to_new"));
	assert_int_equal(config_get_uint(&cfg, "build", "jobs"), 0);
	config_clear(&cfg);
}

static void test_good_file(void **unused)
{
	struct config cfg;
	struct strvec argv = STRVEC_INIT;
	struct strbuf origin = STRBUF_INIT;

	(void)unused;
	config_init(&cfg);
	assert_int_equal(
		parse(&cfg,
		      "# comment\n; another\n\n[kernel]\n"
		      "  tree = /usr/src/linux \r\n"
		      "[build]\njobs=8\n[boot]\ndefault_to_new = Yes\n"
		      "[commands]\nmake = /usr/bin/make -s\n"
		      "[host]\nrelease = 2.4.20-13.8\n"
		      "[general]\npackager = Jane Admin <jane@example.org>\n"
		      "[sources]\nmirrors = http://a/x ftp://b/y\n"),
		0);
	assert_string_equal(config_get(&cfg, "kernel", "tree"),
			    "/usr/src/linux");
	assert_int_equal(config_get_uint(&cfg, "build", "jobs"), 8);
	assert_true(config_get_bool(&cfg, "boot", "default_to_new"));
	config_get_words(&cfg, "commands", "make", &argv);
	assert_int_equal(argv.nr, 2);
	assert_string_equal(argv.v[1], "-s");
	config_origin(&cfg, "build", "jobs", &origin);
	assert_string_equal(origin.buf, "default"); /* no file loaded */
	strvec_clear(&argv);
	strbuf_clear(&origin);
	config_clear(&cfg);
}

/* Each bad line: the message names file:line and what is wrong. */
static void test_bad_lines(void **unused)
{
	static const struct {
		const char *text, *message;
	} cases[] = {
		{ "[nosuch]\n", "test.conf:1: unknown section [nosuch]" },
		{ "[kernel\n", "test.conf:1: expected '[section]'" },
		{ "tree = /x\n",
		  "test.conf:1: 'tree' is outside any [section]" },
		{ "[kernel]\ntree\n", "test.conf:2: expected 'key = value'" },
		{ "[kernel]\nnosuch = 1\n",
		  "test.conf:2: unknown key 'nosuch' in [kernel]" },
		{ "[kernel]\ntree = usr/src\n",
		  "test.conf:2: [kernel] tree: bad value 'usr/src': expected an absolute path without '..'" },
		{ "[kernel]\ntree = /usr/../etc\n",
		  "[kernel] tree: bad value" },
		{ "[build]\njobs = many\n",
		  "test.conf:2: [build] jobs: bad value 'many': expected a number from 0 to 1024" },
		{ "[build]\njobs = 5000\n",
		  "expected a number from 0 to 1024" },
		{ "[boot]\ndefault_to_new = maybe\n", "expected yes or no" },
		{ "[update]\nupdater = apt\n",
		  "expected one of up2date|yum|dnf|none" },
		{ "[commands]\nmake = make; rm -rf /\n",
		  "expected a program and its arguments (no shell syntax)" },
		{ "[commands]\nmake =\n", "[commands] make: bad value ''" },
		{ "[sources]\npom_url = gopher://x\n", "expected an http://" },
		{ "[sources]\npom_sha256 = abc\n", "expected 64 hexadecimal" },
		{ "[host]\nrelease = 2.4 20\n", "[host] release: bad value" },
		{ "[kernel]\ntree = /a\ntree = /b\n",
		  "test.conf:3: [kernel] tree is already set on line 2" },
		{ "[general]\npackager = a\x01z\n",
		  "expected a value without control characters" },
	};

	(void)unused;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct config cfg;

		config_init(&cfg);
		assert_int_equal(parse(&cfg, cases[i].text), -1);
		if (!strstr(error_last(), cases[i].message))
			fail_msg("case %zu: '%s' lacks '%s'", i, error_last(),
				 cases[i].message);
		config_clear(&cfg);
	}
}

static void test_nul_and_long_line(void **unused)
{
	struct config cfg;
	struct strbuf long_line = STRBUF_INIT;
	bool old;

	(void)unused;
	config_init(&cfg);
	old = error_set_quiet(true);
	assert_int_equal(config_parse(&cfg, "t", "[kernel]\0x", 10), -1);
	assert_non_null(strstr(error_last(), "NUL byte"));
	strbuf_addstr(&long_line, "[general]\npackager = ");
	for (int i = 0; i < 5000; i++)
		strbuf_addch(&long_line, 'x');
	assert_int_equal(config_parse(&cfg, "t", long_line.buf, long_line.len),
			 -1);
	assert_non_null(strstr(error_last(), "t:2: line longer than"));
	error_set_quiet(old);
	strbuf_clear(&long_line);
	config_clear(&cfg);
}

static void write_conf(const char *path, const char *text, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (int)strlen(text));
	close(fd);
	assert_int_equal(chmod(path, mode), 0);
}

static void test_permissions(void **unused)
{
	char dir[UNIT_DIR_MAX];
	struct strbuf path = STRBUF_INIT, origin = STRBUF_INIT;
	struct config cfg;
	bool old;

	(void)unused;
	assert_int_equal(unit_tmpdir("conf", dir), 0);
	strbuf_addf(&path, "%s/pomctl.conf", dir);
	config_init(&cfg);
	old = error_set_quiet(true);
	write_conf(path.buf, "[build]\njobs = 3\n", 0666);
	assert_int_equal(config_load(&cfg, path.buf, true), -1);
	assert_non_null(strstr(error_last(), "writable by group or others"));
	assert_int_equal(config_get_uint(&cfg, "build", "jobs"), 0);
	write_conf(path.buf, "[build]\njobs = 3\n", 0620);
	assert_int_equal(config_load(&cfg, path.buf, true), -1);
	write_conf(path.buf, "[build]\njobs = 3\n", 0644);
	assert_int_equal(config_load(&cfg, path.buf, true), 0);
	assert_int_equal(config_get_uint(&cfg, "build", "jobs"), 3);
	config_origin(&cfg, "build", "jobs", &origin);
	assert_non_null(strstr(origin.buf, "pomctl.conf:2"));
	unlink(path.buf);
	/* missing: fine unless asked for */
	assert_int_equal(config_load(&cfg, path.buf, false), 0);
	assert_int_equal(config_load(&cfg, path.buf, true), -1);
	assert_non_null(strstr(error_last(), "cannot open config file"));
	if (getuid() == 0) {
		write_conf(path.buf, "", 0644);
		assert_int_equal(chown(path.buf, 12345, 12345), 0);
		assert_int_equal(config_load(&cfg, path.buf, true), -1);
		assert_non_null(strstr(error_last(), "owned by uid 12345"));
		unlink(path.buf);
	}
	error_set_quiet(old);
	rmdir(dir);
	strbuf_clear(&path);
	strbuf_clear(&origin);
	config_clear(&cfg);
}

static void test_command_line_override(void **unused)
{
	struct config cfg;
	struct strbuf origin = STRBUF_INIT;
	bool old;

	(void)unused;
	config_init(&cfg);
	assert_int_equal(config_set(&cfg, "build", "jobs", "4"), 0);
	config_origin(&cfg, "build", "jobs", &origin);
	assert_string_equal(origin.buf, "command line");
	old = error_set_quiet(true);
	assert_int_equal(config_set(&cfg, "build", "jobs", "-1"), -1);
	error_set_quiet(old);
	assert_int_equal(config_get_uint(&cfg, "build", "jobs"), 4);
	strbuf_clear(&origin);
	config_clear(&cfg);
}

/* Every key of the table is documented in its section of pomctl.conf(5). */
static void test_every_key_documented(void **unused)
{
	const char *top = getenv("POMCTL_TOP");
	struct strbuf path = STRBUF_INIT, man = STRBUF_INIT, want = STRBUF_INIT;
	const struct config_key *keys;
	size_t n;

	(void)unused;
	strbuf_addf(&path, "%s/man/pomctl.conf.5", top ? top : ".");
	assert_int_equal(read_file(path.buf, 1 << 20, false, &man), 0);
	keys = config_keys(&n);
	for (size_t i = 0; i < n; i++) {
		const char *sec, *end;

		strbuf_reset(&want);
		strbuf_addf(&want, ".SS [%s]\n", keys[i].section);
		sec = strstr(man.buf, want.buf);
		if (!sec)
			fail_msg("pomctl.conf.5 has no section [%s]",
				 keys[i].section);
		end = strstr(sec + want.len, ".SS ");
		strbuf_reset(&want);
		strbuf_addf(&want, "\n.B %s\n", keys[i].key);
		sec = strstr(sec, want.buf);
		if (!sec || (end && sec > end))
			fail_msg("pomctl.conf.5 does not document [%s] %s",
				 keys[i].section, keys[i].key);
	}
	strbuf_clear(&path);
	strbuf_clear(&man);
	strbuf_clear(&want);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_good_file),
		cmocka_unit_test(test_bad_lines),
		cmocka_unit_test(test_nul_and_long_line),
		cmocka_unit_test(test_permissions),
		cmocka_unit_test(test_command_line_override),
		cmocka_unit_test(test_every_key_documented),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
