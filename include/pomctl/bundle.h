/* SPDX-License-Identifier: GPL-2.0-or-later */
/* pomctl bundle: a finished run's kernel and packages for other hosts. */
#ifndef POMCTL_BUNDLE_H
#define POMCTL_BUNDLE_H

struct ctx;
struct run_request;

/*
 * The finished run of the state directory as one tar file at output
 * (NULL: pomctl-bundle-RELEASE.tar here): the kernel as an RPM, the
 * iptables packages it built, manifest.json.  An exit code.
 */
int bundle_command(struct ctx *ctx, const struct run_request *rq,
		   const char *output);

#endif
