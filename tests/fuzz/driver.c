// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * main() for the fuzz targets without libFuzzer: run each file named on the
 * command line through LLVMFuzzerTestOneInput once.  make check uses it to
 * replay the seed corpus and the regression inputs under any compiler.
 */
#include <stdio.h>
#include <stdlib.h>

#include "fuzz.h"
#include "pomctl/strbuf.h"
#include "pomctl/util.h"

int main(int argc, char **argv)
{
	fuzz_scratch(); /* quiet errors, scratch directory */
	for (int i = 1; i < argc; i++) {
		struct strbuf sb = STRBUF_INIT;
		int ret = read_file(argv[i], 1 << 24, false, &sb);

		if (ret) {
			fprintf(stderr, "%s: cannot read\n", argv[i]);
			return 2;
		}
		LLVMFuzzerTestOneInput((const uint8_t *)sb.buf, sb.len);
		strbuf_clear(&sb);
	}
	printf("%d inputs\n", argc - 1);
	return 0;
}
