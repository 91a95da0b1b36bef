// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The release the rpm step gives its build of iptables: [rpm] release,
 * or one above every earlier run's build of the same version and above
 * the installed package, so that rpm never refuses the build as older
 * and each run's packages are files of their own for its rollback.
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "pomctl/history.h"
#include "pomctl/log.h"
#include "pomctl/rpmdb.h"
#include "pomctl/util.h"
#include "steps.h"

/* The N of release "WANT.N" (N > 1), else 0. */
static unsigned long own_rebuild(const char *release, const char *want)
{
	size_t len = strlen(want);
	const char *digits = release + len + 1;
	char *end;
	unsigned long n;

	if (strncmp(release, want, len) || release[len] != '.' ||
	    !isdigit((unsigned char)*digits))
		return 0;
	errno = 0;
	n = strtoul(digits, &end, 10);
	return *end || errno || n < 2 || n == ULONG_MAX ? 0 : n;
}

bool rpm_is_own_release(struct ctx *ctx, const char *release)
{
	const char *want = config_get(ctx->env.cfg, "rpm", "release");
	size_t len = strlen(release), wlen = strlen(want);

	return !strcmp(release, want) || own_rebuild(release, want) ||
	       (len > wlen + 1 && release[len - wlen - 1] == '.' &&
		!strcmp(release + len - wlen, want));
}

/* The rebuild number of a release of pomctl's: 1.pom 1, 1.pom.2 2; else 0. */
static unsigned long own_number(const char *release, const char *want)
{
	return !strcmp(release, want) ? 1 : own_rebuild(release, want);
}

/*
 * The highest rebuild number of version that an earlier run built (its
 * rpm step's packages, "NAME-VERSION-RELEASE.ARCH.rpm"), whatever is
 * installed now: a package update may have replaced pomctl's iptables
 * and left its other packages.  0 when none did.
 */
static unsigned long last_own_build(struct ctx *ctx, const char *version)
{
	const char *want = config_get(ctx->env.cfg, "rpm", "release");
	struct strbuf mid = STRBUF_INIT, rel = STRBUF_INIT;
	struct strvec paths = STRVEC_INIT;
	unsigned long last = 0;
	bool quiet = error_set_quiet(true);
	struct history h;

	strbuf_addf(&mid, "-%s-", version);
	if (history_load(&h, ctx->state_dir.buf, pipeline_step_names(),
			 pomctl_nr_steps) < 0)
		h.nr = 0;
	for (size_t i = 0; i < h.nr; i++) {
		struct state *st = &h.e[i].st;
		const char *v = state_get_output(st, "rpm", "version");

		if (!strcmp(st->id, ctx->state->id) || !v || strcmp(v, version))
			continue;
		strvec_clear(&paths);
		strvec_split(&paths,
			     state_get_output(st, "rpm", "packages") ?: "",
			     " ");
		for (size_t k = 0; k < paths.nr; k++) {
			const char *base = strrchr(paths.v[k], '/');
			const char *at, *end;
			unsigned long n;

			base = base ? base + 1 : paths.v[k];
			at = strstr(base, mid.buf); /* in the file's name */
			if (!at || !ends_with(base, ".rpm"))
				continue;
			at += mid.len;
			end = base + strlen(base) - 4; /* .rpm */
			while (end > at && end[-1] != '.')
				end--; /* .ARCH */
			if (end <= at)
				continue;
			strbuf_reset(&rel);
			strbuf_add(&rel, at, end - at - 1);
			n = own_number(rel.buf, want);
			if (n > last)
				last = n;
		}
	}
	if (h.nr)
		history_clear(&h);
	error_set_quiet(quiet);
	strvec_clear(&paths);
	strbuf_clear(&mid);
	strbuf_clear(&rel);
	return last;
}

/*
 * The release the build gets: [rpm] release -- unless the host has this
 * very version of iptables with a release that sorts above it (a rebuild
 * of the version installed: the distribution's 2 or 1.vm against 1.pom):
 * rpm would refuse the build as older, after hours of building.  Then the
 * installed release with [rpm] release after it: 1.vm -> 1.vm.1.pom.  An
 * earlier run's build of the same version (1.pom, 1.pom.2, ...) gets the
 * next (1.pom.2, 1.pom.3): each run's packages are files of their own,
 * and the earlier run's stay in RPMS for its rollback to put back.
 */
void rpm_build_clear(struct ctx *ctx, const char *version, struct strbuf *out)
{
	const char *want = config_get(ctx->env.cfg, "rpm", "release");
	unsigned long last = last_own_build(ctx, version), n = 0;
	struct rpmpkg ipt = { 0 };
	bool have = false;
	struct rpmdb db;

	strbuf_reset(out);
	strbuf_addstr(out, want);
	if (ctx_rpmdb_open(ctx, &db) == 0) {
		have = rpmdb_newest(&db, "iptables", &ipt) == 0;
		rpmdb_close(&db);
	}
	if (have && !strcmp(ipt.version, version))
		n = own_number(ipt.release, want);
	if (n && n >= last) {
		strbuf_addf(out, ".%lu", n + 1);
		info("  release %s: iptables-%s-%s, an earlier run's build, "
		     "stays in RPMS for its rollback",
		     out->buf, ipt.version, ipt.release);
	} else if (last) {
		struct strbuf prev = STRBUF_INIT;

		strbuf_addstr(&prev, want);
		if (last > 1)
			strbuf_addf(&prev, ".%lu", last);
		strbuf_addf(out, ".%lu", last + 1);
		info("  release %s: an earlier run built iptables-%s-%s (its "
		     "packages stay in RPMS for its rollback)",
		     out->buf, version, prev.buf);
		strbuf_clear(&prev);
	} else if (have && !strcmp(ipt.version, version)) {
		struct rpmpkg built = ipt;

		built.version = (char *)version;
		built.release = (char *)want;
		if (rpmdb_pkg_cmp(&built, &ipt) < 0) {
			strbuf_reset(out);
			strbuf_addf(out, "%s.%s", ipt.release, want);
			info("  release %s: the installed iptables-%s-%s sorts "
			     "above %s",
			     out->buf, ipt.version, ipt.release, want);
		}
	}
	if (have)
		rpmdb_pkg_clear(&ipt);
}
