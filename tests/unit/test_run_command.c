// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "pomctl/log.h"
#include "pomctl/run-command.h"
#include "pomctl/util.h"
#include "unit.h"

struct fixture {
	char dir[UNIT_DIR_MAX];
	struct strbuf log;
	int fd;
};

static int setup(void **ctx)
{
	struct fixture *f = xcalloc(1, sizeof(*f));

	if (unit_tmpdir("run", f->dir))
		return -1;
	strbuf_init(&f->log);
	strbuf_addf(&f->log, "%s/step.log", f->dir);
	f->fd = steplog_open(f->log.buf);
	*ctx = f;
	return f->fd < 0 ? -1 : 0;
}

static int teardown(void **ctx)
{
	struct fixture *f = *ctx;
	struct child_process cp = CHILD_PROCESS_INIT;

	close(f->fd);
	strvec_pushv(&cp.args,
		     (const char *const[]){ "rm", "-rf", f->dir, NULL });
	run_command(&cp);
	strbuf_clear(&f->log);
	free(f);
	return 0;
}

static int run(struct fixture *f, const char *const *argv)
{
	struct child_process cp = CHILD_PROCESS_INIT;

	strvec_pushv(&cp.args, argv);
	cp.log_fd = f ? f->fd : -1;
	return run_command(&cp);
}

static void read_log(struct fixture *f, struct strbuf *sb)
{
	strbuf_reset(sb);
	assert_int_equal(read_file(f->log.buf, 1 << 20, false, sb), 0);
}

static void test_exit_codes(void **ctx)
{
	struct fixture *f = *ctx;
	bool old;

	assert_int_equal(run(f, (const char *const[]){ "true", NULL }), 0);
	assert_int_equal(run(f, (const char *const[]){ "false", NULL }), 1);
	assert_int_equal(run(f, (const char *const[]){ "sh", "-c", "exit 7",
						       NULL }),
			 7);
	assert_int_equal(run(f, (const char *const[]){ "sh", "-c",
						       "kill -KILL $$", NULL }),
			 128 + SIGKILL);
	old = error_set_quiet(true);
	errno = 0;
	assert_int_equal(run(f, (const char *const[]){ "no-such-program-x",
						       NULL }),
			 -1);
	assert_int_equal(errno, ENOENT);
	assert_int_equal(run(f, (const char *const[]){ "/nonexistent/prog",
						       NULL }),
			 -1);
	assert_non_null(strstr(error_last(), "cannot run '/nonexistent/prog'"));
	error_set_quiet(old);
}

static void test_output_to_log(void **ctx)
{
	struct fixture *f = *ctx;
	struct strbuf log = STRBUF_INIT;

	assert_int_equal(run(f,
			     (const char *const[]){
				     "sh", "-c",
				     "echo out; echo err >&2; exit 3", NULL }),
			 3);
	read_log(f, &log);
	assert_non_null(strstr(log.buf, "$ sh -c 'echo out; echo err >&2; "
					"exit 3'\n"));
	assert_non_null(strstr(log.buf, "out\n"));
	assert_non_null(strstr(log.buf, "err\n"));
	assert_non_null(strstr(log.buf, "exit 3 ("));
	strbuf_clear(&log);
}

/* No shell: metacharacters in arguments are just bytes. */
static void test_no_shell(void **ctx)
{
	struct fixture *f = *ctx;
	struct strbuf log = STRBUF_INIT, marker = STRBUF_INIT;

	strbuf_addf(&marker, "%s/pwned", f->dir);
	assert_int_equal(run(f, (const char *const[]){ "echo", "x;", "touch",
						       marker.buf, "$(id)",
						       NULL }),
			 0);
	assert_false(path_exists(marker.buf));
	read_log(f, &log);
	assert_non_null(strstr(log.buf, "$(id)"));
	strbuf_clear(&log);
	strbuf_clear(&marker);
}

static void test_env_cwd_input(void **ctx)
{
	struct fixture *f = *ctx;
	struct child_process cp = CHILD_PROCESS_INIT;
	struct strbuf log = STRBUF_INIT, want = STRBUF_INIT;

	strvec_pushv(&cp.args,
		     (const char *const[]){
			     "sh", "-c",
			     "echo \"K=$KERNEL_DIR\"; pwd; "
			     "echo \"M=${MAKEFLAGS-none} ${MAKELEVEL-none} "
			     "${GNUMAKEFLAGS-none} ${MAKEFILES-none}\"; "
			     "n=0; while read l; do n=$((n+1)); done; "
			     "echo \"lines=$n\"",
			     NULL });
	strvec_push(&cp.env, "KERNEL_DIR=/usr/src/linux-2.4");
	/* as when pomctl is started from a make: not passed on */
	setenv("MAKEFLAGS", "s -j8", 1);
	setenv("MAKELEVEL", "1", 1);
	setenv("GNUMAKEFLAGS", "--eval=$(shell touch /tmp/owned)", 1);
	setenv("MAKEFILES", "/tmp/evil.mk", 1);
	cp.dir = f->dir;
	cp.input = "\n\n\n";
	cp.log_fd = f->fd;
	assert_int_equal(run_command(&cp), 0);
	read_log(f, &log);
	assert_non_null(strstr(log.buf, "K=/usr/src/linux-2.4\n"));
	assert_non_null(strstr(log.buf, "M=none none none none\n"));
	unsetenv("MAKEFLAGS");
	unsetenv("MAKELEVEL");
	unsetenv("GNUMAKEFLAGS");
	unsetenv("MAKEFILES");
	strbuf_addf(&want, "\n%s\n", f->dir);
	assert_non_null(strstr(log.buf, want.buf));
	assert_non_null(strstr(log.buf, "lines=3\n"));
	/* without input, stdin is /dev/null: a read ends at once */
	assert_int_equal(run(f, (const char *const[]){ "sh", "-c", "read x",
						       NULL }),
			 1);
	strbuf_clear(&log);
	strbuf_clear(&want);
}

static void on_alarm(int sig)
{
	(void)sig;
	kill(getpid(), SIGINT);
}

static pid_t read_pid(const char *dir, const char *name)
{
	struct strbuf path = STRBUF_INIT, text = STRBUF_INIT;
	pid_t pid = 0;

	strbuf_addf(&path, "%s/%s", dir, name);
	if (read_file(path.buf, 64, false, &text) == 0)
		pid = (pid_t)atoi(text.buf);
	strbuf_clear(&path);
	strbuf_clear(&text);
	return pid;
}

/*
 * SIGINT while a child runs: the child's whole process group (here a shell
 * and a background sleep that ignores SIGTERM) is gone afterwards.
 */
static void test_interrupt_kills_group(void **ctx)
{
	struct fixture *f = *ctx;
	struct child_process cp = CHILD_PROCESS_INIT;
	struct sigaction sa;
	pid_t shell, sleeper;
	int ret;

	/* orphans come to us, so that they can be reaped and counted */
	assert_int_equal(prctl(PR_SET_CHILD_SUBREAPER, 1), 0);
	run_setup_signals();
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_alarm;
	sigaction(SIGALRM, &sa, NULL);
	strvec_pushv(&cp.args,
		     (const char *const[]){ "sh", "-c",
					    "echo $$ > shell.pid; "
					    "(trap '' TERM; exec sleep 4242) & "
					    "echo $! > sleep.pid; wait",
					    NULL });
	cp.dir = f->dir;
	cp.log_fd = f->fd;
	cp.grace_ms = 300;
	alarm(1);
	ret = run_command(&cp);
	alarm(0);
	assert_int_equal(run_interrupted(), SIGINT);
	assert_true(ret >= 128);
	shell = read_pid(f->dir, "shell.pid");
	sleeper = read_pid(f->dir, "sleep.pid");
	assert_true(shell > 0 && sleeper > 0);
	for (int i = 0; i < 50 && waitpid(-1, NULL, WNOHANG) > 0; i++)
		;
	usleep(100000);
	while (waitpid(-1, NULL, WNOHANG) > 0)
		;
	assert_int_equal(kill(sleeper, 0), -1);
	assert_int_equal(errno, ESRCH);
	assert_int_equal(kill(-shell, 0), -1);
	assert_int_equal(errno, ESRCH);
	run_reset_interrupted();
}

static void test_quote_argv(void **unused)
{
	struct strbuf sb = STRBUF_INIT;

	(void)unused;
	quote_argv(&sb, (const char *const[]){ "make", "-j2", "a b", "it's", "",
					       NULL });
	assert_string_equal(sb.buf, "make -j2 'a b' 'it'\\''s' ''");
	strbuf_clear(&sb);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_exit_codes, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_output_to_log, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_no_shell, setup, teardown),
		cmocka_unit_test_setup_teardown(test_env_cwd_input, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_interrupt_kills_group,
						setup, teardown),
		cmocka_unit_test(test_quote_argv),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
