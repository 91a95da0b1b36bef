// SPDX-License-Identifier: GPL-2.0-or-later
/* The configuration parser: any bytes, then every key read back. */
#include "fuzz.h"
#include "pomctl/config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct config cfg;

	fuzz_scratch();
	config_init(&cfg);
	if (config_parse(&cfg, "fuzz.conf", (const char *)data, size) == 0) {
		(void)config_get(&cfg, "general", "state_dir");
		(void)config_get_bool(&cfg, "general", "auto_resume");
		(void)config_get_uint(&cfg, "build", "jobs");
	}
	config_clear(&cfg);
	return 0;
}
