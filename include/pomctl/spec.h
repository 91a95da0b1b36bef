/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * An editor for RPM spec files that keeps every line it does not change
 * byte-identical: the file is read as lines of bytes (ISO-8859 specs stay
 * ISO-8859), the sections and the main preamble's tags are located, and
 * edits are recorded against line numbers and applied when rendering.
 * Conditionals and macros are left as they are.
 *
 *	struct spec s;
 *	spec_read(&s, path);			1. structure only
 *	spec_edit_pom(&s, &req, &log);		2. the procedure's edits
 *	spec_render(&s, &text);			3. the new text
 *	spec_validate(path_of_text, &expect);	4. librpmbuild's word on it
 *	spec_clear(&s);
 *
 * Functions return 0 or -1 (reported).
 */
#ifndef POMCTL_SPEC_H
#define POMCTL_SPEC_H

#include <stdbool.h>

#include "pomctl/strbuf.h"
#include "pomctl/text.h"

struct spec_section {
	char *name;	   /* "preamble", "package", "description", ... */
	char *arg;	   /* the subpackage ("devel"), or "" */
	size_t start, end; /* its header line, and one past its last */
};

struct spec_edit;

struct spec {
	char *path;
	struct lines l;
	struct spec_section *sec;
	size_t nsec;
	struct spec_edit *edits;
	size_t nedits;
	int *depth; /* per line: how many conditionals it is in */
	bool *cont; /* per line: it continues a logical line */
};

int spec_read(struct spec *s, const char *path);
/* Parse text (tests, fuzzing); name is used in messages. */
int spec_parse(struct spec *s, const char *name, const char *text, size_t len);
void spec_clear(struct spec *s);

/* What the rpm step asks of the spec. */
struct spec_request {
	const char *version;	    /* the new iptables version */
	const char *release;	    /* [rpm] release */
	const char *tarball;	    /* the new Source0 file name */
	const char *kernel_dir;	    /* KERNEL_DIR= for make */
	const char *kernel_version; /* Requires: kernel >= */
	const char *packager;
	const char *pom_tarball;	/* shipped in the -pom subpackage */
	const char *pom_top;		/* the tarball's top directory */
	const struct strvec *patches;	/* the patch-o-matic extensions */
	const struct strvec *drop;	/* Patch file names to remove */
	const struct strvec *userspace; /* new patch files for %prep */
	bool ask_rpm;			/* librpmbuild may parse the spec to
					 * learn which branch it takes (it
					 * expands the spec's macros, %(...)
					 * included: never for untrusted
					 * bytes) */
};

/* Make every edit of req; log gets one line per edit. */
int spec_edit_pom(struct spec *s, const struct spec_request *req,
		  struct strbuf *log);

/* The Patch tags: number, file (the value's last path component), and
 * the -p level of its %patch line (-1 when it has none). */
struct spec_patch {
	int num;
	char *file;
	int strip;
};
size_t spec_patches(const struct spec *s, struct spec_patch **out);
void spec_patches_free(struct spec_patch *p, size_t n);

/* The text with the edits applied. */
void spec_render(const struct spec *s, struct strbuf *out);

/* Whether a spec's text has the %changelog line spec_edit_pom() adds. */
bool spec_edited_by_pomctl(const char *text);

struct spec_expect {
	const char *version, *release;
	const struct strvec *packages; /* subpackage names that must exist */
	const struct strvec *sources;  /* file names that must be sources */
	const struct strvec *applied;  /* patch files %prep must apply */
};

/*
 * Parse path with librpmbuild (rpmSpecParse, any arch): 0 when it parses
 * and, when expect is given, has its version, release, packages and
 * sources, and its parsed %prep applies the patches expect names -- for
 * the host's architecture and, with %_target_cpu set, for i686 and s390x
 * too, so that an edit inside an %ifarch shows; -1 (reported with the
 * parser's message, or the architecture and what is missing) otherwise.
 */
int spec_validate(const char *path, const char *topdir,
		  const struct spec_expect *expect);

/*
 * The package files rpmbuild -ba of the spec at path writes under topdir,
 * relative to it ("RPMS/x86_64/NAME-V-R.x86_64.rpm", ..., the SRPM last),
 * parsed as spec_validate() parses (in a child): 0, or -1 (reported).
 * A package without %files is named though rpmbuild writes none.
 */
int spec_outputs(const char *path, const char *topdir, struct strvec *out);

#endif
