// SPDX-License-Identifier: GPL-2.0-or-later
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>

#include "pomctl/config.h"
#include "pomctl/digest.h"
#include "pomctl/fetch.h"
#include "pomctl/log.h"
#include "pomctl/run-command.h"
#include "pomctl/util.h"

void fetch_result_init(struct fetch_result *res)
{
	strbuf_init(&res->path);
	res->digest[0] = '\0';
	res->size = -1;
	res->cached = false;
}

void fetch_result_clear(struct fetch_result *res)
{
	strbuf_clear(&res->path);
}

void url_of_version(const char *tmpl, const char *version, struct strbuf *sb)
{
	const char *mark;

	strbuf_reset(sb);
	while ((mark = strstr(tmpl, "%{version}"))) {
		strbuf_add(sb, tmpl, (size_t)(mark - tmpl));
		strbuf_addstr(sb, version);
		tmpl = mark + strlen("%{version}");
	}
	strbuf_addstr(sb, tmpl);
}

void url_basename(const char *url, struct strbuf *sb)
{
	size_t end = strcspn(url, "?#");
	const char *start = url;

	for (const char *p = url; p < url + end; p++)
		if (*p == '/')
			start = p + 1;
	strbuf_reset(sb);
	strbuf_add(sb, start, (size_t)(url + end - start));
}

/*
 * libcurl, loaded on the first download: of the 58 libraries pomctl would
 * otherwise link at every start, 27 are libcurl's and its own (TLS,
 * Kerberos, LDAP, ...), two thirds of the dynamic linker's work -- paid by
 * every plan, status and consent question, which download nothing.
 */
#define CURL_SONAME "libcurl.so.4"
static struct {
	__typeof__(curl_global_init) *global_init;
	__typeof__(curl_easy_init) *easy_init;
	__typeof__(curl_easy_setopt) *easy_setopt;
	__typeof__(curl_easy_getinfo) *easy_getinfo;
	__typeof__(curl_easy_perform) *easy_perform;
	__typeof__(curl_easy_strerror) *easy_strerror;
	__typeof__(curl_easy_cleanup) *easy_cleanup;
} curl;

static bool curl_symbol(void *lib, const char *name, void *fn)
{
	void *sym = dlsym(lib, name);

	memcpy(fn, &sym, sizeof(sym)); /* an object pointer as a function's */
	return sym != NULL;
}

/* 0, or -1 with the reason in why */
static int curl_load(struct strbuf *why)
{
	void *lib = dlopen(CURL_SONAME, RTLD_NOW | RTLD_LOCAL);

	if (!lib) {
		strbuf_addf(why,
			    "cannot load libcurl: %s; install the libcurl "
			    "package",
			    dlerror());
		return -1;
	}
	if (!curl_symbol(lib, "curl_global_init", &curl.global_init) ||
	    !curl_symbol(lib, "curl_easy_init", &curl.easy_init) ||
	    !curl_symbol(lib, "curl_easy_setopt", &curl.easy_setopt) ||
	    !curl_symbol(lib, "curl_easy_getinfo", &curl.easy_getinfo) ||
	    !curl_symbol(lib, "curl_easy_perform", &curl.easy_perform) ||
	    !curl_symbol(lib, "curl_easy_strerror", &curl.easy_strerror) ||
	    !curl_symbol(lib, "curl_easy_cleanup", &curl.easy_cleanup)) {
		strbuf_addf(why,
			    "%s lacks a function pomctl uses: install "
			    "libcurl 7.85 or newer",
			    CURL_SONAME);
		return -1;
	}
	if (curl.global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		strbuf_addstr(why, "cannot initialise libcurl");
		return -1;
	}
	return 0;
}

/* 0, or -1 (said in err when not NULL: see error_to()) */
static int curl_ready(struct strbuf *err)
{
	static struct strbuf why = STRBUF_INIT;
	static int state;

	if (!state)
		state = curl_load(&why) == 0 ? 1 : -1;
	return state > 0 ? 0 : error_to(err, "%s", why.buf);
}

/* CACHE/KIND/NAME into sb. */
static void cache_path(struct strbuf *sb, const char *cache, const char *kind,
		       const char *name, const char *suffix)
{
	strbuf_reset(sb);
	strbuf_addf(sb, "%s/%s/%s%s", cache, kind, name, suffix);
}

/* 0, or -1 when no digest can be taken (reported). */
static int url_key(const char *url, char key[SHA256_HEX])
{
	return sha256_hex(url, strlen(url), key);
}

/* The object of digest, if it is there and intact (else res->path empty). */
static bool have_object(const char *cache, const char *digest,
			struct fetch_result *res)
{
	char actual[SHA256_HEX];
	struct stat st;

	cache_path(&res->path, cache, "objects", digest, "");
	if (stat(res->path.buf, &st) < 0 ||
	    sha256_file(res->path.buf, actual) || strcmp(actual, digest)) {
		strbuf_reset(&res->path);
		return false;
	}
	snprintf(res->digest, sizeof(res->digest), "%s", digest);
	res->size = st.st_size;
	res->cached = true;
	return true;
}

bool fetch_cached(const char *cache, const struct fetch_request *req,
		  struct fetch_result *res)
{
	struct strbuf index = STRBUF_INIT, text = STRBUF_INIT;
	char key[SHA256_HEX], digest[SHA256_HEX] = "";
	bool found;

	if (req->sha256 && *req->sha256)
		return have_object(cache, req->sha256, res);
	if (url_key(req->url, key))
		return false;
	cache_path(&index, cache, "urls", key, "");
	if (read_file(index.buf, 8192, true, &text) == 0 &&
	    sscanf(text.buf, "%64s", digest) == 1 && strlen(digest) == 64)
		found = have_object(cache, digest, res);
	else
		found = false;
	strbuf_clear(&index);
	strbuf_clear(&text);
	return found;
}

/* --- the digest, taken while the file arrives ---------------------------- */

/*
 * A second thread hashes the partial file as the download writes it, from
 * its first byte (a resumed download's earlier part included): when the
 * last byte is written the digest is nearly done, and on two CPUs the
 * hashing costs no wall time at all.  Should anything go wrong here the
 * digest is simply taken afterwards, by reading the file again.
 */
#define HASH_CHUNK (1 << 20)

struct hasher {
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t grown;
	int fd;	       /* the partial file, read-only */
	off_t written; /* its size so far (under lock) */
	bool finished; /* no more will come (under lock) */
	bool running;
	bool failed;  /* a read failed (the thread's) */
	off_t hashed; /* the thread's */
	struct sha256_state *sha;
};

static void *hasher_main(void *arg)
{
	struct hasher *h = arg;
	char *buf = xmalloc(HASH_CHUNK);
	bool last = false;

	while (!last && !h->failed) {
		off_t upto;

		pthread_mutex_lock(&h->lock);
		while (h->hashed == h->written && !h->finished)
			pthread_cond_wait(&h->grown, &h->lock);
		upto = h->written;
		last = h->finished;
		pthread_mutex_unlock(&h->lock);
		while (h->hashed < upto && !h->failed) {
			off_t left = upto - h->hashed;
			ssize_t n = pread(h->fd, buf,
					  left < HASH_CHUNK ? (size_t)left :
							      HASH_CHUNK,
					  h->hashed);

			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0)
				h->failed = true;
			else
				sha256_update(h->sha, buf, (size_t)n);
			h->hashed += n > 0 ? n : 0;
		}
	}
	free(buf);
	return NULL;
}

static void hasher_start(struct hasher *h, const char *part, off_t size)
{
	h->fd = open(part, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	h->written = size;
	h->finished = h->running = h->failed = false;
	h->hashed = 0;
	if (h->fd < 0)
		return;
	h->sha = sha256_begin();
	if (!h->sha) { /* the digest is taken after the download instead */
		close(h->fd);
		return;
	}
	pthread_mutex_init(&h->lock, NULL);
	pthread_cond_init(&h->grown, NULL);
	h->running = pthread_create(&h->thread, NULL, hasher_main, h) == 0;
	if (!h->running) {
		sha256_end(h->sha, NULL);
		pthread_cond_destroy(&h->grown);
		pthread_mutex_destroy(&h->lock);
		close(h->fd);
	}
}

static void hasher_grow(struct hasher *h, size_t n)
{
	if (!h->running)
		return;
	pthread_mutex_lock(&h->lock);
	h->written += (off_t)n;
	pthread_cond_signal(&h->grown);
	pthread_mutex_unlock(&h->lock);
}

/*
 * Wait for the thread; the digest of the whole file into digest when ok
 * and all of it was hashed, else digest is left empty.
 */
static void hasher_stop(struct hasher *h, bool ok, char digest[SHA256_HEX])
{
	digest[0] = '\0';
	if (!h->running)
		return;
	pthread_mutex_lock(&h->lock);
	h->finished = true;
	pthread_cond_signal(&h->grown);
	pthread_mutex_unlock(&h->lock);
	pthread_join(h->thread, NULL);
	ok = ok && !h->failed && h->hashed == h->written;
	sha256_end(h->sha, ok ? digest : NULL);
	pthread_cond_destroy(&h->grown);
	pthread_mutex_destroy(&h->lock);
	close(h->fd);
	h->running = false;
}

/* --- one transfer ------------------------------------------------------- */

struct transfer {
	int fd;
	const char *name;
	int write_errno;
	long long max_size; /* 0: none */
	long long received; /* this transfer's bytes */
	bool too_big;
	bool room_checked, no_room; /* for the announced size */
	long long room;
	double start;
	long long resumed_at;
	struct hasher hash;
};

static size_t on_data(char *data, size_t size, size_t n, void *arg)
{
	struct transfer *t = arg;
	size_t len = size * n, done = 0;

	t->received += (long long)len;
	if (t->max_size && t->resumed_at + t->received > t->max_size) {
		t->too_big = true;
		return 0; /* a body longer than announced, or endless */
	}
	while (done < len) {
		ssize_t w = write(t->fd, data + done, len - done);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0) {
			t->write_errno = errno;
			return 0; /* makes curl stop with a write error */
		}
		done += (size_t)w;
	}
	hasher_grow(&t->hash, len);
	return len;
}

static int on_progress(void *arg, curl_off_t total, curl_off_t got,
		       curl_off_t ut, curl_off_t un)
{
	struct transfer *t = arg;
	struct strbuf sb = STRBUF_INIT;
	double elapsed = monotonic_seconds() - t->start;
	double rate = elapsed > 0 ? (double)got / elapsed : 0;

	(void)ut;
	(void)un;
	if (run_interrupted())
		return 1;
	if (total > 0 && !t->room_checked) { /* once the size is announced */
		struct statvfs vfs;

		t->room_checked = true;
		if (fstatvfs(t->fd, &vfs) == 0) {
			t->room = (long long)vfs.f_bavail *
				  (long long)vfs.f_frsize;
			if (t->room < total - got) {
				t->no_room = true;
				return 1;
			}
		}
	}
	if (!log_progress_enabled())
		return 0;
	strbuf_addf(&sb, "%s  ", t->name);
	human_size(&sb, (unsigned long long)(got + t->resumed_at));
	if (total > 0) {
		strbuf_addstr(&sb, " of ");
		human_size(&sb, (unsigned long long)(total + t->resumed_at));
	}
	strbuf_addstr(&sb, "  ");
	human_size(&sb, (unsigned long long)rate);
	strbuf_addstr(&sb, "/s");
	if (total > 0 && rate > 0)
		strbuf_addf(&sb, "  ETA %.0f s", (double)(total - got) / rate);
	progress_show("fetch", elapsed, sb.buf);
	strbuf_clear(&sb);
	return 0;
}

static CURL *new_handle(const char *url, long connect_timeout, char *errbuf)
{
	CURL *c = curl.easy_init();

	if (!c)
		return NULL;
	curl.easy_setopt(c, CURLOPT_URL, url);
	curl.easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
	curl.easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https,ftp,file");
	/* a redirect never leaves TLS, nor reaches a local file */
	curl.easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR,
			 strncasecmp(url, "https:", 6) ? "http,https,ftp" :
							 "https");
	curl.easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
	curl.easy_setopt(c, CURLOPT_MAXREDIRS, 5L);
	curl.easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
	curl.easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
	curl.easy_setopt(c, CURLOPT_FAILONERROR, 1L);
	curl.easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl.easy_setopt(c, CURLOPT_CONNECTTIMEOUT, connect_timeout);
	curl.easy_setopt(c, CURLOPT_USERAGENT, "pomctl/" POMCTL_VERSION);
	return c;
}

/* Why a transfer failed, in words, into why. */
static void describe_failure(CURL *c, CURLcode rc, const char *errbuf,
			     const struct transfer *t, struct strbuf *why)
{
	long code = 0;

	curl.easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
	if (t->no_room)
		strbuf_addf(why,
			    "the file system of pomctl's cache has %lld MiB "
			    "free, less than the announced size: make room "
			    "there, then run pomctl again",
			    t->room >> 20);
	else if (t->too_big || rc == CURLE_FILESIZE_EXCEEDED)
		strbuf_addf(why,
			    "the file is larger than the limit of %lld "
			    "MiB ([limits] download_mib)",
			    t->max_size >> 20);
	else if (rc == CURLE_WRITE_ERROR && t->write_errno)
		strbuf_addf(why, "cannot write the download: %s",
			    strerror(t->write_errno));
	else if (rc == CURLE_ABORTED_BY_CALLBACK)
		strbuf_addstr(why, "interrupted");
	else if (rc == CURLE_HTTP_RETURNED_ERROR)
		strbuf_addf(why, "the server answered %ld", code);
	else if (rc == CURLE_OPERATION_TIMEDOUT)
		strbuf_addf(why,
			    "timed out (%s; a download may take [limits] "
			    "download_seconds, and may stay below 1 byte/s "
			    "for [fetch] low_speed_time)",
			    *errbuf ? errbuf : curl.easy_strerror(rc));
	else
		strbuf_addstr(why, *errbuf ? errbuf : curl.easy_strerror(rc));
}

/*
 * Download url into the partial file, resuming from its size.  0, with the
 * file's digest in digest (or "" when it must be taken afterwards), or -1
 * with why filled; *restart set when the server cannot resume.
 */
static int transfer(const struct fetch_request *req, const char *url,
		    const char *part, struct strbuf *why, bool *restart,
		    char digest[SHA256_HEX])
{
	char errbuf[CURL_ERROR_SIZE] = "";
	struct strbuf name = STRBUF_INIT;
	struct transfer t = { .fd = -1,
			      .start = monotonic_seconds(),
			      .max_size = req->max_size };
	struct stat st;
	CURL *c;
	CURLcode rc;
	long code = 0;

	t.fd = open(part,
		    O_WRONLY | O_CREAT | O_APPEND | O_NOFOLLOW | O_CLOEXEC,
		    0600);
	if (t.fd < 0 || fstat(t.fd, &st) < 0) {
		strbuf_addf(why, "cannot open '%s': %s", part, strerror(errno));
		if (t.fd >= 0)
			close(t.fd);
		return -1;
	}
	url_basename(url, &name);
	t.name = name.buf;
	t.resumed_at = st.st_size;
	hasher_start(&t.hash, part, st.st_size);
	c = new_handle(url, req->connect_timeout, errbuf);
	curl.easy_setopt(c, CURLOPT_BUFFERSIZE, 256L * 1024);
	curl.easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
	curl.easy_setopt(c, CURLOPT_WRITEDATA, &t);
	curl.easy_setopt(c, CURLOPT_XFERINFOFUNCTION, on_progress);
	curl.easy_setopt(c, CURLOPT_XFERINFODATA, &t);
	curl.easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
	curl.easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1L);
	curl.easy_setopt(c, CURLOPT_LOW_SPEED_TIME, req->low_speed_time);
	curl.easy_setopt(c, CURLOPT_TIMEOUT, req->deadline);
	curl.easy_setopt(c, CURLOPT_RESUME_FROM_LARGE, (curl_off_t)st.st_size);
	if (req->max_size) /* an announced size over it: refused at once */
		curl.easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE,
				 (curl_off_t)(req->max_size > st.st_size ?
						      req->max_size -
							      st.st_size :
						      1));
	if (st.st_size)
		steplog_printf(req->log_fd, "resuming %s at byte %lld", url,
			       (long long)st.st_size);
	rc = curl.easy_perform(c);
	progress_clear();
	curl.easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
	*restart = st.st_size &&
		   (rc == CURLE_RANGE_ERROR ||
		    (rc == CURLE_HTTP_RETURNED_ERROR && code == 416));
	if (rc != CURLE_OK)
		describe_failure(c, rc, errbuf, &t, why);
	if (close(t.fd) < 0 && rc == CURLE_OK) {
		strbuf_addf(why, "cannot write '%s': %s", part,
			    strerror(errno));
		rc = CURLE_WRITE_ERROR;
		t.write_errno = errno;
	}
	/*
	 * A local write error (a full disk, a quota): the partial file goes,
	 * so that the space is there to record the failure; the next try
	 * downloads afresh.  After a network error it stays, to be resumed.
	 */
	hasher_stop(&t.hash, rc == CURLE_OK, digest);
	if ((rc == CURLE_WRITE_ERROR && t.write_errno) || t.too_big ||
	    t.no_room || rc == CURLE_FILESIZE_EXCEEDED)
		unlink(part);
	curl.easy_cleanup(c);
	strbuf_clear(&name);
	return rc == CURLE_OK ? 0 : -1;
}

/* --- into the cache ----------------------------------------------------- */

static int prepare_cache(const char *cache)
{
	static const char *const kinds[] = { "objects", "urls", "partial" };
	struct strbuf sb = STRBUF_INIT;
	int ret = 0;

	for (size_t i = 0; i < ARRAY_SIZE(kinds) && !ret; i++) {
		strbuf_reset(&sb);
		strbuf_addf(&sb, "%s/%s", cache, kinds[i]);
		ret = mkdir_p(sb.buf, 0700);
	}
	strbuf_clear(&sb);
	return ret;
}

/*
 * The finished partial file becomes an object, if its digest (taken during
 * the download, or now when digest is "") is right.
 */
static int store(const char *cache, const struct fetch_request *req,
		 const char *url, const char *part, const char *digest,
		 struct fetch_result *res)
{
	struct strbuf index = STRBUF_INIT, line = STRBUF_INIT;
	char key[SHA256_HEX];
	struct stat st;
	int ret = 0;

	snprintf(res->digest, sizeof(res->digest), "%s", digest);
	if (!*digest)
		ret = sha256_file(part, res->digest);
	if (!ret && stat(part, &st) < 0)
		ret = -errno;
	if (ret)
		return error_to(req->err, "cannot read '%s': %s", part,
				strerror(-ret));
	if (req->sha256 && *req->sha256 &&
	    strcasecmp(res->digest, req->sha256)) {
		unlink(part);
		return error_to(
			req->err,
			"%s: the download's sha256 is %s, but %s expects "
			"%s; the download was deleted",
			url, res->digest,
			req->pin_name ? req->pin_name : "the pin", req->sha256);
	}
	res->size = st.st_size;
	cache_path(&res->path, cache, "objects", res->digest, "");
	if (rename(part, res->path.buf) < 0)
		return error_to(req->err, "cannot move '%s' into the cache: %s",
				part, strerror(errno));
	if (url_key(req->url, key))
		return -1;
	cache_path(&index, cache, "urls", key, "");
	strbuf_addf(&line, "%s %lld %s\n", res->digest, res->size, url);
	ret = write_file_atomic(index.buf, line.buf, line.len, 0600);
	strbuf_clear(&index);
	strbuf_clear(&line);
	return ret;
}

static bool is_empty_file(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && st.st_size == 0;
}

/* The URL, then each mirror base with the file's name. */
static void candidates(const struct fetch_request *req, struct strvec *urls)
{
	struct strbuf name = STRBUF_INIT;

	url_basename(req->url, &name);
	strvec_push(urls, req->url);
	for (size_t i = 0; req->mirrors && i < req->mirrors->nr; i++) {
		const char *base = req->mirrors->v[i];
		size_t n = strlen(base);

		strvec_pushf(urls, "%s%s%s", base,
			     n && base[n - 1] == '/' ? "" : "/", name.buf);
	}
	strbuf_clear(&name);
}

/* Try one URL, restarting once when the server cannot resume. */
static int try_url(const struct fetch_request *req, const char *url,
		   const char *part, struct strbuf *why,
		   char digest[SHA256_HEX])
{
	bool restart = false;
	int ret = transfer(req, url, part, why, &restart, digest);

	if (ret && restart) {
		steplog_printf(req->log_fd, "%s cannot resume: starting over",
			       url);
		strbuf_reset(why);
		if (truncate(part, 0) == 0)
			ret = transfer(req, url, part, why, &restart, digest);
	}
	return ret;
}

static int download(const char *cache, const struct fetch_request *req,
		    struct fetch_result *res)
{
	struct strvec urls = STRVEC_INIT;
	struct strbuf part = STRBUF_INIT, why = STRBUF_INIT, all = STRBUF_INIT;
	char key[SHA256_HEX], digest[SHA256_HEX];
	int ret = -1;

	if (url_key(req->url, key))
		return -1;
	cache_path(&part, cache, "partial", key, ".part");
	candidates(req, &urls);
	for (size_t i = 0; i < urls.nr && ret && !run_interrupted(); i++) {
		strbuf_reset(&why);
		steplog_printf(req->log_fd, "download %s", urls.v[i]);
		ret = try_url(req, urls.v[i], part.buf, &why, digest);
		if (ret) {
			steplog_printf(req->log_fd, "failed: %s", why.buf);
			strbuf_addf(&all, "%s%s: %s", all.len ? "; " : "",
				    urls.v[i], why.buf);
		} else {
			ret = store(cache, req, urls.v[i], part.buf, digest,
				    res);
			if (!ret)
				steplog_printf(req->log_fd,
					       "stored %s (%lld bytes, "
					       "sha256 %s)",
					       urls.v[i], res->size,
					       res->digest);
			strbuf_reset(&all);
			break;
		}
	}
	if (ret && all.len)
		error_to(req->err, "cannot download %s: %s", req->url, all.buf);
	if (ret && is_empty_file(part.buf))
		unlink(part.buf); /* keep only what a resume can use */
	strvec_clear(&urls);
	strbuf_clear(&part);
	strbuf_clear(&why);
	strbuf_clear(&all);
	return ret;
}

static struct strbuf downloaded = STRBUF_INIT;

const char *fetch_downloaded(void)
{
	return downloaded.buf;
}

int fetch(const char *cache, const struct fetch_request *req,
	  struct fetch_result *res)
{
	struct strbuf size = STRBUF_INIT, name = STRBUF_INIT;
	double start = monotonic_seconds();
	int ret;

	if (fetch_cached(cache, req, res)) {
		steplog_printf(req->log_fd, "%s: in the cache (sha256 %s)",
			       req->url, res->digest);
		steplog_work(req->log_fd, start, "fetch %s", req->url);
		return 0;
	}
	res->cached = false;
	if (curl_ready(req->err) < 0)
		return -1;
	if (prepare_cache(cache) < 0)
		return error_to(req->err, "cannot make the cache '%s'", cache);
	ret = download(cache, req, res);
	steplog_work(req->log_fd, start, "fetch %s", req->url);
	if (!ret) {
		url_basename(req->url, &name);
		human_size(&size, (unsigned long long)res->size);
		info("  downloaded %s (%s)", name.buf, size.buf);
		strbuf_addf(&downloaded, "%s%s (%s)",
			    downloaded.len ? ", " : "", name.buf, size.buf);
	}
	strbuf_clear(&size);
	strbuf_clear(&name);
	return ret;
}

long long fetch_remote_size(const char *url, long connect_timeout)
{
	char errbuf[CURL_ERROR_SIZE] = "";
	struct strbuf why = STRBUF_INIT; /* -1 says it: unknown */
	int ready = curl_ready(&why);
	curl_off_t size = -1;
	CURL *c;

	strbuf_clear(&why);
	if (ready < 0 || !(c = new_handle(url, connect_timeout, errbuf)))
		return -1;
	curl.easy_setopt(c, CURLOPT_NOBODY, 1L);
	curl.easy_setopt(c, CURLOPT_TIMEOUT, connect_timeout);
	if (curl.easy_perform(c) != CURLE_OK ||
	    curl.easy_getinfo(c, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &size) !=
		    CURLE_OK)
		size = -1;
	curl.easy_cleanup(c);
	return size;
}

void fetch_limits_from_config(const struct config *cfg,
			      struct fetch_request *req)
{
	req->connect_timeout = (long)config_get_uint(cfg, "fetch",
						     "connect_timeout");
	req->low_speed_time = (long)config_get_uint(cfg, "fetch",
						    "low_speed_time");
	req->deadline = (long)config_get_uint(cfg, "limits",
					      "download_seconds");
	req->max_size =
		(long long)config_get_uint(cfg, "limits", "download_mib") << 20;
}
