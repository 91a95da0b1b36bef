// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * SHA-256 digests, by librpm's digest functions (the library pomctl has
 * for packages anyway).  Failures are returned, never fatal: a digest
 * that cannot be taken is an error of the file or run that asked for it.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include <rpm/rpmcrypto.h>
#include <rpm/rpmpgp.h>

#include "pomctl/digest.h"
#include "pomctl/util.h"

struct sha256_state {
	DIGEST_CTX ctx;
};

static void hex(const unsigned char *d, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";

	for (size_t i = 0; i < n; i++) {
		out[2 * i] = digits[d[i] >> 4];
		out[2 * i + 1] = digits[d[i] & 15];
	}
	out[2 * n] = '\0';
}

/*
 * librpm's digests, initialised once: without rpmInitCrypto() the crypto
 * library under librpm (libgcrypt on Debian) writes "missing
 * initialization" to syslog on every run.  NULL (reported) when the
 * library cannot give one.
 */
static DIGEST_CTX digest_start(void)
{
	static bool ready;
	DIGEST_CTX ctx;

	if (!ready && rpmInitCrypto() != 0) {
		error("cannot initialise librpm's digests");
		return NULL;
	}
	ready = true;
	ctx = rpmDigestInit(PGPHASHALGO_SHA256, RPMDIGEST_NONE);
	if (!ctx)
		error("librpm gives no SHA-256 digest");
	return ctx;
}

/* The digest into out (hex), or "" and -1 (reported); ctx is freed. */
static int digest_final(DIGEST_CTX ctx, char out[SHA256_HEX])
{
	void *d = NULL;
	size_t n = 0;

	out[0] = '\0';
	if (rpmDigestFinal(ctx, &d, &n, 0) != 0 || n != 32) {
		free(d);
		return error("librpm's SHA-256 digest failed");
	}
	hex(d, n, out);
	free(d);
	return 0;
}

int sha256_hex(const void *data, size_t len, char out[SHA256_HEX])
{
	DIGEST_CTX ctx = digest_start();

	out[0] = '\0';
	if (!ctx)
		return -1;
	rpmDigestUpdate(ctx, data, len);
	return digest_final(ctx, out);
}

struct sha256_state *sha256_begin(void)
{
	DIGEST_CTX ctx = digest_start();
	struct sha256_state *s;

	if (!ctx)
		return NULL;
	s = xmalloc(sizeof(*s));
	s->ctx = ctx;
	return s;
}

void sha256_update(struct sha256_state *s, const void *data, size_t len)
{
	rpmDigestUpdate(s->ctx, data, len);
}

int sha256_end(struct sha256_state *s, char out[SHA256_HEX])
{
	int ret = 0;

	if (out)
		ret = digest_final(s->ctx, out);
	else
		rpmDigestFinal(s->ctx, NULL, NULL, 0);
	free(s);
	return ret;
}

int sha256_file(const char *path, char out[SHA256_HEX])
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	DIGEST_CTX ctx;
	char buf[65536];
	ssize_t n;

	out[0] = '\0';
	if (fd < 0)
		return -errno;
	ctx = digest_start();
	if (!ctx) {
		close(fd);
		return -EIO;
	}
	while ((n = read(fd, buf, sizeof(buf))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int err = -errno;

			rpmDigestFinal(ctx, NULL, NULL, 0);
			close(fd);
			return err;
		}
		rpmDigestUpdate(ctx, buf, (size_t)n);
	}
	close(fd);
	return digest_final(ctx, out) ? -EIO : 0;
}
