// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Kernel trees from bytes written here: the release read from the top
 * Makefile, a new EXTRAVERSION that no kernel on the host has, its edit
 * (planned, then made), the running kernel's configuration found, and
 * ARCH= from it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "pomctl/ktree.h"
#include "pomctl/util.h"
#include "unit.h"

struct fixture {
	char dir[UNIT_DIR_MAX];
	struct strbuf tree;
};

static int setup(void **state)
{
	struct fixture *f = xcalloc(1, sizeof(*f));

	if (unit_tmpdir("ktree", f->dir))
		return -1;
	strbuf_init(&f->tree);
	strbuf_addf(&f->tree, "%s/usr/src/linux", f->dir);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	remove_tree(f->dir);
	strbuf_clear(&f->tree);
	free(f);
	return 0;
}

static void makefile(struct fixture *f, const char *version,
		     const char *extraversion)
{
	struct strbuf text = STRBUF_INIT;
	unsigned v[3] = { 0, 0, 0 };

	assert_int_equal(sscanf(version, "%u.%u.%u", &v[0], &v[1], &v[2]), 3);
	strbuf_addf(&text,
		    "VERSION = %u\nPATCHLEVEL = %u\nSUBLEVEL = %u\n"
		    "EXTRAVERSION =%s%s\n\nall:\n\t@true\n",
		    v[0], v[1], v[2], *extraversion ? " " : "", extraversion);
	assert_int_equal(unit_write(f->tree.buf, "Makefile", text.buf), 0);
	strbuf_clear(&text);
}

static void test_release(void **state)
{
	struct fixture *f = *state;
	struct ktree t;

	makefile(f, "2.4.20", "-13.8");
	assert_int_equal(ktree_open(&t, f->tree.buf), 0);
	assert_string_equal(t.release, "2.4.20-13.8");
	assert_string_equal(t.extraversion, "-13.8");
	assert_false(t.is26);
	assert_true(ktree_has_dep(&t));
	assert_string_equal(ktree_module_suffix(&t), ".o");
	ktree_clear(&t);

	makefile(f, "6.1.192", "");
	assert_int_equal(ktree_open(&t, f->tree.buf), 0);
	assert_string_equal(t.release, "6.1.192");
	assert_true(t.is26);
	assert_false(ktree_has_dep(&t));
	assert_string_equal(ktree_module_suffix(&t), ".ko");
	ktree_clear(&t);

	/* not a kernel tree: refused, said */
	assert_int_equal(unit_write(f->tree.buf, "Makefile", "all:\n"), 0);
	error_set_quiet(true);
	assert_int_equal(ktree_open(&t, f->tree.buf), -1);
	error_set_quiet(false);
}

/* The modules path: the tree the running kernel came from, and its
 * EXTRAVERSION (Red Hat's kernel-source appends "custom" to it). */
static void test_running_extraversion(void **state)
{
	static const struct {
		const char *extraversion, *running, *out;
	} cases[] = {
		{ "-13.8", "2.4.20-13.8", "-13.8" },
		{ "-13.8custom", "2.4.20-13.8", "-13.8" },
		{ "-13.8custom", "2.4.20-13.8custom", "-13.8custom" },
		{ "-18.8", "2.4.20-13.8", NULL },
		{ "-13.8custom", "2.4.20-18.8", NULL },
		{ "-13.8", "2.4.20-13.8custom1", NULL }, /* pomctl's kernel */
		{ "custom", "2.4.20", "" },
	};
	struct fixture *f = *state;
	struct strbuf out = STRBUF_INIT, why = STRBUF_INIT;
	struct ktree t;

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		makefile(f, "2.4.20", cases[i].extraversion);
		assert_int_equal(ktree_open(&t, f->tree.buf), 0);
		strbuf_reset(&why);
		if (cases[i].out) {
			assert_int_equal(
				ktree_running_extraversion(&t, cases[i].running,
							   &out, &why),
				0);
			assert_string_equal(out.buf, cases[i].out);
			assert_int_equal(why.len, 0);
		} else {
			assert_int_equal(
				ktree_running_extraversion(&t, cases[i].running,
							   &out, &why),
				-1);
			assert_non_null(strstr(why.buf, cases[i].running));
			assert_non_null(strstr(why.buf, t.release));
		}
		ktree_clear(&t);
	}
	strbuf_clear(&out);
	strbuf_clear(&why);
}

static void new_extraversion(const struct ktree *t, const char *taken,
			     struct strbuf *out)
{
	struct strvec v = STRVEC_INIT;

	strvec_split(&v, taken, " ");
	strbuf_reset(out);
	ktree_new_extraversion(t, "custom", &v, out);
	strvec_clear(&v);
}

/* A release none of the host's kernels has: the suffix, then numbered. */
static void test_new_extraversion(void **state)
{
	struct fixture *f = *state;
	struct strbuf ext = STRBUF_INIT;
	struct ktree t;

	makefile(f, "2.4.20", "-13.8");
	assert_int_equal(ktree_open(&t, f->tree.buf), 0);
	new_extraversion(&t, "2.4.20-13.8", &ext);
	assert_string_equal(ext.buf, "-13.8custom");
	new_extraversion(&t, "2.4.20-13.8 2.4.20-13.8custom", &ext);
	assert_string_equal(ext.buf, "-13.8custom1");
	new_extraversion(&t, "2.4.20-13.8custom 2.4.20-13.8custom1", &ext);
	assert_string_equal(ext.buf, "-13.8custom2");
	ktree_clear(&t);

	/* a tree that carries the suffix already: it is varied, not doubled */
	makefile(f, "2.4.20", "-13.8custom");
	assert_int_equal(ktree_open(&t, f->tree.buf), 0);
	new_extraversion(&t, "2.4.20-13.8custom", &ext);
	assert_string_equal(ext.buf, "-13.8custom1");
	ktree_clear(&t);
	strbuf_clear(&ext);
}

/* The edit shown as a diff with nothing written, then made. */
static void test_set_extraversion(void **state)
{
	struct fixture *f = *state;
	struct strbuf diff = STRBUF_INIT;
	char *text;
	struct ktree t;

	makefile(f, "2.6.9", "-5.EL");
	assert_int_equal(ktree_open(&t, f->tree.buf), 0);
	assert_int_equal(ktree_set_extraversion(&t, "-5.ELcustom", NULL, &diff),
			 0);
	assert_non_null(strstr(diff.buf, "-EXTRAVERSION = -5.EL\n"));
	assert_non_null(strstr(diff.buf, "+EXTRAVERSION = -5.ELcustom\n"));
	text = unit_read(f->tree.buf, "Makefile");
	assert_non_null(strstr(text, "EXTRAVERSION = -5.EL\n")); /* planned */
	free(text);
	ktree_clear(&t);
	strbuf_clear(&diff);
}

/* [kernel] config, /boot/config-RUNNING, then the tree's configs/. */
static void test_find_config(void **state)
{
	struct fixture *f = *state;
	struct strbuf path = STRBUF_INIT, arch = STRBUF_INIT;
	struct strvec tried = STRVEC_INIT;
	struct ktree t;

	makefile(f, "2.4.20", "-13.8");
	assert_int_equal(ktree_open(&t, f->tree.buf), 0);
	assert_int_equal(unit_write(f->tree.buf,
				    "configs/kernel-2.4.20-i686.config",
				    "CONFIG_X86=y\nCONFIG_M686=y\n"),
			 0);
	assert_int_equal(ktree_find_config(f->dir, &t, "2.4.20-13.8", "i686",
					   "", &path, &tried),
			 0);
	assert_non_null(strstr(path.buf, "configs/kernel-2.4.20-i686.config"));
	assert_true(tried.nr >= 2); /* /boot/config-2.4.20-13.8 first */
	ktree_arch(path.buf, "", "i686", &arch);
	assert_string_equal(arch.buf, "i386");

	assert_int_equal(unit_write(f->dir, "boot/config-2.4.20-13.8",
				    "CONFIG_X86_64=y\n"),
			 0);
	strvec_clear(&tried);
	assert_int_equal(ktree_find_config(f->dir, &t, "2.4.20-13.8", "i686",
					   "", &path, &tried),
			 0);
	assert_non_null(strstr(path.buf, "/boot/config-2.4.20-13.8"));
	strbuf_reset(&arch);
	ktree_arch(path.buf, "", "i686", &arch);
	assert_string_equal(arch.buf, "x86_64");
	strbuf_reset(&arch);
	ktree_arch(path.buf, "ppc", "i686", &arch); /* [build] arch wins */
	assert_string_equal(arch.buf, "ppc");

	/* none anywhere: refused, every place named */
	strvec_clear(&tried);
	error_set_quiet(true);
	assert_int_equal(ktree_find_config(f->dir, &t, "2.4.99", "s390", "",
					   &path, &tried),
			 -1);
	error_set_quiet(false);
	assert_non_null(strstr(error_last(), "/boot/config-2.4.99"));
	ktree_clear(&t);
	strvec_clear(&tried);
	strbuf_clear(&path);
	strbuf_clear(&arch);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_release, setup, teardown),
		cmocka_unit_test_setup_teardown(test_running_extraversion,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_new_extraversion, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_set_extraversion, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_find_config, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
