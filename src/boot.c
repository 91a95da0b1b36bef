// SPDX-License-Identifier: GPL-2.0-or-later
#include <string.h>

#include "pomctl/boot.h"
#include "pomctl/pipeline.h"
#include "pomctl/text.h"
#include "pomctl/util.h"

#define BOOT_CONFIG_MAX (1 << 20)

void boot_config_path(struct ctx *ctx, struct strbuf *path)
{
	ctx_path(ctx, config_get(ctx->cfg, "boot", "config"), path);
}

/* A line of the configuration naming /vmlinuz-RELEASE (or /boot/...). */
static bool config_names(const char *path, const char *release)
{
	struct strbuf image = STRBUF_INIT;
	struct lines l;
	bool found = false;

	strbuf_addf(&image, "vmlinuz-%s", release);
	lines_init(&l);
	if (lines_read(&l, path, BOOT_CONFIG_MAX) == 0)
		for (size_t i = 0; i < l.nr && !found; i++) {
			size_t len;
			const char *s = line_at(&l, i, &len);
			const char *hit = memmem(s, len, image.buf, image.len);
			size_t after = hit ? (size_t)(hit - s) + image.len : 0;

			found = hit && hit > s && hit[-1] == '/' &&
				(after == len || strchr(" \t\"", s[after]));
		}
	lines_release(&l);
	strbuf_release(&image);
	return found;
}

bool boot_has_entry(struct ctx *ctx, const char *release, struct strbuf *where)
{
	const char *loader = config_get(ctx->cfg, "boot", "loader");
	struct strbuf rel = STRBUF_INIT;
	bool found;

	strbuf_reset(where);
	if (!strcmp(loader, "grub2") || !strcmp(loader, "bls")) {
		strbuf_addf(&rel, "/boot/loader/entries/%s.conf", release);
		ctx_path(ctx, rel.buf, where);
		found = path_exists(where->buf);
	} else {
		boot_config_path(ctx, where);
		found = config_names(where->buf, release);
	}
	strbuf_release(&rel);
	return found;
}
