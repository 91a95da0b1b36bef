// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The nine steps of the procedure, in pipeline order: the one place that says
 * which steps there are and in what order (help, status, rollback and the
 * tests take it from here), and what each gives the steps after it and
 * takes from those before (src/outputs.c holds every read and write to
 * it).  undo: rollback undoes what its manifest records.
 */
#include "pomctl/util.h"
#include "steps.h"

/* what a step that pauses for a reboot gives (steps/reboot.c) */
#define BOOT_OUTPUTS                                                          \
	{ "boot_once", OUT_TEXT }, /* the one-shot mechanism, or "by hand" */ \
		{ "boot_config", OUT_PATH },                                  \
	{                                                                     \
		"boot_title", OUT_TEXT                                        \
	}

static const struct step_output check_gives[] = {
	{ "release", OUT_WORD }, /* the running kernel at the start */
	{ NULL, 0 },
};

static const struct step_output update_gives[] = {
	{ "kernel", OUT_WORD },	       /* version-release of the newest */
	{ "source", OUT_WORD },	       /* ... of kernel-source */
	{ "iptables_srpm", OUT_WORD }, /* the distribution's SRPM's name */
	{ NULL, 0 },
};

static const struct step_output fetch_gives[] = {
	{ "srpm", OUT_WORD },
	{ "srpm_sha256", OUT_WORD },
	{ "spec", OUT_PATH },
	{ "iptables_version", OUT_WORD },
	{ "iptables_tarball", OUT_WORD },
	{ "iptables_sha256", OUT_WORD },
	{ "pom_tarball", OUT_WORD },
	{ "pom_sha256", OUT_WORD },
	{ "pom_dir", OUT_PATH }, /* under the state directory */
	/* from a bundle: its packages, their names, its kernel */
	{ "packages", OUT_PATHS },
	{ "plan_packages", OUT_WORDS },
	{ "kernel_release", OUT_WORD },
	{ NULL, 0 },
};
static const struct step_input fetch_takes[] = {
	{ "update", "iptables_srpm" },
	{ NULL, NULL },
};

static const struct step_output trial_gives[] = {
	{ "release", OUT_WORD },
	{ "arch", OUT_WORD },
	BOOT_OUTPUTS,
	{ NULL, 0 },
};

static const struct step_output patch_gives[] = {
	{ "set", OUT_WORDS },	    /* the patch names of the run */
	{ "present", OUT_WORDS },   /* ... and those the tree had */
	{ "applied", OUT_WORDS },   /* applied by this run */
	{ "options", OUT_WORDS },   /* CONFIG_ options they add */
	{ "objects", OUT_WORDS },   /* module objects they build */
	{ "userspace", OUT_WORDS }, /* iptables extensions they add */
	{ NULL, 0 },
};
static const struct step_input patch_takes[] = {
	{ "fetch", "pom_dir" },
	{ NULL, NULL },
};

static const struct step_output rpm_gives[] = {
	{ "packages", OUT_PATHS },
	{ "version", OUT_WORD },
	{ "extensions", OUT_WORDS },
	{ NULL, 0 },
};
static const struct step_input rpm_takes[] = {
	{ "fetch", "spec" },
	{ "fetch", "iptables_version" },
	{ "fetch", "iptables_tarball" },
	{ "fetch", "pom_tarball" },
	{ "fetch", "pom_dir" },
	{ "patch", "present" },
	{ NULL, NULL },
};

static const struct step_output kernel_gives[] = {
	{ "release", OUT_WORD },
	{ "arch", OUT_WORD },
	{ "modules", OUT_WORDS },
	{ NULL, 0 },
};
static const struct step_input kernel_takes[] = {
	{ "trial", "release" },
	{ "patch", "options" },
	{ "patch", "objects" },
	{ NULL, NULL },
};

static const struct step_output install_gives[] = {
	{ "release", OUT_WORD },
	{ "replaced", OUT_WORDS }, /* the packages the run replaced */
	BOOT_OUTPUTS,
	{ NULL, 0 },
};
static const struct step_input install_takes[] = {
	{ "fetch", "packages" },       { "fetch", "plan_packages" },
	{ "fetch", "kernel_release" }, { "trial", "release" },
	{ "rpm", "packages" },	       { "kernel", "release" },
	{ "kernel", "arch" },	       { NULL, NULL },
};

static const struct step_output verify_gives[] = {
	{ "report", OUT_TEXT },
	{ NULL, 0 },
};
static const struct step_input verify_takes[] = {
	{ "check", "release" },
	{ "trial", "release" },
	{ "patch", "set" },
	{ "patch", "present" },
	{ "rpm", "extensions" },
	{ "kernel", "release" },
	{ "kernel", "modules" },
	{ "install", "release" },
	{ "install", "replaced" },
	{ "install", "boot_config" },
	{ NULL, NULL },
};

#define STEP(step, what, undo_, plan_, run_, preflight_, takes_, hint)         \
	{                                                                      \
		.name = #step, .title = what, .undo = undo_,                   \
		.fingerprint = step##_fingerprint, .plan = plan_, .run = run_, \
		.preflight = preflight_, .gives = step##_gives,                \
		.takes = takes_, .pause_hint = hint                            \
	}

const struct step pomctl_steps[] = {
	STEP(check, "is the match already available?", false, check_plan,
	     check_run, check_host_fits, NULL, NULL),
	STEP(update, "update the system and the kernel sources", false,
	     update_any_plan, update_any_run, NULL, NULL, NULL),
	STEP(fetch, "download the iptables SRPM, iptables and patch-o-matic",
	     true, fetch_any_plan, fetch_any_run, fetch_any_check_names,
	     fetch_takes, NULL),
	STEP(trial, "prove the kernel builds before patching", true,
	     trial_any_plan, trial_any_run, NULL, NULL, reboot_pause_hint),
	STEP(patch, "apply the patch-o-matic patches to the kernel", true,
	     patch_any_plan, patch_any_run, NULL, patch_takes, NULL),
	STEP(rpm, "edit the iptables spec and rebuild the RPMs", true,
	     rpm_any_plan, rpm_any_run, NULL, rpm_takes, NULL),
	STEP(kernel, "build the kernel with the new options", true,
	     kernel_any_plan, kernel_any_run, NULL, kernel_takes, NULL),
	STEP(install, "install kernel, modules and RPMs; keep the old kernel",
	     true, install_any_plan, install_any_run, reboot_preflight,
	     install_takes, reboot_pause_hint),
	STEP(verify, "check the new kernel runs and the match works", true,
	     verify_plan, verify_run, NULL, verify_takes, NULL),
};

const size_t pomctl_nr_steps = ARRAY_SIZE(pomctl_steps);
