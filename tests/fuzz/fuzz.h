/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The libFuzzer targets of pomctl's parsers (make fuzz), each also linked
 * with driver.c into a plain program that make check runs over the seed
 * corpus and every input a fuzzer ever crashed (tests/fuzz/regress/).
 */
#ifndef POMCTL_FUZZ_H
#define POMCTL_FUZZ_H

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A scratch directory of the process, made once; removed at exit. */
const char *fuzz_scratch(void);
/* Write len bytes to DIR/name (directories made as needed). */
void fuzz_write(const char *name, const void *data, size_t len);

#endif
