// SPDX-License-Identifier: GPL-2.0-or-later
/* The spec editor: parse any bytes, make every edit the rpm step makes,
 * render the result. */
#include "fuzz.h"
#include "pomctl/spec.h"
#include "pomctl/strbuf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct spec s;
	struct strvec patches = STRVEC_INIT, drop = STRVEC_INIT,
		      userspace = STRVEC_INIT;
	struct strbuf log = STRBUF_INIT, out = STRBUF_INIT;
	struct spec_patch *p = NULL;
	size_t n;

	fuzz_scratch();
	if (spec_parse(&s, "fuzz.spec", (const char *)data, size) != 0)
		return 0;
	strvec_push(&patches, "string");
	strvec_push(&drop, "iptables-1.2.6a-sctp.patch");
	strvec_push(&userspace, "iptables-pom-string.patch");
	struct spec_request req = {
		"1.2.8",
		"1.pom",
		"iptables-1.2.8.tar.bz2",
		"/usr/src/linux-2.4",
		"2.4.20-13.8custom",
		"Fuzz <fuzz@example.org>",
		"patch-o-matic-20030107.tar.bz2",
		"patch-o-matic-20030107",
		&patches,
		&drop,
		&userspace,
		false, /* rpm would run the input's %(...) */
	};
	n = spec_patches(&s, &p);
	spec_patches_free(p, n);
	(void)spec_edit_pom(&s, &req, &log);
	spec_render(&s, &out);
	spec_clear(&s);
	strvec_clear(&patches);
	strvec_clear(&drop);
	strvec_clear(&userspace);
	strbuf_clear(&log);
	strbuf_clear(&out);
	return 0;
}
