// SPDX-License-Identifier: GPL-2.0-or-later
#include "pomctl/env.h"
#include "pomctl/safepath.h"

void env_path(const struct env *env, const char *path, struct strbuf *sb)
{
	root_path(sb, env->root, path);
}
