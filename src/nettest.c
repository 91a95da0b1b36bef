// SPDX-License-Identifier: GPL-2.0-or-later
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "pomctl/nettest.h"
#include "pomctl/env.h"
#include "pomctl/run-command.h"
#include "pomctl/util.h"

#define CHAIN "POMCTL_VERIFY"
#define PORT 9
#define EXIT_SKIP 77
#define REASON_MAX 512

static int iptables(const struct env *env, const char *const *args,
		    struct strbuf *out)
{
	struct child_process cp = CHILD_PROCESS_INIT;
	int null_fd = -1, ret;

	strbuf_reset(out); /* this command's output only */
	config_get_words(env->cfg, "commands", "netns_iptables", &cp.args);
	strvec_pushv(&cp.args, args);
	cp.log_fd = env->log_fd;
	if (cp.log_fd < 0)
		cp.log_fd = null_fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
	cp.out = out;
	cp.label = "verify";
	ret = run_command(&cp);
	if (null_fd >= 0)
		close(null_fd);
	return ret;
}

static int loopback_up(void)
{
	struct ifreq ifr;
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), ret = -1;

	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "lo");
	if (fd >= 0 && ioctl(fd, SIOCGIFFLAGS, &ifr) == 0) {
		ifr.ifr_flags |= IFF_UP;
		ret = ioctl(fd, SIOCSIFFLAGS, &ifr);
	}
	if (fd >= 0)
		close(fd);
	return ret;
}

static int send_udp(const char *payload)
{
	struct sockaddr_in to;
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	ssize_t n;

	memset(&to, 0, sizeof(to));
	to.sin_family = AF_INET;
	to.sin_port = htons(PORT);
	to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0)
		return -1;
	n = sendto(fd, payload, strlen(payload), 0, (struct sockaddr *)&to,
		   sizeof(to));
	close(fd);
	/* a DROP in OUTPUT makes sendto fail with EPERM: it was counted */
	return n >= 0 || errno == EPERM ? 0 : -1;
}

/* The packet count of the chain's first rule, from iptables -L -v -x -n. */
static long first_rule_packets(const char *listing)
{
	const char *line = listing;

	for (int i = 0; i < 2 && line; i++) {
		line = strchr(line, '\n');
		line = line ? line + 1 : NULL;
	}
	return line ? strtol(line, NULL, 10) : -1;
}

static void token(char out[17])
{
	unsigned char r[8];
	int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);

	if (fd < 0 || read(fd, r, sizeof(r)) != (ssize_t)sizeof(r))
		memcpy(r, "pomctl!!", 8);
	if (fd >= 0)
		close(fd);
	for (int i = 0; i < 8; i++)
		snprintf(out + 2 * i, 3, "%02x", r[i]);
}

/* What a command said first, one line, control bytes shown as '?'. */
static const char *first_line(struct strbuf *out)
{
	struct strbuf line = STRBUF_INIT;

	strbuf_setlen(out, strcspn(out->buf, "\n"));
	strbuf_addprintable(&line, out->len ? out->buf : "nothing");
	strbuf_reset(out);
	strbuf_addstr(out, line.buf);
	strbuf_clear(&line);
	return out->buf;
}

/* In the child, inside its own network namespace. */
static int in_namespace(const struct env *env, int fd)
{
	struct strbuf out = STRBUF_INIT, payload = STRBUF_INIT;
	char tok[17], reason[REASON_MAX] = "";
	long counted;
	int code = 1;

	token(tok);
	if (unshare(CLONE_NEWNET) < 0) {
		snprintf(reason, sizeof(reason),
			 "the kernel has no network "
			 "namespaces (%s)",
			 strerror(errno));
		code = EXIT_SKIP;
	} else if (loopback_up() < 0) {
		snprintf(reason, sizeof(reason), "cannot bring up loopback");
	} else if (iptables(env, (const char *const[]){ "-N", CHAIN, NULL },
			    &out) != 0) {
		snprintf(reason, sizeof(reason),
			 "no usable iptables "
			 "([commands] netns_iptables) to try the match with");
		code = EXIT_SKIP;
	} else if (iptables(env,
			    (const char *const[]){ "-A", CHAIN, "-m", "string",
						   "--string", tok, "--algo",
						   "bm", "-j", "DROP", NULL },
			    &out) != 0) {
		snprintf(reason, sizeof(reason),
			 "iptables refused the string "
			 "rule, so the running kernel has no string match it "
			 "can use (iptables: %s)",
			 first_line(&out));
		code = EXIT_SKIP;
	} else if (iptables(env,
			    (const char *const[]){ "-I", "OUTPUT", "-o", "lo",
						   "-p", "udp", "--dport", "9",
						   "-j", CHAIN, NULL },
			    &out) != 0) {
		snprintf(reason, sizeof(reason),
			 "cannot hook the test chain "
			 "into OUTPUT");
	} else {
		strbuf_addf(&payload, "pomctl verify %s end", tok);
		send_udp(payload.buf);
		send_udp("pomctl verify, no token");
		strbuf_reset(&out);
		iptables(env,
			 (const char *const[]){ "-L", CHAIN, "-v", "-x", "-n",
						NULL },
			 &out);
		counted = first_rule_packets(out.buf);
		snprintf(reason, sizeof(reason),
			 "the string rule counted %ld "
			 "of 2 packets, the one with the token",
			 counted);
		code = counted == 1 ? 0 : 1;
		if (counted != 1)
			snprintf(reason, sizeof(reason),
				 "the string rule "
				 "counted %ld packets, not 1 (the one with the "
				 "token)",
				 counted);
	}
	if (write(fd, reason, strlen(reason)) < 0)
		code = 1;
	strbuf_clear(&out);
	strbuf_clear(&payload);
	return code;
}

int nettest_string(const struct env *env, struct strbuf *result)
{
	char reason[REASON_MAX + 1];
	int fds[2], status = 0;
	ssize_t n;
	pid_t pid, parent;

	if (pipe2(fds, O_CLOEXEC) < 0)
		return error("cannot create a pipe: %s", strerror(errno));
	fflush(NULL);
	parent = getpid();
	pid = fork();
	if (pid < 0)
		return error("cannot fork: %s", strerror(errno));
	if (pid == 0) {
		run_die_with_parent(parent);
		close(fds[0]);
		_exit(in_namespace(env, fds[1]));
	}
	close(fds[1]);
	n = read(fds[0], reason, REASON_MAX);
	reason[n > 0 ? n : 0] = '\0';
	close(fds[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	strbuf_addstr(result, reason);
	if (WIFEXITED(status) && WEXITSTATUS(status) == EXIT_SKIP)
		return NETTEST_SKIPPED;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return NETTEST_PASSED;
	return error("the functional test of the string match failed: %s",
		     *reason ? reason : "the test process died");
}
