// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Step 9, verify: after the reboot, the new kernel is the running one, each
 * patch's module loads (or the match is there already), the installed
 * iptables knows each match, and for string a functional test in a
 * throwaway network namespace counts exactly the packet carrying a token.
 * Then the final report.
 */
#include <stdlib.h>
#include <string.h>

#include "pomctl/host.h"
#include "pomctl/log.h"
#include "pomctl/nettest.h"
#include "pomctl/run.h"
#include "pomctl/util.h"
#include "steps.h"

void verify_fingerprint(struct ctx *ctx, struct fingerprint *fp)
{
	fp_add_step(fp, ctx->state, "install");
	fp_add(fp, "host release", ctx->host.release);
	fp_add_config(fp, ctx, "commands", "modprobe");
	fp_add_config(fp, ctx, "commands", "iptables");
	fp_add_config(fp, ctx, "commands", "netns_iptables");
}

int verify_plan(struct ctx *ctx)
{
	plan_note(ctx->plan, "after the reboot: the new kernel must be the "
		  "running one; each patch's module is loaded with "
		  "[commands] modprobe; [commands] iptables -m NAME --help must "
		  "know each match; for string, a rule in a throwaway network "
		  "namespace must count exactly the packet carrying a token");
	return 0;
}

static int run_quiet(struct ctx *ctx, const char *program,
		     const char *const *args)
{
	struct child_process cp = CHILD_PROCESS_INIT;

	config_get_words(ctx->cfg, "commands", program, &cp.args);
	strvec_pushv(&cp.args, args);
	cp.log_fd = ctx->log_fd;
	cp.label = "verify";
	return run_command(&cp);
}

/* "net/ipv4/netfilter/ipt_string.o" -> "ipt_string" */
static void module_name(const char *object, struct strbuf *name)
{
	const char *base = strrchr(object, '/');

	base = base ? base + 1 : object;
	strbuf_reset(name);
	strbuf_add(name, base, strcspn(base, "."));
}

static int load_modules(struct ctx *ctx, struct strbuf *report)
{
	struct strvec objects = STRVEC_INIT;
	struct strbuf name = STRBUF_INIT;
	int ret = 0;

	strvec_split(&objects, step_output(ctx, "kernel", "modules"), " ");
	for (size_t i = 0; i < objects.nr && !ret; i++) {
		module_name(objects.v[i], &name);
		if (run_quiet(ctx, "modprobe", (const char *const[]){ name.buf,
								      NULL }))
			ret = error("the module %s does not load into %s (see "
				    "pomctl log verify)", name.buf,
				    ctx->host.release);
		else
			strbuf_addf(report, "  module %s: loaded\n", name.buf);
	}
	strvec_clear(&objects);
	strbuf_release(&name);
	return ret;
}

static int userspace_knows(struct ctx *ctx, struct strbuf *report)
{
	int ret = 0;

	for (size_t i = 0; i < ctx->state->patches.nr && !ret; i++) {
		const char *name = ctx->state->patches.v[i];

		if (run_quiet(ctx, "iptables", (const char *const[]){
				      "-m", name, "--help", NULL }))
			ret = error("the installed iptables does not know the %s "
				    "match (iptables -m %s --help failed)", name,
				    name);
		else
			strbuf_addf(report, "  iptables -m %s: known\n", name);
	}
	return ret;
}

static int functional(struct ctx *ctx, struct strbuf *report)
{
	struct strbuf result = STRBUF_INIT;
	bool string = false;
	int ret = 0;

	for (size_t i = 0; i < ctx->state->patches.nr; i++)
		string |= !strcmp(ctx->state->patches.v[i], "string");
	if (!string) {
		strbuf_addstr(report, "  functional test: only for string\n");
		return 0;
	}
	ret = nettest_string(ctx, &result);
	if (ret == NETTEST_PASSED)
		strbuf_addf(report, "  functional test: passed (%s)\n",
			    result.buf);
	else if (ret == NETTEST_SKIPPED)
		strbuf_addf(report, "  functional test: skipped: %s\n",
			    result.buf);
	strbuf_release(&result);
	return ret < 0 ? -1 : 0;
}

int verify_run(struct ctx *ctx)
{
	const char *release = step_output(ctx, "install", "release");
	struct strbuf report = STRBUF_INIT;
	int ret = 0;

	if (strcmp(ctx->host.release, release))
		return error("the running kernel is %s, not %s: the new kernel "
			     "did not come up or was not chosen; its boot entry "
			     "is in %s", ctx->host.release, release,
			     step_output(ctx, "install", "boot_config"));
	strbuf_addf(&report, "pomctl: %s is running (it was %s)\n", release,
		    step_output(ctx, "check", "release"));
	strbuf_addf(&report, "  patches applied: %s\n", step_output(ctx, "patch", "set"));
	strbuf_addf(&report, "  packages replaced: %s\n",
		    *step_output(ctx, "install", "replaced") ?
		    step_output(ctx, "install", "replaced") : "none");
	ret = load_modules(ctx, &report);
	if (!ret)
		ret = userspace_knows(ctx, &report);
	if (!ret)
		ret = functional(ctx, &report);
	if (!ret) {
		strbuf_addf(&report, "  logs: %s/logs", ctx->state_dir.buf);
		steplog_printf(ctx->log_fd, "%s", report.buf);
		say_final("%s", report.buf);
		state_set_output(ctx->state, "verify", "report", report.buf);
	}
	strbuf_release(&report);
	return ret;
}
