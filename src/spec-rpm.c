// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * librpmbuild at arm's length: a spec parsed in a child process with
 * limits (specs come from the network, and one can crash the parser),
 * its answer read back; the Version line rpm takes; the validation of
 * an edited spec and the package files rpmbuild will write.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <rpm/header.h>
#include <rpm/rpmbuild.h>
#include <rpm/rpmmacro.h>
#include <rpm/rpmspec.h>

#include "pomctl/rpmdb.h"
#include "pomctl/run-command.h"
#include "pomctl/scratch.h"
#include "pomctl/spec.h"
#include "pomctl/util.h"
#include "spec-internal.h"

/*
 * The child's limits: CPU time always; memory where no sanitizer or
 * valgrind owns the address space (they reserve terabytes of it).
 */
static void limit_parser(void)
{
	struct rlimit cpu = { 60, 60 };
	const char *preload = getenv("LD_PRELOAD");
	bool owned = preload && strstr(preload, "vgpreload");

#if defined(__SANITIZE_ADDRESS__)
	owned = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
	owned = true;
#endif
#endif
	setrlimit(RLIMIT_CPU, &cpu);
	if (!owned) {
		struct rlimit mem = { 2UL << 30, 2UL << 30 };

		setrlimit(RLIMIT_AS, &mem);
	}
}

/* The child's side: fn's code, its message and its answer, in one write. */
static _Noreturn void parse_child(int fd, int (*fn)(void *, struct strbuf *),
				  void *arg)
{
	struct strbuf answer = STRBUF_INIT, msg = STRBUF_INIT;
	int ret;

	limit_parser();
	error_set_quiet(true);
	ret = fn(arg, &answer);
	strbuf_addf(&msg, "%d\n%s\n%s", ret < 0 ? -1 : ret,
		    ret < 0 ? error_last() : "", answer.buf);
	_exit(write_all(fd, msg.buf, msg.len) < 0 ? 3 : 0);
}

/* The refusal of a spec whose parser's child ended with status. */
static int parse_refused(const char *path, int status)
{
	struct strbuf how = STRBUF_INIT;
	int ret;

	if (WIFSIGNALED(status) && WTERMSIG(status) == SIGXCPU)
		strbuf_addstr(&how, "it ran out of its CPU time");
	else if (WIFSIGNALED(status))
		strbuf_addstr(&how, strsignal(WTERMSIG(status)));
	else if (WIFEXITED(status) && WEXITSTATUS(status))
		strbuf_addf(&how, "the parser exited with code %d",
			    WEXITSTATUS(status));
	else
		strbuf_addstr(&how, "the parser gave no answer");
	ret = error("librpm could not parse spec '%s' (%s): it is damaged "
		    "or hostile; refused",
		    path, how.buf);
	strbuf_clear(&how);
	return ret;
}

/*
 * fn(arg, answer) -- a parse of the spec at path by librpmbuild -- in a
 * child process.  Specs come from the network, and one can crash
 * librpmbuild (an %if expression nested a few hundred thousand parentheses
 * deep overflows its recursive parser's stack) or hold it (a lua loop):
 * a crash or a limit of the child is a refusal naming the spec, never a
 * crash of pomctl.  fn's code and error come back as this process's, its
 * answer (a line) into answer.
 */
static int parse_isolated(const char *path, int (*fn)(void *, struct strbuf *),
			  void *arg, struct strbuf *answer)
{
	struct strbuf got = STRBUF_INIT;
	char buf[4096], *nl;
	int fds[2], status = 0, ret;
	ssize_t n;
	pid_t pid, parent = getpid();

	if (pipe2(fds, O_CLOEXEC) < 0)
		return error("cannot create a pipe: %s", strerror(errno));
	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid == 0) {
		/* it holds pomctl's lock too (a fork keeps every fd): a
		 * pomctl killed mid-parse must not leave it held */
		run_die_with_parent(parent);
		close(fds[0]);
		parse_child(fds[1], fn, arg);
	}
	close(fds[1]);
	while (pid > 0 && (n = read(fds[0], buf, sizeof(buf))) != 0)
		if (n > 0 && got.len < 65536)
			strbuf_add(&got, buf, (size_t)n);
		else if (n < 0 && errno != EINTR)
			break;
	close(fds[0]);
	if (pid < 0)
		ret = error("cannot fork to parse spec '%s': %s", path,
			    strerror(errno));
	else if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) ||
		 WEXITSTATUS(status) || !(nl = strchr(got.buf, '\n')))
		ret = parse_refused(path, status);
	else {
		char *msg = nl + 1, *rest = strchr(msg, '\n');

		ret = atoi(got.buf);
		if (rest)
			*rest++ = '\0';
		if (ret < 0)
			error("%s", msg);
		if (answer && rest)
			strbuf_addstr(answer, rest);
	}
	strbuf_clear(&got);
	return ret;
}

#define PROBE_VERSION "0.0.pomctl.probe"

/* In the parser's child: the Version the spec at arg parses to. */
static int probe_version(void *arg, struct strbuf *answer)
{
	rpmSpec spec;
	const char *v;

	rpmdb_clear_message();
	spec = rpmSpecParse(arg, RPMSPEC_ANYARCH | RPMSPEC_FORCE, NULL);
	if (!spec)
		return -1;
	v = headerGetString(rpmSpecSourceHeader(spec), RPMTAG_VERSION);
	strbuf_addstr(answer, v ? v : "");
	rpmSpecFree(spec);
	return 0;
}

/*
 * Whether rpm takes the Version line i (its value at `at`): a line inside
 * no conditional does; one inside a branch is asked of librpmbuild -- the
 * spec parsed with that value set to a marker gives the marker as its
 * Version only when the branch is the one taken.  When the probe cannot be
 * made (or may not: ask_rpm false), the line counts.
 */
bool spec_version_line_taken(const struct spec *s, size_t i, size_t at,
			     bool ask_rpm)
{
	struct strbuf text = STRBUF_INIT, dir = STRBUF_INIT, path = STRBUF_INIT,
		      answer = STRBUF_INIT;
	bool taken = true, quiet;

	if (!s->depth[i] || !ask_rpm || rpmdb_init() < 0)
		return true;
	for (size_t k = 0; k < s->l.nr; k++) {
		size_t len;
		const char *raw = line_raw(&s->l, k, &len);

		if (k == i)
			strbuf_add(&text, raw, at);
		strbuf_add(&text, k == i ? PROBE_VERSION "\n" : raw,
			   k == i ? strlen(PROBE_VERSION "\n") : len);
	}
	quiet = error_set_quiet(true);
	if (scratch_make("spec", &dir) == 0) {
		strbuf_addf(&path, "%s/probe.spec", dir.buf);
		if (write_file_atomic(path.buf, text.buf, text.len, 0600) ==
			    0 &&
		    parse_isolated(path.buf, probe_version, path.buf,
				   &answer) == 0)
			taken = !strcmp(answer.buf, PROBE_VERSION);
		remove_tree(dir.buf);
	}
	error_set_quiet(quiet);
	strbuf_clear(&text);
	strbuf_clear(&dir);
	strbuf_clear(&path);
	strbuf_clear(&answer);
	return taken;
}

/* --- validation ----------------------------------------------------------------- */

static int check_expect(rpmSpec spec, const char *path, const char *arch,
			const struct spec_expect *x)
{
	const char *prep = rpmSpecGetSection(spec, RPMBUILD_PREP);
	Header h = rpmSpecSourceHeader(spec);
	const char *v = headerGetString(h, RPMTAG_VERSION);
	const char *r = headerGetString(h, RPMTAG_RELEASE);
	struct strvec names = STRVEC_INIT, sources = STRVEC_INIT;
	rpmSpecPkgIter pi = rpmSpecPkgIterInit(spec);
	rpmSpecSrcIter si = rpmSpecSrcIterInit(spec);
	rpmSpecPkg pkg;
	rpmSpecSrc src;
	int ret = 0;

	while ((pkg = rpmSpecPkgIterNext(pi)))
		strvec_push(&names, headerGetString(rpmSpecPkgHeader(pkg),
						    RPMTAG_NAME));
	while ((src = rpmSpecSrcIterNext(si)))
		strvec_push(&sources, rpmSpecSrcFilename(src, 0));
	rpmSpecPkgIterFree(pi);
	rpmSpecSrcIterFree(si);
	if (x->version && (!v || strcmp(v, x->version)))
		ret = error("the edited spec '%s' has Version %s, not %s", path,
			    v ? v : "(none)", x->version);
	else if (x->release && (!r || strcmp(r, x->release)))
		ret = error("the edited spec '%s' has Release %s, not %s", path,
			    r ? r : "(none)", x->release);
	for (size_t i = 0; !ret && x->packages && i < x->packages->nr; i++)
		if (!strvec_has(&names, x->packages->v[i]))
			ret = error(
				"the edited spec '%s' has no package %s%s%s",
				path, x->packages->v[i], arch ? " for " : "",
				arch ? arch : "");
	for (size_t i = 0; !ret && x->sources && i < x->sources->nr; i++)
		if (!strvec_has(&sources, x->sources->v[i]))
			ret = error(
				"the edited spec '%s' does not list %s as a "
				"source",
				path, x->sources->v[i]);
	for (size_t i = 0; !ret && x->applied && i < x->applied->nr; i++)
		if (!prep || !strstr(prep, x->applied->v[i]))
			ret = error("the edited spec '%s' does not apply %s in "
				    "%%prep for %s (a conditional around the "
				    "patch lines?): edit the spec by hand",
				    path, x->applied->v[i],
				    arch ? arch : "this host's architecture");
	strvec_clear(&names);
	strvec_clear(&sources);
	return ret;
}

/* Parse path for arch (NULL: the host's); its check; 0 or -1. */
static int parse_for(const char *path, const char *arch,
		     const struct spec_expect *expect)
{
	rpmSpec spec;
	int ret = 0;

	if (arch)
		rpmPushMacro(NULL, "_target_cpu", NULL, arch, RMIL_CMDLINE);
	rpmdb_clear_message();
	spec = rpmSpecParse(path, RPMSPEC_ANYARCH | RPMSPEC_FORCE, NULL);
	if (!spec && strstr(rpmdb_last_message(""), "invalid utf-8 encoding"))
		ret = error(
			"spec '%s' does not parse: %s; it is not UTF-8 (an "
			"ISO-8859 Summary or changelog, say), which this "
			"rpm refuses while %%_invalid_encoding_terminates_"
			"build is 1: set it to 0 in /etc/rpm/macros (rpmbuild "
			"reads it too), or convert the spec, then pomctl "
			"resume",
			path, rpmdb_last_message(""));
	else if (!spec)
		ret = error("spec '%s' does not parse%s%s: %s", path,
			    arch ? " for " : "", arch ? arch : "",
			    rpmdb_last_message("rpmSpecParse failed"));
	else if (expect && rpmdb_error_count()) /* rpmspec would exit 0 */
		ret = error("the edited spec '%s' parses%s%s with errors: %s",
			    path, arch ? " for " : "", arch ? arch : "",
			    rpmdb_last_message(""));
	else if (expect)
		ret = check_expect(spec, path, arch, expect);
	rpmSpecFree(spec);
	if (arch)
		rpmPopMacro(NULL, "_target_cpu");
	return ret;
}

struct validation {
	const char *path, *topdir;
	const struct spec_expect *expect;
};

/* In the parser's child: the spec for this host and two others. */
static int validate(void *arg, struct strbuf *answer)
{
	static const char *const other_arches[] = { "i686", "s390x" };
	const struct validation *v = arg;
	int ret;

	(void)answer;
	rpmPushMacro(NULL, "_topdir", NULL, v->topdir, RMIL_CMDLINE);
	ret = parse_for(v->path, NULL, v->expect);
	for (size_t i = 0; !ret && v->expect && i < ARRAY_SIZE(other_arches);
	     i++)
		ret = parse_for(v->path, other_arches[i], v->expect);
	rpmPopMacro(NULL, "_topdir");
	return ret;
}

/* In the parser's child: the package files rpmbuild -ba would write, one
 * line of paths relative to the top directory. */
static int outputs(void *arg, struct strbuf *answer)
{
	const struct validation *v = arg;
	rpmSpec spec;
	rpmSpecPkgIter pi;
	rpmSpecPkg pkg;
	char *fmt, *name;

	rpmPushMacro(NULL, "_topdir", NULL, v->topdir, RMIL_CMDLINE);
	spec = rpmSpecParse(v->path, RPMSPEC_FORCE, NULL);
	if (!spec)
		return error("spec '%s' does not parse: %s", v->path,
			     rpmdb_last_message("rpmSpecParse failed"));
	fmt = rpmExpand("%{_rpmfilename}", NULL);
	pi = rpmSpecPkgIterInit(spec);
	while ((pkg = rpmSpecPkgIterNext(pi))) {
		name = headerFormat(rpmSpecPkgHeader(pkg), fmt, NULL);
		if (name && !strchr(name, ' ') && !strstr(name, ".."))
			strbuf_addf(answer, "RPMS/%s ", name);
		free(name);
	}
	rpmSpecPkgIterFree(pi);
	name = headerFormat(rpmSpecSourceHeader(spec),
			    "%{NAME}-%{VERSION}-%{RELEASE}.src.rpm", NULL);
	if (name && !strchr(name, ' ') && !strstr(name, ".."))
		strbuf_addf(answer, "SRPMS/%s", name);
	free(name);
	free(fmt);
	rpmSpecFree(spec);
	rpmPopMacro(NULL, "_topdir");
	return 0;
}

int spec_outputs(const char *path, const char *topdir, struct strvec *out)
{
	struct validation v = { path, topdir, NULL };
	struct strbuf answer = STRBUF_INIT;
	int ret;

	if (rpmdb_init() < 0)
		return -1;
	ret = parse_isolated(path, outputs, &v, &answer);
	if (!ret)
		strvec_split(out, answer.buf, " ");
	strbuf_clear(&answer);
	return ret;
}

int spec_validate(const char *path, const char *topdir,
		  const struct spec_expect *expect)
{
	struct validation v = { path, topdir, expect };

	if (rpmdb_init() < 0)
		return -1;
	return parse_isolated(path, validate, &v, NULL);
}
