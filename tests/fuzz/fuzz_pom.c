// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The patch-o-matic readers.  The input is cut at "\n%%\n" lines into an
 * -ng patch's info file, its Config.in line-add and its Makefile line-add
 * (net/ipv4/netfilter), and a classic patch's .help; the tree is read and
 * the patch with its dependencies ordered.
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "pomctl/pom.h"
#include "pomctl/strbuf.h"
#include "pomctl/util.h"

static const char *const files[] = {
	"ng/patchlets/fuzz/info",
	"ng/patchlets/fuzz/linux-2.4/net/ipv4/netfilter/Config.in.ladd",
	"ng/patchlets/fuzz/linux-2.4/net/ipv4/netfilter/Makefile.ladd",
	"classic/extra/fuzz.patch.help",
};

static void read_tree(const char *dir)
{
	static const unsigned kv[3] = { 2, 4, 20 };
	struct strbuf path = STRBUF_INIT;
	struct strvec want = STRVEC_INIT;
	struct pom_patch **set = NULL;
	struct strbuf err = STRBUF_INIT;
	struct pom_tree pt;
	size_t n;

	strbuf_addf(&path, "%s/%s", fuzz_scratch(), dir);
	if (pom_open(&pt, path.buf, kv) == 0) {
		strvec_push(&want, "fuzz");
		if (pom_order(&pt, &want, &set, &n, &err) == 0)
			free(set);
		pom_clear(&pt);
	}
	strvec_clear(&want);
	strbuf_clear(&path);
	strbuf_clear(&err);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data, *end = p + size;

	fuzz_scratch();
	for (size_t i = 0; i < sizeof(files) / sizeof(*files); i++) {
		const char *cut = memmem(p, (size_t)(end - p), "\n%%\n", 4);
		size_t len = cut ? (size_t)(cut - p) : (size_t)(end - p);

		fuzz_write(files[i], p, len);
		p = cut ? cut + 4 : end;
	}
	fuzz_write("classic/extra/fuzz.patch", "", 0);
	read_tree("ng");
	read_tree("classic");
	return 0;
}
