// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * pomctl-bench: pomctl's own extraction and download code, called alone so
 * the scripts of bench/ can time them against tar(1) and curl(1).  Built by
 * `make bench` from the same objects as pomctl; never installed.
 *
 *	pomctl-bench extract TARBALL DEST	archive_extract()
 *	pomctl-bench fetch CACHE URL		fetch() into a cache
 */
#include <stdio.h>
#include <string.h>

#include "pomctl/archive.h"
#include "pomctl/fetch.h"

static int usage(void)
{
	fputs("usage: pomctl-bench extract TARBALL DEST\n"
	      "       pomctl-bench fetch CACHE URL\n",
	      stderr);
	return 2;
}

static int bench_fetch(const char *cache, const char *url)
{
	struct fetch_request req = {
		.url = url,
		.connect_timeout = 10,
		.low_speed_time = 30,
		.log_fd = -1,
	};
	struct fetch_result res;
	int ret;

	fetch_result_init(&res);
	ret = fetch(cache, &req, &res);
	if (!ret)
		printf("%s %lld\n", res.digest, res.size);
	fetch_result_clear(&res);
	return ret ? 1 : 0;
}

int main(int argc, char **argv)
{
	if (argc != 4)
		return usage();
	if (!strcmp(argv[1], "extract"))
		return archive_extract(argv[2], argv[3], NULL) ? 1 : 0;
	if (!strcmp(argv[1], "fetch"))
		return bench_fetch(argv[2], argv[3]);
	return usage();
}
