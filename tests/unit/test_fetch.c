// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Downloads from a real HTTP server on 127.0.0.1 (tests/fixtures/httpd.py)
 * into a scratch cache: a file fetched once and then found in the cache,
 * a pin that does not match (refused, nothing kept), a mirror tried after
 * a URL that fails, a download cut half way and resumed with a Range
 * request for the rest only.
 */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "pomctl/digest.h"
#include "pomctl/fetch.h"
#include "pomctl/log.h"
#include "pomctl/util.h"
#include "unit.h"

#define SIZE (3 << 20)

static char dir[UNIT_DIR_MAX];
static struct strbuf base = STRBUF_INIT, cache = STRBUF_INIT;
static char digest[SHA256_HEX];
static pid_t server = -1;
static const char *last_why = ""; /* why the last get() failed */

/* The server on dir/www, cutting file.bin after half of it once. */
static int serve(void)
{
	struct strbuf www = STRBUF_INIT, portfile = STRBUF_INIT,
		      log = STRBUF_INIT, script = STRBUF_INIT,
		      cut = STRBUF_INIT;
	char *port = NULL;

	strbuf_addf(&www, "%s/www", dir);
	strbuf_addf(&portfile, "%s/port", dir);
	strbuf_addf(&log, "%s/http.log", dir);
	strbuf_addf(&script, "%s/tests/fixtures/httpd.py",
		    getenv("POMCTL_TOP") ? getenv("POMCTL_TOP") : ".");
	strbuf_addf(&cut, "cut.bin=%d", SIZE / 2);
	server = fork();
	if (server == 0) {
		execlp("python3", "python3", script.buf, www.buf, "--port-file",
		       portfile.buf, "--log", log.buf, "--cut", cut.buf,
		       (char *)NULL);
		_exit(127);
	}
	for (int i = 0; i < 100 && !port; i++) {
		usleep(50000);
		port = unit_read(dir, "port");
	}
	if (port)
		strbuf_addf(&base, "http://127.0.0.1:%.*s",
			    (int)strspn(port, "0123456789"), port);
	free(port);
	strbuf_clear(&www);
	strbuf_clear(&portfile);
	strbuf_clear(&log);
	strbuf_clear(&script);
	strbuf_clear(&cut);
	return base.len ? 0 : -1;
}

static int group_setup(void **unused)
{
	struct strbuf data = STRBUF_INIT;
	int ret;

	(void)unused;
	log_setup(true, false); /* no progress lines among the results */
	if (unit_tmpdir("fetch", dir))
		return -1;
	for (unsigned i = 0; data.len < SIZE; i++)
		strbuf_addf(&data, "%08x line of the file to fetch\n",
			    i * 2654435761u);
	strbuf_setlen(&data, SIZE);
	sha256_hex(data.buf, data.len, digest);
	ret = unit_write(dir, "www/file.bin", data.buf) ||
	      unit_write(dir, "www/cut.bin", data.buf) || serve();
	strbuf_addf(&cache, "%s/cache", dir);
	strbuf_clear(&data);
	return ret;
}

static int group_teardown(void **unused)
{
	(void)unused;
	if (server > 0) {
		kill(server, SIGTERM);
		waitpid(server, NULL, 0);
	}
	remove_tree(dir);
	strbuf_clear(&base);
	strbuf_clear(&cache);
	return 0;
}

/* name from the server into the cache; why it failed into why. */
static int get(const char *name, const char *pin, const struct strvec *mirrors,
	       struct fetch_result *res)
{
	static struct strbuf why = STRBUF_INIT;
	struct strbuf url = STRBUF_INIT;
	struct fetch_request req = {
		.mirrors = mirrors,
		.sha256 = pin,
		.pin_name = "the pin",
		.connect_timeout = 10,
		.low_speed_time = 30,
		.log_fd = -1,
		.err = &why,
	};
	int ret;

	strbuf_reset(&why);
	strbuf_addf(&url, "%s/%s", base.buf, name);
	req.url = url.buf;
	fetch_result_init(res);
	ret = fetch(cache.buf, &req, res);
	assert_int_equal(ret == 0, why.len == 0); /* a failure says why */
	last_why = why.buf;
	strbuf_clear(&url);
	return ret;
}

/* The GET requests the log holds for name: "range=... bytes=..." each. */
static unsigned gets(const char *name, struct strbuf *lines)
{
	char *log = unit_read(dir, "http.log");
	struct strbuf want = STRBUF_INIT;
	unsigned n = 0;

	strbuf_addf(&want, "GET /%s ", name);
	for (char *l = log; l && *l;) {
		char *nl = strchrnul(l, '\n');

		if (!strncmp(l, want.buf, want.len)) {
			n++;
			strbuf_addf(lines, "%.*s\n", (int)(nl - l), l);
		}
		l = *nl ? nl + 1 : nl;
	}
	free(log);
	strbuf_clear(&want);
	return n;
}

static void test_once_then_cached(void **unused)
{
	struct fetch_result res;
	struct strbuf log = STRBUF_INIT;

	(void)unused;
	assert_int_equal(get("file.bin", digest, NULL, &res), 0);
	assert_string_equal(res.digest, digest);
	assert_int_equal(res.size, SIZE);
	assert_false(res.cached);
	fetch_result_clear(&res);
	assert_int_equal(get("file.bin", NULL, NULL, &res), 0);
	assert_true(res.cached);
	assert_string_equal(res.digest, digest);
	fetch_result_clear(&res);
	assert_int_equal(gets("file.bin", &log), 1); /* downloaded once */
	strbuf_clear(&log);
}

static void test_pin_mismatch(void **unused)
{
	struct fetch_result res;
	struct strbuf objects = STRBUF_INIT, log = STRBUF_INIT;
	const char *wrong =
		"0000000000000000000000000000000000000000000000000000000000000000";

	(void)unused;
	remove_tree(cache.buf);
	assert_int_equal(get("file.bin", wrong, NULL, &res), -1);
	assert_non_null(strstr(last_why, digest));
	assert_non_null(strstr(last_why, "the pin"));
	fetch_result_clear(&res);
	strbuf_addf(&objects, "%s/objects/%s", cache.buf, digest);
	assert_false(path_exists(objects.buf)); /* nothing kept */
	strbuf_clear(&objects);
	strbuf_clear(&log);
}

static void test_mirror(void **unused)
{
	struct strvec mirrors = STRVEC_INIT;
	struct fetch_result res;

	(void)unused;
	remove_tree(cache.buf);
	strvec_push(&mirrors, "http://127.0.0.1:1/");
	strvec_pushf(&mirrors, "%s/", base.buf);
	/* the URL itself fails (no such file), then the mirrors in order */
	assert_int_equal(get("nothing/file.bin", digest, &mirrors, &res), 0);
	assert_string_equal(res.digest, digest);
	fetch_result_clear(&res);
	strvec_clear(&mirrors);
}

static void test_resume(void **unused)
{
	struct fetch_result res;
	struct strbuf log = STRBUF_INIT, range = STRBUF_INIT;

	(void)unused;
	remove_tree(cache.buf);
	assert_int_equal(get("cut.bin", digest, NULL, &res), -1); /* cut */
	assert_non_null(strstr(last_why, "cut.bin"));
	fetch_result_clear(&res);
	assert_int_equal(get("cut.bin", digest, NULL, &res), 0);
	assert_string_equal(res.digest, digest);
	fetch_result_clear(&res);
	assert_int_equal(gets("cut.bin", &log), 2);
	strbuf_addf(&range, "range=bytes=%d- status=206 bytes=%d", SIZE / 2,
		    SIZE / 2);
	assert_non_null(strstr(log.buf, range.buf)); /* the rest, only */
	strbuf_clear(&log);
	strbuf_clear(&range);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_once_then_cached),
		cmocka_unit_test(test_pin_mismatch),
		cmocka_unit_test(test_mirror),
		cmocka_unit_test(test_resume),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
