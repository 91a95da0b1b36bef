// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The patch-o-matic readers.  The input is cut at "\n%%\n" lines into an
 * -ng patch's info file, its Config.in line-add and its Makefile line-add
 * (net/ipv4/netfilter), a classic patch's .help, and a kernel diff (the
 * -ng linux-2.4.patch and the classic .patch; none when the input has no
 * fifth part); the tree is read, the patch with its dependencies ordered,
 * and asked whether it only adds modules to a small kernel tree.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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

/* A kernel tree with a C source and a build file, for the diff's files. */
static void write_kernel(void)
{
	fuzz_write("kernel/net/ipv4/netfilter/ip_tables.c", "int a;\nint b;\n",
		   14);
	fuzz_write("kernel/net/ipv4/netfilter/Makefile",
		   "obj-y += ip_tables.o\n", 21);
}

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
		if (pom_order(&pt, &want, &set, &n, &err) == 0) {
			struct strvec added = STRVEC_INIT;
			struct strbuf kdir = STRBUF_INIT;

			strbuf_addf(&kdir, "%s/kernel", fuzz_scratch());
			pom_adds_modules_only(set, n, kdir.buf, &added, &err);
			strvec_clear(&added);
			strbuf_clear(&kdir);
			free(set);
		}
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
	/* the fifth part, the kernel diff */
	fuzz_write("classic/extra/fuzz.patch", p, (size_t)(end - p));
	if (p < end) {
		fuzz_write("ng/patchlets/fuzz/linux-2.4.patch", p,
			   (size_t)(end - p));
	} else { /* not an earlier input's */
		struct strbuf path = STRBUF_INIT;

		strbuf_addf(&path, "%s/ng/patchlets/fuzz/linux-2.4.patch",
			    fuzz_scratch());
		unlink(path.buf);
		strbuf_clear(&path);
	}
	write_kernel();
	read_tree("ng");
	read_tree("classic");
	return 0;
}
