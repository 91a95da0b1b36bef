// SPDX-License-Identifier: GPL-2.0-or-later
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cmocka.h>

#include "pomctl/treesnap.h"
#include "pomctl/util.h"
#include "unit.h"

/* DIR/tree: a shipped kernel tree's leftovers; DIR/shelf; DIR/tree.list */
struct fixture {
	char dir[UNIT_DIR_MAX];
	struct strbuf tree, shelf, list;
	struct strvec shipped;
};

static int setup(void **ctx)
{
	struct fixture *f = xcalloc(1, sizeof(*f));
	struct strbuf p = STRBUF_INIT;

	if (unit_tmpdir("treesnap", f->dir))
		return -1;
	strbuf_init(&f->tree);
	strbuf_init(&f->shelf);
	strbuf_init(&f->list);
	strvec_init(&f->shipped);
	strbuf_addf(&f->tree, "%s/tree", f->dir);
	strbuf_addf(&f->shelf, "%s/shelf", f->dir);
	strbuf_addf(&f->list, "%s/tree.list", f->dir);
	if (unit_write(f->tree.buf, "Makefile", "all:\n") ||
	    unit_write(f->tree.buf, ".depend", "x.o: /build/stale.h\n") ||
	    unit_write(f->tree.buf, "net/.depend", "y.o: y.h\n") ||
	    unit_write(f->tree.buf, "scripts/mkdep", "#!/bin/sh\n") ||
	    unit_write(f->tree.buf, "include/linux/modules/a.ver", "v\n"))
		return -1;
	strbuf_addf(&p, "%s/scripts/mkdep", f->tree.buf);
	chmod(p.buf, 0644); /* as Red Hat shipped it: not executable */
	strbuf_clear(&p);
	if (treesnap_take(f->tree.buf, f->list.buf) ||
	    treesnap_paths(f->list.buf, &f->shipped))
		return -1;
	*ctx = f;
	return 0;
}

static int teardown(void **ctx)
{
	struct fixture *f = *ctx;

	remove_tree(f->dir);
	strbuf_clear(&f->tree);
	strbuf_clear(&f->shelf);
	strbuf_clear(&f->list);
	strvec_clear(&f->shipped);
	free(f);
	return 0;
}

static void rm(struct fixture *f, const char *rel)
{
	struct strbuf p = STRBUF_INIT;

	strbuf_addf(&p, "%s/%s", f->tree.buf, rel);
	assert_int_equal(remove_tree(p.buf) == 0 && !path_exists(p.buf), 1);
	strbuf_clear(&p);
}

static bool there(const char *dir, const char *rel)
{
	struct strbuf p = STRBUF_INIT;
	bool yes;

	strbuf_addf(&p, "%s/%s", dir, rel);
	yes = path_exists(p.buf);
	strbuf_clear(&p);
	return yes;
}

/* The tree against its list: 0 when it is as listed (content and mode). */
static int as_listed(struct fixture *f)
{
	struct treesnap_result r;
	int ret;

	treesnap_result_init(&r);
	ret = treesnap_restore(f->tree.buf, f->list.buf, false, &r);
	treesnap_result_clear(&r);
	return ret;
}

/* What a distclean deletes is kept, then put back: the tree as listed. */
static void test_distclean_put_back(void **ctx)
{
	struct fixture *f = *ctx;
	struct treesnap_shelf s;
	struct strvec back = STRVEC_INIT;
	char *text;

	assert_int_equal(treesnap_shelf_begin(&s, f->tree.buf, f->shelf.buf,
					      &f->shipped),
			 0);
	/* the make: deletes shipped files, makes and deletes its own */
	rm(f, ".depend");
	rm(f, "scripts/mkdep");
	rm(f, "include/linux/modules");
	assert_int_equal(unit_write(f->tree.buf, "built.o", "obj"), 0);
	assert_int_equal(treesnap_shelf_end(&s, &f->shipped), 0);
	/* the links are gone; the shelf has what went, not the run's own */
	assert_false(there(f->dir, ".tree.pomctl-shelving"));
	assert_true(there(f->shelf.buf, ".depend"));
	assert_true(there(f->shelf.buf, "include/linux/modules/a.ver"));
	assert_false(there(f->shelf.buf, "Makefile"));
	assert_false(there(f->shelf.buf, "built.o"));
	/* the run rebuilds .depend: rollback's shelf wins over it */
	assert_int_equal(unit_write(f->tree.buf, ".depend", "new\n"), 0);
	assert_int_equal(as_listed(f), 1);
	/* dry: said, nothing moved */
	assert_int_equal(treesnap_unshelve(f->tree.buf, f->shelf.buf, true,
					   &back),
			 0);
	assert_int_equal(back.nr, 3);
	assert_true(there(f->shelf.buf, ".depend"));
	strvec_clear(&back);
	assert_int_equal(treesnap_unshelve(f->tree.buf, f->shelf.buf, false,
					   &back),
			 0);
	assert_int_equal(back.nr, 3);
	assert_false(there(f->dir, "shelf"));
	text = unit_read(f->tree.buf, ".depend");
	assert_string_equal(text, "x.o: /build/stale.h\n");
	free(text);
	/* built.o is the run's: treesnap_restore removes it; then as listed */
	assert_int_equal(as_listed(f), 0);
	strvec_clear(&back);
}

/* A make interrupted: its links stay; the next begin keeps what went. */
static void test_interrupted(void **ctx)
{
	struct fixture *f = *ctx;
	struct treesnap_shelf s;
	struct strvec back = STRVEC_INIT;

	assert_int_equal(treesnap_shelf_begin(&s, f->tree.buf, f->shelf.buf,
					      &f->shipped),
			 0);
	rm(f, "net/.depend");
	/* killed here: no end; s's memory is the dead process's */
	free(s.dir);
	free(s.links);
	free(s.shelf);
	assert_true(there(f->dir, ".tree.pomctl-shelving/net/.depend"));
	/* rollback (or the next attempt) finds the links */
	assert_int_equal(treesnap_shelf_recover(f->tree.buf, f->shelf.buf,
						&f->shipped),
			 0);
	assert_false(there(f->dir, ".tree.pomctl-shelving"));
	assert_true(there(f->shelf.buf, "net/.depend"));
	assert_int_equal(treesnap_unshelve(f->tree.buf, f->shelf.buf, false,
					   &back),
			 0);
	assert_int_equal(as_listed(f), 0);
	strvec_clear(&back);
}

/* A file kept once stays as first kept: a second clean does not replace it. */
static void test_first_kept(void **ctx)
{
	struct fixture *f = *ctx;
	struct treesnap_shelf s;
	char *text;

	for (int i = 0; i < 2; i++) {
		assert_int_equal(treesnap_shelf_begin(&s, f->tree.buf,
						      f->shelf.buf,
						      &f->shipped),
				 0);
		rm(f, ".depend");
		assert_int_equal(treesnap_shelf_end(&s, &f->shipped), 0);
		/* make dep writes it again, for this run */
		assert_int_equal(unit_write(f->tree.buf, ".depend", "run\n"),
				 0);
	}
	text = unit_read(f->shelf.buf, ".depend");
	assert_string_equal(text, "x.o: /build/stale.h\n");
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_distclean_put_back, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_interrupted, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_first_kept, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
