// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * librpm on a scratch database: two builds of a package made here with
 * rpmbuild, installed, upgraded, put back (an older version allowed) and
 * erased; a damaged package file refused before anything is installed.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "pomctl/rpmdb.h"
#include "pomctl/run-command.h"
#include "pomctl/util.h"
#include "unit.h"

static char dir[UNIT_DIR_MAX];
static struct strbuf root = STRBUF_INIT, v10 = STRBUF_INIT, v11 = STRBUF_INIT;

/* pomtest-VERSION-1.noarch.rpm built under dir, its path into out. */
static int build(const char *version, struct strbuf *out)
{
	struct child_process cp = CHILD_PROCESS_INIT;
	struct strbuf spec = STRBUF_INIT, text = STRBUF_INIT,
		      said = STRBUF_INIT;
	int ret;

	strbuf_addf(&text,
		    "Name: pomtest\nVersion: %s\nRelease: 1\n"
		    "Summary: a package of pomctl's unit tests\n"
		    "License: GPL\nBuildArch: noarch\n\n"
		    "%%description\nnothing\n\n%%files\n",
		    version);
	strbuf_addf(&spec, "pomtest-%s.spec", version);
	ret = unit_write(dir, spec.buf, text.buf);
	strbuf_reset(&text);
	strbuf_addf(&text, "_topdir %s/rpm", dir);
	strvec_pushv(&cp.args,
		     (const char *const[]){ "rpmbuild", "--quiet", "--define",
					    text.buf, "-bb", NULL });
	strvec_pushf(&cp.args, "%s/%s", dir, spec.buf);
	cp.out = &said; /* rpmbuild's words go there, not to the terminal */
	cp.log_fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
	if (!ret)
		ret = run_command(&cp);
	strbuf_addf(out, "%s/rpm/RPMS/noarch/pomtest-%s-1.noarch.rpm", dir,
		    version);
	close(cp.log_fd);
	child_process_clear(&cp);
	strbuf_clear(&said);
	strbuf_clear(&spec);
	strbuf_clear(&text);
	return ret;
}

static int group_setup(void **unused)
{
	(void)unused;
	if (unit_tmpdir("rpmdb", dir) || rpmdb_init())
		return -1;
	strbuf_addf(&root, "%s/root", dir);
	return build("1.0", &v10) || build("1.1", &v11) ||
	       mkdir_p(root.buf, 0755);
}

static int group_teardown(void **unused)
{
	(void)unused;
	remove_tree(dir);
	strbuf_clear(&root);
	strbuf_clear(&v10);
	strbuf_clear(&v11);
	return 0;
}

/* The installed pomtest, as N-V-R ("" when none). */
static void installed(struct strbuf *nvr)
{
	struct rpmdb db;
	struct rpmpkg p;

	strbuf_reset(nvr);
	assert_int_equal(rpmdb_open(&db, root.buf, "/var/lib/rpm", true), 0);
	if (rpmdb_newest(&db, "pomtest", &p) == 0) {
		rpmdb_pkg_nvr(&p, nvr);
		rpmdb_pkg_clear(&p);
	}
	rpmdb_close(&db);
}

static void test_lifecycle(void **unused)
{
	struct strvec paths = STRVEC_INIT, erase = STRVEC_INIT;
	struct strbuf nvr = STRBUF_INIT;
	struct rpmpkg *old = NULL, p;
	size_t n = 0;

	(void)unused;
	assert_int_equal(rpmdb_check_package(v10.buf, NULL, &p), 0);
	assert_string_equal(p.name, "pomtest");
	assert_string_equal(p.version, "1.0");
	rpmdb_pkg_clear(&p);

	strvec_push(&paths, v10.buf);
	assert_int_equal(rpmdb_install_packages(root.buf, "/var/lib/rpm",
						&paths, true),
			 0);
	installed(&nvr);
	assert_string_equal(nvr.buf, "pomtest-1.0-1");

	/* what 1.1 replaces, then the upgrade */
	strvec_clear(&paths);
	strvec_push(&paths, v11.buf);
	assert_int_equal(rpmdb_replaced_by(root.buf, "/var/lib/rpm", &paths,
					   &old, &n),
			 0);
	assert_int_equal(n, 1);
	assert_string_equal(old[0].version, "1.0");
	rpmdb_pkgs_free(old, n);
	assert_int_equal(rpmdb_install_packages(root.buf, "/var/lib/rpm",
						&paths, true),
			 0);
	installed(&nvr);
	assert_string_equal(nvr.buf, "pomtest-1.1-1");

	/* put back: the older build over the newer one */
	strvec_clear(&paths);
	strvec_push(&paths, v10.buf);
	assert_int_equal(rpmdb_restore_packages(root.buf, "/var/lib/rpm",
						&paths, NULL, true),
			 0);
	installed(&nvr);
	assert_string_equal(nvr.buf, "pomtest-1.0-1");

	/* and erased */
	strvec_push(&erase, "pomtest-1.0-1");
	assert_int_equal(rpmdb_restore_packages(root.buf, "/var/lib/rpm", NULL,
						&erase, true),
			 0);
	installed(&nvr);
	assert_string_equal(nvr.buf, "");
	strvec_clear(&paths);
	strvec_clear(&erase);
	strbuf_clear(&nvr);
}

/* damaged copy of v11: one byte at offset at changed, into path */
static void damage(long at, struct strbuf *path)
{
	struct strbuf text = STRBUF_INIT;

	assert_int_equal(read_file(v11.buf, 1 << 24, false, &text), 0);
	if (at < 0)
		at += (long)text.len;
	text.buf[at] ^= 0x20;
	strbuf_reset(path);
	strbuf_addf(path, "%s/damaged.rpm", dir);
	assert_int_equal(write_file_atomic(path->buf, text.buf, text.len, 0644),
			 0);
	strbuf_clear(&text);
}

/*
 * A damaged header is refused by the check, naming the package; a damaged
 * payload passes the header's check and is refused by the transaction
 * (the payload digest), the database left as it was.
 */
static void test_damaged(void **unused)
{
	struct strbuf copy = STRBUF_INIT, nvr = STRBUF_INIT;
	struct strvec paths = STRVEC_INIT;
	bool old;

	(void)unused;
	damage(-300, &copy); /* the header */
	old = error_set_quiet(true);
	assert_int_equal(rpmdb_check_package(copy.buf, "the damaged build",
					     NULL),
			 -1);
	assert_non_null(strstr(error_last(), "the damaged build"));

	strvec_push(&paths, v10.buf);
	assert_int_equal(rpmdb_install_packages(root.buf, "/var/lib/rpm",
						&paths, true),
			 0);
	damage(-8, &copy);
	strvec_clear(&paths);
	strvec_push(&paths, copy.buf);
	assert_int_equal(rpmdb_install_packages(root.buf, "/var/lib/rpm",
						&paths, true),
			 -1);
	error_set_quiet(old);
	installed(&nvr);
	assert_string_equal(nvr.buf, "pomtest-1.0-1");
	strvec_clear(&paths);
	strbuf_clear(&copy);
	strbuf_clear(&nvr);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lifecycle),
		cmocka_unit_test(test_damaged),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
