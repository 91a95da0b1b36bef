// SPDX-License-Identifier: GPL-2.0-or-later
#include <dirent.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>
#include <cmocka.h>

#include "pomctl/archive.h"
#include "pomctl/util.h"
#include "unit.h"

/* An entry to write: type 'f' file, 'd' dir, 'l' symlink, 'h' hard link,
 * 'c' character device. */
struct ent {
	char type;
	const char *name;
	const char *data; /* file content, or link target */
	mode_t mode;
};

struct fixture {
	char dir[UNIT_DIR_MAX];
	struct strbuf tar, dest;
};

static int setup(void **ctx)
{
	struct fixture *f = xcalloc(1, sizeof(*f));

	if (unit_tmpdir("archive", f->dir))
		return -1;
	strbuf_init(&f->tar);
	strbuf_init(&f->dest);
	strbuf_addf(&f->tar, "%s/t.tar", f->dir);
	strbuf_addf(&f->dest, "%s/out", f->dir);
	*ctx = f;
	return 0;
}

static int teardown(void **ctx)
{
	struct fixture *f = *ctx;

	remove_tree(f->dir);
	strbuf_clear(&f->tar);
	strbuf_clear(&f->dest);
	free(f);
	return 0;
}

static void write_tar(const char *path, int filter, const struct ent *ents,
		      size_t n)
{
	struct archive *a = archive_write_new();
	struct archive_entry *e = archive_entry_new();

	archive_write_set_format_pax_restricted(a);
	if (filter == 'z')
		archive_write_add_filter_gzip(a);
	else if (filter == 'j')
		archive_write_add_filter_bzip2(a);
	else if (filter == 'J')
		archive_write_add_filter_xz(a);
	assert_int_equal(archive_write_open_filename(a, path), ARCHIVE_OK);
	for (size_t i = 0; i < n; i++) {
		const struct ent *x = &ents[i];
		size_t len = x->type == 'f' ? strlen(x->data) : 0;

		archive_entry_clear(e);
		archive_entry_set_pathname(e, x->name);
		archive_entry_set_perm(e, x->mode ? x->mode : 0644);
		archive_entry_set_size(e, (la_int64_t)len);
		switch (x->type) {
		case 'f':
			archive_entry_set_filetype(e, AE_IFREG);
			break;
		case 'd':
			archive_entry_set_filetype(e, AE_IFDIR);
			break;
		case 'l':
			archive_entry_set_filetype(e, AE_IFLNK);
			archive_entry_set_symlink(e, x->data);
			break;
		case 'h':
			archive_entry_set_filetype(e, AE_IFREG);
			archive_entry_set_hardlink(e, x->data);
			break;
		case 'c':
			archive_entry_set_filetype(e, AE_IFCHR);
			archive_entry_set_rdev(e, 0x0103);
			break;
		}
		assert_int_equal(archive_write_header(a, e), ARCHIVE_OK);
		if (len)
			assert_int_equal(archive_write_data(a, x->data, len),
					 (la_ssize_t)len);
	}
	archive_entry_free(e);
	assert_int_equal(archive_write_close(a), ARCHIVE_OK);
	archive_write_free(a);
}

static const struct ent good[] = {
	{ 'd', "pom-1/", NULL, 0755 },
	{ 'f', "pom-1/runme", "#!/bin/sh\n", 0755 },
	{ 'd', "pom-1/extra/", NULL, 0755 },
	{ 'f', "pom-1/extra/string.patch", "--- a\n+++ b\n", 0 },
	{ 'l', "pom-1/extra/link", "string.patch", 0777 },
	{ 'l', "pom-1/extra/up", "../runme", 0777 },
	{ 'h', "pom-1/extra/hard", "pom-1/runme", 0 },
	{ 'l', "pom-1/lib", "extra", 0777 },
	{ 'f', "pom-1/./extra//after-link", "x", 0644 },
};

static void test_extract_compressed(void **ctx)
{
	struct fixture *f = *ctx;
	static const int filters[] = { 0, 'z', 'j', 'J' };
	struct strbuf p = STRBUF_INIT, top = STRBUF_INIT;
	struct stat st;

	for (size_t i = 0; i < ARRAY_SIZE(filters); i++) {
		remove_tree(f->dest.buf);
		write_tar(f->tar.buf, filters[i], good, ARRAY_SIZE(good));
		assert_int_equal(archive_extract(f->tar.buf, f->dest.buf, NULL),
				 0);
		strbuf_reset(&p);
		strbuf_addf(&p, "%s/pom-1/extra/string.patch", f->dest.buf);
		assert_true(path_exists(p.buf));
		strbuf_reset(&p);
		strbuf_addf(&p, "%s/pom-1/runme", f->dest.buf);
		assert_int_equal(stat(p.buf, &st), 0);
		assert_true(st.st_mode & S_IXUSR);
		assert_int_equal(archive_top_dir(f->tar.buf, &top), 0);
		assert_string_equal(top.buf, "pom-1");
	}
	strbuf_clear(&p);
	strbuf_clear(&top);
}

/* Nothing is left behind: neither dest nor a temporary directory. */
static void assert_nothing_left(struct fixture *f)
{
	DIR *d = opendir(f->dir);
	struct dirent *de;

	assert_non_null(d);
	assert_false(path_exists(f->dest.buf));
	while ((de = readdir(d)))
		if (!strncmp(de->d_name, "out.tmp-", 8))
			fail_msg("left behind: %s", de->d_name);
	closedir(d);
}

static void expect_refused(struct fixture *f, const struct ent *ents, size_t n,
			   const char *why)
{
	bool old;

	write_tar(f->tar.buf, 'j', ents, n);
	old = error_set_quiet(true);
	assert_int_equal(archive_extract(f->tar.buf, f->dest.buf, NULL), -1);
	error_set_quiet(old);
	if (!strstr(error_last(), why))
		fail_msg("'%s' lacks '%s'", error_last(), why);
	assert_nothing_left(f);
}

static void test_refusals(void **ctx)
{
	struct fixture *f = *ctx;

	expect_refused(f,
		       (const struct ent[]){
			       { 'f', "pom/ok", "x", 0 },
			       { 'f', "pom/../../evil", "x", 0 } },
		       2, "entry 'pom/../../evil' has a '..' component");
	expect_refused(f, (const struct ent[]){ { 'f', "/etc/evil", "x", 0 } },
		       1, "is an absolute path");
	expect_refused(f,
		       (const struct ent[]){
			       { 'l', "pom/esc", "../../etc", 0777 } },
		       1, "symbolic link pointing outside");
	expect_refused(f,
		       (const struct ent[]){
			       { 'l', "pom/abs", "/etc/passwd", 0777 } },
		       1, "symbolic link pointing outside");
	expect_refused(f,
		       (const struct ent[]){
			       { 'f', "pom/a", "x", 0 },
			       { 'h', "pom/h", "../etc/passwd", 0 } },
		       2, "hard link to outside");
	/* chained links that each look harmless: d/m is pom/d/l/../.. */
	expect_refused(
		f,
		(const struct ent[]){ { 'l', "pom/d/l", "..", 0777 },
				      { 'l', "pom/d/m", "l/../..", 0777 },
				      { 'f', "pom/d/m/evil", "x", 0644 } },
		3,
		"entry 'pom/d/m/evil' is under a symbolic link of the archive");
	expect_refused(
		f,
		(const struct ent[]){ { 'l', "pom/l", ".", 0777 },
				      { 'd', "./pom//l/", NULL, 0755 } },
		2, "entry './pom//l/' replaces a symbolic link of the archive");
	expect_refused(f,
		       (const struct ent[]){ { 'l', "pom/l", ".", 0777 },
					     { 'h', "pom/h", "pom/l/x", 0 } },
		       2, "is a hard link through a symbolic link");
	expect_refused(f,
		       (const struct ent[]){ { 'c', "pom/tty", NULL, 0600 } },
		       1, "device node");
	expect_refused(f,
		       (const struct ent[]){ { 'f', "pom/suid", "x", 04755 } },
		       1, "set-user-id");
}

/*
 * Issue 14's chain: ptr/l0 -> ., ptr/lN -> l(N-1)/.. -- each link's target
 * is inside when checked alone; followed through each other they reach
 * far above the archive.  Refused after the last entry, nothing left.
 */
static void test_link_chain(void **ctx)
{
	struct fixture *f = *ctx;
	struct ent ents[14];
	char names[13][32], targets[13][32];

	ents[0] = (struct ent){ 'd', "pom/ptr/", NULL, 0755 };
	for (int i = 0; i < 12; i++) {
		snprintf(names[i], sizeof(names[i]), "pom/ptr/l%d", i);
		if (i)
			snprintf(targets[i], sizeof(targets[i]), "l%d/..",
				 i - 1);
		else
			strcpy(targets[i], ".");
		ents[i + 1] = (struct ent){ 'l', names[i], targets[i], 0777 };
	}
	ents[13] = (struct ent){ 'l', "pom/ptr/x.help", "l11/etc/shadow",
				 0777 };
	expect_refused(f, ents, 14,
		       "leads outside the archive through "
		       "other links");
	/* a loop is refused too */
	expect_refused(f,
		       (const struct ent[]){ { 'l', "pom/a", "b", 0777 },
					     { 'l', "pom/b", "a", 0777 } },
		       2, "round in a loop");
}

/* The limits: entries, bytes, and the ratio of a decompression bomb. */
static void test_limits(void **ctx)
{
	struct fixture *f = *ctx;
	struct archive_limits lim = { 1 << 20, 3, 200 };
	struct strbuf zeros = STRBUF_INIT;
	struct ent big = { 'f', "pom/zeros", NULL, 0 };
	bool old;

	write_tar(f->tar.buf, 'z', good, ARRAY_SIZE(good));
	old = error_set_quiet(true);
	assert_int_equal(archive_extract(f->tar.buf, f->dest.buf, &lim), -1);
	assert_non_null(strstr(error_last(), "[limits] extract_entries"));
	assert_nothing_left(f);
	strbuf_grow(&zeros, 70 << 20);
	memset(zeros.buf, '0', 70 << 20);
	zeros.len = 70 << 20;
	zeros.buf[zeros.len] = '\0';
	big.data = zeros.buf;
	write_tar(f->tar.buf, 'z', &big, 1);
	lim.entries = 10;
	assert_int_equal(archive_extract(f->tar.buf, f->dest.buf, &lim), -1);
	assert_non_null(strstr(error_last(), "over the limit of 1 MiB"));
	lim.bytes = 1ULL << 30;
	assert_int_equal(archive_extract(f->tar.buf, f->dest.buf, &lim), -1);
	assert_non_null(strstr(error_last(), "decompression bomb"));
	assert_nothing_left(f);
	lim.ratio = 1000000;
	assert_int_equal(archive_extract(f->tar.buf, f->dest.buf, &lim), 0);
	error_set_quiet(old);
	strbuf_clear(&zeros);
}

/* What a killed extraction left (DEST.tmp-XXXXXX) goes; look-alikes stay. */
static void test_stale_temps(void **ctx)
{
	struct fixture *f = *ctx;
	struct strbuf stale = STRBUF_INIT, other = STRBUF_INIT,
		      inside = STRBUF_INIT;

	strbuf_addf(&stale, "%s.tmp-Ab12Cd", f->dest.buf);
	strbuf_addf(&other, "%s.tmp-longer1", f->dest.buf);
	strbuf_addf(&inside, "%s/half", stale.buf);
	assert_int_equal(mkdir(stale.buf, 0700), 0);
	assert_int_equal(mkdir(other.buf, 0700), 0);
	assert_int_equal(write_file_atomic(inside.buf, "x", 1, 0600), 0);
	write_tar(f->tar.buf, 0, good, ARRAY_SIZE(good));
	assert_int_equal(archive_extract(f->tar.buf, f->dest.buf, NULL), 0);
	assert_false(path_exists(stale.buf));
	assert_true(is_dir(other.buf));
	remove_tree(other.buf);
	strbuf_clear(&stale);
	strbuf_clear(&other);
	strbuf_clear(&inside);
}

static void test_truncated(void **ctx)
{
	struct fixture *f = *ctx;
	struct strbuf big = STRBUF_INIT;
	struct ent ents[2] = { { 'f', "pom/a", NULL, 0 },
			       { 'f', "pom/b", NULL, 0 } };
	struct stat st;
	bool old;

	/* incompressible enough that half the file is half the data */
	srand(1);
	for (int i = 0; i < 200000; i++)
		strbuf_addch(&big, 'a' + rand() % 26);
	ents[0].data = big.buf;
	ents[1].data = big.buf;
	write_tar(f->tar.buf, 'j', ents, 2);
	assert_int_equal(stat(f->tar.buf, &st), 0);
	assert_int_equal(truncate(f->tar.buf, st.st_size / 2), 0);
	old = error_set_quiet(true);
	assert_int_equal(archive_extract(f->tar.buf, f->dest.buf, NULL), -1);
	error_set_quiet(old);
	if (!strstr(error_last(), "damaged or truncated"))
		fail_msg("%s", error_last());
	assert_nothing_left(f);
	strbuf_clear(&big);
}

/*
 * Damage past the last entry: the xz stream footer.  Every entry reads
 * well, the stream does not: refused all the same, with xz's reason.
 */
static void test_bad_footer(void **ctx)
{
	struct fixture *f = *ctx;
	FILE *fp;
	long at;
	int c;
	bool old;

	write_tar(f->tar.buf, 'J', good, ARRAY_SIZE(good));
	fp = fopen(f->tar.buf, "r+b");
	assert_non_null(fp);
	assert_int_equal(fseek(fp, -8, SEEK_END), 0); /* backward size */
	at = ftell(fp);
	c = fgetc(fp);
	assert_int_equal(fseek(fp, at, SEEK_SET), 0);
	fputc(c ^ 0xff, fp);
	fclose(fp);
	old = error_set_quiet(true);
	assert_int_equal(archive_extract(f->tar.buf, f->dest.buf, NULL), -1);
	error_set_quiet(old);
	if (!strstr(error_last(), "damaged or truncated: Lzma"))
		fail_msg("%s", error_last());
	assert_nothing_left(f);
}

static void test_dest_exists(void **ctx)
{
	struct fixture *f = *ctx;
	bool old;

	write_tar(f->tar.buf, 0, good, ARRAY_SIZE(good));
	assert_int_equal(mkdir(f->dest.buf, 0700), 0);
	old = error_set_quiet(true);
	assert_int_equal(archive_extract(f->tar.buf, f->dest.buf, NULL), -1);
	error_set_quiet(old);
	assert_non_null(strstr(error_last(), "exists already"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_extract_compressed, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_refusals, setup, teardown),
		cmocka_unit_test_setup_teardown(test_link_chain, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_limits, setup, teardown),
		cmocka_unit_test_setup_teardown(test_truncated, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_bad_footer, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_stale_temps, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_dest_exists, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
