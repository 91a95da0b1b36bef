// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pomctl/manifest.h"
#include "pomctl/util.h"

static json_t *empty_doc(void)
{
	return json_pack("{s:[], s:{}, s:[]}", "created", "changed", "patches");
}

static bool well_formed(json_t *doc)
{
	return json_is_array(json_object_get(doc, "created")) &&
	       json_is_object(json_object_get(doc, "changed")) &&
	       json_is_array(json_object_get(doc, "patches"));
}

int manifest_open(struct manifest *m, const char *state_dir, const char *step)
{
	struct strbuf sb = STRBUF_INIT;
	json_error_t err;

	strbuf_addf(&sb, "%s/manifests", state_dir);
	if (mkdir_p(sb.buf, 0700) < 0) {
		strbuf_release(&sb);
		return -1;
	}
	strbuf_addf(&sb, "/%s.json", step);
	m->path = strbuf_detach(&sb);
	strbuf_addf(&sb, "%s/backups/%s", state_dir, step);
	m->backups = strbuf_detach(&sb);
	m->doc = NULL;
	if (path_exists(m->path)) {
		m->doc = json_load_file(m->path, JSON_REJECT_DUPLICATES, &err);
		if (!m->doc || !well_formed(m->doc)) {
			json_decref(m->doc);
			m->doc = NULL;
			return error("manifest '%s' is damaged; it records what "
				     "pomctl changed, so look at it before "
				     "moving it aside", m->path);
		}
	}
	if (!m->doc)
		m->doc = empty_doc();
	return 0;
}

void manifest_release(struct manifest *m)
{
	free(m->path);
	free(m->backups);
	json_decref(m->doc);
	memset(m, 0, sizeof(*m));
}

static bool was_created(const struct manifest *m, const char *path)
{
	json_t *created = json_object_get(m->doc, "created"), *v;
	size_t i;

	json_array_foreach(created, i, v)
		if (!strcmp(json_string_value(v), path))
			return true;
	return false;
}

int manifest_backup(struct manifest *m, const char *path)
{
	json_t *changed = json_object_get(m->doc, "changed");
	struct strbuf backup = STRBUF_INIT;
	const char *base = strrchr(path, '/');
	int ret;

	if (json_object_get(changed, path) || was_created(m, path))
		return 0;	/* the first backup is the original; a file the
				 * run created has none: undo removes it */
	if (mkdir_p(m->backups, 0700) < 0)
		return -1;
	strbuf_addf(&backup, "%s/%zu-%s", m->backups, json_object_size(changed),
		    base ? base + 1 : path);
	ret = copy_file_atomic(path, backup.buf, 0600);
	if (!ret) {
		json_object_set_new(changed, path, json_string(backup.buf));
		ret = manifest_save(m);
	}
	strbuf_release(&backup);
	return ret;
}

int manifest_created(struct manifest *m, const char *path)
{
	json_array_append_new(json_object_get(m->doc, "created"),
			      json_string(path));
	return manifest_save(m);
}

void manifest_patch(struct manifest *m, const char *name)
{
	json_array_append_new(json_object_get(m->doc, "patches"),
			      json_string(name));
}

int manifest_save(struct manifest *m)
{
	char *text = json_dumps(m->doc, JSON_INDENT(2));
	int ret;

	if (!text)
		die_oom();
	ret = write_file_atomic(m->path, text, strlen(text), 0600);
	free(text);
	return ret;
}

int manifest_revert(struct manifest *m)
{
	json_t *created = json_object_get(m->doc, "created");
	json_t *changed = json_object_get(m->doc, "changed");
	const char *path;
	json_t *v;
	size_t i;
	int ret = 0;

	json_array_foreach(created, i, v) {
		const char *p = json_string_value(v);

		if (is_dir(p) ? remove_tree(p) < 0 :
		    unlink(p) < 0 && errno != ENOENT)
			ret = error("cannot remove '%s': %s", p,
				    strerror(errno));
	}
	json_object_foreach(changed, path, v) {
		struct stat st;
		mode_t mode = stat(path, &st) == 0 ? st.st_mode & 07777 : 0644;

		if (copy_file_atomic(json_string_value(v), path, mode) < 0)
			ret = -1;
	}
	return ret;
}

int manifest_undo(struct manifest *m)
{
	int ret = manifest_revert(m);

	if (!ret) {
		manifest_clear(m);
		ret = manifest_save(m);
	}
	return ret;
}

bool manifest_is_empty(const struct manifest *m)
{
	return !json_array_size(json_object_get(m->doc, "created")) &&
	       !json_object_size(json_object_get(m->doc, "changed")) &&
	       !json_array_size(json_object_get(m->doc, "patches"));
}

void manifest_clear(struct manifest *m)
{
	json_decref(m->doc);
	m->doc = empty_doc();
}
