// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * What every command starts from: the context set up from the command
 * line (the root, the configuration, the state directory, the host), and
 * torn down again.
 */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pomctl/command.h"
#include "pomctl/log.h"
#include "pomctl/safepath.h"
#include "pomctl/util.h"

int command_usage_error(const char *command, const char *fmt, ...)
{
	struct strbuf sb = STRBUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	strbuf_vaddf(&sb, fmt, ap);
	va_end(ap);
	if (command)
		strbuf_addf(&sb, " (see pomctl help %s)", command);
	else
		strbuf_addstr(&sb, " (see pomctl --help)");
	error("%s", sb.buf);
	strbuf_clear(&sb);
	return EXIT_USAGE;
}

static int resolve_dir(const char *what, const char *dir, struct strbuf *out)
{
	char real[PATH_MAX];

	if (!realpath(dir, real))
		return error("%s '%s': %s", what, dir, strerror(errno));
	if (!is_dir(real))
		return error("%s '%s' is not a directory", what, dir);
	strbuf_reset(out);
	if (strcmp(real, "/") != 0)
		strbuf_addstr(out, real);
	return 0;
}

static int load_config(struct ctx *ctx, struct strbuf *root,
		       const struct cmdline *cl)
{
	struct strbuf path = STRBUF_INIT;
	int ret;

	if (cl->config_path)
		strbuf_addstr(&path, cl->config_path);
	else
		root_path(&path, root->buf, "/etc/pomctl.conf");
	ret = config_load(ctx->env.cfg, path.buf, cl->config_path != NULL);
	strbuf_clear(&path);
	if (ret)
		return ret;
	if (!cl->root && *config_get(ctx->env.cfg, "general", "root"))
		ret = resolve_dir("root",
				  config_get(ctx->env.cfg, "general", "root"),
				  root);
	if (!ret && cl->jobs) {
		char n[16];

		snprintf(n, sizeof(n), "%d", cl->jobs);
		ret = config_set(ctx->env.cfg, "build", "jobs", n);
	}
	return ret;
}

static int set_state_dir(struct ctx *ctx, const char *dir)
{
	char cwd[PATH_MAX];

	if (!dir) {
		env_path(&ctx->env,
			 config_get(ctx->env.cfg, "general", "state_dir"),
			 &ctx->state_dir);
		return 0;
	}
	if (dir[0] != '/' && !getcwd(cwd, sizeof(cwd)))
		return error("getcwd: %s", strerror(errno));
	if (dir[0] != '/')
		strbuf_addf(&ctx->state_dir, "%s/", cwd);
	strbuf_addstr(&ctx->state_dir, dir);
	while (ctx->state_dir.len > 1 &&
	       ctx->state_dir.buf[ctx->state_dir.len - 1] == '/')
		ctx->state_dir.buf[--ctx->state_dir.len] = '\0';
	if (!path_is_clean(ctx->state_dir.buf))
		return error("state directory '%s' must not contain '..' or "
			     "control characters",
			     dir);
	return 0;
}

int command_setup(struct ctx *ctx, struct config *cfg, struct strbuf *root,
		  const struct cmdline *cl)
{
	memset(ctx, 0, sizeof(*ctx));
	pipeline_check_outputs();
	ctx->json = cl->json;
	ctx->detailed_exitcode = cl->detailed_exitcode;
	ctx->reboot = cl->reboot;
	ctx->env.cfg = cfg;
	ctx->env.log_fd = -1;
	strbuf_init(&ctx->state_dir);
	strbuf_init(&ctx->log_path);
	config_init(cfg);
	if (cl->root && resolve_dir("root", cl->root, root) < 0)
		return -1;
	if (load_config(ctx, root, cl) < 0)
		return -1;
	ctx->env.root = root->buf;
	log_set_heartbeat(
		(unsigned)config_get_uint(cfg, "general", "heartbeat"));
	if (set_state_dir(ctx, cl->state_dir) < 0)
		return -1;
	return host_init(&ctx->env.host, cfg);
}

void command_teardown(struct ctx *ctx)
{
	if (ctx->state) {
		state_clear(ctx->state);
		free(ctx->state);
	}
	if (ctx->env.plan) {
		plan_clear(ctx->env.plan);
		free(ctx->env.plan);
	}
	host_clear(&ctx->env.host);
	config_clear(ctx->env.cfg);
	strbuf_clear(&ctx->state_dir);
	strbuf_clear(&ctx->log_path);
	free(ctx->pause_release);
	free(ctx->end_reason);
}
