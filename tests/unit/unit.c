// SPDX-License-Identifier: GPL-2.0-or-later
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pomctl/strbuf.h"
#include "pomctl/util.h"
#include "unit.h"

const char *unit_tmp(void)
{
	const char *tmp = getenv("TMPDIR");

	return tmp && *tmp ? tmp : "/tmp";
}

int unit_tmpdir(const char *name, char *dir)
{
	if (snprintf(dir, UNIT_DIR_MAX, "%s/pomctl-%s-XXXXXX", unit_tmp(),
		     name) >= UNIT_DIR_MAX)
		return -1;
	return mkdtemp(dir) ? 0 : -1;
}

int unit_tmpfile(const char *name, char *path)
{
	if (snprintf(path, UNIT_DIR_MAX, "%s/pomctl-%s-XXXXXX", unit_tmp(),
		     name) >= UNIT_DIR_MAX)
		return -1;
	return mkstemp(path);
}

int unit_write(const char *dir, const char *rel, const char *text)
{
	struct strbuf path = STRBUF_INIT;
	int ret;

	strbuf_addf(&path, "%s/%s", dir, rel);
	ret = mkdir_parent(path.buf, 0755);
	if (!ret)
		ret = write_file_atomic(path.buf, text, strlen(text), 0644);
	strbuf_clear(&path);
	return ret;
}

char *unit_read(const char *dir, const char *rel)
{
	struct strbuf path = STRBUF_INIT, text = STRBUF_INIT;
	int ret;

	strbuf_addf(&path, "%s/%s", dir, rel);
	ret = read_file(path.buf, 1 << 24, false, &text);
	strbuf_clear(&path);
	if (ret) {
		strbuf_clear(&text);
		return NULL;
	}
	return strbuf_detach(&text);
}
