// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The path rule and the walk beneath a tree: any bytes as a path.  A path
 * relpath_check() passes has no '..', no control byte, no leading '/';
 * the component walk and the kernel's openat2() agree on whether it
 * leaves a tree full of hostile links (a chain, '..', absolute, a loop).
 */
#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fuzz.h"
#include "pomctl/safepath.h"
#include "pomctl/util.h"

static const char *tree(void)
{
	static struct strbuf top = STRBUF_INIT;
	static const char *const links[][2] = {
		{ "a/up", ".." },    { "a/abs", "/etc" }, { "a/l0", "." },
		{ "a/l1", "l0/.." }, { "a/l2", "l1/.." }, { "a/loop", "loop" },
		{ "a/in", "b/f" },
	};

	if (top.len)
		return top.buf;
	strbuf_addf(&top, "%s/tree", fuzz_scratch());
	fuzz_write("tree/a/b/f", "x", 1);
	for (size_t i = 0; i < ARRAY_SIZE(links); i++) {
		struct strbuf p = STRBUF_INIT;

		strbuf_addf(&p, "%s/%s", top.buf, links[i][0]);
		if (symlink(links[i][1], p.buf) < 0 && errno != EEXIST)
			abort();
		strbuf_clear(&p);
	}
	return top.buf;
}

static bool has_dotdot(const char *path)
{
	for (const char *p = path; (p = strstr(p, "..")); p += 2)
		if ((p == path || p[-1] == '/') && (p[2] == '/' || !p[2]))
			return true;
	return false;
}

static void check_rule(const char *path)
{
	if (relpath_check(path))
		return;
	if (*path == '/' || has_dotdot(path))
		abort();
	for (const char *c = path; *c; c++)
		if ((unsigned char)*c < 0x20 || *c == 0x7f)
			abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct strbuf path = STRBUF_INIT, out = STRBUF_INIT;
	int walked, kernel, fd;

	strbuf_add(&path, data, size < 4096 ? size : 4096);
	if (strlen(path.buf) != path.len) /* a NUL ends a C path */
		goto out;
	check_rule(path.buf);
	walked = path_walk(tree(), path.buf, BENEATH_TREE, true, &out, NULL);
	if (!walked && (has_dotdot(out.buf) || *out.buf == '/'))
		abort();
	fd = open_beneath(tree(), path.buf, O_RDONLY, 0, BENEATH_TREE);
	kernel = fd < 0 ? fd : 0;
	if (fd >= 0)
		close(fd);
	/* whatever the kernel refuses as leaving the tree, the walk does */
	if (kernel == -EXDEV && walked != -EXDEV && walked != -ELOOP)
		abort();
	/* what the kernel opens, the walk finds inside */
	if (kernel == 0 && walked != 0)
		abort();
out:
	strbuf_clear(&path);
	strbuf_clear(&out);
	return 0;
}
