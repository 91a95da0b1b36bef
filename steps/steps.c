// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The nine steps of the procedure, in pipeline order: the one place that says
 * which steps there are and in what order (help, status, rollback and the
 * tests take it from here).  undo: rollback undoes what its manifest
 * records.
 */
#include "pomctl/util.h"
#include "steps.h"

const struct step pomctl_steps[] = {
	{ "check", "is the match already available?", false, check_fingerprint,
	  check_plan, check_run, NULL },
	{ "update", "update the system and the kernel sources", false,
	  update_fingerprint, update_any_plan, update_any_run, NULL },
	{ "fetch", "download the iptables SRPM, iptables and patch-o-matic",
	  true, fetch_fingerprint, fetch_any_plan, fetch_any_run,
	  fetch_any_check_names },
	{ "trial", "prove the kernel builds before patching", true,
	  trial_fingerprint, trial_any_plan, trial_any_run, NULL },
	{ "patch", "apply the patch-o-matic patches to the kernel", true,
	  patch_fingerprint, patch_any_plan, patch_any_run, NULL },
	{ "rpm", "edit the iptables spec and rebuild the RPMs", true,
	  rpm_fingerprint, rpm_any_plan, rpm_any_run, NULL },
	{ "kernel", "build the kernel with the new options", true,
	  kernel_fingerprint, kernel_any_plan, kernel_any_run, NULL },
	{ "install", "install kernel, modules and RPMs; keep the old kernel",
	  true, install_fingerprint, install_any_plan, install_any_run,
	  reboot_preflight },
	{ "verify", "check the new kernel runs and the match works", true,
	  verify_fingerprint, verify_plan, verify_run, NULL },
};

const size_t pomctl_nr_steps = ARRAY_SIZE(pomctl_steps);
