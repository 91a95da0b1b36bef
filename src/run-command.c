// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <dirent.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "pomctl/host.h"
#include "pomctl/log.h"
#include "pomctl/run-command.h"
#include "pomctl/util.h"

extern char **environ;

static volatile sig_atomic_t interrupted;

static void on_signal(int sig)
{
	interrupted = sig;
}

void run_setup_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	/* No SA_RESTART: poll() must return so the child can be stopped. */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

int run_interrupted(void)
{
	return interrupted;
}

void run_reset_interrupted(void)
{
	interrupted = 0;
}

void child_process_init(struct child_process *cp)
{
	struct child_process blank = CHILD_PROCESS_INIT;

	*cp = blank;
}

void child_process_clear(struct child_process *cp)
{
	strvec_clear(&cp->args);
	strvec_clear(&cp->env);
}

int find_program(const char *name, struct strbuf *out)
{
	const char *path = getenv("PATH");
	struct strbuf sb = STRBUF_INIT;

	if (strchr(name, '/')) {
		strbuf_addstr(out, name);
		return 0;
	}
	if (!path || !*path)
		path = "/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin";
	for (const char *p = path; *p;) {
		const char *end = strchrnul(p, ':');

		strbuf_reset(&sb);
		strbuf_add(&sb, p, (size_t)(end - p));
		strbuf_addf(&sb, "/%s", name);
		if (end > p && access(sb.buf, X_OK) == 0 && !is_dir(sb.buf)) {
			strbuf_addstr(out, sb.buf);
			strbuf_clear(&sb);
			return 0;
		}
		p = *end ? end + 1 : end;
	}
	strbuf_clear(&sb);
	return -1;
}

/*
 * What a command started from a make would otherwise inherit and obey:
 * make's flags (-s, -k, -jN, a jobserver's descriptors; GNU make reads
 * GNUMAKEFLAGS too, where --eval=$(shell ...) runs anything), the
 * makefiles it reads first (MAKEFILES), its overrides and its depth.
 * pomctl's commands run as its plan shows them, whoever started pomctl.
 */
static const char *const dropped[] = {
	"MAKEFLAGS", "GNUMAKEFLAGS",  "MFLAGS",
	"MAKEFILES", "MAKEOVERRIDES", "MAKELEVEL"
};

static bool same_name(const char *a, const char *b)
{
	size_t n = strcspn(a, "=");

	return n == strcspn(b, "=") && !strncmp(a, b, n);
}

/* environ with cp->env applied (a NAME=value addition replaces NAME), the
 * dropped names left out. */
static void build_env(struct child_process *cp, struct strvec *out)
{
	for (char **e = environ; e && *e; e++) {
		bool replaced = false;

		for (size_t i = 0; i < ARRAY_SIZE(dropped) && !replaced; i++)
			replaced = same_name(dropped[i], *e);
		for (size_t i = 0; i < cp->env.nr && !replaced; i++)
			replaced = same_name(cp->env.v[i], *e);
		if (!replaced)
			strvec_push(out, *e);
	}
	strvec_pushv(out, strvec_argv(&cp->env));
}

struct pipes {
	int out[2]; /* child's stdout+stderr -> parent */
	int in[2];  /* parent -> child's stdin, when cp->input */
	int err[2]; /* exec failure errno -> parent (close-on-exec) */
};

void run_die_with_parent(pid_t parent)
{
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() != parent)
		_exit(127);
}

/*
 * Between vfork and exec.  The child shares pomctl's memory and runs on
 * its stack: only system calls, nothing written but its own locals.  It
 * starts with every signal blocked and gets the default actions back
 * before it unblocks them, so no handler of pomctl runs in it.
 */
static _Noreturn void child_exec(struct child_process *cp, struct pipes *p,
				 const char *prog, char *const *envp,
				 pid_t parent, const sigset_t *mask)
{
	int in = cp->input ? p->in[0] : open("/dev/null", O_RDONLY);
	int err;

	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	signal(SIGPIPE, SIG_DFL);
	sigprocmask(SIG_SETMASK, mask, NULL);
	setpgid(0, 0);
	run_die_with_parent(parent);
	if (in < 0 || dup2(in, 0) < 0)
		goto fail;
	if (cp->log_fd >= 0 &&
	    (dup2(p->out[1], 1) < 0 || dup2(p->out[1], 2) < 0))
		goto fail;
	if (cp->dir && chdir(cp->dir) < 0)
		goto fail;
	execve(prog, (char *const *)cp->args.v, envp);
fail:
	err = errno;
	if (write(p->err[1], &err, sizeof(err)) < 0)
		_exit(127);
	_exit(127);
}

static int make_pipes(struct child_process *cp, struct pipes *p)
{
	p->out[0] = p->out[1] = p->in[0] = p->in[1] = -1;
	if (pipe2(p->err, O_CLOEXEC) < 0)
		return -1;
	if (cp->log_fd >= 0 && pipe2(p->out, O_CLOEXEC) < 0)
		return -1;
	if (cp->input && pipe2(p->in, O_CLOEXEC) < 0)
		return -1;
	return 0;
}

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

struct watch {
	struct child_process *cp;
	struct strbuf line; /* the last non-empty line, maybe partial */
	bool complete;	    /* line ended; the next byte starts anew */
	const char *input;  /* what is left to write to stdin */
	double start, drawn;
	bool killed;
};

#define OUT_MAX (4u << 20)
#define ERRORS_MAX 20

static void line_done(struct watch *w)
{
	struct child_process *cp = w->cp;

	if (cp->is_error && cp->errors && cp->errors->nr < ERRORS_MAX &&
	    !w->complete && w->line.len && cp->is_error(w->line.buf))
		strvec_push(cp->errors, w->line.buf);
	w->complete = w->line.len > 0;
}

/* Keep the last non-empty line of output for the progress display. */
static void note_output(struct watch *w, const char *buf, size_t n)
{
	struct strbuf *out = w->cp->out;

	if (out && out->len < OUT_MAX)
		strbuf_add(out, buf,
			   n < OUT_MAX - out->len ? n : OUT_MAX - out->len);
	for (size_t i = 0; i < n; i++) {
		if (buf[i] == '\n' || buf[i] == '\r') {
			line_done(w);
			continue;
		}
		if (w->complete) {
			strbuf_reset(&w->line);
			w->complete = false;
		}
		if (w->line.len < 512)
			strbuf_addch(&w->line, buf[i]);
	}
}

static void draw(struct watch *w)
{
	double t = monotonic_seconds();

	if (t - w->drawn < 0.2)
		return;
	w->drawn = t;
	progress_show(w->cp->label ? w->cp->label : w->cp->args.v[0],
		      t - w->start, w->cp->quiet_progress ? "" : w->line.buf);
}

/* Stop the child's process group: TERM, a grace period, then KILL. */
static void stop_group(struct watch *w)
{
	pid_t pid = w->cp->pid;
	unsigned grace = w->cp->grace_ms ? w->cp->grace_ms : 3000;
	int status;

	w->killed = true;
	kill(-pid, SIGTERM);
	for (unsigned waited = 0; waited < grace; waited += 20) {
		if (waitpid(pid, &status, WNOHANG) == pid) {
			kill(-pid, SIGKILL);
			w->cp->pid = -pid; /* reaped; remember as negative */
			return;
		}
		usleep(20000);
	}
	kill(-pid, SIGKILL);
}

static int pump_input(struct watch *w, int fd)
{
	size_t left = strlen(w->input);
	ssize_t n = write(fd, w->input, left > 4096 ? 4096 : left);

	if (n < 0)
		return errno == EINTR || errno == EAGAIN ? 0 : -1;
	w->input += n;
	return *w->input ? 0 : -1;
}

/* Copy the child's output to the log until EOF; feed its stdin. */
static void watch_child(struct watch *w, struct pipes *p)
{
	char buf[8192];

	for (;;) {
		struct pollfd fds[2] = { { p->out[0], POLLIN, 0 },
					 { p->in[1], POLLOUT, 0 } };
		int n;

		if (run_interrupted() && !w->killed)
			stop_group(w);
		n = poll(fds, p->in[1] >= 0 ? 2 : 1, 200);
		if (n < 0 && errno != EINTR)
			break;
		if (p->in[1] >= 0 && (fds[1].revents & (POLLOUT | POLLERR)) &&
		    pump_input(w, p->in[1]) < 0)
			close_fd(&p->in[1]);
		if (fds[0].revents & (POLLIN | POLLHUP)) {
			ssize_t got = read(p->out[0], buf, sizeof(buf));

			if (got <= 0 && !(got < 0 && errno == EINTR))
				break;
			if (got > 0) {
				note_output(w, buf, (size_t)got);
				if (write(w->cp->log_fd, buf, (size_t)got) <
				    0) {
					/* keep draining the pipe */
				}
			}
		}
		draw(w);
	}
	line_done(w); /* a last line without a newline */
	progress_clear();
}

static int wait_child(struct watch *w)
{
	pid_t pid = w->cp->pid;
	int status = 0;

	if (pid < 0)
		return 128 + SIGTERM; /* reaped in stop_group() */
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	if (w->killed)
		kill(-pid, SIGKILL); /* whatever of the group is left */
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WEXITSTATUS(status);
}

static int exec_errno(struct pipes *p)
{
	int err = 0;
	ssize_t n;

	close_fd(&p->err[1]);
	do
		n = read(p->err[0], &err, sizeof(err));
	while (n < 0 && errno == EINTR);
	close_fd(&p->err[0]);
	return n == (ssize_t)sizeof(err) ? err : 0;
}

static void log_start(struct child_process *cp)
{
	struct strbuf sb = STRBUF_INIT;

	quote_argv(&sb, strvec_argv(&cp->args));
	steplog_printf(cp->log_fd, "$ %s%s%s", sb.buf,
		       cp->dir ? "    # in " : "", cp->dir ? cp->dir : "");
	verbose("  $ %s", sb.buf);
	strbuf_clear(&sb);
}

/* Orphaned process groups (see pomctl/run.h) */

static int record_fd = -1;

void run_record_groups(int fd)
{
	record_fd = fd;
}

static void boot_id(char out[40])
{
	struct strbuf sb = STRBUF_INIT;

	snprintf(out, 40, "%s",
		 host_real_boot_id(&sb) || !sb.len ? "unknown" : sb.buf);
	strbuf_clear(&sb);
}

/*
 * From /proc/PID/stat: the process group, the start time (clock ticks after
 * boot) and whether it is a zombie.  false when there is no such process.
 */
static bool proc_stat(pid_t pid, pid_t *pgrp, unsigned long long *start,
		      bool *zombie)
{
	char path[40], buf[1024], *p;
	FILE *f;
	size_t n;
	char state;
	long group;

	snprintf(path, sizeof(path), "/proc/%ld/stat", (long)pid);
	f = fopen(path, "re");
	if (!f)
		return false;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	p = strrchr(buf, ')'); /* the command name may hold anything */
	if (!p || sscanf(p + 1,
			 " %c %*d %ld %*d %*d %*d %*u %*u %*u %*u %*u "
			 "%*u %*u %*d %*d %*d %*d %*d %*d %llu",
			 &state, &group, start) != 3)
		return false;
	*pgrp = (pid_t)group;
	*zombie = state == 'Z' || state == 'X';
	return true;
}

static void record_group(pid_t pgid)
{
	char line[160], boot[40];
	unsigned long long start = 0;
	pid_t group;
	bool zombie;
	int n;

	if (record_fd < 0)
		return;
	if (pgid > 0) {
		boot_id(boot);
		if (!proc_stat(pgid, &group, &start, &zombie))
			start = 0;
		n = snprintf(line, sizeof(line), "%ld\ngroup %ld %llu %s\n",
			     (long)getpid(), (long)pgid, start, boot);
	} else {
		n = snprintf(line, sizeof(line), "%ld\n", (long)getpid());
	}
	if (ftruncate(record_fd, 0) < 0 ||
	    pwrite(record_fd, line, (size_t)n, 0) != n)
		warning("cannot record the running command in the state lock");
}

/* Whether a process other than a zombie is in group pgid. */
static bool group_alive(pid_t pgid)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	bool alive = false;

	if (!d)
		return kill(-pgid, 0) == 0;
	while (!alive && (e = readdir(d))) {
		char *end;
		long pid = strtol(e->d_name, &end, 10);
		unsigned long long start;
		pid_t group;
		bool zombie;

		if (*end || pid <= 0)
			continue;
		alive = proc_stat((pid_t)pid, &group, &start, &zombie) &&
			group == pgid && !zombie;
	}
	closedir(d);
	return alive;
}

static bool wait_group(pid_t pgid, unsigned ms)
{
	for (unsigned waited = 0; waited < ms; waited += 50) {
		if (!group_alive(pgid))
			return true;
		usleep(50000);
	}
	return !group_alive(pgid);
}

int run_end_orphans(int fd)
{
	char buf[256], boot[40], rec_boot[40];
	ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);
	long holder = 0, pgid;
	unsigned long long rec_start, start;
	const char *line;
	pid_t group;
	bool zombie;

	if (n <= 0)
		return 0;
	buf[n] = '\0';
	line = strstr(buf, "\ngroup ");
	holder = strtol(buf, NULL, 10);
	if (!line ||
	    sscanf(line, "\ngroup %ld %llu %39s", &pgid, &rec_start,
		   rec_boot) != 3 ||
	    pgid <= 1)
		return 0;
	boot_id(boot);
	if (strcmp(boot, rec_boot))
		return 0; /* recorded before a reboot: long gone */
	if (proc_stat((pid_t)pgid, &group, &start, &zombie) &&
	    start != rec_start)
		return 0; /* the number belongs to another process now */
	if (!group_alive((pid_t)pgid))
		return 0;
	warning("stopping the commands an earlier pomctl (pid %ld) left "
		"running (process group %ld)",
		holder, pgid);
	kill(-(pid_t)pgid, SIGTERM);
	if (!wait_group((pid_t)pgid, 3000)) {
		kill(-(pid_t)pgid, SIGKILL);
		if (!wait_group((pid_t)pgid, 5000))
			return error("process group %ld, left running by an "
				     "earlier pomctl, does not end; stop it, "
				     "then run pomctl again",
				     pgid);
	}
	return 0;
}

/*
 * vfork, not fork: pomctl maps librpm, libcurl and their libraries, and
 * copying those page tables for every patch(1) or make was most of what
 * list-patches spent.
 */
static int spawn(struct child_process *cp, struct pipes *p, const char *prog)
{
	struct strvec env = STRVEC_INIT;
	sigset_t all, old;
	pid_t parent = getpid(), pid;
	int err;

	build_env(cp, &env);
	sigfillset(&all);
	sigprocmask(SIG_SETMASK, &all, &old);
	pid = vfork();
	if (pid == 0)
		child_exec(cp, p, prog, env.v, parent, &old);
	err = errno;
	sigprocmask(SIG_SETMASK, &old, NULL);
	cp->pid = pid;
	strvec_clear(&env);
	if (cp->pid < 0)
		return error("cannot fork: %s", strerror(err));
	setpgid(cp->pid, cp->pid);
	record_group(cp->pid);
	close_fd(&p->out[1]);
	close_fd(&p->in[0]);
	err = exec_errno(p);
	if (err) {
		waitpid(cp->pid, NULL, 0);
		errno = err;
		return error("cannot run '%s': %s", cp->args.v[0],
			     strerror(err));
	}
	return 0;
}

/* Whether the child has exited, without reaping it. */
static bool has_exited(pid_t pid)
{
	siginfo_t info;

	memset(&info, 0, sizeof(info));
	return waitid(P_PID, (id_t)pid, &info, WEXITED | WNOHANG | WNOWAIT) <
		       0 ||
	       info.si_pid == pid;
}

static int run_spawned(struct child_process *cp, struct pipes *p)
{
	struct watch w = { cp,	      STRBUF_INIT,	   false,
			   cp->input, monotonic_seconds(), 0,
			   false };
	int ret;

	if (p->out[0] >= 0)
		watch_child(&w, p);
	else
		while (!run_interrupted() && !has_exited(cp->pid))
			usleep(20000);
	if (run_interrupted() && !w.killed && cp->pid > 0 &&
	    !has_exited(cp->pid))
		stop_group(&w);
	ret = wait_child(&w);
	record_group(0);
	steplog_printf(cp->log_fd, "exit %d (%.3f s)%s", ret,
		       monotonic_seconds() - w.start,
		       w.killed ? ", interrupted" : "");
	strbuf_clear(&w.line);
	return ret;
}

int run_command(struct child_process *cp)
{
	struct strbuf prog = STRBUF_INIT;
	struct pipes p = { { -1, -1 }, { -1, -1 }, { -1, -1 } };
	int ret = -1;

	if (!cp->args.nr) {
		errno = EINVAL;
		ret = error("BUG: run_command with an empty argv");
		goto out;
	}
	log_start(cp);
	if (find_program(cp->args.v[0], &prog) < 0) {
		errno = ENOENT;
		steplog_printf(cp->log_fd, "not found: %s", cp->args.v[0]);
		ret = error("cannot run '%s': not found in PATH",
			    cp->args.v[0]);
		goto out;
	}
	if (make_pipes(cp, &p) < 0) {
		ret = error("cannot create a pipe: %s", strerror(errno));
		goto out;
	}
	if (spawn(cp, &p, prog.buf) == 0)
		ret = run_spawned(cp, &p);
out:
	close_fd(&p.out[0]);
	close_fd(&p.out[1]);
	close_fd(&p.in[0]);
	close_fd(&p.in[1]);
	close_fd(&p.err[0]);
	close_fd(&p.err[1]);
	strbuf_clear(&prog);
	child_process_clear(cp);
	return ret;
}
