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
#include "pomctl/names.h"
#include "pomctl/pipeline.h"
#include "pomctl/run-command.h"
#include "pomctl/scratch.h"
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

static void write_spec(struct ctx *ctx, struct bundle *b, struct strbuf *spec)
{
	struct strbuf version = STRBUF_INIT, release = STRBUF_INIT,
		      boot = STRBUF_INIT, modules = STRBUF_INIT;
	const char *r = b->release;

	bundle_kernel_vr(r, &version, &release);
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
	strbuf_clear(&version);
	strbuf_clear(&release);
	strbuf_clear(&boot);
	strbuf_clear(&modules);
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
	/* both go into the spec, where rpm expands %... */
	if (!ret && (!release_name_is_valid(b->release) ||
		     !release_name_is_valid(b->base)))
		ret = error("run %s's kernel releases '%s' and '%s' must be "
			    "plain release names to go into a spec",
			    ctx->state->id, b->release, b->base);
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
		child_process_clear(&cp);
	}
	if (cp.log_fd >= 0)
		close(cp.log_fd);
	if (!ret) {
		struct strbuf v = STRBUF_INIT, r = STRBUF_INIT;

		bundle_kernel_vr(b->release, &v, &r);
		strbuf_addf(&b->kernel_rpm,
			    "%s/rpm/RPMS/%s/kernel-pomctl-%s-%s.%s.rpm",
			    b->scratch.buf, ctx->env.host.arch, v.buf, r.buf,
			    ctx->env.host.arch);
		if (!path_exists(b->kernel_rpm.buf))
			ret = error("rpmbuild made no %s", b->kernel_rpm.buf);
		strbuf_clear(&v);
		strbuf_clear(&r);
	}
	strvec_clear(&errors);
	strbuf_clear(&lines);
	strbuf_clear(&spec);
	strbuf_clear(&path);
	strbuf_clear(&boot);
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

/*
 * [bundle] sign_key: the packages signed with rpmsign, copies of the
 * run's in the scratch directory taking their places in paths.
 */
static int sign_packages(struct ctx *ctx, struct bundle *b,
			 struct strvec *paths)
{
	const char *key = config_get(ctx->env.cfg, "bundle", "sign_key");
	struct child_process cp = CHILD_PROCESS_INIT;
	struct strbuf copy = STRBUF_INIT;
	int ret = 0;

	if (!*key)
		return 0;
	if (strpbrk(key, "%\n"))
		return error("[bundle] sign_key '%s' must name a key, without "
			     "'%%'",
			     key);
	for (size_t i = 0; i < paths->nr && !ret; i++) {
		if (!strncmp(paths->v[i], b->scratch.buf, b->scratch.len))
			continue; /* made here: signed in place */
		strbuf_reset(&copy);
		strbuf_addf(&copy, "%s/%s", b->scratch.buf,
			    strrchr(paths->v[i], '/') + 1);
		ret = copy_file_atomic(paths->v[i], copy.buf, 0600);
		free(paths->v[i]);
		paths->v[i] = xstrdup(copy.buf);
	}
	strbuf_reset(&copy);
	if (!ret && find_program(config_get(ctx->env.cfg, "commands", "gpg"),
				 &copy) < 0)
		ret = error("cannot sign the bundle: [commands] gpg '%s' is "
			    "not installed",
			    config_get(ctx->env.cfg, "commands", "gpg"));
	config_get_words(ctx->env.cfg, "commands", "rpmsign", &cp.args);
	strvec_push(&cp.args, "--define");
	strvec_pushf(&cp.args, "_gpg_name %s", key);
	strvec_push(&cp.args, "--define");
	strvec_pushf(&cp.args, "__gpg %s", copy.buf);
	strvec_push(&cp.args, "--addsign");
	strvec_pushv(&cp.args, strvec_argv(paths));
	cp.label = "rpmsign";
	cp.log_fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
	if (!ret && run_command(&cp) != 0)
		ret = error("rpmsign could not sign the bundle's packages with "
			    "key '%s' ([bundle] sign_key; the key must be "
			    "usable without a question)",
			    key);
	else if (ret)
		child_process_clear(&cp);
	if (cp.log_fd >= 0)
		close(cp.log_fd);
	strbuf_clear(&copy);
	return ret;
}

/* The kernel package and the run's iptables packages, signed when asked,
 * into the archive and the manifest's files. */
static int add_packages(struct ctx *ctx, struct bundle *b, json_t *files)
{
	struct strvec paths = STRVEC_INIT;
	struct strbuf name = STRBUF_INIT;
	int ret;

	strvec_push(&paths, b->kernel_rpm.buf);
	ctx_output_paths(ctx, "rpm", "packages", &paths);
	ret = sign_packages(ctx, b, &paths);
	for (size_t i = 0; i < paths.nr && !ret; i++) {
		strbuf_reset(&name);
		strbuf_addf(&name, "RPMS/%s", strrchr(paths.v[i], '/') + 1);
		ret = add_file(b, files, name.buf, paths.v[i]);
	}
	strvec_clear(&paths);
	strbuf_clear(&name);
	return ret;
}

/* The build steps' outputs a bundle carries, as its manifest's object. */
static json_t *build_outputs(struct ctx *ctx)
{
	json_t *all = json_object();
	const char *name, *key;

	for (size_t i = 0; bundle_output_kept(i, &name, &key); i++) {
		json_t *step = json_object_get(all, name);

		if (!step) {
			step = json_object();
			json_object_set_new(all, name, step);
		}
		json_object_set_new(step, key,
				    json_string(step_output(ctx, name, key)));
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
	json_t *doc, *list;
	char *text;
	int ret;

	strbuf_addf(&rel, "/boot/config-%s", b->base);
	env_path(&ctx->env, rel.buf, &config);
	if (sha256_file(config.buf, digest))
		warning("no configuration of the base kernel at %s: the "
			"bundle's base names no configuration digest",
			config.buf);
	ctx_output_words(ctx, "patch", "set", &patches);
	list = json_strings(&patches);
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
	strbuf_clear(&config);
	strbuf_clear(&rel);
	strbuf_clear(&path);
	return ret;
}

/*
 * --repo DIR: the bundle's packages also as a yum repository, for sites
 * that distribute through yum: copied into DIR (made when missing), then
 * createrepo_c DIR.  0 or -1.
 */
static int write_repo(struct ctx *ctx, const struct bundle *b, const char *repo)
{
	struct child_process cp = CHILD_PROCESS_INIT;
	struct strbuf to = STRBUF_INIT;
	int ret = mkdir_p(repo, 0755);

	for (size_t i = 0; !ret && i < b->names.nr; i++) {
		if (strncmp(b->names.v[i], "RPMS/", 5))
			continue; /* the manifest */
		strbuf_reset(&to);
		strbuf_addf(&to, "%s/%s", repo, b->names.v[i] + 5);
		ret = copy_file_atomic(b->files.v[i], to.buf, 0644);
	}
	config_get_words(ctx->env.cfg, "commands", "createrepo", &cp.args);
	strvec_pushv(&cp.args, (const char *const[]){ "--quiet", repo, NULL });
	cp.label = "createrepo";
	if (!ret && run_command(&cp) != 0)
		ret = error("createrepo_c %s failed", repo);
	else if (ret)
		child_process_clear(&cp);
	strbuf_clear(&to);
	return ret;
}

/*
 * What was made, and the line that installs it on a host of its base
 * (the sha256 is what upgrade --from over http and ftp asks for).
 */
static int say_made(const struct bundle *b, const char *out, bool json)
{
	char sha[SHA256_HEX];
	char *abs = realpath(out, NULL);

	if (sha256_file(out, sha) < 0) {
		free(abs);
		return error("cannot read the bundle '%s' back", out);
	}
	if (json) {
		json_t *doc = json_pack("{s:i, s:s, s:s, s:s, s:s, s:s, s:i}",
					"schema", 1, "bundle", abs ? abs : out,
					"sha256", sha, "release", b->release,
					"base", b->base, "arch", b->arch,
					"packages", (int)(b->names.nr - 1));

		say_json(doc);
		json_decref(doc);
		free(abs);
		return 0;
	}
	say_final("pomctl: bundle %s: kernel %s for hosts running %s (%s), "
		  "with %zu packages; sha256 %s",
		  out, b->release, b->base, b->arch, b->names.nr - 1, sha);
	say("on a host of that base: pomctl upgrade --from %s --from-sha256 "
	    "%s",
	    abs ? abs : out, sha);
	free(abs);
	return 0;
}

int bundle_command(struct ctx *ctx, const struct run_request *rq,
		   const char *output, const char *repo)
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
	if (!ret)
		ret = add_packages(ctx, &b, files) ||
				      write_manifest(ctx, &b,
						     json_incref(files)) ?
			      EXIT_FAILED :
			      0;
	if (!ret && archive_write_tar(out.buf, &b.names, &b.files) < 0)
		ret = EXIT_FAILED;
	if (!ret && repo && write_repo(ctx, &b, repo) < 0)
		ret = EXIT_FAILED;
	if (!ret)
		ret = say_made(&b, out.buf, ctx->json) ? EXIT_FAILED : 0;
	if (b.scratch.len)
		remove_tree(b.scratch.buf);
out:
	json_decref(files);
	strbuf_clear(&b.scratch);
	strbuf_clear(&b.kernel_rpm);
	strvec_clear(&b.names);
	strvec_clear(&b.files);
	strbuf_clear(&out);
	strbuf_clear(&name);
	return ret;
}
