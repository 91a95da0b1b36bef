// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pomctl/config.h"
#include "pomctl/text.h"
#include "pomctl/util.h"

#define CONFIG_MAX_SIZE (1024 * 1024)
#define CONFIG_MAX_LINE 4096
#define LINE_CMDLINE ((unsigned)-1)

/* clang-format off */
#define S(sec, k, d) { sec, k, d, CFG_STRING, NULL, 0, 0 }
#define P(sec, k, d) { sec, k, d, CFG_PATH, NULL, 0, 0 }
#define B(sec, k, d) { sec, k, d, CFG_BOOL, NULL, 0, 0 }
#define U(sec, k, d, lo, hi) { sec, k, d, CFG_UINT, NULL, lo, hi }
#define E(sec, k, d, c) { sec, k, d, CFG_ENUM, c, 0, 0 }
#define C(k, d) { "commands", k, d, CFG_COMMAND, NULL, 0, 0 }
#define T(sec, k, d, t) { sec, k, d, t, NULL, 0, 0 }
/* clang-format on */

/* Defaults: the Red Hat 8.0 host of the documented procedure. */
static const struct config_key keys[] = {
	P("general", "root", ""),
	P("general", "state_dir", "/var/lib/pomctl"),
	S("general", "packager", ""),
	B("general", "auto_resume", "no"),
	B("general", "assume_yes", "no"),
	E("general", "follow_kernel_updates", "notice", "no|notice|yes"),
	U("general", "heartbeat", "60", 0, 3600),

	T("host", "release", "", CFG_RELEASE),
	T("host", "boot_id", "", CFG_WORD),
	T("host", "arch", "", CFG_WORD),

	P("kernel", "tree", "/usr/src/linux-2.4"),
	T("kernel", "extraversion_suffix", "custom", CFG_WORD),
	P("kernel", "config", ""),

	U("build", "jobs", "0", 0, 1024),
	T("build", "arch", "", CFG_WORD),
	T("build", "cc", "gcc", CFG_WORD),
	B("build", "ccache", "no"),
	E("build", "incremental", "auto", "auto|yes|no"),
	T("build", "distcc_hosts", "", CFG_HOSTS),

	E("update", "updater", "up2date", "up2date|yum|dnf|none"),
	T("update", "source_package", "kernel-source", CFG_WORD),

	P("rpm", "topdir", "/usr/src/redhat"),
	P("rpm", "dbpath", "/var/lib/rpm"),
	T("rpm", "release", "1.pom", CFG_WORD),
	B("rpm", "drop_failing_patches", "no"),
	B("rpm", "nodeps", "no"),

	T("sources", "srpm_locations",
	  "https://archive.download.redhat.com/pub/redhat/linux/8.0/en/os/SRPMS/",
	  CFG_LOCATIONS),
	T("sources", "package_locations", "", CFG_LOCATIONS),
	T("sources", "iptables_version", "1.2.8", CFG_WORD),
	T("sources", "iptables_url",
	  "https://www.netfilter.org/projects/iptables/files/iptables-%{version}.tar.bz2",
	  CFG_URL),
	T("sources", "pom_version", "20030107", CFG_WORD),
	T("sources", "pom_url",
	  "https://ftp.netfilter.org/pub/patch-o-matic/patch-o-matic-%{version}.tar.bz2",
	  CFG_URL),
	T("sources", "mirrors", "", CFG_URLS),
	T("sources", "srpm_sha256", "", CFG_SHA256),
	T("sources", "iptables_sha256", "", CFG_SHA256),
	T("sources", "pom_sha256", "", CFG_SHA256),
	B("sources", "require_checksums", "no"),

	U("fetch", "connect_timeout", "30", 1, 600),
	U("fetch", "low_speed_time", "60", 1, 3600),

	U("limits", "download_mib", "512", 1, 1048576),
	U("limits", "download_seconds", "3600", 1, 604800),
	U("limits", "extract_mib", "8192", 1, 1048576),
	U("limits", "extract_entries", "1000000", 1, 100000000),
	U("limits", "extract_ratio", "200", 2, 1000000),

	E("boot", "loader", "grub", "grub|lilo|grub2|bls"),
	P("boot", "config", "/boot/grub/grub.conf"),
	B("boot", "default_to_new", "no"),
	B("boot", "make_default", "yes"),
	B("boot", "keep_trial", "no"),

	S("bundle", "sign_key", ""),
	B("bundle", "require_signature", "no"),
	T("bundle", "sha256", "", CFG_SHA256),

	C("make", "make"),
	C("ccache", "ccache"),
	C("distcc", "distcc"),
	C("patch", "patch"),
	C("rpmbuild", "rpmbuild"),
	C("rpmsign", "rpmsign"),
	C("gpg", "gpg"),
	C("createrepo", "createrepo_c"),
	C("up2date", "up2date"),
	C("yum", "yum"),
	C("dnf", "dnf"),
	C("yumdownloader", "yumdownloader"),
	C("modprobe", "/sbin/modprobe"),
	C("insmod", "/sbin/insmod"),
	C("depmod", "/sbin/depmod"),
	C("mkinitrd", "/sbin/mkinitrd"),
	C("grub", "/sbin/grub"),
	C("lilo", "/sbin/lilo"),
	C("grub2_reboot", "grub2-reboot"),
	C("grub2_set_default", "grub2-set-default"),
	C("grub_set_default", "grub-set-default"),
	C("reboot", "/sbin/reboot"),
	C("iptables", "/sbin/iptables"),
	C("netns_iptables", "iptables"),
};

const struct config_key *config_keys(size_t *n)
{
	*n = ARRAY_SIZE(keys);
	return keys;
}

static long key_index(const char *section, const char *key)
{
	for (size_t i = 0; i < ARRAY_SIZE(keys); i++)
		if (!strcmp(keys[i].section, section) &&
		    !strcmp(keys[i].key, key))
			return (long)i;
	return -1;
}

static bool section_exists(const char *section)
{
	for (size_t i = 0; i < ARRAY_SIZE(keys); i++)
		if (!strcmp(keys[i].section, section))
			return true;
	return false;
}

/*
 * For a name that is not there: "; did you mean ..." (a key of section,
 * or a section when key is NULL), or where the key lives instead.
 */
static void hint(const char *section, const char *key, struct strbuf *out)
{
	struct strvec cands = STRVEC_INIT;

	for (size_t i = 0; i < ARRAY_SIZE(keys); i++) {
		const char *c = key ? keys[i].key : keys[i].section;

		if ((!key || !strcmp(keys[i].section, section)) &&
		    !strvec_has(&cands, c))
			strvec_push(&cands, c);
	}
	suggest(key ? key : section, strvec_argv(&cands), cands.nr, out);
	for (size_t i = 0; key && !out->len && i < ARRAY_SIZE(keys); i++)
		if (!strcmp(keys[i].key, key)) {
			strbuf_addf(out, "; it is a key of [%s]",
				    keys[i].section);
			break;
		}
	strvec_clear(&cands);
}

void config_init(struct config *cfg)
{
	cfg->path = NULL;
	cfg->value = xcalloc(ARRAY_SIZE(keys), sizeof(*cfg->value));
	cfg->line = xcalloc(ARRAY_SIZE(keys), sizeof(*cfg->line));
	for (size_t i = 0; i < ARRAY_SIZE(keys); i++)
		cfg->value[i] = xstrdup(keys[i].def);
}

void config_clear(struct config *cfg)
{
	for (size_t i = 0; cfg->value && i < ARRAY_SIZE(keys); i++)
		free(cfg->value[i]);
	free(cfg->value);
	free(cfg->line);
	free(cfg->path);
	memset(cfg, 0, sizeof(*cfg));
}

static bool is_word(const char *v)
{
	size_t n = strlen(v);

	return n && n <= 128 &&
	       strspn(v, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
			 "0123456789._+-") == n;
}

static bool is_printable(const char *v)
{
	for (; *v; v++)
		if ((unsigned char)*v < 0x20 || *v == 0x7f)
			return false;
	return true;
}

static bool is_url(const char *v)
{
	static const char *const schemes[] = { "http://", "https://", "ftp://",
					       "file:///" };

	if (!is_printable(v) || strpbrk(v, " \t\"'\\<>`"))
		return false;
	for (size_t i = 0; i < ARRAY_SIZE(schemes); i++)
		if (!strncmp(v, schemes[i], strlen(schemes[i])) &&
		    v[strlen(schemes[i])])
			return true;
	return false;
}

/* Blank-separated URLs (and absolute paths, when paths_too). */
/* "localhost/2 build1:3632/8,lzo @build2 --randomize [fe80::1]/4" */
static bool is_hosts(const char *v)
{
	static const char allowed[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
				      "abcdefghijklmnopqrstuvwxyz"
				      "0123456789._+-:/,@=[] \t";

	return strlen(v) <= 1024 && strspn(v, allowed) == strlen(v);
}

static bool is_urls(const char *v, bool paths_too)
{
	struct strbuf sb = STRBUF_INIT;
	bool ok = true;

	strbuf_addstr(&sb, v);
	for (char *save = NULL, *w = strtok_r(sb.buf, " \t", &save); w && ok;
	     w = strtok_r(NULL, " \t", &save))
		ok = is_url(w) || (paths_too && path_is_clean(w));
	strbuf_clear(&sb);
	return ok;
}

static bool parse_bool(const char *v, bool *out)
{
	static const char *const yes[] = { "yes", "true", "on", "1" };
	static const char *const no[] = { "no", "false", "off", "0" };

	for (size_t i = 0; i < ARRAY_SIZE(yes); i++) {
		if (!strcasecmp(v, yes[i]))
			return *out = true, true;
		if (!strcasecmp(v, no[i]))
			return *out = false, true;
	}
	return false;
}

static bool parse_uint(const char *v, unsigned long *out)
{
	char *end;

	if (!*v || strspn(v, "0123456789") != strlen(v) || strlen(v) > 9)
		return false;
	*out = strtoul(v, &end, 10);
	return true;
}

static bool enum_has(const char *choices, const char *v)
{
	size_t n = strlen(v);

	for (const char *p = choices; *p;) {
		const char *end = strchrnul(p, '|');

		if ((size_t)(end - p) == n && !strncmp(p, v, n))
			return true;
		p = *end ? end + 1 : end;
	}
	return false;
}

/* NULL when v is valid for k, else what was expected. */
static const char *check_value(const struct config_key *k, const char *v,
			       struct strbuf *why)
{
	unsigned long u;
	bool b;

	if (!is_printable(v))
		return "a value without control characters";
	switch (k->type) {
	case CFG_STRING:
		return NULL;
	case CFG_PATH:
		return !*v || path_is_clean(v) ?
			       NULL :
			       "an absolute path without '..'";
	case CFG_BOOL:
		return parse_bool(v, &b) ? NULL : "yes or no";
	case CFG_UINT:
		if (parse_uint(v, &u) && u >= k->min && u <= k->max)
			return NULL;
		strbuf_addf(why, "a number from %lu to %lu", k->min, k->max);
		return why->buf;
	case CFG_ENUM:
		if (enum_has(k->choices, v))
			return NULL;
		strbuf_addf(why, "one of %s", k->choices);
		return why->buf;
	case CFG_COMMAND:
		return *v && !strpbrk(v, "\"'\\`$;&|<>(){}*?") ?
			       NULL :
			       "a program and its arguments (no shell syntax)";
	case CFG_URL:
		return !*v || is_url(v) ?
			       NULL :
			       "an http://, https://, ftp:// or file:/// URL";
	case CFG_URLS:
		return is_urls(v, false) ? NULL : "URLs separated by blanks";
	case CFG_LOCATIONS:
		return is_urls(v, true) ?
			       NULL :
			       "URLs or absolute directories separated by blanks";
	case CFG_SHA256:
		return !*v || (strlen(v) == 64 &&
			       strspn(v, "0123456789abcdefABCDEF") == 64) ?
			       NULL :
			       "64 hexadecimal digits (a SHA-256)";
	case CFG_HOSTS:
		return is_hosts(v) ?
			       NULL :
			       "distcc hosts separated by blanks (letters, digits "
			       "and ._+-:/,@=[])";
	case CFG_RELEASE:
	case CFG_WORD:
		return !*v || is_word(v) ?
			       NULL :
			       "letters, digits, '.', '_', '+' or '-'";
	}
	return "a valid value";
}

static int set_value(struct config *cfg, long i, const char *value,
		     const char *where)
{
	struct strbuf why = STRBUF_INIT;
	const char *expected = check_value(&keys[i], value, &why);
	int ret = 0;

	if (expected)
		ret = error("%s: [%s] %s: bad value '%s': expected %s", where,
			    keys[i].section, keys[i].key, value, expected);
	else {
		free(cfg->value[i]);
		cfg->value[i] = xstrdup(value);
	}
	strbuf_clear(&why);
	return ret;
}

int config_set(struct config *cfg, const char *section, const char *key,
	       const char *value)
{
	long i = key_index(section, key);

	if (i < 0)
		return error("unknown config key [%s] %s", section, key);
	if (set_value(cfg, i, value, "command line"))
		return -1;
	cfg->line[i] = LINE_CMDLINE;
	return 0;
}

static char *trim(char *s)
{
	char *end;

	while (*s == ' ' || *s == '\t')
		s++;
	end = s + strlen(s);
	while (end > s && strchr(" \t\r", end[-1]))
		*--end = '\0';
	return s;
}

struct parse_state {
	struct config *cfg;
	const char *name;
	unsigned lineno;
	char section[64];
};

static int parse_section(struct parse_state *ps, char *line)
{
	char *end = strchr(line, ']');
	char *name;

	if (!end || *trim(end + 1))
		return error("%s:%u: expected '[section]'", ps->name,
			     ps->lineno);
	*end = '\0';
	name = trim(line + 1);
	if (!section_exists(name)) {
		struct strbuf more = STRBUF_INIT;

		hint(name, NULL, &more);
		error("%s:%u: unknown section [%s]%s", ps->name, ps->lineno,
		      name, more.buf);
		strbuf_clear(&more);
		return -1;
	}
	snprintf(ps->section, sizeof(ps->section), "%s", name);
	return 0;
}

static int parse_assignment(struct parse_state *ps, char *line)
{
	char *eq = strchr(line, '=');
	struct strbuf where = STRBUF_INIT;
	char *key;
	long i;
	int ret;

	if (!eq)
		return error("%s:%u: expected 'key = value'", ps->name,
			     ps->lineno);
	*eq = '\0';
	key = trim(line);
	if (!*ps->section)
		return error("%s:%u: '%s' is outside any [section]", ps->name,
			     ps->lineno, key);
	i = key_index(ps->section, key);
	if (i < 0) {
		struct strbuf more = STRBUF_INIT;

		hint(ps->section, key, &more);
		error("%s:%u: unknown key '%s' in [%s]%s", ps->name, ps->lineno,
		      key, ps->section, more.buf);
		strbuf_clear(&more);
		return -1;
	}
	if (ps->cfg->line[i] && ps->cfg->line[i] != LINE_CMDLINE)
		return error("%s:%u: [%s] %s is already set on line %u",
			     ps->name, ps->lineno, ps->section, key,
			     ps->cfg->line[i]);
	strbuf_addf(&where, "%s:%u", ps->name, ps->lineno);
	ret = set_value(ps->cfg, i, trim(eq + 1), where.buf);
	strbuf_clear(&where);
	if (!ret)
		ps->cfg->line[i] = ps->lineno;
	return ret;
}

static int parse_line(struct parse_state *ps, char *line)
{
	line = trim(line);
	if (!*line || *line == '#' || *line == ';')
		return 0;
	if (*line == '[')
		return parse_section(ps, line);
	return parse_assignment(ps, line);
}

int config_parse(struct config *cfg, const char *name, const char *text,
		 size_t len)
{
	struct parse_state ps = { cfg, name, 0, "" };
	struct strbuf line = STRBUF_INIT;
	const char *p = text, *end = text + len;
	int ret = 0;

	if (memchr(text, '\0', len))
		return error("%s: contains a NUL byte; is it a text file?",
			     name);
	while (p < end && !ret) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);

		ps.lineno++;
		if (n > CONFIG_MAX_LINE)
			ret = error("%s:%u: line longer than %d bytes", name,
				    ps.lineno, CONFIG_MAX_LINE);
		else {
			strbuf_reset(&line);
			strbuf_add(&line, p, n);
			ret = parse_line(&ps, line.buf);
		}
		p += n + 1;
	}
	strbuf_clear(&line);
	return ret;
}

int config_check_owner(int fd, const char *path, unsigned uid)
{
	struct stat st;

	if (fstat(fd, &st) < 0)
		return error("cannot stat '%s': %s", path, strerror(errno));
	if (!S_ISREG(st.st_mode))
		return error("config file '%s' is not a regular file", path);
	if (st.st_mode & (S_IWGRP | S_IWOTH))
		return error("config file '%s' is writable by group or others; "
			     "it names commands run as root: chmod go-w '%s'",
			     path, path);
	if (st.st_uid != 0 && st.st_uid != uid)
		return error("config file '%s' is owned by uid %u, not by root "
			     "or you; it names commands run as root: chown it",
			     path, (unsigned)st.st_uid);
	return 0;
}

int config_load(struct config *cfg, const char *path, bool must_exist)
{
	struct strbuf text = STRBUF_INIT;
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	int ret;

	if (fd < 0 && errno == ENOENT && !must_exist)
		return 0;
	if (fd < 0)
		return error("cannot open config file '%s': %s", path,
			     strerror(errno));
	ret = config_check_owner(fd, path, (unsigned)getuid());
	close(fd);
	if (ret)
		return ret;
	ret = read_file(path, CONFIG_MAX_SIZE, true, &text);
	if (ret == -EFBIG)
		ret = error("config file '%s' is larger than 1 MiB", path);
	else if (ret)
		ret = error("cannot read config file '%s': %s", path,
			    strerror(-ret));
	else
		ret = config_parse(cfg, path, text.buf, text.len);
	if (!ret) {
		free(cfg->path);
		cfg->path = xstrdup(path);
	}
	strbuf_clear(&text);
	return ret;
}

static long must_index(const char *section, const char *key)
{
	long i = key_index(section, key);

	if (i < 0) {
		fprintf(stderr, "BUG: unknown config key [%s] %s\n", section,
			key);
		abort();
	}
	return i;
}

const char *config_get(const struct config *cfg, const char *section,
		       const char *key)
{
	return cfg->value[must_index(section, key)];
}

bool config_get_bool(const struct config *cfg, const char *section,
		     const char *key)
{
	bool b = false;

	parse_bool(config_get(cfg, section, key), &b);
	return b;
}

unsigned long config_get_uint(const struct config *cfg, const char *section,
			      const char *key)
{
	unsigned long u = 0;

	parse_uint(config_get(cfg, section, key), &u);
	return u;
}

void config_get_words(const struct config *cfg, const char *section,
		      const char *key, struct strvec *out)
{
	strvec_split(out, config_get(cfg, section, key), " \t");
}

void config_origin(const struct config *cfg, const char *section,
		   const char *key, struct strbuf *sb)
{
	long i = must_index(section, key);

	if (cfg->line[i] == LINE_CMDLINE)
		strbuf_addstr(sb, "command line");
	else if (cfg->line[i] && cfg->path)
		strbuf_addf(sb, "%s:%u", cfg->path, cfg->line[i]);
	else
		strbuf_addstr(sb, "default");
}
