// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * pomctl bundle: a finished run's result as one file for other hosts of
 * the same base.  It holds
 *	manifest.json	the patches, the base the bundle applies to (the
 *			release and architecture of the kernel the run
 *			started from, and the digest of its configuration),
 *			the kernel it built, the sha256 of every other file,
 *			pomctl's version;
 *	RPMS/...	the kernel packaged as an RPM (pomctl writes its
 *			spec: image, System.map, configuration, modules;
 *			Provides: kernel = RELEASE; no scriptlets: the
 *			boot loader is pomctl's business on the target),
 *			and the iptables packages the run built.
 * The host is not changed: the kernel package is built in a scratch
 * directory from the installed files, and only the output is written.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "pomctl/archive.h"
#include "pomctl/bundle.h"
#include "pomctl/digest.h"
#include "pomctl/lifecycle.h"
#include "pomctl/log.h"
#include "pomctl/pipeline.h"
#include "pomctl/run-command.h"
#include "pomctl/safepath.h"
#include "pomctl/scratch.h"
#include "pomctl/state.h"
#include "pomctl/util.h"

struct bundle {
	const char *release; /* the kernel the run built */
	const char *base;    /* the kernel it started from */
	const char *arch;    /* ARCH= of the build */
	struct strbuf scratch, kernel_rpm;
	struct strvec names, files; /* the archive's entries */
};

/* The finished run of the state directory into ctx->state: 0, or an exit
 * code (said). */
static int finished_run(struct ctx *ctx, const struct run_request *rq)
{
	int ret = lifecycle_load(ctx, rq);

	if (ret == -ENOENT) {
		error("nothing to bundle: there is no run in '%s'; build one "
		      "with pomctl upgrade --patch NAME",
		      ctx->state_dir.buf);
		return EXIT_USAGE;
	}
	if (ret)
		return EXIT_USAGE;
	if (!lifecycle_finished(ctx->state)) {
		error("run %s is not finished: bundle it once pomctl resume "
		      "has verified it",
		      ctx->state->id);
		return EXIT_USAGE;
	}
	if (!*step_output(ctx, "install", "release")) {
		error("run %s installed no kernel (it ended at check): there "
		      "is nothing to bundle",
		      ctx->state->id);
		return EXIT_USAGE;
	}
	return 0;
}

/*
 * A path that goes into the kernel package's build script between single
 * quotes: absolute, clean, and without a quote or a newline.
 */
static int script_safe(const char *path)
{
	if (!path_is_clean(path) || strpbrk(path, "'\n\\"))
		return error("'%s' cannot go into the kernel package's build "
			     "script: use a root path without quotes or "
			     "backslashes",
			     path);
	return 0;
}

/* A release as kernels name themselves: letters, digits, . _ + ~ -. */
static bool plain_release(const char *r)
{
	return *r && strspn(r, "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
			       "abcdefghijklmnopqrstuvwxyz0123456789._+~-") ==
			     strlen(r);
}

/* "2.4.20-13.8custom1" -> version "2.4.20", release "13.8custom1". */
static void split_release(const char *rel, struct strbuf *version,
			  struct strbuf *release)
{
	size_t n = strcspn(rel, "-");

	strbuf_add(version, rel, n);
	strbuf_addstr(release, rel[n] ? rel + n + 1 : "0");
	for (size_t i = 0; i < release->len; i++)
		if (release->buf[i] == '-')
			release->buf[i] = '.';
}

static void write_spec(struct ctx *ctx, struct bundle *b, struct strbuf *spec)
{
	struct strbuf version = STRBUF_INIT, release = STRBUF_INIT,
		      boot = STRBUF_INIT, modules = STRBUF_INIT;
	const char *r = b->release;

	split_release(r, &version, &release);
	env_path(&ctx->env, "/boot", &boot);
	env_path(&ctx->env, "/lib/modules", &modules);
	strbuf_addf(spec,
		    "# written by pomctl bundle: the kernel run %s built\n"
		    "%%global debug_package %%{nil}\n"
		    "%%global __os_install_post %%{nil}\n"
		    "%%global _build_id_links none\n"
		    "Name: kernel-pomctl\n"
		    "Version: %s\nRelease: %s\n"
		    "Summary: Linux %s with patch-o-matic's %s\n"
		    "License: GPL-2.0-only\n"
		    "Provides: kernel = %s\n"
		    "AutoReqProv: no\n\n"
		    "%%description\n"
		    "The kernel pomctl built on a host running %s, packaged "
		    "for its other hosts\n(pomctl upgrade --from installs it "
		    "and sets up the boot loader).\n\n"
		    "%%install\n"
		    "mkdir -p %%{buildroot}/boot %%{buildroot}/lib/modules\n"
		    "cp -p '%s/vmlinuz-%s' '%s/System.map-%s' '%s/config-%s' "
		    "%%{buildroot}/boot/\n"
		    "cp -pR '%s/%s' %%{buildroot}/lib/modules/\n"
		    "rm -f %%{buildroot}/lib/modules/%s/build "
		    "%%{buildroot}/lib/modules/%s/source\n\n"
		    "%%files\n/boot/vmlinuz-%s\n/boot/System.map-%s\n"
		    "/boot/config-%s\n/lib/modules/%s\n",
		    ctx->state->id, version.buf, release.buf, r,
		    step_output(ctx, "patch", "set"), r, b->base, boot.buf, r,
		    boot.buf, r, boot.buf, r, modules.buf, r, r, r, r, r, r, r);
	strbuf_release(&version);
	strbuf_release(&release);
	strbuf_release(&boot);
	strbuf_release(&modules);
}

static bool is_build_error(const char *line)
{
	return strstr(line, "error:") || strstr(line, "No such file");
}

/* The kernel package built in the scratch directory: 0 or -1. */
static int kernel_rpm(struct ctx *ctx, struct bundle *b)
{
	struct child_process cp = CHILD_PROCESS_INIT;
	struct strbuf spec = STRBUF_INIT, path = STRBUF_INIT,
		      boot = STRBUF_INIT, lines = STRBUF_INIT;
	struct strvec errors = STRVEC_INIT;
	int ret;

	env_path(&ctx->env, "/boot", &boot);
	ret = script_safe(boot.buf);
	if (!ret && !plain_release(b->release))
		ret = error("run %s's kernel release '%s' is not a plain "
			    "release name",
			    ctx->state->id, b->release);
	write_spec(ctx, b, &spec);
	strbuf_addf(&path, "%s/kernel.spec", b->scratch.buf);
	if (!ret)
		ret = write_file_atomic(path.buf, spec.buf, spec.len, 0600);
	config_get_words(ctx->env.cfg, "commands", "rpmbuild", &cp.args);
	strvec_pushv(&cp.args, (const char *const[]){ "--define", NULL });
	strvec_pushf(&cp.args, "_topdir %s/rpm", b->scratch.buf);
	strvec_pushv(&cp.args,
		     (const char *const[]){ "--target", ctx->env.host.arch,
					    "-bb", path.buf, NULL });
	cp.label = "rpmbuild";
	cp.log_fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
	cp.is_error = is_build_error;
	cp.errors = &errors;
	if (!ret && run_command(&cp) != 0) {
		for (size_t i = 0; i < errors.nr && i < 10; i++)
			strbuf_addf(&lines, "\n    %s", errors.v[i]);
		ret = error("rpmbuild of the kernel package failed%s%s",
			    errors.nr ? "; the first errors:" : "", lines.buf);
	} else if (ret) {
		child_process_release(&cp);
	}
	if (cp.log_fd >= 0)
		close(cp.log_fd);
	if (!ret) {
		struct strbuf v = STRBUF_INIT, r = STRBUF_INIT;

		split_release(b->release, &v, &r);
		strbuf_addf(&b->kernel_rpm,
			    "%s/rpm/RPMS/%s/kernel-pomctl-%s-%s.%s.rpm",
			    b->scratch.buf, ctx->env.host.arch, v.buf, r.buf,
			    ctx->env.host.arch);
		if (!path_exists(b->kernel_rpm.buf))
			ret = error("rpmbuild made no %s", b->kernel_rpm.buf);
		strbuf_release(&v);
		strbuf_release(&r);
	}
	strvec_clear(&errors);
	strbuf_release(&lines);
	strbuf_release(&spec);
	strbuf_release(&path);
	strbuf_release(&boot);
	return ret;
}

/* name in the archive, its digest into the manifest's files. */
static int add_file(struct bundle *b, json_t *files, const char *name,
		    const char *path)
{
	char digest[SHA256_HEX];
	int ret = sha256_file(path, digest);

	if (ret)
		return error("cannot read '%s': %s", path, strerror(-ret));
	strvec_push(&b->names, name);
	strvec_push(&b->files, path);
	json_object_set_new(files, name, json_string(digest));
	return 0;
}

static int add_packages(struct ctx *ctx, struct bundle *b, json_t *files)
{
	struct strvec paths = STRVEC_INIT;
	struct strbuf name = STRBUF_INIT;
	int ret = 0;

	ctx_output_paths(ctx, "rpm", "packages", &paths);
	for (size_t i = 0; i < paths.nr && !ret; i++) {
		const char *base = strrchr(paths.v[i], '/');

		strbuf_reset(&name);
		strbuf_addf(&name, "RPMS/%s", base ? base + 1 : paths.v[i]);
		ret = add_file(b, files, name.buf, paths.v[i]);
	}
	strvec_clear(&paths);
	strbuf_release(&name);
	return ret;
}

/*
 * What the run's build steps found and made, as their outputs: a run from
 * the bundle gives them to its skipped steps, so that install and verify
 * read them as after a build.
 */
static const char *const kept[][2] = {
	{ "patch", "set" },	 { "patch", "present" },
	{ "patch", "options" },	 { "patch", "objects" },
	{ "rpm", "extensions" }, { "rpm", "version" },
	{ "kernel", "release" }, { "kernel", "arch" },
	{ "kernel", "modules" },
};

static json_t *build_outputs(struct ctx *ctx)
{
	json_t *all = json_object();

	for (size_t i = 0; i < ARRAY_SIZE(kept); i++) {
		json_t *step = json_object_get(all, kept[i][0]);

		if (!step) {
			step = json_object();
			json_object_set_new(all, kept[i][0], step);
		}
		json_object_set_new(step, kept[i][1],
				    json_string(step_output(ctx, kept[i][0],
							    kept[i][1])));
	}
	return all;
}

/* The manifest, written into the scratch directory as the last entry. */
static int write_manifest(struct ctx *ctx, struct bundle *b, json_t *files)
{
	struct strbuf config = STRBUF_INIT, rel = STRBUF_INIT,
		      path = STRBUF_INIT;
	char digest[SHA256_HEX] = "", now[32];
	struct strvec patches = STRVEC_INIT;
	json_t *doc, *list = json_array();
	char *text;
	int ret;

	strbuf_addf(&rel, "/boot/config-%s", b->base);
	env_path(&ctx->env, rel.buf, &config);
	if (sha256_file(config.buf, digest))
		warning("no configuration of the base kernel at %s: the "
			"bundle's base names no configuration digest",
			config.buf);
	strvec_split(&patches, step_output(ctx, "patch", "set"), " ");
	for (size_t i = 0; i < patches.nr; i++)
		json_array_append_new(list, json_string(patches.v[i]));
	utc_now(now);
	doc = json_pack("{s:i, s:s, s:s, s:s, s:o, s:{s:s, s:s, s:s}, s:s, "
			"s:o, s:o}",
			"schema", 1, "pomctl", POMCTL_VERSION, "created", now,
			"run", ctx->state->id, "patches", list, "base",
			"release", b->base, "arch", b->arch, "config_sha256",
			digest, "kernel_release", b->release, "files", files,
			"outputs", build_outputs(ctx));
	text = doc ? json_dumps(doc, JSON_INDENT(2) | JSON_SORT_KEYS) : NULL;
	strbuf_addf(&path, "%s/manifest.json", b->scratch.buf);
	ret = text ? write_file_atomic(path.buf, text, strlen(text), 0600) :
		     error("cannot write the bundle's manifest");
	if (!ret) {
		strvec_push(&b->names, "manifest.json");
		strvec_push(&b->files, path.buf);
	}
	free(text);
	json_decref(doc);
	strvec_clear(&patches);
	strbuf_release(&config);
	strbuf_release(&rel);
	strbuf_release(&path);
	return ret;
}

int bundle_command(struct ctx *ctx, const struct run_request *rq,
		   const char *output)
{
	struct bundle b = { NULL,	 NULL,	      NULL,	  STRBUF_INIT,
			    STRBUF_INIT, STRVEC_INIT, STRVEC_INIT };
	struct strbuf out = STRBUF_INIT, name = STRBUF_INIT;
	json_t *files = json_object();
	int ret;

	ctx->readonly = true; /* the host and the state stay as they are */
	ret = finished_run(ctx, rq);
	if (ret)
		goto out;
	b.release = step_output(ctx, "install", "release");
	b.base = step_output(ctx, "check", "release");
	b.arch = step_output(ctx, "kernel", "arch");
	if (output)
		strbuf_addstr(&out, output);
	else
		strbuf_addf(&out, "pomctl-bundle-%s.tar", b.release);
	ret = scratch_make("bundle", &b.scratch) < 0 ? EXIT_FAILED : 0;
	if (!ret)
		ret = kernel_rpm(ctx, &b) ? EXIT_FAILED : 0;
	if (!ret) {
		strbuf_addf(&name, "RPMS/%s",
			    strrchr(b.kernel_rpm.buf, '/') + 1);
		ret = add_file(&b, files, name.buf, b.kernel_rpm.buf) ||
				      add_packages(ctx, &b, files) ||
				      write_manifest(ctx, &b,
						     json_incref(files)) ?
			      EXIT_FAILED :
			      0;
	}
	if (!ret && archive_write_tar(out.buf, &b.names, &b.files) < 0)
		ret = EXIT_FAILED;
	if (!ret)
		say_final("pomctl: bundle %s: kernel %s for hosts running %s "
			  "(%s), with %zu packages",
			  out.buf, b.release, b.base, b.arch, b.names.nr - 1);
	if (b.scratch.len)
		remove_tree(b.scratch.buf);
out:
	json_decref(files);
	strbuf_release(&b.scratch);
	strbuf_release(&b.kernel_rpm);
	strvec_clear(&b.names);
	strvec_clear(&b.files);
	strbuf_release(&out);
	strbuf_release(&name);
	return ret;
}
