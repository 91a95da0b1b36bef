// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>

#include "pomctl/digest.h"
#include "pomctl/log.h"
#include "pomctl/names.h"
#include "pomctl/run-command.h"
#include "pomctl/state.h"
#include "pomctl/util.h"

static const char *const status_names[] = {
	[STEP_PENDING] = "pending",
	[STEP_RUNNING] = "running",
	[STEP_DONE] = "done",
	[STEP_FAILED] = "failed",
	[STEP_INTERRUPTED] = "interrupted",
	[STEP_AWAITING_REBOOT] = "awaiting-reboot",
	[STEP_SKIPPED] = "skipped",
};

const char *step_status_name(enum step_status s)
{
	return status_names[s];
}

static int status_from_name(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(status_names); i++)
		if (!strcmp(name, status_names[i]))
			return (int)i;
	return -1;
}

static void init_steps(struct state *st, const char *const *names, size_t n)
{
	st->steps = xcalloc(n, sizeof(*st->steps));
	st->nr = n;
	for (size_t i = 0; i < n; i++) {
		st->steps[i].name = xstrdup(names[i]);
		st->steps[i].fingerprint = json_object();
		st->steps[i].outputs = json_object();
	}
}

void state_init(struct state *st, const char *const *names, size_t n)
{
	char now[32];
	struct strbuf id = STRBUF_INIT;

	memset(st, 0, sizeof(*st));
	utc_now(now);
	strbuf_addf(&id, "%s-%ld", now, (long)getpid());
	st->id = strbuf_detach(&id);
	st->created = xstrdup(now);
	st->command = xstrdup("upgrade");
	st->trial = xstrdup("full");
	st->bundle = xstrdup("");
	st->bundle_sha256 = xstrdup("");
	st->overrides = json_object();
	init_steps(st, names, n);
}

static void step_clear(struct step_state *s)
{
	free(s->name);
	free(s->started);
	free(s->finished);
	free(s->error);
	free(s->reason);
	free(s->pause_release);
	free(s->pause_boot_id);
	json_decref(s->fingerprint);
	json_decref(s->outputs);
}

void state_clear(struct state *st)
{
	for (size_t i = 0; i < st->nr; i++)
		step_clear(&st->steps[i]);
	free(st->steps);
	free(st->path);
	free(st->id);
	free(st->created);
	free(st->command);
	free(st->trial);
	free(st->bundle);
	free(st->bundle_sha256);
	json_decref(st->overrides);
	strvec_clear(&st->patches);
	memset(st, 0, sizeof(*st));
}

struct step_state *state_step(struct state *st, const char *name)
{
	for (size_t i = 0; i < st->nr; i++)
		if (!strcmp(st->steps[i].name, name))
			return &st->steps[i];
	return NULL;
}

void state_set_override(struct state *st, const char *key, const char *value)
{
	json_object_set_new(st->overrides, key, json_string(value));
}

int state_each_override(const struct state *st,
			int (*fn)(const char *key, const char *value,
				  void *data),
			void *data)
{
	const char *key;
	json_t *v;
	int ret = 0;

	/* state_load() lets only strings in */
	json_object_foreach (st->overrides, key, v) {
		ret = fn(key, json_string_value(v), data);
		if (ret)
			break;
	}
	return ret;
}

static void (*output_check)(const char *step, const char *key,
			    const char *value);

void state_check_outputs(void (*check)(const char *step, const char *key,
				       const char *value))
{
	output_check = check;
}

void state_set_output(struct state *st, const char *step, const char *key,
		      const char *value)
{
	struct step_state *s = state_step(st, step);

	if (output_check)
		output_check(step, key, value);
	if (s)
		json_object_set_new(s->outputs, key, json_string(value));
}

const char *state_get_output(struct state *st, const char *step,
			     const char *key)
{
	struct step_state *s = state_step(st, step);

	if (output_check)
		output_check(step, key, NULL);
	return s ? json_string_value(json_object_get(s->outputs, key)) : NULL;
}

static void set_opt_string(json_t *obj, const char *key, const char *v)
{
	if (v)
		json_object_set_new(obj, key, json_string(v));
}

static json_t *step_to_json(const struct step_state *s)
{
	json_t *o = json_object();

	json_object_set_new(o, "name", json_string(s->name));
	json_object_set_new(o, "status", json_string(status_names[s->status]));
	json_object_set_new(o, "runs", json_integer(s->runs));
	set_opt_string(o, "started", s->started);
	set_opt_string(o, "finished", s->finished);
	set_opt_string(o, "error", s->error);
	set_opt_string(o, "reason", s->reason);
	if (s->pause_release)
		json_object_set_new(o, "pause",
				    json_pack("{s:s, s:s}", "release",
					      s->pause_release, "boot_id",
					      s->pause_boot_id ?
						      s->pause_boot_id :
						      ""));
	json_object_set(o, "fingerprint", s->fingerprint);
	json_object_set(o, "outputs", s->outputs);
	return o;
}

json_t *state_to_json(const struct state *st)
{
	json_t *patches = json_strings(&st->patches), *steps = json_array();

	for (size_t i = 0; i < st->nr; i++)
		json_array_append_new(steps, step_to_json(&st->steps[i]));
	return json_pack("{s:i, s:s, s:s, s:s, s:o, s:s, s:s, s:s, s:b, s:O, "
			 "s:o}",
			 "schema", STATE_SCHEMA, "id", st->id, "created",
			 st->created, "command", st->command, "patches",
			 patches, "trial", st->trial, "from", st->bundle,
			 "from_sha256", st->bundle_sha256, "force", st->force,
			 "overrides", st->overrides, "steps", steps);
}

int state_save(struct state *st)
{
	json_t *doc = state_to_json(st);
	char *text = json_dumps(doc, JSON_INDENT(2) | JSON_ENSURE_ASCII);
	struct strbuf sb = STRBUF_INIT;
	int ret;

	json_decref(doc);
	if (!text)
		die_oom();
	strbuf_addstr(&sb, text);
	strbuf_addch(&sb, '\n');
	free(text);
	ret = write_file_atomic(st->path, sb.buf, sb.len, 0600);
	strbuf_clear(&sb);
	return ret;
}

/* Loading: every field checked; the first problem is the message. */

static const char *take_string(json_t *o, const char *key, bool required,
			       char **out)
{
	json_t *v = json_object_get(o, key);

	if (!v)
		return required ? key : NULL;
	if (!json_is_string(v))
		return key;
	*out = xstrdup(json_string_value(v));
	return NULL;
}

static bool is_string_object(json_t *o)
{
	const char *k;
	json_t *v;

	if (!json_is_object(o))
		return false;
	json_object_foreach (o, k, v)
		if (!json_is_string(v))
			return false;
	return true;
}

static const char *load_pause(json_t *o, struct step_state *s)
{
	json_t *p = json_object_get(o, "pause");
	const char *bad;

	if (!p)
		return NULL;
	if (!json_is_object(p))
		return "pause";
	bad = take_string(p, "release", true, &s->pause_release);
	return bad ? bad : take_string(p, "boot_id", true, &s->pause_boot_id);
}

static const char *load_step(json_t *o, struct step_state *s)
{
	static const char *const opt[] = { "started", "finished", "error",
					   "reason" };
	char **fields[] = { &s->started, &s->finished, &s->error, &s->reason };
	const char *status = json_string_value(json_object_get(o, "status"));
	json_t *runs = json_object_get(o, "runs");
	json_t *fp = json_object_get(o, "fingerprint");
	json_t *out = json_object_get(o, "outputs");
	const char *bad;
	int sv;

	if (!status || (sv = status_from_name(status)) < 0)
		return "status";
	s->status = (enum step_status)sv;
	if (!json_is_integer(runs) || json_integer_value(runs) < 0)
		return "runs";
	s->runs = (unsigned)json_integer_value(runs);
	for (size_t i = 0; i < ARRAY_SIZE(opt); i++)
		if ((bad = take_string(o, opt[i], false, fields[i])))
			return bad;
	if (!is_string_object(fp))
		return "fingerprint";
	if (!is_string_object(out))
		return "outputs";
	json_object_update(s->fingerprint, fp);
	json_object_update(s->outputs, out);
	return load_pause(o, s);
}

static int damaged(const char *path, const char *what, const char *detail)
{
	return error("state file '%s' is damaged (%s%s%s); move it aside to "
		     "start a new run",
		     path, what, detail ? ": " : "", detail ? detail : "");
}

static int load_steps(struct state *st, json_t *steps, const char *path)
{
	struct strbuf where = STRBUF_INIT;
	int ret = 0;

	if (!json_is_array(steps) || json_array_size(steps) != st->nr)
		return damaged(path,
			       "the step list is not the one this "
			       "pomctl runs",
			       NULL);
	for (size_t i = 0; i < st->nr && !ret; i++) {
		json_t *o = json_array_get(steps, i);
		const char *name = json_string_value(
			json_object_get(o, "name"));
		const char *bad;

		if (!json_is_object(o) || !name ||
		    strcmp(name, st->steps[i].name)) {
			strbuf_addf(&where, "step %zu is not '%s'", i + 1,
				    st->steps[i].name);
			ret = damaged(path, where.buf, NULL);
		} else if ((bad = load_step(o, &st->steps[i]))) {
			strbuf_addf(&where, "step '%s', field '%s'", name, bad);
			ret = damaged(path, where.buf, NULL);
		}
	}
	strbuf_clear(&where);
	return ret;
}

static int load_patches(struct state *st, json_t *a)
{
	size_t i;
	json_t *v;

	if (!json_is_array(a))
		return -1;
	json_array_foreach (a, i, v) {
		if (!json_is_string(v) ||
		    !patch_name_is_valid(json_string_value(v)))
			return -1;
		strvec_push(&st->patches, json_string_value(v));
	}
	return 0;
}

static int load_doc(struct state *st, json_t *doc, const char *path)
{
	static const char *const keys[] = { "id", "created", "command",
					    "trial" };
	char **fields[] = { &st->id, &st->created, &st->command, &st->trial };
	json_t *schema = json_object_get(doc, "schema");
	json_t *force = json_object_get(doc, "force");
	const char *bad;

	if (!json_is_object(doc))
		return damaged(path, "not a JSON object", NULL);
	if (!json_is_integer(schema) ||
	    json_integer_value(schema) != STATE_SCHEMA)
		return damaged(path, "schema is not 1", NULL);
	for (size_t i = 0; i < ARRAY_SIZE(keys); i++)
		if ((bad = take_string(doc, keys[i], true, fields[i])))
			return damaged(path, "field", bad);
	/* the id names the run's records: a file name, nothing else */
	if (!*st->id || *st->id == '.' ||
	    st->id[strspn(st->id, "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
				  "abcdefghijklmnopqrstuvwxyz:.-_")])
		return damaged(path, "field", "id");
	/* absent in state files before bundles */
	if ((bad = take_string(doc, "from", false, &st->bundle)) ||
	    (bad = take_string(doc, "from_sha256", false, &st->bundle_sha256)))
		return damaged(path, "field", bad);
	if (!st->bundle)
		st->bundle = xstrdup("");
	if (!st->bundle_sha256)
		st->bundle_sha256 = xstrdup("");
	if (!json_is_boolean(force))
		return damaged(path, "field", "force");
	st->force = json_is_true(force);
	if (load_patches(st, json_object_get(doc, "patches")) < 0)
		return damaged(path, "field", "patches");
	/* absent in the first state files */
	if (!json_object_get(doc, "overrides"))
		st->overrides = json_object();
	else if (!is_string_object(json_object_get(doc, "overrides")))
		return damaged(path, "field", "overrides");
	else
		st->overrides = json_incref(json_object_get(doc, "overrides"));
	return load_steps(st, json_object_get(doc, "steps"), path);
}

int state_load(struct state *st, const char *path, const char *const *names,
	       size_t n)
{
	struct strbuf text = STRBUF_INIT;
	json_error_t jerr;
	json_t *doc;
	int ret;

	memset(st, 0, sizeof(*st));
	ret = read_file(path, STATE_MAX_SIZE, true, &text);
	if (ret == -ENOENT) {
		strbuf_clear(&text);
		return -ENOENT;
	}
	if (ret) {
		strbuf_clear(&text);
		return error("cannot read state file '%s': %s", path,
			     strerror(-ret));
	}
	init_steps(st, names, n);
	st->path = xstrdup(path);
	doc = json_loadb(text.buf, text.len, JSON_REJECT_DUPLICATES, &jerr);
	if (!doc) {
		char detail[200];

		snprintf(detail, sizeof(detail), "line %d: %s", jerr.line,
			 jerr.text);
		ret = damaged(path, "not valid JSON", detail);
	} else {
		ret = load_doc(st, doc, path);
	}
	json_decref(doc);
	strbuf_clear(&text);
	if (ret)
		state_clear(st);
	return ret;
}

/* The pid the lock's holder wrote into it, or 0. */
static long lock_holder(int fd)
{
	char buf[32] = "";
	ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);

	return n > 0 ? strtol(buf, NULL, 10) : 0;
}

static void report_holder(int fd, const char *path, const char *what)
{
	long pid = lock_holder(fd);

	if (pid > 0 && kill((pid_t)pid, 0) < 0 && errno == ESRCH)
		error("pomctl (pid %ld) has ended, but a process it started "
		      "still holds the lock '%s' on %s; wait for it to end "
		      "(fuser %s names it)",
		      pid, path, what, path);
	else if (pid > 0)
		error("another pomctl (pid %ld) is running on %s (lock '%s'); "
		      "wait for it to finish",
		      pid, what, path);
	else
		error("another pomctl is running on %s (lock '%s'); wait for "
		      "it to finish",
		      what, path);
}

/*
 * A lock whose pomctl is gone (killed: its helper processes, forked with
 * its descriptors, die with it, a moment later) is waited for, up to
 * LOCK_GONE_MS; one a living pomctl holds is not.
 */
#define LOCK_GONE_MS 3000

static bool lock_after_holder(int fd)
{
	long pid = lock_holder(fd);

	if (pid <= 0 || kill((pid_t)pid, 0) == 0 || errno != ESRCH)
		return false;
	for (int ms = 0; ms < LOCK_GONE_MS; ms += 50) {
		struct timespec ts = { 0, 50 * 1000 * 1000 };

		nanosleep(&ts, NULL);
		if (flock(fd, LOCK_EX | LOCK_NB) == 0)
			return true;
	}
	return false;
}

/* flock path: the fd; -EWOULDBLOCK or -1 (reported). */
static int lock_file(const char *path, const char *what)
{
	int fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	int err;

	if (fd < 0)
		return error("cannot open lock '%s': %s", path,
			     strerror(errno));
	if (flock(fd, LOCK_EX | LOCK_NB) == 0)
		return fd;
	err = errno;
	if (err == EWOULDBLOCK && lock_after_holder(fd))
		return fd;
	if (err == EWOULDBLOCK)
		report_holder(fd, path, what);
	else
		error("cannot lock '%s': %s", path, strerror(err));
	close(fd);
	return err == EWOULDBLOCK ? -EWOULDBLOCK : -1;
}

static void write_pid(int fd, const char *path)
{
	char pid[32];
	int n = snprintf(pid, sizeof(pid), "%ld\n", (long)getpid());

	if (ftruncate(fd, 0) < 0 || pwrite(fd, pid, (size_t)n, 0) != n)
		warning("cannot write the pid into '%s'", path);
}

static int root_fd = -1; /* held with the state lock */

static int lock_root(const char *root_lock)
{
	int fd;

	if (!root_lock)
		return 0;
	if (mkdir_parent(root_lock, 0755) < 0)
		return -1;
	fd = lock_file(root_lock, "this root");
	if (fd < 0)
		return fd;
	write_pid(fd, root_lock);
	root_fd = fd;
	return 0;
}

int state_lock(const char *dir, const char *root_lock)
{
	struct strbuf path = STRBUF_INIT;
	int fd = lock_root(root_lock);

	strbuf_addf(&path, "%s/lock", dir);
	if (!fd)
		fd = lock_file(path.buf, "this state directory");
	if (fd >= 0 && run_end_orphans(fd) < 0) {
		close(fd);
		fd = -1;
	} else if (fd >= 0) {
		run_record_groups(fd);
		write_pid(fd, path.buf);
	}
	if (fd < 0 && root_fd >= 0) {
		close(root_fd);
		root_fd = -1;
	}
	strbuf_clear(&path);
	return fd;
}

void state_unlock(int fd)
{
	if (fd < 0)
		return;
	run_record_groups(-1);
	close(fd);
	if (root_fd >= 0)
		close(root_fd);
	root_fd = -1;
}

/* Fingerprints */

void fp_init(struct fingerprint *fp)
{
	fp->obj = json_object();
}

void fp_clear(struct fingerprint *fp)
{
	json_decref(fp->obj);
	fp->obj = NULL;
}

void fp_add(struct fingerprint *fp, const char *input, const char *value)
{
	json_object_set_new(fp->obj, input, json_string(value));
}

void fp_add_file(struct fingerprint *fp, const char *label, const char *path)
{
	char digest[SHA256_HEX];
	struct strbuf key = STRBUF_INIT;

	strbuf_addf(&key, "file %s", label);
	fp_add(fp, key.buf, sha256_file(path, digest) ? "absent" : digest);
	strbuf_clear(&key);
}

void fp_add_step(struct fingerprint *fp, struct state *st, const char *step)
{
	struct step_state *s = state_step(st, step);
	struct strbuf key = STRBUF_INIT;
	char digest[SHA256_HEX];
	char *text = s ? json_dumps(s->outputs, JSON_SORT_KEYS | JSON_COMPACT) :
			 NULL;

	strbuf_addf(&key, "step %s", step);
	sha256_hex(text ? text : "", text ? strlen(text) : 0, digest);
	fp_add(fp, key.buf, digest);
	free(text);
	strbuf_clear(&key);
}

static void describe_change(const char *input, struct strbuf *why)
{
	if (!strncmp(input, "step ", 5))
		strbuf_addf(why, "the results of step '%s' changed", input + 5);
	else
		strbuf_addf(why, "%s changed", input);
}

bool fp_compare(const json_t *old, const struct fingerprint *fp,
		struct strbuf *why)
{
	const char *key;
	json_t *v;

	json_object_foreach (fp->obj, key, v) {
		json_t *was = json_object_get(old, key);

		if (!was) {
			strbuf_addf(why, "new input: %s", key);
			return false;
		}
		if (!json_equal(was, v)) {
			describe_change(key, why);
			return false;
		}
	}
	json_object_foreach ((json_t *)old, key, v) {
		if (!json_object_get(fp->obj, key)) {
			strbuf_addf(why, "input no longer used: %s", key);
			return false;
		}
	}
	return true;
}
