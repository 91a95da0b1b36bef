/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The process runner: every external command pomctl starts goes through it.
 *
 *	struct child_process cp = CHILD_PROCESS_INIT;
 *	strvec_pushl... (cp.args)		1. argv: the program and arguments
 *	strvec_push(&cp.env, "KERNEL_DIR=/x");	2. optional environment additions
 *	cp.dir = "/usr/src/linux-2.4";		3. optional working directory
 *	cp.log_fd = fd;				4. where output goes (see below)
 *	ret = run_command(&cp);			5. run, wait, release
 *
 * There is no shell: argv[0] is looked up in PATH by the parent before
 * fork, and exec'd directly.  The child gets stdin from /dev/null (or
 * cp.input through a pipe), its own process group, and stdout+stderr
 * merged into one pipe that the parent copies to cp.log_fd (when >= 0;
 * otherwise the child inherits pomctl's stdout and stderr; .out and
 * .errors need a log_fd, /dev/null will do).  The log gets
 * a "$ argv" line first and an "exit N" line last, so commands can be
 * counted from the logs.  On a terminal a one-line progress display shows
 * cp.label, the elapsed time and the last output line.  The environment is
 * pomctl's with cp.env applied, but for MAKEFLAGS, MFLAGS and MAKELEVEL:
 * a pomctl started from a make runs its commands as its plan shows them.
 *
 * Returns the exit code; 128+N when the child died of signal N; -1 when it
 * could not be started (reported, errno set).  When SIGINT or SIGTERM
 * reaches pomctl while a child runs, the child's whole process group is
 * sent SIGTERM, then SIGKILL after a grace period, and run_interrupted()
 * returns the signal from then on.  run_command() releases cp.
 */
#ifndef POMCTL_RUN_COMMAND_H
#define POMCTL_RUN_COMMAND_H

#include <stdbool.h>
#include <sys/types.h>

#include "pomctl/strbuf.h"

struct child_process {
	struct strvec args;
	struct strvec env;
	const char *dir;
	int log_fd;
	const char *label;   /* progress label; argv[0] when NULL */
	bool quiet_progress; /* the label alone, not the last output line
				 * (a dry run's "1 out of 1 hunk FAILED" is
				 * an answer, not news for the terminal) */
	const char *input;   /* written to the child's stdin, then EOF */
	unsigned grace_ms;   /* SIGTERM to SIGKILL on interrupt; 0: 3000 */
	struct strbuf *out;  /* also gets the output (first 4 MiB) */
	/* lines for which is_error() is true are kept in errors (first 20) */
	bool (*is_error)(const char *line);
	struct strvec *errors;
	pid_t pid; /* while running; the process group too */
};

/* clang-format off */
#define CHILD_PROCESS_INIT \
	{ STRVEC_INIT, STRVEC_INIT, NULL, -1, NULL, false, NULL, 0, NULL, \
	  NULL, NULL, 0 }
/* clang-format on */

void child_process_init(struct child_process *cp);
void child_process_clear(struct child_process *cp);

int run_command(struct child_process *cp);

/* Install the SIGINT/SIGTERM handlers (once, from main). */
void run_setup_signals(void);
/* The signal that interrupted pomctl, or 0. */
int run_interrupted(void);
/* For tests: forget a recorded interruption. */
void run_reset_interrupted(void);

/*
 * Commands left running by a pomctl killed with SIGKILL.  The direct child
 * dies with pomctl (PR_SET_PDEATHSIG), but what it started (make's jobs)
 * would go on and race the next run.  So, while a command runs, fd (the
 * state lock) holds "PID\ngroup PGID STARTTIME BOOT_ID\n", and the next
 * pomctl that takes the lock calls run_end_orphans() on it: a group
 * recorded in this boot, whose number was not reused (the leader, if alive,
 * has the recorded start time), is sent SIGTERM, then SIGKILL, and waited
 * for.  0, or -1 (reported) when it will not end.
 */
void run_record_groups(int fd);
/*
 * In a child just forked from pomctl (parent: getpid() before the fork):
 * die with pomctl, and at once if it is gone already.  Async-signal-safe.
 */
void run_die_with_parent(pid_t parent);
int run_end_orphans(int fd);

/*
 * Look up a program in PATH (or take it as is when it contains a slash);
 * the result is appended to out.  0, or -1 when not found (not reported).
 */
int find_program(const char *name, struct strbuf *out);

#endif
