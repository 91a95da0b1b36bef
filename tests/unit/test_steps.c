// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The contract between the steps of steps/steps.c: what each takes is
 * given by an earlier step, what a bundle carries is given by its step,
 * and every output a source file names literally -- read or written,
 * anywhere in src/ and steps/ -- is declared; a step's own file reads
 * only its own outputs and those it takes.  (src/outputs.c checks every
 * read and write again as pomctl runs.)
 */
#include <ctype.h>
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "pomctl/bundle.h"
#include "pomctl/pipeline.h"
#include "pomctl/util.h"
#include "unit.h"

static const struct step_output *gives(const struct step *s, const char *key)
{
	for (const struct step_output *o = s->gives; o && o->key; o++)
		if (!strcmp(o->key, key))
			return o;
	return NULL;
}

static bool takes(const struct step *s, const char *step, const char *key)
{
	for (const struct step_input *in = s->takes; in && in->step; in++)
		if (!strcmp(in->step, step) && !strcmp(in->key, key))
			return true;
	return false;
}

static void test_takes_earlier(void **state)
{
	(void)state;
	for (size_t i = 0; i < pomctl_nr_steps; i++) {
		const struct step *s = &pomctl_steps[i];

		assert_non_null(s->gives);
		for (const struct step_output *o = s->gives; o->key; o++)
			assert_ptr_equal(gives(s, o->key), o); /* once */
		for (const struct step_input *in = s->takes; in && in->step;
		     in++) {
			const struct step *from = pipeline_find_step(in->step);

			if (!from || from >= s || !gives(from, in->key))
				fail_msg("step %s takes %s/%s: no earlier step "
					 "gives it",
					 s->name, in->step, in->key);
		}
	}
}

static void test_bundle_carries_declared(void **state)
{
	const char *step, *key;
	size_t i;

	(void)state;
	for (i = 0; bundle_output_kept(i, &step, &key); i++) {
		const struct step *s = pipeline_find_step(step);
		const struct step_output *o = s ? gives(s, key) : NULL;

		if (!o || (o->kind != OUT_WORD && o->kind != OUT_WORDS))
			fail_msg(
				"a bundle carries %s/%s: not a declared output "
				"of words",
				step, key);
	}
	assert_true(i >= 5);
}

/* The functions whose second and third arguments name an output. */
static const char *const accessors[] = {
	"step_output(",		 "ctx_output_words(", "ctx_output_paths(",
	"ctx_set_output(",	 "state_get_output(", "state_set_output(",
	"ctx_state_dir_output(",
};

/* A string literal at *p (after blanks): into out, p past it; or false. */
static bool literal(const char **p, char *out, size_t n)
{
	const char *s = *p + strspn(*p, " \t\n"), *end;

	if (*s != '"' || !(end = strchr(s + 1, '"')) ||
	    (size_t)(end - s - 1) >= n)
		return false;
	memcpy(out, s + 1, end - s - 1);
	out[end - s - 1] = '\0';
	*p = end + 1 + strspn(end + 1, " \t\n");
	return true;
}

/* Each call of an accessor in text with a literal step and key. */
static size_t check_file(const char *name, const char *text)
{
	const struct step *own = NULL;
	char base[64], step[64], key[64];
	size_t found = 0;

	if (!strncmp(name, "steps/", 6) &&
	    sscanf(name + 6, "%63[a-z]", base) == 1)
		own = pipeline_find_step(base);
	for (size_t a = 0; a < ARRAY_SIZE(accessors); a++)
		for (const char *p = text; (p = strstr(p, accessors[a]));) {
			bool part = p > text &&
				    (isalnum((unsigned char)p[-1]) ||
				     p[-1] == '_');
			const struct step *s;

			p += strlen(accessors[a]);
			if (part) /* of a longer name */
				continue;
			p += strcspn(p, ",)"); /* the state or the context */
			if (*p != ',' ||
			    (p++, !literal(&p, step, sizeof(step))) ||
			    *p != ',' || (p++, !literal(&p, key, sizeof(key))))
				continue;
			found++;
			s = pipeline_find_step(step);
			if (!s || !gives(s, key))
				fail_msg("%s names output %s/%s, which step %s "
					 "does not give",
					 name, step, key, step);
			if (own && s != own && !takes(own, step, key) &&
			    strncmp(accessors[a], "state_", 6))
				fail_msg("%s reads output %s/%s, which step %s "
					 "does not take",
					 name, step, key, own->name);
		}
	return found;
}

static size_t check_dir(const char *top, const char *dir)
{
	char path[4096];
	struct dirent *d;
	size_t found = 0;
	DIR *dp;

	snprintf(path, sizeof(path), "%s/%s", top, dir);
	dp = opendir(path);
	assert_non_null(dp);
	while ((d = readdir(dp))) {
		char rel[512];
		char *text;

		if (!strstr(d->d_name, ".c") ||
		    strcmp(strstr(d->d_name, ".c"), ".c"))
			continue;
		snprintf(rel, sizeof(rel), "%s/%s", dir, d->d_name);
		text = unit_read(top, rel);
		assert_non_null(text);
		found += check_file(rel, text);
		free(text);
	}
	closedir(dp);
	return found;
}

static void test_sources_name_declared(void **state)
{
	const char *top = getenv("POMCTL_TOP");
	size_t found;

	(void)state;
	assert_non_null(top);
	found = check_dir(top, "src") + check_dir(top, "steps");
	print_message("%zu literal reads and writes of outputs\n", found);
	/* the scan sees the literal reads and writes there are */
	assert_true(found >= 80);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_takes_earlier),
		cmocka_unit_test(test_bundle_carries_declared),
		cmocka_unit_test(test_sources_name_declared),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
