/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Downloads through libcurl (http, https, ftp, file) into a
 * content-addressed cache:
 *
 *	CACHE/objects/SHA256	complete files, named by their digest
 *	CACHE/urls/SHA256(URL)	"DIGEST SIZE URL": what a URL gave last time
 *	CACHE/partial/SHA256(URL).part	a download in progress
 *
 * A file already in the cache is never downloaded again.  An interrupted
 * download resumes with a Range request.  The URL is tried first, then
 * each mirror (a base URL the file's name is appended to), in order.  A
 * sha256 pin is checked: a mismatch deletes the download and names both
 * digests.  TLS certificates are always verified; redirects may not lead
 * to file:// URLs, and from https only to https.  A file over max_size is
 * refused when the server announces its size, and stopped (the partial
 * file deleted) when the body grows past it.  On a terminal a progress line shows bytes, rate and
 * ETA; otherwise one line per file.
 */
#ifndef POMCTL_FETCH_H
#define POMCTL_FETCH_H

#include <stdbool.h>

#include "pomctl/digest.h"
#include "pomctl/strbuf.h"
#include "pomctl/util.h"

struct fetch_request {
	const char *url;
	const struct strvec *mirrors; /* may be NULL */
	const char *sha256;	      /* pin; NULL or "" for none */
	const char *pin_name;	      /* the config key of the pin */
	long connect_timeout;	      /* seconds */
	long low_speed_time;	      /* seconds below 1 byte/s */
	long deadline;		      /* seconds for a whole download; 0:
				       * none */
	long long max_size;	      /* bytes; 0 for no limit */
	int log_fd;		      /* the step log, or -1 */
	struct strbuf *err; /* why a fetch failed, for the caller to say
			     * in its words; NULL: reported */
};

struct config;
/*
 * The limits of [fetch] and [limits] into req: connect_timeout,
 * low_speed_time, download_seconds (the deadline), download_mib.
 */
void fetch_limits_from_config(const struct config *cfg,
			      struct fetch_request *req);

struct fetch_result {
	struct strbuf path; /* CACHE/objects/DIGEST */
	char digest[SHA256_HEX];
	long long size;
	bool cached; /* nothing was downloaded */
};

void fetch_result_init(struct fetch_result *res);
void fetch_result_clear(struct fetch_result *res);

/*
 * Get the file into the cache; 0, or -1 (reported, or said in req->err;
 * no object written).
 */
int fetch(const char *cache, const struct fetch_request *req,
	  struct fetch_result *res);

/*
 * What fetch() downloaded into a cache in this process, "NAME (SIZE)"
 * joined by ", ", or "": what the consent's "n" says was done before the
 * question (the host itself unchanged).
 */
const char *fetch_downloaded(void);

/* Whether the cache holds the file already (reads only): true or false. */
bool fetch_cached(const char *cache, const struct fetch_request *req,
		  struct fetch_result *res);

/*
 * The size of the file at url, asked without downloading it (HEAD for
 * http, the file's size for file://); -1 when unknown.
 */
long long fetch_remote_size(const char *url, long connect_timeout);

/* The URL template tmpl with each %{version} replaced by version. */
void url_of_version(const char *tmpl, const char *version, struct strbuf *sb);

/* The file name at the end of a URL: ".../x.tar.bz2?y" -> "x.tar.bz2". */
void url_basename(const char *url, struct strbuf *sb);

#endif
