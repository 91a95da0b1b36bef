// SPDX-License-Identifier: GPL-2.0-or-later
#include <stdlib.h>
#include <string.h>

#include "pomctl/boot.h"
#include "pomctl/env.h"
#include "pomctl/history.h"
#include "pomctl/hostset.h"
#include "pomctl/log.h"
#include "pomctl/names.h"
#include "pomctl/rpmdb.h"
#include "pomctl/usage.h"
#include "pomctl/util.h"

/* "patch-o-matic-20030107.tar.bz2" -> "20030107"; "" when not one. */
static void pom_version(const char *tarball, struct strbuf *out)
{
	const char *v = tarball ? strrchr(tarball, '-') : NULL;
	size_t n;

	strbuf_reset(out);
	if (!v || strncmp(tarball, "patch-o-matic", 13))
		return;
	v++;
	n = strcspn(v, ".");
	strbuf_add(out, v, n);
}

/* The set: each run whose patch step is done, not rolled back. */
void hostset_load_set(struct hostset *hs, const struct history *h)
{
	struct strvec set = STRVEC_INIT, built = STRVEC_INIT;
	struct strbuf pom = STRBUF_INIT;

	for (size_t i = 0; i < h->nr; i++) {
		struct run_entry *e = &h->e[i];
		struct step_state *patch = state_step(&e->st, "patch");

		if (e->rolled_back || !patch || patch->status != STEP_DONE)
			continue;
		strvec_clear(&set);
		strvec_split(&set,
			     state_get_output(&e->st, "patch", "set") ?: "",
			     " ");
		pom_version(state_get_output(&e->st, "fetch", "pom_tarball"),
			    &pom);
		strvec_clear(&built);
		strvec_split(&built,
			     state_get_output(&e->st, "rpm", "extensions") ?:
									     "",
			     " ");
		for (size_t k = 0; k < built.nr; k++)
			if (strvec_has(&set, built.v[k]) &&
			    !strvec_has(&hs->with_userspace, built.v[k]))
				strvec_push(&hs->with_userspace, built.v[k]);
		for (size_t k = 0; k < set.nr; k++) {
			size_t at = hs->names.nr;

			for (size_t j = 0; j < hs->names.nr; j++)
				if (!strcmp(hs->names.v[j], set.v[k]))
					at = j;
			if (at == hs->names.nr) {
				strvec_push(&hs->names, set.v[k]);
				strvec_push(&hs->runs, e->st.id);
				strvec_push(&hs->poms,
					    pom.len ? pom.buf : "a bundle's");
				continue;
			}
			free(hs->runs.v[at]);
			hs->runs.v[at] = xstrdup(e->st.id);
			free(hs->poms.v[at]);
			hs->poms.v[at] = xstrdup(pom.len ? pom.buf :
							   "a bundle's");
		}
	}
	strvec_clear(&set);
	strvec_clear(&built);
	strbuf_clear(&pom);
}

void hostset_load_set_of(struct hostset *hs, const char *state_dir,
			 const char *const *steps, size_t nr_steps)
{
	struct history h = { NULL, 0 };
	bool quiet = error_set_quiet(true);

	memset(hs, 0, sizeof(*hs));
	if (history_load(&h, state_dir, steps, nr_steps) == 0)
		hostset_load_set(hs, &h);
	error_set_quiet(quiet);
	history_clear(&h);
}

static struct host_kernel *kernel_of(struct hostset *hs, const char *release)
{
	for (size_t i = 0; i < hs->nk; i++)
		if (!strcmp(hs->k[i].release, release))
			return &hs->k[i];
	if (!release_name_is_valid(release))
		return NULL;
	hs->k = xrealloc(hs->k, (hs->nk + 1) * sizeof(*hs->k));
	memset(&hs->k[hs->nk], 0, sizeof(*hs->k));
	hs->k[hs->nk].release = xstrdup(release);
	return &hs->k[hs->nk++];
}

/* The iptables installed, and its files. */
static void load_iptables(struct hostset *hs, struct rpmdb *db,
			  struct strvec *files)
{
	struct strbuf nvr = STRBUF_INIT;
	struct rpmpkg p;

	if (rpmdb_newest(db, "iptables", &p) < 0)
		return;
	rpmdb_pkg_nvr(&p, &nvr);
	hs->iptables = strbuf_detach(&nvr);
	rpmdb_pkg_clear(&p);
	rpmdb_installed_files(db, "iptables", files);
}

/* The kernels of the rpm database, and the iptables installed. */
static void load_packages(struct hostset *hs, const struct env *env,
			  const char *dbpath, struct strvec *iptables_files)
{
	static const char *const kernels[][2] = { { "kernel", "" },
						  { "kernel-smp", "smp" },
						  { "kernel-bigmem",
						    "bigmem" } };
	struct strbuf rel = STRBUF_INIT;
	struct rpmdb db;
	bool quiet = error_set_quiet(true);

	if (rpmdb_open(&db, env->root, dbpath, true) < 0) {
		error_set_quiet(quiet);
		return;
	}
	for (size_t i = 0; i < ARRAY_SIZE(kernels); i++) {
		struct rpmpkg *pkgs = NULL;
		size_t n = 0;

		rpmdb_find(&db, kernels[i][0], &pkgs, &n);
		for (size_t k = 0; k < n; k++) {
			struct host_kernel *hk;

			strbuf_reset(&rel);
			rpmdb_pkg_vr(&pkgs[k], &rel);
			strbuf_addstr(&rel, kernels[i][1]);
			hk = kernel_of(hs, rel.buf);
			if (hk)
				hk->package = true;
		}
		rpmdb_pkgs_free(pkgs, n);
	}
	{
		struct rpmpkg p;

		if (rpmdb_newest(&db, "kernel", &p) == 0) {
			strbuf_reset(&rel);
			rpmdb_pkg_vr(&p, &rel);
			hs->newest = strbuf_detach(&rel);
			rpmdb_pkg_clear(&p);
		}
	}
	load_iptables(hs, &db, iptables_files);
	rpmdb_close(&db);
	error_set_quiet(quiet);
	strbuf_clear(&rel);
}

/* The kernels /boot has an image of (vmlinuz-RELEASE). */
static void load_boot(struct hostset *hs, const struct env *env)
{
	struct strvec names = STRVEC_INIT;
	struct strbuf dir = STRBUF_INIT;

	env_path(env, "/boot", &dir);
	list_dir(dir.buf, &names);
	for (size_t i = 0; i < names.nr; i++)
		if (!strncmp(names.v[i], "vmlinuz-", 8))
			kernel_of(hs, names.v[i] + 8);
	strvec_clear(&names);
	strbuf_clear(&dir);
}

/* Whether /lib/modules/RELEASE has a module of the extension name. */
static bool has_module(const struct env *env, const char *release,
		       const char *name)
{
	static const char *const dirs[] = { "net/ipv4/netfilter",
					    "net/ipv6/netfilter",
					    "net/netfilter" };
	static const char *const prefixes[] = { "ipt_", "ip6t_", "xt_" };
	static const char *const suffixes[] = { ".o", ".ko", ".ko.gz",
						".ko.xz" };
	struct strbuf rel = STRBUF_INIT, path = STRBUF_INIT;
	bool found = false;

	for (size_t d = 0; d < ARRAY_SIZE(dirs) && !found; d++)
		for (size_t p = 0; p < ARRAY_SIZE(prefixes) && !found; p++)
			for (size_t s = 0; s < ARRAY_SIZE(suffixes) && !found;
			     s++) {
				strbuf_reset(&rel);
				strbuf_addf(&rel,
					    "/lib/modules/%s/kernel/%s/%s%s%s",
					    release, dirs[d], prefixes[p], name,
					    suffixes[s]);
				env_path(env, rel.buf, &path);
				found = path_exists(path.buf);
			}
	strbuf_clear(&rel);
	strbuf_clear(&path);
	return found;
}

/* Whether the package's files hold an iptables extension of name. */
static bool has_extension(const struct strvec *files, const char *name)
{
	static const char *const prefixes[] = { "libipt_", "libxt_",
						"libip6t_" };
	struct strbuf so = STRBUF_INIT;
	bool found = false;

	for (size_t p = 0; p < ARRAY_SIZE(prefixes) && !found; p++) {
		strbuf_reset(&so);
		strbuf_addf(&so, "/%s%s.so", prefixes[p], name);
		for (size_t i = 0; i < files->nr && !found; i++)
			found = ends_with(files->v[i], so.buf);
	}
	strbuf_clear(&so);
	return found;
}

/* The set's names the installed iptables has extensions of. */
static void iptables_carries(struct hostset *hs, const struct strvec *files)
{
	for (size_t n = 0; n < hs->names.nr && hs->iptables; n++)
		if (has_extension(files, hs->names.v[n]))
			strvec_push(&hs->userspace, hs->names.v[n]);
}

static int by_release(const void *a, const void *b)
{
	return strcmp(((const struct host_kernel *)a)->release,
		      ((const struct host_kernel *)b)->release);
}

int hostset_load(struct hostset *hs, const struct env *env,
		 const struct history *h, const char *dbpath)
{
	struct strvec files = STRVEC_INIT;
	struct bootcfg b;
	const char *def = NULL;
	bool quiet = error_set_quiet(true), loaded;

	memset(hs, 0, sizeof(*hs));
	hostset_load_set(hs, h);
	load_packages(hs, env, dbpath, &files);
	load_boot(hs, env);
	kernel_of(hs, env->host.release);
	loaded = boot_load(env, &b, NULL) == 0;
	if (loaded)
		def = boot_default_release(&b);
	if (hs->nk)
		qsort(hs->k, hs->nk, sizeof(*hs->k), by_release);
	for (size_t i = 0; i < hs->nk; i++) {
		struct host_kernel *k = &hs->k[i];

		k->running = !strcmp(k->release, env->host.release);
		k->is_default = def && !strcmp(k->release, def);
		for (size_t n = 0; n < hs->names.nr; n++)
			if (has_module(env, k->release, hs->names.v[n]))
				strvec_push(&k->carries, hs->names.v[n]);
	}
	if (loaded)
		boot_clear(&b);
	iptables_carries(hs, &files);
	error_set_quiet(quiet);
	strvec_clear(&files);
	return 0;
}

void hostset_load_iptables(struct hostset *hs, const struct env *env,
			   const char *dbpath)
{
	struct strvec files = STRVEC_INIT;
	bool quiet = error_set_quiet(true);
	struct rpmdb db;

	if (rpmdb_open(&db, env->root, dbpath, true) == 0) {
		load_iptables(hs, &db, &files);
		rpmdb_close(&db);
		iptables_carries(hs, &files);
	}
	error_set_quiet(quiet);
	strvec_clear(&files);
}

/* Whether release is base, or base with a suffix (pomctl's build of it). */
static bool built_from(const char *release, const char *base)
{
	size_t n = strlen(base);

	return !strncmp(release, base, n) &&
	       (!release[n] || (release[n] != '.' &&
				!(release[n] >= '0' && release[n] <= '9')));
}

size_t hostset_newest_lacks(const struct hostset *hs, struct strvec *lacks)
{
	const struct host_kernel *best = NULL;
	size_t n = 0;

	if (!hs->newest)
		return 0;
	for (size_t i = 0; i < hs->nk; i++)
		if (built_from(hs->k[i].release, hs->newest) &&
		    (!best || hs->k[i].carries.nr > best->carries.nr))
			best = &hs->k[i];
	for (size_t i = 0; i < hs->names.nr; i++)
		if (!best || !strvec_has(&best->carries, hs->names.v[i])) {
			strvec_push(lacks, hs->names.v[i]);
			n++;
		}
	return n;
}

void hostset_lacks(const char *subject, const struct strvec *names,
		   struct strbuf *sb)
{
	strbuf_addf(sb, "%s lacks ", subject);
	strvec_join(names, " ", sb);
	strbuf_addstr(sb, " of the host's extension set");
}

size_t hostset_iptables_lacks(const struct hostset *hs, struct strvec *lacks)
{
	size_t n = 0;

	for (size_t i = 0; i < hs->with_userspace.nr; i++)
		if (!strvec_has(&hs->userspace, hs->with_userspace.v[i])) {
			strvec_push(lacks, hs->with_userspace.v[i]);
			n++;
		}
	return n;
}

/* "carries string iprange", "lacks string", or both, of the set. */
static void carries(const struct hostset *hs, const struct strvec *has,
		    struct strbuf *out)
{
	struct strbuf lacks = STRBUF_INIT;

	for (size_t n = 0; n < hs->names.nr; n++)
		if (!strvec_has(has, hs->names.v[n]))
			strbuf_addf(&lacks, " %s", hs->names.v[n]);
	if (has->nr) {
		strbuf_addstr(out, "carries");
		for (size_t i = 0; i < has->nr; i++)
			strbuf_addf(out, " %s", has->v[i]);
	}
	if (lacks.len)
		strbuf_addf(out, "%slacks%s", has->nr ? "; " : "", lacks.buf);
	strbuf_clear(&lacks);
}

void hostset_print(const struct hostset *hs, FILE *out)
{
	struct strbuf sb = STRBUF_INIT;

	if (!hs->names.nr) {
		fprintf(out, "host: no extension (no run of this host patched "
			     "a kernel and is not rolled back)\n");
		return;
	}
	fprintf(out, "host extensions (the runs not rolled back):\n");
	for (size_t n = 0; n < hs->names.nr; n++)
		fprintf(out, "  %-12s patch-o-matic %s, run %s\n",
			hs->names.v[n], hs->poms.v[n], hs->runs.v[n]);
	for (size_t i = 0; i < hs->nk; i++) {
		const struct host_kernel *k = &hs->k[i];

		strbuf_reset(&sb);
		strbuf_addstr(&sb, k->package ? "package" : "pomctl's");
		if (k->running)
			strbuf_addstr(&sb, ", running");
		if (k->is_default)
			strbuf_addstr(&sb, ", default");
		fprintf(out, "  kernel %-22s %-27s ", k->release, sb.buf);
		strbuf_reset(&sb);
		carries(hs, &k->carries, &sb);
		fprintf(out, "%s\n", sb.buf);
	}
	if (hs->iptables) {
		strbuf_reset(&sb);
		carries(hs, &hs->userspace, &sb);
		fprintf(out, "  %-57s %s\n", hs->iptables, sb.buf);
	}
	strbuf_clear(&sb);
}

json_t *hostset_json(const struct hostset *hs)
{
	json_t *set = json_array(), *kernels = json_array(), *doc;

	for (size_t n = 0; n < hs->names.nr; n++)
		json_array_append_new(set, json_pack("{s:s, s:s, s:s}", "name",
						     hs->names.v[n], "run",
						     hs->runs.v[n], "pom",
						     hs->poms.v[n]));
	for (size_t i = 0; i < hs->nk; i++) {
		const struct host_kernel *k = &hs->k[i];

		json_array_append_new(kernels,
				      json_pack("{s:s, s:b, s:b, s:b, s:o}",
						"release", k->release,
						"package", k->package,
						"running", k->running,
						"default", k->is_default,
						"carries",
						json_strings(&k->carries)));
	}
	doc = json_pack("{s:o, s:o, s:o}", "extensions", set, "kernels",
			kernels, "iptables_carries",
			json_strings(&hs->userspace));
	if (hs->iptables)
		json_object_set_new(doc, "iptables", json_string(hs->iptables));
	return doc;
}

void hostset_clear(struct hostset *hs)
{
	for (size_t i = 0; i < hs->nk; i++) {
		free(hs->k[i].release);
		strvec_clear(&hs->k[i].carries);
	}
	free(hs->k);
	free(hs->iptables);
	free(hs->newest);
	strvec_clear(&hs->names);
	strvec_clear(&hs->runs);
	strvec_clear(&hs->poms);
	strvec_clear(&hs->userspace);
	strvec_clear(&hs->with_userspace);
	memset(hs, 0, sizeof(*hs));
}
