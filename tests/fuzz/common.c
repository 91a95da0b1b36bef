// SPDX-License-Identifier: GPL-2.0-or-later
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "pomctl/strbuf.h"
#include "pomctl/util.h"

static char *scratch;

static void cleanup(void)
{
	if (scratch)
		remove_tree(scratch);
}

const char *fuzz_scratch(void)
{
	if (!scratch) {
		const char *t = getenv("TMPDIR");
		struct strbuf sb = STRBUF_INIT;

		strbuf_addf(&sb, "%s/pomctl-fuzz-XXXXXX", t && *t ? t : "/tmp");
		if (!mkdtemp(sb.buf))
			abort();
		scratch = strbuf_detach(&sb);
		atexit(cleanup);
		error_set_quiet(true);
	}
	return scratch;
}

void fuzz_write(const char *name, const void *data, size_t len)
{
	struct strbuf path = STRBUF_INIT;
	char *slash;

	strbuf_addf(&path, "%s/%s", fuzz_scratch(), name);
	slash = strrchr(path.buf, '/');
	*slash = '\0';
	if (mkdir_p(path.buf, 0700) < 0)
		abort();
	*slash = '/';
	if (write_file_atomic(path.buf, data, len, 0600) < 0)
		abort();
	strbuf_clear(&path);
}
