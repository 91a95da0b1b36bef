// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The boot loader parsers: the same bytes as GRUB legacy and as LILO; an
 * entry added like the first one, its `savedefault` line set and removed
 * (in memory: no manifest, nothing written).
 */
#include "fuzz.h"
#include "pomctl/boot.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const enum loader loaders[] = { LOADER_GRUB, LOADER_LILO };

	fuzz_scratch();
	for (size_t i = 0; i < sizeof(loaders) / sizeof(*loaders); i++) {
		struct bootcfg b;

		if (boot_parse(&b, loaders[i], "fuzz.conf", (const char *)data,
			       size) == 0) {
			(void)boot_find(&b, "2.4.20-13.8");
			(void)boot_find(&b, "");
			if (b.nr && b.e[0].release && *b.e[0].release) {
				struct strbuf diff = STRBUF_INIT;

				(void)boot_add_like(NULL, &b, b.e[0].release,
						    "9.9.9-fuzz1", NULL, &diff);
				/* GRUB 0.97's one-shot line: set, then gone */
				(void)boot_entry_savedefault(&b, b.e[0].release,
							     3, NULL, &diff);
				(void)boot_entry_savedefault(&b, b.e[0].release,
							     -1, NULL, &diff);
				strbuf_clear(&diff);
			}
		}
		boot_clear(&b);
	}
	return 0;
}
