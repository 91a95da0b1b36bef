/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The functional test of the string match: in a throwaway network
 * namespace (a forked child that unshares its network; everything it
 * creates goes away with it, also on failure), a temporary chain DROPs UDP
 * packets on loopback that contain a random token; one packet with the
 * token and one without are sent; exactly one must be counted.
 * [commands] netns_iptables runs the rules.
 */
#ifndef POMCTL_NETTEST_H
#define POMCTL_NETTEST_H

#include "pomctl/strbuf.h"

struct env;

#define NETTEST_PASSED 0
#define NETTEST_SKIPPED 1

/*
 * 0 (passed), NETTEST_SKIPPED (the kernel has no network namespaces or
 * no string match, or there is no iptables to try it with; result says
 * which), or -1 (reported: the match did not count what it should).
 */
int nettest_string(const struct env *env, struct strbuf *result);

#endif
