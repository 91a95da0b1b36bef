// SPDX-License-Identifier: GPL-2.0-or-later
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <rpm/rpmmacro.h>
#include <fcntl.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "pomctl/scratch.h"
#include "pomctl/spec.h"
#include "pomctl/util.h"
#include "unit.h"

static const char *top(void)
{
	const char *t = getenv("POMCTL_TOP");

	return t ? t : ".";
}

static void fixture(const char *name, struct strbuf *path)
{
	strbuf_reset(path);
	strbuf_addf(path, "%s/tests/fixtures/%s", top(), name);
}

struct edited {
	struct strbuf text, log;
	char path[UNIT_DIR_MAX];
};

static int edit(const char *name, struct strvec *drop, struct strvec *us,
		struct edited *e)
{
	struct strbuf path = STRBUF_INIT;
	struct strvec patches = STRVEC_INIT;
	struct spec s;
	struct spec_request req = {
		"1.2.8",
		"1.pom",
		"iptables-1.2.8.tar.bz2",
		"/usr/src/linux-2.4.20-13.8",
		"2.4.20",
		"Test <t@example.org>",
		"patch-o-matic-20030107.tar.bz2",
		"patch-o-matic-20030107",
		&patches,
		drop,
		us,
		true,
	};
	int ret, fd;

	strbuf_init(&e->text);
	strbuf_init(&e->log);
	strvec_push(&patches, "string");
	fixture(name, &path);
	ret = spec_read(&s, path.buf);
	if (!ret)
		ret = spec_edit_pom(&s, &req, &e->log);
	if (!ret)
		spec_render(&s, &e->text);
	spec_clear(&s);
	fd = unit_tmpfile("spec", e->path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, e->text.buf, e->text.len), (int)e->text.len);
	close(fd);
	strvec_clear(&patches);
	strbuf_clear(&path);
	return ret;
}

static void done(struct edited *e)
{
	unlink(e->path);
	strbuf_clear(&e->text);
	strbuf_clear(&e->log);
}

/* Every line of the original that the edits do not touch is kept. */
static void assert_kept(const char *name, const struct edited *e,
			const char *const *touched)
{
	struct strbuf path = STRBUF_INIT, orig = STRBUF_INIT;

	fixture(name, &path);
	assert_int_equal(read_file(path.buf, 1 << 20, false, &orig), 0);
	for (char *line = orig.buf, *nl; *line; line = nl + 1) {
		bool skip = false;

		nl = strchr(line, '\n');
		*nl = '\0';
		for (const char *const *t = touched; *t; t++)
			skip |= !strncmp(line, *t, strlen(*t));
		if (!skip && *line && !strstr(e->text.buf, line))
			fail_msg("line lost: '%s'", line);
	}
	strbuf_clear(&path);
	strbuf_clear(&orig);
}

static void test_redhat_spec(void **unused)
{
	struct edited e;
	struct strvec drop = STRVEC_INIT, us = STRVEC_INIT, pkgs = STRVEC_INIT,
		      srcs = STRVEC_INIT;
	struct strbuf topdir = STRBUF_INIT;
	static const char *const touched[] = {
		"Summary:", "Version:", "Release:", "Source0:",
		"Patch0:",  "%patch0",	"make",	    NULL
	};

	(void)unused;
	strvec_push(&drop, "iptables-1.2.6a-fixes.patch");
	strvec_push(&us, "iptables-pom-iprange.patch");
	assert_int_equal(edit("iptables-rpm/iptables.spec", &drop, &us, &e), 0);
	assert_kept("iptables-rpm/iptables.spec", &e, touched);
	assert_non_null(strstr(e.text.buf, "\nVersion: 1.2.8\n"));
	assert_non_null(strstr(e.text.buf, "\nRelease: 1.pom\n"));
	assert_non_null(strstr(e.text.buf,
			       "Source0: http://www.netfilter.org/"
			       "files/%{name}-%{version}.tar.bz2\n"));
	assert_null(strstr(e.text.buf, "Patch0:"));
	assert_null(strstr(e.text.buf, "%patch0"));
	assert_non_null(
		strstr(e.text.buf, "%patch1 -p1 -b .redhat\n%patch2 -p1\n"));
	assert_non_null(
		strstr(e.text.buf, "Patch2: iptables-pom-iprange.patch\n"));
	assert_non_null(strstr(e.text.buf, "Requires: kernel >= 2.4.20\n"));
	assert_non_null(strstr(e.text.buf,
			       "make KERNEL_DIR=/usr/src/linux-2.4.20-13.8 "
			       "COPT_FLAGS=\"$RPM_OPT_FLAGS\" LIBDIR=/lib\n"));
	assert_non_null(strstr(e.text.buf, "%package devel\n"));
	assert_non_null(strstr(e.text.buf, "%files pom\n"));
	assert_non_null(strstr(e.text.buf,
			       "Source2: patch-o-matic-20030107.tar.bz2\n"));
	assert_non_null(strstr(e.text.buf, "%changelog\n* "));
	assert_non_null(strstr(e.text.buf,
			       "- dropped iptables-1.2.6a-fixes.patch: "
			       "contained in 1.2.8\n"));
	assert_non_null(strstr(e.text.buf, "(with patch-o-matic: string)."));
	/* pomctl knows its own spec again, and the distribution's is not */
	assert_true(spec_edited_by_pomctl(e.text.buf));
	assert_false(spec_edited_by_pomctl(""));
	assert_false(spec_edited_by_pomctl("- iptables 1.2.8 (pomctl) x\n"
					   "* Mon - (pomctl)\n"));
	strvec_pushv(&pkgs, (const char *const[]){ "iptables", "iptables-ipv6",
						   "iptables-devel",
						   "iptables-pom", NULL });
	strvec_pushv(&srcs, (const char *const[]){
				    "iptables-1.2.8.tar.bz2",
				    "patch-o-matic-20030107.tar.bz2",
				    "iptables-pom-iprange.patch", NULL });
	strbuf_addstr(&topdir, unit_tmp());
	{
		struct spec_expect x = { "1.2.8", "1.pom", &pkgs, &srcs, &us };

		assert_int_equal(spec_validate(e.path, topdir.buf, &x), 0);
	}
	done(&e);
	strvec_clear(&drop);
	strvec_clear(&us);
	strvec_clear(&pkgs);
	strvec_clear(&srcs);
	strbuf_clear(&topdir);
}

static void test_macro_spec(void **unused)
{
	struct edited e;
	struct strvec drop = STRVEC_INIT, pkgs = STRVEC_INIT;
	static const char *const touched[] = {
		"%define ver", "Summary:",  "Release:", "Patch1:",
		"%patch -P 1", "%{__make}", NULL
	};

	(void)unused;
	strvec_push(&drop, "iptables-1.2.6a-fixes.patch");
	assert_int_equal(edit("specs/macros.spec", &drop, NULL, &e), 0);
	assert_kept("specs/macros.spec", &e, touched);
	assert_non_null(strstr(e.text.buf, "%define ver 1.2.8\n"));
	assert_non_null(strstr(e.text.buf, "Version: %{ver}\n"));
	assert_non_null(strstr(e.text.buf, "Release: 1.pom\n"));
	assert_null(strstr(e.text.buf, "%patch -P 1"));
	assert_null(strstr(e.text.buf, "Patch1:"));
	assert_non_null(strstr(e.text.buf, "%{__make} KERNEL_DIR=/usr/src/"
					   "linux-2.4.20-13.8 install"));
	assert_non_null(
		strstr(e.text.buf, "%if %{with_ipv6}\n%package ipv6\n"));
	strvec_pushv(&pkgs, (const char *const[]){ "iptables-ipv6",
						   "iptables-devel", NULL });
	{
		struct spec_expect x = { "1.2.8", "1.pom", &pkgs, NULL, NULL };

		assert_int_equal(spec_validate(e.path, unit_tmp(), &x), 0);
	}
	done(&e);
	strvec_clear(&drop);
	strvec_clear(&pkgs);
}

static void test_refusals(void **unused)
{
	struct edited e;
	struct spec s;
	bool old;

	(void)unused;
	old = error_set_quiet(true);
	assert_int_equal(edit("specs/loop.spec", NULL, NULL, &e), -1);
	assert_non_null(strstr(error_last(), "sets KERNEL_DIR itself"));
	done(&e);
	assert_int_equal(spec_parse(&s, "x.spec", "Name: x\0y", 9), -1);
	assert_non_null(strstr(error_last(), "NUL byte"));
	spec_clear(&s);
	{
		char path[UNIT_DIR_MAX];
		int fd = unit_tmpfile("bad", path);
		static const char bad[] =
			"Name: x\nVersion: 1\n%if 1\n%description\nx\n";

		assert_int_equal(write(fd, bad, sizeof(bad) - 1),
				 (int)sizeof(bad) - 1);
		close(fd);
		assert_int_equal(spec_validate(path, unit_tmp(), NULL), -1);
		assert_non_null(strstr(error_last(), "does not parse"));
		unlink(path);
	}
	error_set_quiet(old);
}

/*
 * A spec that crashes librpmbuild: an %if expression nested 300,000
 * parentheses deep overflows its recursive parser's stack (rpmspec -P
 * dies with SIGSEGV).  The parse runs in a child: pomctl refuses the spec
 * and lives; a spec that parses is still answered after it.
 */
static void test_crashing_spec_refused(void **unused)
{
	enum { DEPTH = 300000 };
	static const char head[] = "Name: x\nVersion: 1\nRelease: 1\n"
				   "Summary: s\nLicense: GPL\n%if ";
	static const char tail[] = "\n%endif\n%description\nx\n";
	struct strbuf text = STRBUF_INIT;
	char path[UNIT_DIR_MAX];
	int fd = unit_tmpfile("deep", path);
	bool old = error_set_quiet(true);

	(void)unused;
	assert_true(fd >= 0);
	strbuf_addstr(&text, head);
	for (int i = 0; i < DEPTH; i++)
		strbuf_addch(&text, '(');
	strbuf_addch(&text, '1');
	for (int i = 0; i < DEPTH; i++)
		strbuf_addch(&text, ')');
	strbuf_addstr(&text, tail);
	assert_int_equal(write_all(fd, text.buf, text.len), 0);
	close(fd);
	assert_int_equal(spec_validate(path, unit_tmp(), NULL), -1);
	assert_non_null(strstr(error_last(), "librpm could not parse spec"));
	assert_non_null(strstr(error_last(), "damaged or hostile; refused"));
	/* the same spec, sane: this process still parses */
	fd = open(path, O_WRONLY | O_TRUNC);
	assert_true(fd >= 0);
	strbuf_reset(&text);
	strbuf_addf(&text, "%s1%s", head, tail);
	assert_int_equal(write_all(fd, text.buf, text.len), 0);
	close(fd);
	assert_int_equal(spec_validate(path, unit_tmp(), NULL), 0);
	unlink(path);
	strbuf_clear(&text);
	error_set_quiet(old);
}

/*
 * The package files rpmbuild -ba writes, named from the spec before it
 * runs: each subpackage's under RPMS/ARCH, a noarch one under
 * RPMS/noarch, the source package under SRPMS.
 */
static void test_outputs(void **unused)
{
	static const char spec[] =
		"Name: pomtest\nVersion: 1.2\nRelease: 3.pom\n"
		"Summary: s\nLicense: GPL\n%description\nd\n"
		"%package devel\nSummary: s\n%description devel\nd\n"
		"%package doc\nSummary: s\nBuildArch: noarch\n"
		"%description doc\nd\n"
		"%files\n%files devel\n%files doc\n";
	struct strvec out = STRVEC_INIT;
	struct strbuf path = STRBUF_INIT, want = STRBUF_INIT;
	char *arch;

	(void)unused;
	strbuf_addf(&path, "%s/outputs.spec", unit_tmp());
	assert_int_equal(write_file_atomic(path.buf, spec, strlen(spec), 0644),
			 0);
	assert_int_equal(spec_outputs(path.buf, unit_tmp(), &out), 0);
	arch = rpmExpand("%{_target_cpu}", NULL); /* librpm read its macros */
	assert_int_equal(out.nr, 4);
	strbuf_addf(&want, "RPMS/%s/pomtest-1.2-3.pom.%s.rpm", arch, arch);
	assert_string_equal(out.v[0], want.buf);
	strbuf_reset(&want);
	strbuf_addf(&want, "RPMS/%s/pomtest-devel-1.2-3.pom.%s.rpm", arch,
		    arch);
	assert_string_equal(out.v[1], want.buf);
	assert_string_equal(out.v[2], "RPMS/noarch/pomtest-doc-1.2-3.pom."
				      "noarch.rpm");
	assert_string_equal(out.v[3], "SRPMS/pomtest-1.2-3.pom.src.rpm");
	unlink(path.buf);
	free(arch);
	strvec_clear(&out);
	strbuf_clear(&path);
	strbuf_clear(&want);
}

/*
 * A spec in ISO-8859-2 (a Polish Summary): this rpm refuses it; the error
 * says why and names the macro that lets it through.
 */
static void test_latin2_refused(void **unused)
{
	static const char text[] = "Name: x\nVersion: 1\nRelease: 1\n"
				   "Summary: Narz\xea"
				   "dzia\nLicense: GPL\n\n"
				   "%description\nx\n\n%prep\n\n%build\n";
	char path[UNIT_DIR_MAX];
	int fd = unit_tmpfile("latin2", path);
	bool old = error_set_quiet(true);
	int ret;

	(void)unused;
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, sizeof(text) - 1),
			 (ssize_t)(sizeof(text) - 1));
	close(fd);
	ret = spec_validate(path, unit_tmp(), NULL);
	unlink(path);
	error_set_quiet(old);
	if (ret == 0)
		skip(); /* an rpm that takes any encoding */
	assert_non_null(strstr(error_last(), "is not UTF-8"));
	assert_non_null(
		strstr(error_last(), "%_invalid_encoding_terminates_build"));
}

/*
 * The spec's structure (tests/fixtures/specs/structure/): each spec edited
 * with a userspace patch, its result compared whole with NAME.expected,
 * then parsed by librpmbuild.  POMCTL_WRITE_EXPECTED=1 writes the expected
 * files instead (to be read line by line before they are committed).
 */
static void test_structure(void **unused)
{
	static const char *const names[] = {
		"ifarch-patch", "conditional-tail", "release-branches",
		"prep-in-if",	"define-body",	    "define-branches",
		"autosetup",	"summary-branches", "crlf",
		"qualified",	"patchlist",	    "patch-args",
		"expand-body",	"version-branches",
	};
	struct strvec us = STRVEC_INIT;
	struct spec_expect x = { NULL, NULL, NULL, NULL, &us };

	(void)unused;
	/* the changelog entry's date: a fixed one */
	setenv("SOURCE_DATE_EPOCH", "1038614400", 1);
	setenv("TZ", "UTC", 1);
	tzset();
	strvec_push(&us, "iptables-pom-iprange.patch");
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		struct strbuf name = STRBUF_INIT, want = STRBUF_INIT,
			      path = STRBUF_INIT;
		struct edited e;

		strbuf_addf(&name, "specs/structure/%s.spec", names[i]);
		assert_int_equal(edit(name.buf, NULL, &us, &e), 0);
		fixture(name.buf, &path);
		strbuf_setlen(&path, path.len - 5);
		strbuf_addstr(&path, ".expected");
		if (getenv("POMCTL_WRITE_EXPECTED"))
			assert_int_equal(write_file_atomic(path.buf, e.text.buf,
							   e.text.len, 0644),
					 0);
		assert_int_equal(read_file(path.buf, 1 << 20, false, &want), 0);
		if (strcmp(want.buf, e.text.buf))
			fail_msg("%s: the edited spec differs from %s:\n%s",
				 names[i], path.buf, e.text.buf);
		/* and the new patch is applied for every architecture */
		if (spec_validate(e.path, unit_tmp(), &x) < 0)
			fail_msg("%s: librpmbuild refuses the result: %s",
				 names[i], error_last());
		done(&e);
		strbuf_clear(&name);
		strbuf_clear(&want);
		strbuf_clear(&path);
	}
	unsetenv("SOURCE_DATE_EPOCH");
	strvec_clear(&us);
}

/*
 * Dropping patches applied in the other ways rpm allows: the number after
 * other options, patch(1) fed %{PATCH2}.  Each goes with its tag, and
 * rpm's word on the result is that %prep applies neither.
 */
static void test_drop_forms(void **unused)
{
	struct edited e;
	struct strvec drop = STRVEC_INIT;

	(void)unused;
	strvec_pushv(&drop, (const char *const[]){
				    "iptables-1.2.6a-fixes.patch",
				    "iptables-1.2.6a-man.patch", NULL });
	assert_int_equal(edit("specs/structure/patch-args.spec", &drop, NULL,
			      &e),
			 0);
	assert_null(strstr(e.text.buf, "Patch1:"));
	assert_null(strstr(e.text.buf, "Patch2:"));
	assert_null(strstr(e.text.buf, "-b .fixes 1"));
	assert_null(strstr(e.text.buf, "%{PATCH2}"));
	assert_non_null(strstr(e.text.buf, "%setup -q\n\n%build\n"));
	assert_int_equal(spec_validate(e.path, unit_tmp(), NULL), 0);
	done(&e);
	/* two new patches: two numbers, two lines, in order */
	strvec_clear(&drop);
	strvec_pushv(&drop,
		     (const char *const[]){ "a.patch", "b.patch", NULL });
	assert_int_equal(edit("specs/structure/patch-args.spec", NULL, &drop,
			      &e),
			 0);
	assert_non_null(strstr(e.text.buf,
			       "Patch2: iptables-1.2.6a-man.patch\n"
			       "Patch3: a.patch\nPatch4: b.patch\n"));
	assert_non_null(strstr(e.text.buf, "%{PATCH2}\n%patch3 -p1\n"
					   "%patch4 -p1\n"));
	assert_int_equal(spec_validate(e.path, unit_tmp(), NULL), 0);
	done(&e);
	strvec_clear(&drop);
}

/*
 * A %patchlist entry dropped renumbers the ones after it: fine under
 * %autosetup, refused where a line applies a later one by number.
 */
static void test_patchlist_drop(void **unused)
{
	static const char text[] = "Name: x\nVersion: 1\nRelease: 1\n"
				   "Summary: x\nLicense: GPL\nSource0: x.tar\n"
				   "\n%patchlist\na.patch\nb.patch\n\n"
				   "%description\nx\n\n%prep\n%setup -q\n"
				   "%patch -P 0 -p1\n%patch -P 1 -p1\n\n"
				   "%build\nmake\n";
	struct spec s;
	struct strbuf log = STRBUF_INIT, out = STRBUF_INIT;
	struct strvec patches = STRVEC_INIT, drop = STRVEC_INIT;
	struct spec_request req = { "2",      "1.pom",	 "x-2.tar.bz2", "/k",
				    "2.4.20", "T <t@e>", NULL,		NULL,
				    &patches, &drop,	 NULL,		false };
	bool old = error_set_quiet(true);

	(void)unused;
	strvec_push(&patches, "string");
	strvec_push(&drop, "a.patch");
	assert_int_equal(spec_parse(&s, "list.spec", text, sizeof(text) - 1),
			 0);
	assert_int_equal(spec_edit_pom(&s, &req, &log), -1);
	assert_non_null(strstr(error_last(), "list.spec:18: dropping a.patch "
					     "renumbers the patches after it"));
	spec_clear(&s);
	/* the last one goes: nothing after it moves */
	strbuf_reset(&log);
	strvec_clear(&drop);
	strvec_push(&drop, "b.patch");
	assert_int_equal(spec_parse(&s, "list.spec", text, sizeof(text) - 1),
			 0);
	assert_int_equal(spec_edit_pom(&s, &req, &log), 0);
	spec_render(&s, &out);
	assert_non_null(strstr(out.buf, "%patchlist\na.patch\n\n"));
	assert_non_null(strstr(out.buf, "%patch -P 0 -p1\n\n%build"));
	error_set_quiet(old);
	spec_clear(&s);
	strbuf_clear(&log);
	strbuf_clear(&out);
	strvec_clear(&patches);
	strvec_clear(&drop);
}

/*
 * rpm's word, architecture by architecture: a patch applied only inside
 * %ifarch x86_64 is applied on this host and not on i686.
 */
static void test_arch_check(void **unused)
{
	static const char text[] = "Name: x\nVersion: 1\nRelease: 1\n"
				   "Summary: x\nLicense: GPL\nSource0: x.tar\n"
				   "Patch1: b.patch\n\n%description\nx\n\n"
				   "%prep\n%setup -q\n%ifarch x86_64\n"
				   "%patch1 -p1\n%endif\n\n%build\nmake\n";
	char path[UNIT_DIR_MAX];
	struct strvec applied = STRVEC_INIT;
	struct spec_expect x = { NULL, NULL, NULL, NULL, &applied };
	int fd = unit_tmpfile("arch", path);
	bool old = error_set_quiet(true);
	struct utsname u;
	const char *tag, *after;

	(void)unused;
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, sizeof(text) - 1),
			 (ssize_t)(sizeof(text) - 1));
	close(fd);
	strvec_push(&applied, "b.patch");
	uname(&u);
	if (strcmp(u.machine, "x86_64"))
		skip(); /* the test's %ifarch is this machine's */
	assert_int_equal(spec_validate(path, unit_tmp(), &x), -1);
	assert_non_null(strstr(error_last(), "does not apply b.patch in %prep "
					     "for i686"));
	/* a %patch line whose Patch tag is gone: rpm says so and goes on;
	 * here it is an error */
	tag = strstr(text, "Patch1: b.patch\n");
	after = tag + strlen("Patch1: b.patch\n");
	fd = open(path, O_WRONLY | O_TRUNC);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, (size_t)(tag - text)), tag - text);
	assert_int_equal(write(fd, after, strlen(after)),
			 (ssize_t)strlen(after));
	close(fd);
	assert_int_equal(spec_validate(path, unit_tmp(), &x), -1);
	assert_non_null(strstr(error_last(), "with errors: No patch number 1"));
	error_set_quiet(old);
	unlink(path);
	strvec_clear(&applied);
}

/* %autosetup without -p1 cannot apply pomctl's userspace diffs: refused. */
static void test_autosetup_p0_refused(void **unused)
{
	static const char text[] = "Name: x\nVersion: 1\nRelease: 1\n"
				   "Summary: x\nLicense: GPL\nSource0: x.tar\n"
				   "\n%description\nx\n\n%prep\n%autosetup\n\n"
				   "%build\nmake\n";
	struct spec s;
	struct strbuf log = STRBUF_INIT;
	struct strvec patches = STRVEC_INIT, us = STRVEC_INIT;
	struct spec_request req = { "2",      "1.pom",	 "x-2.tar.bz2", "/k",
				    "2.4.20", "T <t@e>", NULL,		NULL,
				    &patches, NULL,	 &us,		false };
	bool old = error_set_quiet(true);

	(void)unused;
	strvec_push(&patches, "iprange");
	strvec_push(&us, "iptables-pom-iprange.patch");
	assert_int_equal(spec_parse(&s, "auto.spec", text, sizeof(text) - 1),
			 0);
	assert_int_equal(spec_edit_pom(&s, &req, &log), -1);
	assert_non_null(strstr(error_last(), "line 12 applies its patches with "
					     "%autosetup/%autopatch at -p0"));
	error_set_quiet(old);
	spec_clear(&s);
	strbuf_clear(&log);
	strvec_clear(&patches);
	strvec_clear(&us);
}

/* ISO-8859 bytes pass through untouched. */
static void test_latin1(void **unused)
{
	static const char text[] =
		"Name: x\nVersion: 1\nRelease: 1\n"
		"Summary: caf\xe9\nLicense: GPL\n\n"
		"%description\nna\xefve\n\n%prep\n\n%build\nmake\n";
	struct spec s;
	struct strbuf out = STRBUF_INIT, log = STRBUF_INIT;
	struct strvec patches = STRVEC_INIT;
	struct spec_request req = { "2",      "1.pom",	 "x-2.tar.bz2", "/k",
				    "2.4.20", "T <t@e>", NULL,		NULL,
				    &patches, NULL,	 NULL,		false };

	(void)unused;
	strvec_push(&patches, "string");
	assert_int_equal(spec_parse(&s, "latin1.spec", text, sizeof(text) - 1),
			 0);
	assert_int_equal(spec_edit_pom(&s, &req, &log), 0);
	spec_render(&s, &out);
	assert_non_null(
		strstr(out.buf,
		       "Summary: caf\xe9 (with patch-o-matic: string)\n"));
	assert_non_null(strstr(out.buf, "na\xefve\n"));
	spec_clear(&s);
	strbuf_clear(&out);
	strbuf_clear(&log);
	strvec_clear(&patches);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_redhat_spec),
		cmocka_unit_test(test_macro_spec),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_latin1),
		cmocka_unit_test(test_latin2_refused),
		cmocka_unit_test(test_structure),
		cmocka_unit_test(test_drop_forms),
		cmocka_unit_test(test_patchlist_drop),
		cmocka_unit_test(test_arch_check),
		cmocka_unit_test(test_autosetup_p0_refused),
		cmocka_unit_test(test_crashing_spec_refused),
		cmocka_unit_test(test_outputs),
	};
	int failed = cmocka_run_group_tests(tests, NULL, NULL);

	scratch_cleanup(); /* the Version probes' directory */
	return failed;
}
