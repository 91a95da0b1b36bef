/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef POMCTL_DIGEST_H
#define POMCTL_DIGEST_H

#include <stddef.h>

/*
 * SHA-256 as lowercase hex (64 characters plus NUL).  On a failure of the
 * digest library (reported) the digest is "", which equals no real one.
 */
#define SHA256_HEX 65

/* 0, or -1 when the library failed (reported; out is ""). */
int sha256_hex(const void *data, size_t len, char out[SHA256_HEX]);
/*
 * The digest of a file's content: 0, or a negative errno: the file's
 * (not reported), -EIO when the library failed (reported).
 */
int sha256_file(const char *path, char out[SHA256_HEX]);
/*
 * A digest taken piece by piece: sha256_begin (NULL when the library
 * failed, reported), sha256_update as often as needed (from one thread at
 * a time), sha256_end writes the hex digest to out and returns 0 or -1
 * (reported), or throws it away when out is NULL.
 */
struct sha256_state;
struct sha256_state *sha256_begin(void);
void sha256_update(struct sha256_state *s, const void *data, size_t len);
int sha256_end(struct sha256_state *s, char out[SHA256_HEX]);

#endif
