// SPDX-License-Identifier: GPL-2.0-or-later
/* The state file reader: any bytes as state.json, and what loads is saved
 * and loaded again. */
#include "fuzz.h"
#include "pomctl/state.h"
#include "pomctl/strbuf.h"

static const char *const names[] = { "check",  "update",  "fetch",
				     "trial",  "patch",	  "rpm",
				     "kernel", "install", "verify" };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct strbuf path = STRBUF_INIT;
	struct state st;
	size_t n = sizeof(names) / sizeof(*names);

	fuzz_write("state.json", data, size);
	strbuf_addf(&path, "%s/state.json", fuzz_scratch());
	if (state_load(&st, path.buf, names, n) == 0) {
		if (state_save(&st) == 0) {
			struct state again;

			if (state_load(&again, path.buf, names, n) != 0)
				__builtin_trap(); /* our own output refused */
			state_clear(&again);
		}
	}
	state_clear(&st);
	strbuf_clear(&path);
	return 0;
}
