// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The bundle's manifest reader: any bytes as manifest.json of a bundle
 * with no packages.  What it accepts names only releases and outputs of
 * their kinds.
 */
#include <string.h>

#include "fuzz.h"
#include "pomctl/bundle.h"
#include "pomctl/names.h"
#include "pomctl/strbuf.h"
#include "pomctl/usage.h"
#include "pomctl/util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct strbuf dir = STRBUF_INIT;
	struct bundle_info bi;

	error_set_quiet(true);
	fuzz_write("bundle/manifest.json", data, size);
	strbuf_addf(&dir, "%s/bundle", fuzz_scratch());
	memset(&bi, 0, sizeof(bi));
	if (bundle_read_manifest(dir.buf, &bi) == 0 &&
	    (!release_name_is_valid(bi.kernel_release) ||
	     !release_name_is_valid(bi.base_release)))
		__builtin_trap(); /* a release that is not one, accepted */
	bundle_info_clear(&bi);
	strbuf_clear(&dir);
	return 0;
}
