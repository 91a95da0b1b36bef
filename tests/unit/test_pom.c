// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * patch-o-matic trees read from bytes written here: the classic and the -ng
 * layout, the parts chosen for a kernel, the order of a set, and where
 * line-adds land in a kernel tree.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "pomctl/config.h"
#include "pomctl/env.h"
#include "pomctl/manifest.h"
#include "pomctl/pom.h"
#include "pomctl/scratch.h"
#include "pomctl/util.h"
#include "unit.h"

struct fixture {
	char dir[UNIT_DIR_MAX];
	struct strbuf pom, kernel;
};

static int setup(void **state)
{
	struct fixture *f = xcalloc(1, sizeof(*f));

	if (unit_tmpdir("pom", f->dir))
		return -1;
	strbuf_init(&f->pom);
	strbuf_init(&f->kernel);
	strbuf_addf(&f->pom, "%s/pom", f->dir);
	strbuf_addf(&f->kernel, "%s/linux", f->dir);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	remove_tree(f->dir);
	strbuf_clear(&f->pom);
	strbuf_clear(&f->kernel);
	free(f);
	return 0;
}

static void put(const struct strbuf *dir, const char *rel, const char *text)
{
	assert_int_equal(unit_write(dir->buf, rel, text), 0);
}

static const unsigned k2420[3] = { 2, 4, 20 }, k2610[3] = { 2, 6, 10 },
		      k2620[3] = { 2, 6, 20 };

#define STRING_DIFF                                             \
	"--- linux/include/linux/netfilter_ipv4/ipt_string.h\n" \
	"+++ linux/include/linux/netfilter_ipv4/ipt_string.h\n" \
	"@@ -0,0 +1 @@\n"                                       \
	"+#define IPT_STRING_MAX 128\n"

static void test_classic(void **state)
{
	struct fixture *f = *state;
	struct pom_tree pt;
	struct pom_patch *p;

	put(&f->pom, "extra/string.patch", STRING_DIFF);
	put(&f->pom, "extra/string.patch.help",
	    "Author: Emmanuel Roger\nStatus: Working\n\n"
	    "This patch adds CONFIG_IP_NF_MATCH_STRING.\n");
	put(&f->pom, "extra/string.patch.config.in",
	    "  dep_tristate '  MARK match' CONFIG_IP_NF_MATCH_MARK "
	    "$CONFIG_IP_NF_IPTABLES\n"
	    "  dep_tristate '  String match' CONFIG_IP_NF_MATCH_STRING "
	    "$CONFIG_IP_NF_IPTABLES\n");
	put(&f->pom, "extra/string.patch.makefile",
	    "obj-$(CONFIG_IP_NF_MATCH_MARK) += ipt_mark.o\n"
	    "obj-$(CONFIG_IP_NF_MATCH_STRING) += ipt_string.o\n");
	put(&f->pom, "base/mark.patch.config.in", "x\ny\n"); /* no .patch */
	assert_int_equal(pom_open(&pt, f->pom.buf, k2420), 0);
	assert_false(pt.ng);
	assert_int_equal(pom_find(&pt, "string", &p, NULL), 0);
	assert_string_equal(p->repo, "extra");
	assert_int_equal(p->diffs.nr, 1);
	assert_int_equal(p->nladds, 2);
	assert_true(strvec_has(&p->options, "CONFIG_IP_NF_MATCH_STRING"));
	assert_false(strvec_has(&p->options, "CONFIG_IP_NF_MATCH_MARK"));
	assert_true(strvec_has(&p->objects, "net/ipv4/netfilter/ipt_string"));
	assert_int_equal(p->objects.nr, 1);
	assert_null(p->unsafe);
	assert_null(p->not_for_kernel);
	assert_true(pom_kernel_part(p));
	pom_clear(&pt);
}

static void put_ng_string(const struct strbuf *pom)
{
	put(pom, "patchlets/string/info",
	    "Title: string match\nAuthor: Emmanuel Roger\nStatus: Working\n"
	    "Repository: extra\nRequires: linux < 2.6.14\n\nThe help.\n");
	put(pom, "patchlets/string/linux-2.4.patch", STRING_DIFF);
	put(pom, "patchlets/string/linux-2.6.patch", STRING_DIFF);
	put(pom, "patchlets/string/linux-2.4/net/ipv4/netfilter/Config.in.ladd",
	    "  dep_tristate '  MARK match' CONFIG_IP_NF_MATCH_MARK "
	    "$CONFIG_IP_NF_IPTABLES\n"
	    "  dep_tristate '  String match' CONFIG_IP_NF_MATCH_STRING "
	    "$CONFIG_IP_NF_IPTABLES\n");
	put(pom, "patchlets/string/linux-2.6/net/ipv4/netfilter/Kconfig.ladd",
	    "config IP_NF_MATCH_STRING\n\ttristate 'String match'\n");
	/* a project's best part wins whole: linux-2.4/ over linux/ */
	for (int i = 0; i < 2; i++) {
		struct strbuf rel = STRBUF_INIT;
		const char *dir = i ? "linux-2.6" : "linux-2.4";

		strbuf_addf(&rel,
			    "patchlets/string/%s/net/ipv4/netfilter/"
			    "Makefile.ladd",
			    dir);
		put(pom, rel.buf,
		    "obj-$(CONFIG_IP_NF_MATCH_MARK) += ipt_mark.o\n"
		    "obj-$(CONFIG_IP_NF_MATCH_STRING) += ipt_string.o\n");
		strbuf_reset(&rel);
		strbuf_addf(&rel,
			    "patchlets/string/%s/net/ipv4/netfilter/"
			    "ipt_string.c",
			    dir);
		put(pom, rel.buf, "/* the match */\n");
		strbuf_clear(&rel);
	}
	put(pom, "patchlets/string/linux/net/ipv4/netfilter/ipt_other.c",
	    "/* of the weakest part: not taken */\n");
}

/* -ng: the parts for the kernel's branch, and Requires. */
static void test_ng(void **state)
{
	struct fixture *f = *state;
	struct pom_tree pt;
	struct pom_patch *p;

	put_ng_string(&f->pom);
	assert_int_equal(pom_open(&pt, f->pom.buf, k2420), 0);
	assert_true(pt.ng);
	assert_int_equal(pom_find(&pt, "string", &p, NULL), 0);
	assert_string_equal(p->title, "string match");
	assert_string_equal(p->repo, "extra");
	assert_int_equal(p->diffs.nr, 1);
	assert_non_null(strstr(p->diffs.v[0], "linux-2.4.patch"));
	assert_int_equal(p->ncopies, 1);
	assert_string_equal(p->copies[0].dst,
			    "net/ipv4/netfilter/ipt_string.c");
	assert_true(strvec_has(&p->options, "CONFIG_IP_NF_MATCH_STRING"));
	pom_clear(&pt);

	assert_int_equal(pom_open(&pt, f->pom.buf, k2610), 0);
	assert_int_equal(pom_find(&pt, "string", &p, NULL), 0);
	assert_non_null(strstr(p->diffs.v[0], "linux-2.6.patch"));
	assert_null(p->not_for_kernel);
	pom_clear(&pt);

	/* mainline since 2.6.14: nothing for this kernel */
	assert_int_equal(pom_open(&pt, f->pom.buf, k2620), 0);
	assert_int_equal(pom_find(&pt, "string", &p, NULL), 0);
	assert_non_null(p->not_for_kernel);
	pom_clear(&pt);
}

static void info(const struct strbuf *pom, const char *name,
		 const char *depends)
{
	struct strbuf rel = STRBUF_INIT, text = STRBUF_INIT;

	strbuf_addf(&rel, "patchlets/%s/info", name);
	strbuf_addf(&text, "Title: %s\nRepository: extra\n%s%s%s\n", name,
		    depends ? "Depends: " : "", depends ? depends : "",
		    depends ? "\n" : "");
	put(pom, rel.buf, text.buf);
	strbuf_reset(&rel);
	strbuf_addf(&rel, "patchlets/%s/linux/net/%s.c", name, name);
	put(pom, rel.buf, "/* new */\n");
	strbuf_clear(&rel);
	strbuf_clear(&text);
}

/* The set of names, ordered ("c b a"), or why not, into out. */
static int order(const struct pom_tree *pt, const char *names,
		 struct strbuf *out)
{
	struct strvec v = STRVEC_INIT;
	struct pom_patch **set = NULL;
	size_t n = 0;
	int ret;

	strvec_split(&v, names, " ");
	strbuf_reset(out);
	ret = pom_order(pt, &v, &set, &n, out);
	for (size_t i = 0; !ret && i < n; i++)
		strbuf_addf(out, "%s%s", i ? " " : "", set[i]->name);
	free(set);
	strvec_clear(&v);
	return ret;
}

static void test_order(void **state)
{
	struct fixture *f = *state;
	struct strbuf got = STRBUF_INIT;
	struct pom_tree pt;

	info(&f->pom, "a", "b");
	info(&f->pom, "b", "c");
	info(&f->pom, "c", NULL);
	info(&f->pom, "d", "!a");
	info(&f->pom, "e", "nowhere");
	info(&f->pom, "x", "y");
	info(&f->pom, "y", "x");
	assert_int_equal(pom_open(&pt, f->pom.buf, k2610), 0);
	assert_int_equal(order(&pt, "a", &got), 0);
	assert_string_equal(got.buf, "c b a");
	assert_int_equal(order(&pt, "c a", &got), 0);
	assert_string_equal(got.buf, "c b a"); /* each once */
	assert_int_equal(order(&pt, "d", &got), 0);
	assert_int_equal(order(&pt, "a d", &got), -1);
	assert_string_equal(got.buf,
			    "patches 'd' and 'a' conflict: choose one");
	assert_int_equal(order(&pt, "e", &got), -1);
	assert_string_equal(got.buf, "patch 'e' needs 'nowhere', which is not "
				     "in the patch-o-matic tree");
	assert_int_equal(order(&pt, "x", &got), -1);
	assert_string_equal(got.buf,
			    "patches 'x' and 'y' depend on each other");
	assert_int_equal(order(&pt, "nosuch", &got), -1);
	assert_non_null(strstr(got.buf, "there is no patch 'nosuch'"));
	pom_clear(&pt);
	strbuf_clear(&got);
}

/*
 * string applied to a 2.4 (Config.in) or 2.6 (Kconfig) tree of bytes:
 * pom_apply()'s answer (its error kept for error_last()); done gets the
 * patches that went in.
 */
static int apply_string(struct fixture *f, const unsigned kv[3],
			struct strvec *done)
{
	struct config cfg;
	struct env env = { &cfg, { 0 }, "", NULL, -1 };
	struct strvec names = STRVEC_INIT;
	struct strbuf state = STRBUF_INIT;
	struct pom_patch **set = NULL;
	struct pom_tree pt;
	struct manifest m;
	size_t n = 0;
	bool old;
	int ret;

	config_init(&cfg);
	strbuf_addf(&state, "%s/state", f->dir);
	assert_int_equal(mkdir_parent(state.buf, 0700), 0);
	assert_int_equal(manifest_open(&m, "", state.buf, "r1", "patch"), 0);
	assert_int_equal(pom_open(&pt, f->pom.buf, kv), 0);
	strvec_push(&names, "string");
	assert_int_equal(pom_order(&pt, &names, &set, &n, NULL), 0);
	old = error_set_quiet(true);
	ret = pom_apply(&env, &pt, set, n, f->kernel.buf, &m, done);
	error_set_quiet(old);
	assert_int_equal(pom_is_applied(&env, &pt, set[0], f->kernel.buf),
			 ret == 0);
	free(set);
	pom_clear(&pt);
	manifest_clear(&m);
	config_clear(&cfg);
	strvec_clear(&names);
	strbuf_clear(&state);
	return ret;
}

static void expect(struct fixture *f, const char *rel, const char *text)
{
	char *got = unit_read(f->kernel.buf, rel);

	assert_non_null(got);
	assert_string_equal(got, text);
	free(got);
}

/* Line-adds: after their anchor (2.4), before endmenu (Kconfig), bytes. */
static void test_ladds(void **state)
{
	struct fixture *f = *state;
	struct strvec done = STRVEC_INIT;

	put_ng_string(&f->pom);
	put(&f->kernel, "include/linux/netfilter_ipv4/ipt_string.h", "");
	put(&f->kernel, "net/ipv4/netfilter/Config.in",
	    "# Latin-1 \xe9 kept\n"
	    "  dep_tristate '  MARK match' CONFIG_IP_NF_MATCH_MARK "
	    "$CONFIG_IP_NF_IPTABLES\n"
	    "  dep_tristate '  TTL match' CONFIG_IP_NF_MATCH_TTL "
	    "$CONFIG_IP_NF_IPTABLES");
	put(&f->kernel, "net/ipv4/netfilter/Makefile",
	    "obj-$(CONFIG_IP_NF_MATCH_MARK) += ipt_mark.o\n"
	    "obj-$(CONFIG_IP_NF_MATCH_TTL) += ipt_ttl.o\n");
	assert_int_equal(apply_string(f, k2420, &done), 0);
	assert_true(strvec_has(&done, "string"));
	expect(f, "net/ipv4/netfilter/Config.in",
	       "# Latin-1 \xe9 kept\n"
	       "  dep_tristate '  MARK match' CONFIG_IP_NF_MATCH_MARK "
	       "$CONFIG_IP_NF_IPTABLES\n"
	       "  dep_tristate '  String match' CONFIG_IP_NF_MATCH_STRING "
	       "$CONFIG_IP_NF_IPTABLES\n"
	       "  dep_tristate '  TTL match' CONFIG_IP_NF_MATCH_TTL "
	       "$CONFIG_IP_NF_IPTABLES");
	expect(f, "net/ipv4/netfilter/Makefile",
	       "obj-$(CONFIG_IP_NF_MATCH_MARK) += ipt_mark.o\n"
	       "obj-$(CONFIG_IP_NF_MATCH_STRING) += ipt_string.o\n"
	       "obj-$(CONFIG_IP_NF_MATCH_TTL) += ipt_ttl.o\n");
	expect(f, "net/ipv4/netfilter/ipt_string.c", "/* the match */\n");
	expect(f, "include/linux/netfilter_ipv4/ipt_string.h",
	       "#define IPT_STRING_MAX 128\n");

	remove_tree(f->kernel.buf);
	put(&f->kernel, "include/linux/netfilter_ipv4/ipt_string.h", "");
	put(&f->kernel, "net/ipv4/netfilter/Kconfig",
	    "menu \"IP: Netfilter\"\n\nconfig IP_NF_MATCH_MARK\n"
	    "\ttristate 'MARK'\n\nendmenu\n");
	put(&f->kernel, "net/ipv4/netfilter/Makefile",
	    "obj-$(CONFIG_IP_NF_MATCH_MARK) += ipt_mark.o\n");
	assert_int_equal(apply_string(f, k2610, &done), 0);
	expect(f, "net/ipv4/netfilter/Kconfig",
	       "menu \"IP: Netfilter\"\n\nconfig IP_NF_MATCH_MARK\n"
	       "\ttristate 'MARK'\n\n"
	       "config IP_NF_MATCH_STRING\n\ttristate 'String match'\n\n"
	       "endmenu\n");
	expect(f, "net/ipv4/netfilter/Makefile",
	       "obj-$(CONFIG_IP_NF_MATCH_MARK) += ipt_mark.o\n"
	       "obj-$(CONFIG_IP_NF_MATCH_STRING) += ipt_string.o\n");
	strvec_clear(&done);
}

/* A line-add whose anchor the tree lacks: refused, nothing changed. */
static void test_ladd_anchor_missing(void **state)
{
	struct fixture *f = *state;
	struct strvec done = STRVEC_INIT;

	put_ng_string(&f->pom);
	put(&f->kernel, "include/linux/netfilter_ipv4/ipt_string.h", "");
	put(&f->kernel, "net/ipv4/netfilter/Config.in", "nothing here\n");
	put(&f->kernel, "net/ipv4/netfilter/Makefile", "nor here\n");
	assert_int_equal(apply_string(f, k2420, &done), -1);
	assert_non_null(strstr(error_last(), "nothing was changed"));
	assert_int_equal(done.nr, 0);
	expect(f, "net/ipv4/netfilter/Config.in", "nothing here\n");
	expect(f, "include/linux/netfilter_ipv4/ipt_string.h", "");
	strvec_clear(&done);
}

/* A patch of only diffs (written into the fixture's dir), for the
 * questions about what a diff does to a tree. */
static void diff_patch(struct fixture *f, struct pom_patch *p, const char *name,
		       const char *diff)
{
	struct strbuf path = STRBUF_INIT;

	memset(p, 0, sizeof(*p));
	p->name = (char *)name;
	strvec_init(&p->diffs);
	strbuf_addf(&path, "%s/%s.diff", f->dir, name);
	assert_int_equal(unit_write(f->dir, strrchr(path.buf, '/') + 1, diff),
			 0);
	strvec_push(&p->diffs, path.buf);
	strbuf_clear(&path);
}

/* only_adds(f, why, added, patches...): pom_adds_modules_only on kernel */
static bool only_adds(struct fixture *f, struct pom_patch *const *set, size_t n,
		      struct strvec *added, struct strbuf *why)
{
	strvec_clear(added);
	strbuf_reset(why);
	return pom_adds_modules_only(set, n, f->kernel.buf, added, why);
}

/* The one-diff patch name: whether it only adds (why not in why). */
static bool diff_only_adds(struct fixture *f, const char *name,
			   const char *diff, struct strvec *added,
			   struct strbuf *why)
{
	struct pom_patch p, *set[1] = { &p };
	bool ok;

	diff_patch(f, &p, name, diff);
	ok = only_adds(f, set, 1, added, why);
	strvec_clear(&p.diffs);
	return ok;
}

#define TABLES_C "net/ipv4/netfilter/ip_tables.c"
#define NF_MAKEFILE "net/ipv4/netfilter/Makefile"

/* Diffs to one file of the tree, and why not (NULL: it only adds). */
static const struct {
	const char *name, *file, *hunks, *why;
} one_diff[] = {
	{ "hook", TABLES_C, "@@ -1,2 +1,3 @@\n int a;\n+int hook;\n int b;\n",
	  "hook changes " TABLES_C },
	{ "obj", NF_MAKEFILE,
	  "@@ -1 +1,2 @@\n obj-y += ip_tables.o\n+obj-m += ipt_x.o\n", NULL },
	{ "edit", NF_MAKEFILE,
	  "@@ -1 +1 @@\n-obj-y += ip_tables.o\n+obj-y += ipt.o\n",
	  "edit changes lines of " NF_MAKEFILE },
	{ "dash", TABLES_C, "@@ -3 +3,0 @@\n--- not a header\n",
	  "dash changes " TABLES_C },
	/* a hunk whose lines do not add up: no diff to decide on */
	{ "short", TABLES_C, "@@ -1,2 +1,3 @@\n int a;\n", "short: its diff " },
};

/*
 * The modules path's question: new files and build lines only, the -ng
 * and the classic string match; a change to a file the tree has (a C
 * source, a header, a build file's line) is not, and says which.
 */
static void test_adds_modules_only(void **state)
{
	struct fixture *f = *state;
	struct strvec added = STRVEC_INIT;
	struct strbuf why = STRBUF_INIT;
	struct pom_patch *set[2], a, b;
	struct pom_tree pt;

	put(&f->kernel, TABLES_C, "int a;\nint b;\n-- not a header\n");
	put(&f->kernel, NF_MAKEFILE, "obj-y += ip_tables.o\n");
	put(&f->kernel, "net/ipv4/netfilter/Config.in", "x\n");

	/* -ng: a copy, a diff making a header, line-adds */
	put_ng_string(&f->pom);
	assert_int_equal(pom_open(&pt, f->pom.buf, k2420), 0);
	assert_int_equal(pom_find(&pt, "string", &set[0], NULL), 0);
	assert_true(only_adds(f, set, 1, &added, &why));
	assert_int_equal(added.nr, 2);
	assert_true(strvec_has(&added, "net/ipv4/netfilter/ipt_string.c"));
	assert_true(strvec_has(&added,
			       "include/linux/netfilter_ipv4/ipt_string.h"));
	assert_int_equal(why.len, 0);
	/* a tree that has the file already: the copy replaces it */
	put(&f->kernel, "net/ipv4/netfilter/ipt_string.c", "old\n");
	assert_false(only_adds(f, set, 1, &added, &why));
	assert_string_equal(why.buf, "string replaces "
				     "net/ipv4/netfilter/ipt_string.c");
	pom_clear(&pt);

	/* one diff each: what it does to a file the tree has (a hunk
	 * counted by its header: a removed "-- x" reads "--- x") */
	for (size_t i = 0; i < ARRAY_SIZE(one_diff); i++) {
		struct strbuf diff = STRBUF_INIT;
		bool ok;

		strbuf_addf(&diff, "--- linux/%s\n+++ linux/%s\n%s",
			    one_diff[i].file, one_diff[i].file,
			    one_diff[i].hunks);
		ok = diff_only_adds(f, one_diff[i].name, diff.buf, &added,
				    &why);
		strbuf_clear(&diff);
		if (!one_diff[i].why) {
			assert_true(ok);
			assert_int_equal(added.nr, 0);
			continue;
		}
		assert_false(ok);
		assert_memory_equal(why.buf, one_diff[i].why,
				    strlen(one_diff[i].why));
	}

	/* a patch pom_open() found unsafe is not looked into */
	diff_patch(f, &a, "out",
		   "--- /dev/null\n+++ linux/../x.c\n"
		   "@@ -0,0 +1 @@\n+int x;\n");
	a.unsafe = "its diff names the file '../x.c' outside the tree";
	set[0] = &a;
	assert_false(only_adds(f, set, 1, &added, &why));
	assert_string_equal(why.buf, "out may not be used: its diff names "
				     "the file '../x.c' outside the tree");
	strvec_clear(&a.diffs);

	/* a set: the later patch changes a file the earlier one adds */
	diff_patch(f, &a, "new",
		   "--- /dev/null\n+++ linux/net/ipv4/netfilter/ipt_n.c\n"
		   "@@ -0,0 +1 @@\n+int n;\n");
	diff_patch(f, &b, "nocase",
		   "--- linux/net/ipv4/netfilter/ipt_n.c\n"
		   "+++ linux/net/ipv4/netfilter/ipt_n.c\n"
		   "@@ -1 +1 @@\n-int n;\n+int n, nocase;\n");
	set[0] = &a;
	set[1] = &b;
	assert_true(only_adds(f, set, 2, &added, &why));
	assert_int_equal(added.nr, 1);
	assert_string_equal(added.v[0], "net/ipv4/netfilter/ipt_n.c");
	/* alone, the tree lacks the file it changes */
	set[0] = &b;
	assert_false(only_adds(f, set, 1, &added, &why));
	assert_string_equal(why.buf,
			    "nocase changes net/ipv4/netfilter/ipt_n.c");
	strvec_clear(&a.diffs);
	strvec_clear(&b.diffs);

	/* classic: line-adds into build files only (the -ng tree gone) */
	remove_tree(f->pom.buf);
	put(&f->pom, "extra/string.patch", STRING_DIFF);
	put(&f->pom, "extra/string.patch.help", "Author: x\n\nHelp.\n");
	put(&f->pom, "extra/string.patch.config.in", "x\ny\n");
	put(&f->pom, "extra/string.patch.makefile", "x\ny\n");
	put(&f->pom, "extra/string.patch.configure.help", "x\ny\n");
	assert_int_equal(pom_open(&pt, f->pom.buf, k2420), 0);
	assert_int_equal(pom_find(&pt, "string", &set[0], NULL), 0);
	assert_true(set[0]->nladds >= 2);
	assert_true(only_adds(f, set, 1, &added, &why));
	assert_true(strvec_has(&added,
			       "include/linux/netfilter_ipv4/ipt_string.h"));
	pom_clear(&pt);

	strvec_clear(&added);
	strbuf_clear(&why);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_classic, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ng, setup, teardown),
		cmocka_unit_test_setup_teardown(test_order, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ladds, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ladd_anchor_missing, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_adds_modules_only, setup,
						teardown),
	};
	int ret = cmocka_run_group_tests(tests, NULL, NULL);

	scratch_cleanup();
	return ret;
}
