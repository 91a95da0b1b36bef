// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pomctl/digest.h"
#include "pomctl/log.h"
#include "pomctl/manifest.h"
#include "pomctl/plan.h"
#include "pomctl/safepath.h"
#include "pomctl/util.h"

/*
 * "meta": true marks a record whose backups carry their originals' mode,
 * owner and times (records from before it: times only, where at all).
 */
static json_t *empty_doc(void)
{
	return json_pack("{s:[], s:{}, s:[], s:b}", "created", "changed",
			 "patches", "meta", 1);
}

/* An array, or an object, of strings only. */
static bool strings(json_t *v, bool object)
{
	const char *key;
	json_t *e;
	size_t i;

	if (object ? !json_is_object(v) : !json_is_array(v))
		return false;
	if (object) {
		json_object_foreach (v, key, e)
			if (!json_is_string(e))
				return false;
	} else {
		json_array_foreach (v, i, e)
			if (!json_is_string(e))
				return false;
	}
	return true;
}

/* The package lists: what no revert of files undoes. */
static const char *const package_lists[] = { "replaced", "installed" };

static bool well_formed(json_t *doc)
{
	for (size_t i = 0; i < ARRAY_SIZE(package_lists); i++) {
		json_t *names = json_object_get(doc, package_lists[i]);

		if (names && !strings(names, false))
			return false;
	}
	return strings(json_object_get(doc, "created"), false) &&
	       strings(json_object_get(doc, "changed"), true) &&
	       strings(json_object_get(doc, "patches"), false);
}

/*
 * On disk, the paths are the root's own ("/boot/grub/menu.lst") and a
 * backup is its name in the step's backups directory, marked by
 * "paths": "root": the record reads the same whether pomctl ran with
 * --root on a mounted image or inside it, booted.  A record without the
 * mark (written before records held the root's own paths) holds host
 * paths, read as they are.
 */
#define PATHS_KEY "paths"
#define PATHS_ROOT "root"

static json_t *host_path(const char *prefix, const char *path)
{
	struct strbuf sb = STRBUF_INIT;
	json_t *v;

	strbuf_addf(&sb, "%s/%s", prefix, path + (*path == '/'));
	v = json_string(sb.buf);
	strbuf_clear(&sb);
	return v;
}

/* The record on disk -> in memory: host paths.  False if a path is not
 * one of the root's or a backup's name is not a plain name. */
static bool to_host(struct manifest *m)
{
	json_t *created = json_object_get(m->doc, "created"), *v;
	json_t *host = json_object();
	const char *path;
	size_t i;

	json_array_foreach (created, i, v) {
		if (*json_string_value(v) != '/')
			goto bad;
		json_array_set_new(created, i,
				   host_path(m->root, json_string_value(v)));
	}
	json_object_foreach (json_object_get(m->doc, "changed"), path, v) {
		const char *name = json_string_value(v);
		json_t *b = host_path(m->backups, name);
		json_t *key = host_path(m->root, path);

		if (*path != '/' || !*name || strchr(name, '/')) {
			json_decref(b);
			json_decref(key);
			goto bad;
		}
		json_object_set_new(host, json_string_value(key), b);
		json_decref(key);
	}
	json_object_set_new(m->doc, "changed", host);
	json_object_del(m->doc, PATHS_KEY);
	return true;
bad:
	json_decref(host);
	return false;
}

/*
 * In memory -> on disk: the root's paths, backups by name.  (A path of a
 * record from before the mark that is not under this root is kept as it
 * is: reading it back calls the record damaged, and nothing is lost.)
 */
static json_t *on_disk(const struct manifest *m)
{
	json_t *doc = json_deep_copy(m->doc), *created, *changed, *v;
	const char *path;
	size_t i;

	created = json_object_get(doc, "created");
	json_array_foreach (created, i, v) {
		json_array_set_new(created, i,
				   json_string(root_own(m->root,
							json_string_value(v))));
	}
	changed = json_object();
	json_object_foreach (json_object_get(m->doc, "changed"), path, v) {
		const char *b = json_string_value(v), *name;

		name = path_under(m->backups, b);
		json_object_set_new(changed, root_own(m->root, path),
				    json_string(name ? name : b));
	}
	json_object_set_new(doc, "changed", changed);
	json_object_set_new(doc, PATHS_KEY, json_string(PATHS_ROOT));
	return doc;
}

/* What a record may name: a path under the root. */
static int check_under_root(const struct manifest *m, const char *path)
{
	if (root_relative(m->root, path))
		return 0;
	return error("'%s' is not under the root '%s': pomctl changes "
		     "nothing outside the root it runs on",
		     path, m->root);
}

int manifest_open(struct manifest *m, const char *root, const char *state_dir,
		  const char *run, const char *step)
{
	struct strbuf sb = STRBUF_INIT;
	json_error_t err;

	m->root = xstrdup(root);
	strbuf_addf(&sb, "%s/manifests/%s/%s.json", state_dir, run, step);
	m->path = strbuf_detach(&sb);
	strbuf_addf(&sb, "%s/backups/%s/%s", state_dir, run, step);
	m->backups = strbuf_detach(&sb);
	m->doc = NULL;
	if (path_exists(m->path)) {
		const char *paths;

		m->doc = json_load_file(m->path, JSON_REJECT_DUPLICATES, &err);
		paths = json_string_value(json_object_get(m->doc, PATHS_KEY));
		if (!m->doc || !well_formed(m->doc) ||
		    (json_object_get(m->doc, PATHS_KEY) &&
		     (!paths || strcmp(paths, PATHS_ROOT) || !to_host(m)))) {
			int ret = error("manifest '%s' is damaged; it records "
					"what pomctl changed, so look at it "
					"before moving it aside",
					m->path);

			manifest_clear(m); /* nothing for the caller */
			return ret;
		}
	}
	if (!m->doc)
		m->doc = empty_doc();
	return 0;
}

void manifest_clear(struct manifest *m)
{
	free(m->root);
	free(m->path);
	free(m->backups);
	json_decref(m->doc);
	memset(m, 0, sizeof(*m));
}

bool manifest_has_created(const struct manifest *m, const char *path)
{
	json_t *created = json_object_get(m->doc, "created"), *v;
	size_t i;

	json_array_foreach (created, i, v)
		if (!strcmp(json_string_value(v), path))
			return true;
	return false;
}

/* to gets from's access and modification times (where it can: a copy
 * that keeps its own is still the same content). */
static void copy_times(const char *from, const char *to)
{
	struct stat st;

	if (stat(from, &st) == 0)
		utimensat(AT_FDCWD, to,
			  (const struct timespec[]){ st.st_atim, st.st_mtim },
			  0);
}

int manifest_backup(struct manifest *m, const char *path)
{
	json_t *changed = json_object_get(m->doc, "changed");
	struct strbuf backup = STRBUF_INIT;
	const char *base = strrchr(path, '/');
	struct stat st;
	int ret;

	if (json_object_get(changed, path) || manifest_has_created(m, path))
		return 0; /* the first backup is the original; a file the
				 * run created has none: undo removes it */
	if (check_under_root(m, path) < 0)
		return -1;
	if (mkdir_p(m->backups, 0700) < 0)
		return -1;
	strbuf_addf(&backup, "%s/%zu-%s", m->backups, json_object_size(changed),
		    base ? base + 1 : path);
	ret = stat(path, &st);
	if (ret < 0)
		ret = error("cannot stat '%s': %s", path, strerror(errno));
	/* the original's mode, owner and times: the restore gives them back
	 * (the backups directory is private) */
	if (!ret)
		ret = copy_file_atomic(path, backup.buf, st.st_mode & 07777);
	if (!ret && lchown(backup.buf, st.st_uid, st.st_gid) < 0)
		ret = error("cannot give '%s' its original's owner: %s",
			    backup.buf, strerror(errno));
	if (!ret)
		copy_times(path, backup.buf);
	if (!ret) {
		json_object_set_new(changed, path, json_string(backup.buf));
		ret = manifest_save(m);
	}
	strbuf_clear(&backup);
	return ret;
}

int manifest_created(struct manifest *m, const char *path)
{
	if (manifest_has_created(m, path)) /* a step resumed records it again */
		return 0;
	if (check_under_root(m, path) < 0)
		return -1;
	json_array_append_new(json_object_get(m->doc, "created"),
			      json_string(path));
	return manifest_save(m);
}

void manifest_forget_created(struct manifest *m, const char *path)
{
	json_t *created = json_object_get(m->doc, "created"), *v;
	size_t i;

	json_array_foreach (created, i, v)
		if (!strcmp(json_string_value(v), path)) {
			json_array_remove(created, i);
			return;
		}
}

int manifest_will_write(struct manifest *m, const char *path)
{
	return path_exists(path) ? manifest_backup(m, path) :
				   manifest_created(m, path);
}

void manifest_patch(struct manifest *m, const char *name)
{
	json_array_append_new(json_object_get(m->doc, "patches"),
			      json_string(name));
}

const char *manifest_backup_of(const struct manifest *m, const char *path)
{
	return json_string_value(
		json_object_get(json_object_get(m->doc, "changed"), path));
}

char *manifest_first_backup(const char *root, const char *state_dir,
			    const char *step, const char *path)
{
	struct strvec runs = STRVEC_INIT;
	struct strbuf dir = STRBUF_INIT;
	char *found = NULL;
	bool quiet = error_set_quiet(true);

	strbuf_addf(&dir, "%s/manifests", state_dir);
	list_dir(dir.buf, &runs); /* run ids sort by their start time */
	for (size_t i = 0; i < runs.nr && !found; i++) {
		struct manifest m;
		const char *backup;

		if (manifest_open(&m, root, state_dir, runs.v[i], step) == 0 &&
		    (backup = manifest_backup_of(&m, path)) &&
		    path_exists(backup))
			found = xstrdup(backup);
		manifest_clear(&m);
	}
	error_set_quiet(quiet);
	strvec_clear(&runs);
	strbuf_clear(&dir);
	return found;
}

void manifest_patches_before(const char *state_dir, const char *run,
			     struct strvec *out)
{
	struct strvec runs = STRVEC_INIT;
	struct strbuf dir = STRBUF_INIT;
	bool quiet = error_set_quiet(true);

	strbuf_addf(&dir, "%s/manifests", state_dir);
	list_dir(dir.buf, &runs);
	for (size_t i = 0; i < runs.nr; i++) {
		struct manifest m;
		json_t *v;
		size_t k;

		if (!strcmp(runs.v[i], run) ||
		    manifest_open(&m, "", state_dir, runs.v[i], "patch") < 0)
			continue;
		json_array_foreach (json_object_get(m.doc, "patches"), k, v)
			strvec_push(out, json_string_value(v));
		manifest_clear(&m);
	}
	error_set_quiet(quiet);
	strvec_clear(&runs);
	strbuf_clear(&dir);
}

void manifest_package(struct manifest *m, const char *list, const char *nvr)
{
	json_t *names = json_object_get(m->doc, list), *v;
	size_t i;

	if (!names) {
		names = json_array();
		json_object_set_new(m->doc, list, names);
	}
	json_array_foreach (names, i, v)
		if (!strcmp(json_string_value(v), nvr))
			return;
	json_array_append_new(names, json_string(nvr));
}

void manifest_packages(const struct manifest *m, const char *list,
		       struct strvec *out)
{
	json_t *v;
	size_t i;

	json_array_foreach (json_object_get(m->doc, list), i, v)
		strvec_push(out, json_string_value(v));
}

static bool within(const char *path, const struct strvec *places)
{
	for (size_t i = 0; i < places->nr; i++)
		if (!strcmp(path, places->v[i]) ||
		    path_under(places->v[i], path))
			return true;
	return false;
}

static int outside(const struct manifest *m, const char *path, const char *what)
{
	struct strbuf name = STRBUF_INIT;
	int ret;

	strbuf_addprintable(&name, path);
	ret = error("manifest '%s' is damaged: it names '%s', %s; pomctl "
		    "will not touch it (look at the manifest, then move it "
		    "aside)",
		    m->path, name.buf, what);
	strbuf_clear(&name);
	return ret;
}

int manifest_confine(const struct manifest *m, const struct strvec *places)
{
	json_t *changed = json_object_get(m->doc, "changed"), *v;
	const char *path, *what = "outside the places a step changes";
	size_t i;

	json_array_foreach (json_object_get(m->doc, "created"), i, v)
		if (!path_is_clean(json_string_value(v)) ||
		    !within(json_string_value(v), places))
			return outside(m, json_string_value(v), what);
	json_object_foreach (changed, path, v) {
		const char *b = json_string_value(v), *base;

		if (!path_is_clean(path) || !within(path, places))
			return outside(m, path, what);
		base = path_under(m->backups, b);
		if (!path_is_clean(b) || !base || strchr(base, '/'))
			return outside(m, b,
				       "as a backup outside its "
				       "backups directory");
	}
	return 0;
}

/*
 * Its directory is made by the first save: reading the record writes none.
 * Keys sorted: a record built in one attempt or in two (an interrupted
 * one undone, then resumed) reads the same.
 */
int manifest_save(struct manifest *m)
{
	json_t *doc = on_disk(m);
	char *text = json_dumps(doc, JSON_INDENT(2) | JSON_SORT_KEYS);
	int ret;

	json_decref(doc);
	if (!text)
		die_oom();
	ret = mkdir_parent(m->path, 0700);
	if (!ret)
		ret = write_file_atomic(m->path, text, strlen(text), 0600);
	free(text);
	return ret;
}

/* Restore every backup and remove every created file: 0 or -1. */
static int revert(struct manifest *m)
{
	json_t *created = json_object_get(m->doc, "created");
	json_t *changed = json_object_get(m->doc, "changed");
	bool meta = json_is_true(json_object_get(m->doc, "meta"));
	const char *path;
	json_t *v;
	size_t i;
	int ret = 0;

	json_array_foreach (created, i, v) {
		const char *p = json_string_value(v);

		if (is_dir(p) ? remove_tree(p) < 0 :
				unlink(p) < 0 && errno != ENOENT)
			ret = error("cannot remove '%s': %s", p,
				    strerror(errno));
	}
	json_object_foreach (changed, path, v) {
		struct stat st;
		/* the original's mode and owner: the backup's, where the
		 * record keeps them there, else the file's as it is */
		bool had = (meta ? stat(json_string_value(v), &st) :
				   stat(path, &st)) == 0;

		/* the file as it was: its content, mode, owner and times */
		if (copy_file_atomic(json_string_value(v), path,
				     had ? st.st_mode & 07777 : 0644) < 0)
			ret = -1;
		else if (had && lchown(path, st.st_uid, st.st_gid) < 0)
			ret = error("cannot give '%s' back to its owner: %s",
				    path, strerror(errno));
		else
			copy_times(json_string_value(v), path);
	}
	return ret;
}

/* Whether path is inside another path of created: removed with it. */
static bool inside_created(json_t *created, const char *path)
{
	json_t *v;
	size_t i;

	json_array_foreach (created, i, v) {
		const char *dir = json_string_value(v);
		size_t len = strlen(dir);

		if (!strncmp(path, dir, len) && path[len] == '/')
			return true;
	}
	return false;
}

/*
 * What the record says, as rollback would do it: only what can be done
 * (a file recorded as created that is not there is no line, nor one in a
 * directory removed whole).
 */
void manifest_plan_undo(const struct manifest *m, struct plan *p)
{
	json_t *created = json_object_get(m->doc, "created");
	json_t *changed = json_object_get(m->doc, "changed");
	struct strvec one = STRVEC_INIT;
	const char *path;
	json_t *v;
	size_t i;

	/* as manifest_undo does: a file created over one it backed up is
	 * restored, not removed */
	json_array_foreach (created, i, v) {
		path = json_string_value(v);
		/* there when this record is undone (a later step's record,
		 * undone first, may restore or remove it) */
		if (json_object_get(changed, path) ||
		    inside_created(created, path) || !plan_will_exist(p, path))
			continue;
		strvec_push(&one, path);
		plan_remove(p, &one);
		strvec_clear(&one);
	}
	json_object_foreach (changed, path, v) {
		strvec_push(&one, path);
		plan_restore(p, &one, json_string_value(v));
		strvec_clear(&one);
	}
}

static bool same_content(const char *a, const char *b)
{
	char x[SHA256_HEX], y[SHA256_HEX];

	return sha256_file(a, x) == 0 && sha256_file(b, y) == 0 &&
	       !strcmp(x, y);
}

/*
 * After the undo: a line for each thing done, said only once it is seen
 * done; what is not is an error naming it.
 */
static int report_undone(const char *step, json_t *created, json_t *changed)
{
	const char *path;
	json_t *v;
	size_t i;
	int ret = 0;

	json_array_foreach (created, i, v) {
		const char *p = json_string_value(v);

		if (json_object_get(changed, p) || inside_created(created, p))
			continue; /* its backup restored; its directory said */
		if (path_exists(p))
			ret = error("%s: %s is still there", step, p);
		else
			info("  %s: removed %s", step, p);
	}
	json_object_foreach (changed, path, v) {
		if (!same_content(path, json_string_value(v)))
			ret = error("%s: %s could not be restored from %s",
				    step, path, json_string_value(v));
		else
			info("  %s: restored %s", step, path);
	}
	return ret;
}

/* Forget the record (after a successful revert), the package lists aside. */
static void forget(struct manifest *m)
{
	json_t *doc = empty_doc();

	for (size_t i = 0; i < ARRAY_SIZE(package_lists); i++) {
		json_t *names = json_object_get(m->doc, package_lists[i]);

		if (names)
			json_object_set(doc, package_lists[i], names);
	}
	json_decref(m->doc);
	m->doc = doc;
}

int manifest_undo(struct manifest *m, const char *step)
{
	json_t *created = json_array(), *changed, *v;
	size_t i;
	int ret;

	/* what to check afterwards: the files that are there to undo */
	json_array_foreach (json_object_get(m->doc, "created"), i, v)
		if (path_exists(json_string_value(v)))
			json_array_append(created, v);
	changed = json_deep_copy(json_object_get(m->doc, "changed"));
	ret = revert(m);
	if (step && report_undone(step, created, changed) < 0)
		ret = -1;
	if (!ret) {
		forget(m);
		ret = manifest_save(m);
	}
	json_decref(created);
	json_decref(changed);
	return ret;
}

bool manifest_is_empty(const struct manifest *m)
{
	return !json_array_size(json_object_get(m->doc, "created")) &&
	       !json_object_size(json_object_get(m->doc, "changed")) &&
	       !json_array_size(json_object_get(m->doc, "patches"));
}

void manifest_forget_packages(struct manifest *m)
{
	for (size_t i = 0; i < ARRAY_SIZE(package_lists); i++)
		json_object_del(m->doc, package_lists[i]);
}
