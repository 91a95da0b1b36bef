// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Reading a bundle (pomctl bundle writes it: src/bundle.c): its format --
 * the build steps' outputs a bundle carries, each a list of words of its
 * kind -- and the checks of a bundle before a run from it (steps/bundled.c)
 * trusts anything in it: its pin, every file against the manifest, the
 * manifest against its schema, the packages' signatures and contents,
 * the host against its base.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "pomctl/archive.h"
#include "pomctl/bundle.h"
#include "pomctl/digest.h"
#include "pomctl/env.h"
#include "pomctl/fetch.h"
#include "pomctl/ktree.h"
#include "pomctl/log.h"
#include "pomctl/names.h"
#include "pomctl/rpmdb.h"
#include "pomctl/safepath.h"
#include "pomctl/scratch.h"
#include "pomctl/util.h"

/* The words of an output, each as what it is. */
static bool option_word(const char *w)
{
	return !strncmp(w, "CONFIG_", 7) && w[7] &&
	       strspn(w, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_") == strlen(w);
}

static bool object_word(const char *w) /* net/ipv4/netfilter/ipt_string */
{
	return !relpath_check(w) &&
	       strspn(w, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
			 "0123456789_-/.") == strlen(w);
}

static bool name_word(const char *w) /* an extension: string, TARPIT */
{
	return *w && strlen(w) <= 64 &&
	       strspn(w, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
			 "0123456789_-") == strlen(w);
}

static bool version_word(const char *w)
{
	return *w && strlen(w) <= 64 && isdigit((unsigned char)*w) &&
	       strspn(w, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
			 "0123456789._+~") == strlen(w);
}

/*
 * What the run's build steps found and made, as their outputs: a run from
 * the bundle gives them to its skipped steps, so that install and verify
 * read them as after a build.  These and nothing else: each a list of
 * words of its kind (release: the manifest's kernel_release itself).
 */
static const struct kept_output {
	const char *step, *key;
	bool (*word)(const char *);
	bool one; /* a single word */
} kept[] = {
	{ "patch", "set", patch_name_is_valid, false },
	{ "patch", "present", patch_name_is_valid, false },
	{ "patch", "options", option_word, false },
	{ "patch", "objects", object_word, false },
	{ "rpm", "extensions", name_word, false },
	{ "rpm", "version", version_word, true },
	{ "kernel", "release", release_name_is_valid, true },
	{ "kernel", "arch", name_word, true },
	{ "kernel", "modules", object_word, false },
};

#define OUTPUT_MAX 4096

static const struct kept_output *kept_output(const char *step, const char *key)
{
	for (size_t i = 0; i < ARRAY_SIZE(kept); i++)
		if (!strcmp(kept[i].step, step) && !strcmp(kept[i].key, key))
			return &kept[i];
	return NULL;
}

static bool kept_step(const char *step)
{
	for (size_t i = 0; i < ARRAY_SIZE(kept); i++)
		if (!strcmp(kept[i].step, step))
			return true;
	return false;
}

/*
 * The manifest's outputs: an object of the steps of kept, each an object
 * of their keys, each value a string of words of its kind; the kernel's
 * release the bundle's own.  0, or -1 naming what is wrong (printable).
 */
static int check_outputs(json_t *outputs, const char *kernel_release)
{
	struct strbuf shown = STRBUF_INIT;
	struct strvec words = STRVEC_INIT;
	const char *step, *key;
	json_t *keys, *v;
	int ret = 0;

	if (!json_is_object(outputs))
		return error("the bundle's manifest has no outputs object");
	json_object_foreach (outputs, step, keys) {
		if (!json_is_object(keys) || !kept_step(step))
			keys = NULL;
		json_object_foreach (keys, key, v) {
			const struct kept_output *k = kept_output(step, key);
			const char *s = json_string_value(v);

			strvec_clear(&words);
			if (k && s && strlen(s) <= OUTPUT_MAX)
				strvec_split(&words, s, " ");
			for (size_t i = 0; k && s && i < words.nr; i++)
				if (!k->word(words.v[i]))
					s = NULL;
			if (k && s && k->one && words.nr > 1)
				s = NULL;
			if (k && s && !strcmp(key, "release") &&
			    strcmp(s, kernel_release))
				s = NULL;
			if (!k || !s)
				break;
		}
		if (keys && !key)
			continue;
		strbuf_addprintable(&shown, step);
		if (keys) {
			strbuf_addch(&shown, '.');
			strbuf_addprintable(&shown, key);
		}
		ret = error("the bundle's manifest gives the output %.80s, "
			    "which a bundle cannot give (%s); nothing was "
			    "installed",
			    shown.buf,
			    !keys || !kept_output(step, key) ?
				    "not an output of a build step it carries" :
				    "not a value of its kind");
		break;
	}
	strvec_clear(&words);
	strbuf_clear(&shown);
	return ret;
}

bool bundle_output_kept(size_t i, const char **step, const char **key)
{
	if (i >= ARRAY_SIZE(kept))
		return false;
	*step = kept[i].step;
	*key = kept[i].key;
	return true;
}

/* "2.4.20-13.8custom1" -> version "2.4.20", release "13.8custom1". */
void bundle_kernel_vr(const char *rel, struct strbuf *version,
		      struct strbuf *release)
{
	size_t n = strcspn(rel, "-");

	strbuf_add(version, rel, n);
	strbuf_addstr(release, rel[n] ? rel + n + 1 : "0");
	for (size_t i = 0; i < release->len; i++)
		if (release->buf[i] == '-')
			release->buf[i] = '.';
}

/* --- reading a bundle --------------------------------------------------- */

void bundle_info_clear(struct bundle_info *bi)
{
	strvec_clear(&bi->patches);
	strvec_clear(&bi->packages);
	free(bi->kernel_release);
	free(bi->base_release);
	free(bi->base_arch);
	free(bi->base_config);
	json_decref(bi->outputs);
	memset(bi, 0, sizeof(*bi));
}

/*
 * A bundle's pin (--from-sha256, [bundle] sha256), wherever the bundle
 * comes from: checked before anything is read from it.
 */
static int check_pin(const char *path, const char *sha)
{
	char digest[SHA256_HEX];

	if (!*sha)
		return 0;
	if (sha256_file(path, digest))
		return error("bundle '%s' cannot be read to check its sha256",
			     path);
	if (strcasecmp(digest, sha))
		return error("bundle '%s' has sha256 %s, not the pinned %.64s "
			     "(--from-sha256 or [bundle] sha256): it is not "
			     "the bundle you meant; nothing was changed",
			     path, digest, sha);
	info("  bundle %s: sha256 %s, as pinned", path, digest);
	return 0;
}

/* from as a local file: a path made absolute; a URL fetched into the
 * state's cache (its plan too: the plan reads the bundle).  The pin
 * checked either way. */
static int bundle_local(const struct env *env, const char *state_dir,
			const char *from, const char *sha, struct strbuf *path)
{
	struct strbuf url = STRBUF_INIT, cache = STRBUF_INIT;
	struct fetch_request req = { 0 };
	struct fetch_result res;
	int ret = 0;

	if (!strstr(from, "://")) {
		char *real = realpath(from, NULL);

		if (!real)
			return error("bundle '%s': %s", from, strerror(errno));
		strbuf_addstr(path, real);
		free(real);
		return check_pin(path->buf, sha);
	}
	if (!*sha && strncmp(from, "file:", 5))
		return error("bundle %s: a bundle over the network needs its "
			     "sha256 (--from-sha256, as pomctl bundle's host "
			     "printed it)",
			     from);
	strbuf_addf(&cache, "%s/cache", state_dir);
	req.url = from;
	req.sha256 = sha;
	req.pin_name = "--from-sha256";
	fetch_limits_from_config(env->cfg, &req);
	req.log_fd = env->log_fd;
	fetch_result_init(&res);
	ret = fetch(cache.buf, &req, &res);
	if (!ret)
		strbuf_addstr(path, res.path.buf);
	fetch_result_clear(&res);
	strbuf_clear(&url);
	strbuf_clear(&cache);
	return ret;
}

/* Every file the manifest names there with its digest, nothing more. */
static int check_files(const char *dir, json_t *files, struct bundle_info *bi)
{
	struct strbuf path = STRBUF_INIT, rpms = STRBUF_INIT;
	struct strvec present = STRVEC_INIT;
	const char *name;
	json_t *v;
	int ret = 0;

	strbuf_addf(&rpms, "%s/RPMS", dir);
	list_dir(rpms.buf, &present);
	json_object_foreach (files, name, v) {
		char digest[SHA256_HEX];

		strbuf_reset(&path);
		strbuf_addf(&path, "%s/%s", dir, name);
		if (strncmp(name, "RPMS/", 5) || strchr(name + 5, '/') ||
		    relpath_check(name) || !json_is_string(v))
			ret = error("the bundle's manifest names '%s': not a "
				    "package of its RPMS directory",
				    name);
		else if (sha256_file(path.buf, digest))
			ret = error("the bundle lacks %s, which its manifest "
				    "names",
				    name);
		else if (strcmp(digest, json_string_value(v)))
			ret = error("the bundle's %s has sha256 %s, but its "
				    "manifest says %s: it was changed after "
				    "pomctl bundle made it; nothing was "
				    "installed",
				    name, digest, json_string_value(v));
		else
			strvec_push(&bi->packages, path.buf);
		if (ret)
			break;
	}
	for (size_t i = 0; !ret && i < present.nr; i++) {
		strbuf_reset(&path);
		strbuf_addf(&path, "RPMS/%s", present.v[i]);
		if (!json_object_get(files, path.buf))
			ret = error("the bundle holds %s, which its manifest "
				    "does not name",
				    path.buf);
	}
	strvec_clear(&present);
	strbuf_clear(&path);
	strbuf_clear(&rpms);
	return ret;
}

/* The manifest's keys, and its size: no more than pomctl bundle writes. */
#define MANIFEST_MAX (1 << 20)
static const char *const manifest_keys[] = {
	"schema", "pomctl", "created",	      "run",	 "patches",
	"base",	  "files",  "kernel_release", "outputs",
};
static const char *const base_keys[] = { "release", "arch", "config_sha256" };

/* obj's keys all of keys: true, or false with the first other in unknown. */
static bool only_keys(json_t *obj, const char *const *keys, size_t nr,
		      struct strbuf *unknown)
{
	const char *key;
	json_t *v;

	json_object_foreach (obj, key, v) {
		size_t i = 0;

		while (i < nr && strcmp(keys[i], key))
			i++;
		if (i == nr) {
			strbuf_addprintable(unknown, key);
			return false;
		}
	}
	return true;
}

static bool sha256_word(const char *w)
{
	return strlen(w) == SHA256_HEX - 1 &&
	       strspn(w, "0123456789abcdef") == SHA256_HEX - 1;
}

/*
 * The manifest as data with a schema: read once, at most MANIFEST_MAX
 * bytes, its keys those pomctl bundle writes and each of its values of
 * its kind.  What it names is quoted only as printable text.
 */
int bundle_read_manifest(const char *dir, struct bundle_info *bi)
{
	struct strbuf path = STRBUF_INIT, text = STRBUF_INIT,
		      unknown = STRBUF_INIT;
	json_error_t jerr;
	json_t *m = NULL, *base, *patches, *v;
	size_t i;
	int ret = 0;

	strbuf_addf(&path, "%s/manifest.json", dir);
	ret = read_file(path.buf, MANIFEST_MAX, true, &text);
	if (ret == -EFBIG)
		ret = error("the bundle's manifest.json is over %d KiB, which "
			    "no bundle of pomctl's is: refused",
			    MANIFEST_MAX >> 10);
	else if (ret < 0)
		ret = error("the bundle has no manifest.json that can be read: "
			    "%s",
			    strerror(-ret));
	else
		m = json_loadb(text.buf, text.len, JSON_REJECT_DUPLICATES,
			       &jerr);
	base = json_object_get(m, "base");
	patches = json_object_get(m, "patches");
	if (!ret &&
	    (!m || json_integer_value(json_object_get(m, "schema")) != 1 ||
	     !json_is_object(base) || !json_is_array(patches) ||
	     !json_is_object(json_object_get(m, "files")) ||
	     !json_string_value(json_object_get(m, "kernel_release")) ||
	     !json_string_value(json_object_get(base, "release"))))
		ret = error("'%s' is not the manifest of a pomctl bundle%s%s",
			    path.buf, m ? "" : ": ", m ? "" : jerr.text);
	if (!ret &&
	    (!only_keys(m, manifest_keys, ARRAY_SIZE(manifest_keys),
			&unknown) ||
	     !only_keys(base, base_keys, ARRAY_SIZE(base_keys), &unknown)))
		ret = error("the bundle's manifest has the key '%.80s', which "
			    "pomctl bundle does not write: refused",
			    unknown.buf);
	json_array_foreach (patches, i, v)
		if (!ret && (!json_is_string(v) ||
			     !patch_name_is_valid(json_string_value(v))))
			ret = error("the bundle's manifest names a patch that "
				    "is not a patch name");
		else if (!ret)
			strvec_push(&bi->patches, json_string_value(v));
	if (!ret) {
		bi->kernel_release = xstrdup(json_string_value(
			json_object_get(m, "kernel_release")));
		bi->base_release = xstrdup(
			json_string_value(json_object_get(base, "release")));
		v = json_object_get(base, "arch");
		bi->base_arch = xstrdup(
			json_is_string(v) ? json_string_value(v) : "");
		v = json_object_get(base, "config_sha256");
		bi->base_config = xstrdup(
			json_is_string(v) ? json_string_value(v) : "");
		bi->outputs = json_incref(json_object_get(m, "outputs"));
	}
	if (!ret && (!release_name_is_valid(bi->kernel_release) ||
		     !release_name_is_valid(bi->base_release) ||
		     (*bi->base_arch && !name_word(bi->base_arch)) ||
		     (*bi->base_config && !sha256_word(bi->base_config)))) {
		strbuf_reset(&unknown);
		strbuf_addprintable(&unknown,
				    !release_name_is_valid(bi->kernel_release) ?
					    bi->kernel_release :
					    bi->base_release);
		ret = error("the bundle's manifest names a kernel release "
			    "('%.80s'), architecture or configuration digest "
			    "that is not one: refused",
			    unknown.buf);
	}
	if (!ret)
		ret = check_outputs(bi->outputs, bi->kernel_release);
	if (!ret)
		ret = check_files(dir, json_object_get(m, "files"), bi);
	json_decref(m);
	strbuf_clear(&path);
	strbuf_clear(&text);
	strbuf_clear(&unknown);
	return ret;
}

/* [bundle] require_signature: each package signed by a key of this
 * host's rpm database. */
static int check_signatures(const struct env *env, const struct bundle_info *bi,
			    bool plan)
{
	struct strbuf why = STRBUF_INIT;
	struct rpmdb db;
	int ret = rpmdb_open(&db, env->root,
			     config_get(env->cfg, "rpm", "dbpath"), plan);
	bool opened = !ret;

	for (size_t i = 0; i < bi->packages.nr && !ret; i++)
		if (rpmdb_signed_by_known_key(&db, bi->packages.v[i], &why) < 0)
			ret = error("the bundle's %s is %s: [bundle] "
				    "require_signature refuses it; nothing was "
				    "installed",
				    strrchr(bi->packages.v[i], '/') + 1,
				    why.buf);
	if (opened)
		rpmdb_close(&db);
	strbuf_clear(&why);
	return ret;
}

/* s starts with prefix: *rest is what follows. */
static bool after_prefix(const char *s, const char *prefix, const char **rest)
{
	size_t n = strlen(prefix);

	if (strncmp(s, prefix, n))
		return false;
	*rest = s + n;
	return true;
}

/* The files a kernel package of release may hold: its four in /boot and
 * its modules' directory. */
static bool kernel_file(const char *path, const char *release)
{
	static const char *const boot[] = { "vmlinuz-", "System.map-",
					    "config-", "initrd-" };
	const char *rest;

	if (after_prefix(path, "/lib/modules/", &rest))
		return after_prefix(rest, release, &rest) &&
		       (!*rest || (*rest == '/' && !relpath_check(rest + 1)));
	if (!after_prefix(path, "/boot/", &path))
		return false;
	for (size_t i = 0; i < ARRAY_SIZE(boot); i++)
		if (after_prefix(path, boot[i], &rest) &&
		    after_prefix(rest, release, &rest) &&
		    (!*rest || (i == 3 && !strcmp(rest, ".img"))))
			return true;
	return false;
}

/*
 * The kernel package: kernel-pomctl of the manifest's release, providing
 * kernel = RELEASE, running nothing, holding only that kernel's files.
 */
static int check_kernel_package(const struct rpmpkg *p, const char *file,
				const struct strvec *scripts,
				const struct strvec *provides,
				const char *release, struct strbuf *why)
{
	struct strbuf v = STRBUF_INIT, r = STRBUF_INIT, want = STRBUF_INIT;
	struct strvec files = STRVEC_INIT;
	int ret = 0;

	bundle_kernel_vr(release, &v, &r);
	strbuf_addf(&want, "kernel = %s", release);
	if (strcmp(p->version, v.buf) || strcmp(p->release, r.buf))
		strbuf_addf(why, "it is version %s-%s, not the manifest's %s",
			    p->version, p->release, release);
	else if (!strvec_has(provides, want.buf))
		strbuf_addf(why, "it does not provide %s", want.buf);
	else if (scripts->nr)
		strbuf_addf(why, "it has scriptlets (%.*s...)",
			    (int)strcspn(scripts->v[0], ":"), scripts->v[0]);
	else if (rpmdb_package_files(file, &files) < 0)
		strbuf_addstr(why, "its files cannot be read");
	for (size_t i = 0; !why->len && i < files.nr; i++)
		if (!kernel_file(files.v[i], release))
			strbuf_addf(why,
				    "it holds %.200s, not a file of kernel %s",
				    files.v[i], release);
	ret = why->len ? -1 : 0;
	strvec_clear(&files);
	strbuf_clear(&v);
	strbuf_clear(&r);
	strbuf_clear(&want);
	return ret;
}

/*
 * Another package: iptables or one of its subpackages, named by its file
 * as it names itself, running nothing but what this host's package of
 * that name runs (the distribution's %post, say).
 */
static int check_iptables_package(struct rpmdb *db, const struct rpmpkg *p,
				  const char *file,
				  const struct strvec *scripts,
				  struct strbuf *why)
{
	struct strbuf own = STRBUF_INIT;
	struct strvec host = STRVEC_INIT;
	const char *base = strrchr(file, '/') + 1;

	strbuf_addf(&own, "%s-%s-%s.%s.rpm", p->name, p->version, p->release,
		    p->arch);
	if (strcmp(p->name, "iptables") && strncmp(p->name, "iptables-", 9))
		strbuf_addf(why, "it is %s, not an iptables package", p->name);
	else if (strcmp(own.buf, base))
		strbuf_addf(why, "it is %s under another name", own.buf);
	if (!why->len && scripts->nr)
		rpmdb_installed_scripts(db, p->name, &host);
	for (size_t i = 0; !why->len && i < scripts->nr; i++)
		if (!strvec_has(&host, scripts->v[i]))
			strbuf_addf(why,
				    "it has a %.*s scriptlet that this host's "
				    "%s does not have",
				    (int)strcspn(scripts->v[i], ":"),
				    scripts->v[i], p->name);
	strvec_clear(&host);
	strbuf_clear(&own);
	return why->len ? -1 : 0;
}

/* What the bundle names is what its packages are: each checked, or -1
 * naming the package and the difference. */
static int check_packages(const struct env *env, const struct bundle_info *bi,
			  bool plan)
{
	struct strvec scripts = STRVEC_INIT, provides = STRVEC_INIT;
	struct strbuf why = STRBUF_INIT;
	struct rpmdb db = { 0 };
	unsigned kernels = 0;
	int ret = rpmdb_open(&db, env->root,
			     config_get(env->cfg, "rpm", "dbpath"), plan);
	bool opened = !ret;

	for (size_t i = 0; !ret && i < bi->packages.nr; i++) {
		const char *file = bi->packages.v[i];
		struct rpmpkg p;

		strvec_clear(&scripts);
		strvec_clear(&provides);
		memset(&p, 0, sizeof(p));
		ret = rpmdb_check_package(file, strrchr(file, '/') + 1, &p);
		if (!ret)
			ret = rpmdb_package_claims(file, &scripts, &provides);
		if (ret)
			break;
		if (!strcmp(p.name, "kernel-pomctl")) {
			kernels++;
			check_kernel_package(&p, file, &scripts, &provides,
					     bi->kernel_release, &why);
		} else {
			check_iptables_package(&db, &p, file, &scripts, &why);
		}
		if (why.len)
			ret = error("the bundle's %s is not what a bundle "
				    "carries: %s; nothing was installed",
				    strrchr(file, '/') + 1, why.buf);
		rpmdb_pkg_clear(&p);
	}
	if (!ret && kernels != 1)
		ret = error("the bundle holds %u kernel packages, not one; "
			    "nothing was installed",
			    kernels);
	if (opened)
		rpmdb_close(&db);
	strvec_clear(&scripts);
	strvec_clear(&provides);
	strbuf_clear(&why);
	return ret;
}

int bundle_get(const struct env *env, const char *state_dir, const char *from,
	       const char *sha, bool plan, const char *dir,
	       struct bundle_info *bi)
{
	struct strbuf path = STRBUF_INIT;
	struct archive_limits lim;
	int ret = bundle_local(env, state_dir, from, sha, &path);

	memset(bi, 0, sizeof(*bi));
	archive_limits_from_config(env->cfg, &lim);
	if (!ret && !is_dir(dir))
		ret = archive_extract(path.buf, dir, &lim) ? -1 : 0;
	if (!ret)
		ret = bundle_read_manifest(dir, bi);
	if (!ret && config_get_bool(env->cfg, "bundle", "require_signature"))
		ret = check_signatures(env, bi, plan);
	if (!ret)
		ret = check_packages(env, bi, plan);
	strbuf_clear(&path);
	return ret;
}

int bundle_check_base(const struct bundle_info *bi, const char *release,
		      const char *arch, const char *config_sha256)
{
	struct strbuf diff = STRBUF_INIT;
	int ret = 0;

	if (strcmp(bi->base_release, release))
		strbuf_addf(&diff, "; it runs kernel %s, not %s", release,
			    bi->base_release);
	if (*bi->base_arch && strcmp(bi->base_arch, arch))
		strbuf_addf(&diff, "; its architecture is %s, not %s", arch,
			    bi->base_arch);
	if (*bi->base_config && strcmp(bi->base_config, config_sha256))
		strbuf_addf(&diff,
			    "; its running kernel's configuration has sha256 "
			    "%.12s..., not the bundle's %.12s...",
			    *config_sha256 ? config_sha256 : "(none)",
			    bi->base_config);
	if (diff.len)
		ret = error("this host is not the bundle's base: %s; nothing "
			    "was changed (build here with pomctl upgrade "
			    "--patch NAME)",
			    diff.buf + 2);
	strbuf_clear(&diff);
	return ret;
}

int bundle_patches(const struct env *env, const char *state_dir,
		   const char *from, const char *sha, bool plan,
		   struct strvec *patches)
{
	struct strbuf dir = STRBUF_INIT;
	struct bundle_info bi;
	int ret = scratch_make("bundle", &dir);

	if (!ret) {
		strbuf_addstr(&dir, "/b");
		ret = bundle_get(env, state_dir, from, sha, plan, dir.buf, &bi);
		if (!ret)
			ret = bundle_check_host(env, &bi);
		for (size_t i = 0; !ret && i < bi.patches.nr; i++)
			strvec_push(patches, bi.patches.v[i]);
		bundle_info_clear(&bi);
		strbuf_setlen(&dir, dir.len - 2);
		remove_tree(dir.buf);
	}
	strbuf_clear(&dir);
	return ret;
}

int bundle_step_outputs(const char *dir, const char *step, struct strvec *keys,
			struct strvec *values)
{
	struct strbuf path = STRBUF_INIT, text = STRBUF_INIT;
	json_t *m = NULL, *outs;
	const char *key;
	json_t *v;
	int ret;

	strbuf_addf(&path, "%s/manifest.json", dir);
	if (read_file(path.buf, MANIFEST_MAX, true, &text) >= 0)
		m = json_loadb(text.buf, text.len, JSON_REJECT_DUPLICATES,
			       NULL);
	strbuf_clear(&path);
	strbuf_clear(&text);
	if (!m)
		return error("the bundle's manifest in %s cannot be read", dir);
	/* checked when the bundle was got; again, as it is used */
	outs = json_object_get(m, "outputs");
	ret = check_outputs(
		outs,
		json_string_value(json_object_get(m, "kernel_release")) ?: "");
	json_object_foreach (ret ? NULL : json_object_get(outs, step), key, v) {
		strvec_push(keys, key);
		strvec_push(values, json_string_value(v));
	}
	json_decref(m);
	return ret;
}

int bundle_check_host(const struct env *env, const struct bundle_info *bi)
{
	struct strbuf rel = STRBUF_INIT, config = STRBUF_INIT,
		      arch = STRBUF_INIT;
	char digest[SHA256_HEX];
	int ret;

	strbuf_addf(&rel, "/boot/config-%s", env->host.release);
	env_path(env, rel.buf, &config);
	if (sha256_file(config.buf, digest))
		digest[0] = '\0';
	ktree_arch(config.buf, config_get(env->cfg, "build", "arch"),
		   env->host.arch, &arch);
	ret = bundle_check_base(bi, env->host.release, arch.buf, digest);
	strbuf_clear(&rel);
	strbuf_clear(&config);
	strbuf_clear(&arch);
	return ret;
}
