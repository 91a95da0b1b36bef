// SPDX-License-Identifier: GPL-2.0-or-later
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

#include "pomctl/manifest.h"
#include "pomctl/util.h"
#include "unit.h"

struct fixture {
	char dir[UNIT_DIR_MAX];
	struct strbuf file; /* a file the "steps" change */
};

static int setup(void **ctx)
{
	struct fixture *f = xcalloc(1, sizeof(*f));

	if (unit_tmpdir("manifest", f->dir))
		return -1;
	strbuf_init(&f->file);
	strbuf_addf(&f->file, "%s/grub.conf", f->dir);
	*ctx = f;
	return 0;
}

static int teardown(void **ctx)
{
	struct fixture *f = *ctx;

	remove_tree(f->dir);
	strbuf_clear(&f->file);
	free(f);
	return 0;
}

static void put(const char *path, const char *text)
{
	assert_int_equal(write_file_atomic(path, text, strlen(text), 0644), 0);
}

static void assert_text(const char *path, const char *text)
{
	struct strbuf sb = STRBUF_INIT;

	assert_int_equal(read_file(path, 1 << 20, false, &sb), 0);
	assert_string_equal(sb.buf, text);
	strbuf_clear(&sb);
}

/* Changed in run r1 by step s: the file's text before was `before`. */
static void change(struct fixture *f, const char *run, const char *before,
		   const char *after)
{
	struct manifest m;

	put(f->file.buf, before);
	assert_int_equal(manifest_open(&m, "", f->dir, run, "s"), 0);
	assert_int_equal(manifest_backup(&m, f->file.buf), 0);
	put(f->file.buf, after);
	manifest_clear(&m);
}

/* Reading a record writes nothing; the first save makes its directory. */
static void test_read_writes_nothing(void **ctx)
{
	struct fixture *f = *ctx;
	struct strbuf dir = STRBUF_INIT;
	struct manifest m;

	assert_int_equal(manifest_open(&m, "", f->dir, "r1", "s"), 0);
	assert_true(manifest_is_empty(&m));
	strbuf_addf(&dir, "%s/manifests", f->dir);
	assert_false(path_exists(dir.buf));
	assert_int_equal(manifest_save(&m), 0);
	strbuf_addstr(&dir, "/r1/s.json");
	assert_true(path_exists(dir.buf));
	manifest_clear(&m);
	strbuf_clear(&dir);
}

/* Undo restores the file; the package lists stay on record. */
static void test_undo_keeps_replaced(void **ctx)
{
	struct fixture *f = *ctx;
	struct strbuf list = STRBUF_INIT;
	struct strvec v = STRVEC_INIT;
	struct manifest m;

	change(f, "r1", "original\n", "edited\n");
	assert_int_equal(manifest_open(&m, "", f->dir, "r1", "s"), 0);
	manifest_package(&m, "replaced", "iptables-1.2.6a-2");
	manifest_package(&m, "replaced", "iptables-1.2.6a-2"); /* once */
	manifest_package(&m, "replaced", "iptables-ipv6-1.2.6a-2");
	manifest_package(&m, "installed", "iptables-1.2.8-1.pom");
	assert_int_equal(manifest_save(&m), 0);
	assert_int_equal(manifest_undo(&m, NULL), 0);
	manifest_clear(&m);

	assert_text(f->file.buf, "original\n");
	assert_int_equal(manifest_open(&m, "", f->dir, "r1", "s"), 0);
	assert_true(manifest_is_empty(&m)); /* nothing left to undo */
	manifest_packages(&m, "replaced", &v);
	strvec_join(&v, " ", &list);
	assert_string_equal(list.buf,
			    "iptables-1.2.6a-2 iptables-ipv6-1.2.6a-2");
	strvec_clear(&v);
	manifest_packages(&m, "installed", &v);
	assert_int_equal(v.nr, 1);
	assert_string_equal(v.v[0], "iptables-1.2.8-1.pom");
	/* once rollback put them back, they are forgotten */
	manifest_forget_packages(&m);
	strvec_clear(&v);
	manifest_packages(&m, "replaced", &v);
	assert_int_equal(v.nr, 0);
	manifest_clear(&m);
	strvec_clear(&v);
	strbuf_clear(&list);
}

/*
 * The undo gives a changed file back its original's mode, owner and
 * times, whatever they became since; a record from before backups kept
 * them (no "meta") leaves the file's mode and owner as they are.
 */
static void test_undo_mode_owner_times(void **ctx)
{
	struct fixture *f = *ctx;
	const struct timespec then[2] = { { 1041940800, 0 },
					  { 1041940800, 0 } };
	uid_t uid = geteuid() ? geteuid() : 1; /* another's where root */
	gid_t gid = geteuid() ? getegid() : 2;
	struct manifest m;
	struct stat st;

	put(f->file.buf, "original\n");
	assert_int_equal(chmod(f->file.buf, 0664), 0);
	assert_int_equal(lchown(f->file.buf, uid, gid), 0);
	assert_int_equal(utimensat(AT_FDCWD, f->file.buf, then, 0), 0);
	assert_int_equal(manifest_open(&m, "", f->dir, "r1", "s"), 0);
	assert_int_equal(manifest_backup(&m, f->file.buf), 0);
	put(f->file.buf, "edited\n"); /* 0644, root's, now */
	assert_int_equal(manifest_undo(&m, NULL), 0);
	manifest_clear(&m);
	assert_text(f->file.buf, "original\n");
	assert_int_equal(stat(f->file.buf, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0664);
	assert_int_equal(st.st_uid, uid);
	assert_int_equal(st.st_gid, gid);
	assert_int_equal(st.st_mtim.tv_sec, 1041940800);

	/* the same, its record as an older pomctl wrote it */
	assert_int_equal(manifest_open(&m, "", f->dir, "r2", "s"), 0);
	assert_int_equal(manifest_backup(&m, f->file.buf), 0);
	json_object_del(m.doc, "meta");
	put(f->file.buf, "edited\n");
	assert_int_equal(chmod(f->file.buf, 0600), 0);
	assert_int_equal(manifest_undo(&m, NULL), 0);
	manifest_clear(&m);
	assert_text(f->file.buf, "original\n");
	assert_int_equal(stat(f->file.buf, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
}

/* Each run has its own record; the first backup is the earliest run's. */
static void test_runs_apart(void **ctx)
{
	struct fixture *f = *ctx;
	struct manifest m;
	char *first;

	change(f, "2026-01-01T00:00:00Z-1", "distribution\n", "first run\n");
	change(f, "2026-02-01T00:00:00Z-2", "first run\n", "second run\n");

	/* undoing the second run gives back the first run's text */
	assert_int_equal(manifest_open(&m, "", f->dir, "2026-02-01T00:00:00Z-2",
				       "s"),
			 0);
	assert_string_equal(manifest_backup_of(&m, f->file.buf) +
				    strlen(f->dir),
			    "/backups/2026-02-01T00:00:00Z-2/s/0-grub.conf");
	assert_null(manifest_backup_of(&m, "/etc/other"));
	assert_int_equal(manifest_undo(&m, NULL), 0);
	manifest_clear(&m);
	assert_text(f->file.buf, "first run\n");

	first = manifest_first_backup("", f->dir, "s", f->file.buf);
	assert_non_null(first);
	assert_text(first, "distribution\n");
	free(first);
	assert_null(manifest_first_backup("", f->dir, "other", f->file.buf));
}

static void test_damaged(void **ctx)
{
	static const char *const docs[] = {
		"{\"created\": [5], \"changed\": {}, \"patches\": []}",
		"{\"created\": [], \"changed\": {\"/a\": 1}, \"patches\": []}",
		"{\"created\": [], \"changed\": {}, \"patches\": [],"
		" \"replaced\": [null]}",
		"{\"created\": [], \"changed\": {}}",
		"[]",
		/* the root's paths, marked: each must be one */
		"{\"created\": [\"boot/x\"], \"changed\": {},"
		" \"patches\": [], \"paths\": \"root\"}",
		"{\"created\": [], \"changed\": {\"/boot/x\": \"../../x\"},"
		" \"patches\": [], \"paths\": \"root\"}",
		"{\"created\": [], \"changed\": {}, \"patches\": [],"
		" \"paths\": \"host\"}",
	};
	struct fixture *f = *ctx;
	struct strbuf path = STRBUF_INIT, dir = STRBUF_INIT;

	strbuf_addf(&dir, "%s/manifests/r1", f->dir);
	assert_int_equal(mkdir_p(dir.buf, 0700), 0);
	strbuf_addf(&path, "%s/s.json", dir.buf);
	error_set_quiet(true);
	for (size_t i = 0; i < sizeof(docs) / sizeof(*docs); i++) {
		struct manifest m;

		put(path.buf, docs[i]);
		assert_int_equal(manifest_open(&m, "", f->dir, "r1", "s"), -1);
		assert_non_null(strstr(error_last(), "is damaged"));
		manifest_clear(&m);
	}
	error_set_quiet(false);
	strbuf_clear(&path);
	strbuf_clear(&dir);
}

/*
 * A record made with --root on a mounted image is read the same by pomctl
 * inside the image, booted (another root, another state directory): the
 * paths are the root's own, a backup is named by its place in the state.
 */
static void test_moved_root(void **ctx)
{
	struct fixture *f = *ctx;
	struct strbuf r1 = STRBUF_INIT, r2 = STRBUF_INIT, p = STRBUF_INIT,
		      state = STRBUF_INIT, text = STRBUF_INIT;
	struct manifest m;

	strbuf_addf(&r1, "%s/mnt", f->dir);
	strbuf_addf(&r2, "%s/booted", f->dir);
	strbuf_addf(&p, "%s/boot", r1.buf);
	assert_int_equal(mkdir_p(p.buf, 0755), 0);
	strbuf_addstr(&p, "/menu.lst");
	put(p.buf, "default 0\n");
	strbuf_addf(&state, "%s/var/lib/pomctl", r1.buf);
	assert_int_equal(manifest_open(&m, r1.buf, state.buf, "r1", "s"), 0);
	assert_int_equal(manifest_backup(&m, p.buf), 0);
	put(p.buf, "default saved\n");
	strbuf_reset(&p);
	strbuf_addf(&p, "%s/boot/vmlinuz-new", r1.buf);
	put(p.buf, "kernel\n");
	assert_int_equal(manifest_created(&m, p.buf), 0);
	/* nothing outside the root is recorded */
	error_set_quiet(true);
	assert_int_equal(manifest_created(&m, f->file.buf), -1);
	error_set_quiet(false);
	manifest_clear(&m);

	strbuf_reset(&p);
	strbuf_addf(&p, "%s/manifests/r1/s.json", state.buf);
	assert_int_equal(read_file(p.buf, 1 << 20, false, &text), 0);
	assert_null(strstr(text.buf, f->dir)); /* no host path */
	assert_non_null(strstr(text.buf, "\"/boot/menu.lst\": \"0-menu.lst\""));
	assert_non_null(strstr(text.buf, "\"/boot/vmlinuz-new\""));

	assert_int_equal(rename(r1.buf, r2.buf), 0); /* booted: r2 is / */
	strbuf_reset(&state);
	strbuf_addf(&state, "%s/var/lib/pomctl", r2.buf);
	assert_int_equal(manifest_open(&m, r2.buf, state.buf, "r1", "s"), 0);
	assert_int_equal(manifest_undo(&m, NULL), 0);
	manifest_clear(&m);
	strbuf_reset(&p);
	strbuf_addf(&p, "%s/boot/menu.lst", r2.buf);
	assert_text(p.buf, "default 0\n");
	strbuf_reset(&p);
	strbuf_addf(&p, "%s/boot/vmlinuz-new", r2.buf);
	assert_false(path_exists(p.buf));
	strbuf_clear(&r1);
	strbuf_clear(&r2);
	strbuf_clear(&p);
	strbuf_clear(&state);
	strbuf_clear(&text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_read_writes_nothing, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_undo_mode_owner_times,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_undo_keeps_replaced, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_runs_apart, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_damaged, setup, teardown),
		cmocka_unit_test_setup_teardown(test_moved_root, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
