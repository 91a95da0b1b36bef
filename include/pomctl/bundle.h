/* SPDX-License-Identifier: GPL-2.0-or-later */
/* pomctl bundle: a finished run's kernel and packages for other hosts. */
#ifndef POMCTL_BUNDLE_H
#define POMCTL_BUNDLE_H

#include <stdbool.h>

#include <jansson.h>

#include "pomctl/strbuf.h"

struct ctx;
struct env;
struct run_request;

/* What a bundle's manifest says, once every file is checked against it. */
struct bundle_info {
	struct strvec patches;
	struct strvec packages; /* the RPMs, extracted: host paths */
	char *kernel_release;
	char *base_release, *base_arch, *base_config;
	json_t *outputs; /* { STEP: { KEY: VALUE } } of the build run */
};
void bundle_info_clear(struct bundle_info *bi);

/*
 * The bundle from (a path, or a URL fetched into the state's cache with
 * its sha256 pin; when plan, only looked up there) extracted into dir
 * (kept when it is there already) and read: every package the manifest
 * names present with its sha256, nothing else.  0, or -1 (reported).
 */
int bundle_get(const struct env *env, const char *state_dir, const char *from,
	       const char *sha, bool plan, const char *dir,
	       struct bundle_info *bi);
/*
 * The bundle extracted in dir, its manifest.json read as data with a
 * schema (at most 1 MiB; only the keys pomctl bundle writes; each value of
 * its kind: releases, patch names, the build steps' outputs pomctl bundle
 * gives and nothing else) and every package it names checked: 0, or -1
 * (reported, quoting input as printable text).
 */
int bundle_read_manifest(const char *dir, struct bundle_info *bi);
/*
 * The patches the bundle names, after bundle_get()'s checks and
 * bundle_check_host()'s: 0 or -1.
 */
int bundle_patches(const struct env *env, const char *state_dir,
		   const char *from, const char *sha, bool plan,
		   struct strvec *patches);
/*
 * Whether a host running release, of architecture arch (make's ARCH=),
 * whose running kernel's configuration has config_sha256 ("" when it has
 * none), is the bundle's base: 0, or -1 naming each difference.
 */
int bundle_check_base(const struct bundle_info *bi, const char *release,
		      const char *arch, const char *config_sha256);

/*
 * The finished run of the state directory as one tar file at output
 * (NULL: pomctl-bundle-RELEASE.tar here): the kernel as an RPM, the
 * iptables packages it built, manifest.json; with repo, the packages also
 * as a yum repository there.  An exit code.
 */
int bundle_command(struct ctx *ctx, const struct run_request *rq,
		   const char *output, const char *repo);

/* Whether this host (its release, ARCH= and running configuration) is
 * the bundle's base: 0, or -1 naming each difference. */
int bundle_check_host(const struct env *env, const struct bundle_info *bi);
/* The kernel release as the version and release of its package:
 * "2.4.20-13.8custom1" -> "2.4.20", "13.8custom1". */
void bundle_kernel_vr(const char *rel, struct strbuf *version,
		      struct strbuf *release);
/* The i-th of the build steps' outputs a bundle carries (STEP, KEY):
 * false past the last. */
bool bundle_output_kept(size_t i, const char **step, const char **key);
/* The build run's outputs of step, as the bundle in dir recorded them. */
int bundle_step_outputs(const char *dir, const char *step, struct strvec *keys,
			struct strvec *values);

#endif
