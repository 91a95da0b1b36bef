// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <string.h>
#include <stdlib.h>
#include <sys/utsname.h>

#include "pomctl/host.h"
#include "pomctl/util.h"

#define BOOT_ID_PATH "/proc/sys/kernel/random/boot_id"

static char *pinned_or(const struct config *cfg, const char *key,
		       const char *fallback)
{
	const char *v = config_get(cfg, "host", key);

	return xstrdup(*v ? v : fallback);
}

static int read_boot_id(struct strbuf *sb)
{
	int ret = read_file(BOOT_ID_PATH, 256, false, sb);

	if (ret)
		return error("cannot read the boot id from '%s': %s; pin it "
			     "with [host] boot_id", BOOT_ID_PATH,
			     strerror(-ret));
	strbuf_rtrim(sb);
	return 0;
}

int host_init(struct host *host, const struct config *cfg)
{
	struct utsname u;
	struct strbuf id = STRBUF_INIT;

	memset(host, 0, sizeof(*host));
	if (uname(&u) < 0)
		return error("uname: %s", strerror(errno));
	host->release = pinned_or(cfg, "release", u.release);
	host->arch = pinned_or(cfg, "arch", u.machine);
	if (*config_get(cfg, "host", "boot_id")) {
		host->boot_id = pinned_or(cfg, "boot_id", "");
		return 0;
	}
	if (read_boot_id(&id) < 0) {
		host_release(host);
		return -1;
	}
	host->boot_id = strbuf_detach(&id);
	return 0;
}

void host_release(struct host *host)
{
	free(host->release);
	free(host->boot_id);
	free(host->arch);
	memset(host, 0, sizeof(*host));
}
