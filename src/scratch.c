// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "pomctl/scratch.h"
#include "pomctl/util.h"

static struct {
	struct strbuf dir; /* "" until the first use */
	bool private;	   /* made here, removed at exit */
} place = { STRBUF_INIT, false };

int scratch_use_state(const char *state_dir)
{
	scratch_cleanup();
	strbuf_addf(&place.dir, "%s/tmp", state_dir);
	/* the lock is held: whatever is here, a killed pomctl left */
	if (is_dir(place.dir.buf) && remove_tree(place.dir.buf) < 0)
		return error("cannot empty '%s': %s", place.dir.buf,
			     strerror(errno));
	return mkdir_p(place.dir.buf, 0700);
}

static int make_private(void)
{
	const char *t = getenv("TMPDIR");

	strbuf_addf(&place.dir, "%s/pomctl-XXXXXX", t && *t ? t : "/tmp");
	if (!mkdtemp(place.dir.buf)) {
		error("cannot create a temporary directory '%s': %s",
		      place.dir.buf, strerror(errno));
		strbuf_reset(&place.dir);
		return -1;
	}
	place.private = true;
	return 0;
}

int scratch_make(const char *name, struct strbuf *dir)
{
	if (!place.dir.len && make_private() < 0)
		return -1;
	strbuf_reset(dir);
	strbuf_addf(dir, "%s/%s-XXXXXX", place.dir.buf, name);
	if (!mkdtemp(dir->buf))
		return error("cannot create '%s': %s", dir->buf,
			     strerror(errno));
	return 0;
}

void scratch_cleanup(void)
{
	if (place.private)
		remove_tree(place.dir.buf);
	place.private = false;
	strbuf_clear(&place.dir);
}
