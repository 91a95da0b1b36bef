# pomctl - GNU make.  `make check` and `make demo` are all the set-up needed:
# missing build or test dependencies are installed by tools/bootstrap.  Any
# other goal (a plain `make`, `make install`, a packager's build) installs
# nothing: it names what is missing and `make bootstrap`.

PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/sbin
MANDIR ?= $(PREFIX)/share/man
SYSCONFDIR ?= /etc
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
UNITDIR ?= $(PREFIX)/lib/systemd/system
INITDIR ?= $(SYSCONFDIR)/rc.d/init.d
DESTDIR ?=

VERSION := 0.1.0
B ?= build
CC ?= cc
SAN ?=

PKGS := rpm libarchive libcurl popt jansson sqlite3
# loaded when first used, not linked (src/fetch.c says why)
PKGS_LOADED := libcurl

# The dependency probe writes $(B)/deps.mk.  The goals that set up a fresh
# machine by themselves run the bootstrap when something is missing.
NODEPS_GOALS := clean bootstrap install-deps
BOOTSTRAP_GOALS := check check-quick check-plain check-asan check-valgrind asan unit \
	integration fuzz-replay demo bench fuzz fuzz-run vm-check
ifneq ($(filter $(BOOTSTRAP_GOALS),$(MAKECMDGOALS)),)
MAY_BOOTSTRAP := yes
endif
# make demo alone installs only what the demo needs (tools/bootstrap --demo)
ifeq ($(MAKECMDGOALS),demo)
DEMO_ONLY := --demo
endif
ifeq ($(filter $(NODEPS_GOALS),$(MAKECMDGOALS)),)
-include $(B)/deps.mk
endif

WARN := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wformat=2 \
	-Wmissing-prototypes -Wno-format-nonliteral
CFLAGS ?= -O2 -g
ifeq ($(SAN),1)
SANFLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer \
	-fno-sanitize-recover=undefined
endif
# make fuzz: clang's libFuzzer instrumentation for every object
ifeq ($(SAN),fuzz)
SANFLAGS := -fsanitize=fuzzer-no-link,address,undefined \
	-fno-omit-frame-pointer -fno-sanitize-recover=undefined
endif
ALL_CFLAGS := -std=c11 -D_GNU_SOURCE -DPOMCTL_VERSION='"$(VERSION)"' \
	$(WARN) $(CFLAGS) $(SANFLAGS) -Iinclude $(DEPS_CFLAGS) -MMD -MP
ALL_LDFLAGS := $(LDFLAGS) $(SANFLAGS)

SRC := $(wildcard src/*.c)
LIB_SRC := $(filter-out src/main.c,$(SRC))
STEP_SRC := $(wildcard steps/*.c)
UNIT_SRC := $(wildcard tests/unit/test_*.c)

obj = $(patsubst %.c,$(B)/obj/%.o,$(1))
LIB_OBJ := $(call obj,$(LIB_SRC))
STEP_OBJ := $(call obj,$(STEP_SRC))
MAIN_OBJ := $(call obj,src/main.c)
UNIT_BIN := $(patsubst tests/unit/%.c,$(B)/tests/%,$(UNIT_SRC))

.SECONDARY:
.PHONY: all check unit integration asan install clean demo demo-deps bootstrap test-deps \
	vm-deps vm-check valgrind-wrappers check-quick \
	check-plain check-asan check-valgrind \
	install-deps format format-check include-check world bench dist rpm fuzz fuzz-run \
	fuzz-replay
all: $(B)/pomctl

$(B)/deps.mk: tools/bootstrap Makefile
	@mkdir -p $(B)
	@tools/bootstrap --check --build-only $(BOOTSTRAP_FLAGS) 2>/dev/null || \
		$(if $(MAY_BOOTSTRAP),tools/bootstrap $(DEMO_ONLY) $(BOOTSTRAP_FLAGS),\
		{ tools/bootstrap --check --build-only $(BOOTSTRAP_FLAGS) || \
		  { echo "make: install what is missing, or run make bootstrap as root" >&2; \
		    exit 1; }; })
	@{ echo "DEPS_CFLAGS := $$(pkg-config --cflags $(PKGS))"; \
	   echo "DEPS_LIBS := $$(pkg-config --libs $(filter-out $(PKGS_LOADED),$(PKGS))) -lrpmbuild"; \
	   echo "CMOCKA_LIBS := $$(pkg-config --libs cmocka 2>/dev/null)"; } > $@.tmp
	@mv $@.tmp $@

bootstrap install-deps:
	tools/bootstrap

# what the tests need besides the build's (deps.mk may come from a plain make)
test-deps:
	@tools/bootstrap --check $(BOOTSTRAP_FLAGS) 2>/dev/null || \
		tools/bootstrap $(BOOTSTRAP_FLAGS)

$(B)/obj/%.o: %.c $(B)/deps.mk
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(B)/pomctl: $(MAIN_OBJ) $(LIB_OBJ) $(STEP_OBJ)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(DEPS_LIBS)

# The engine under test: pomctl with the fixture steps of tests/fixtures.
$(B)/pomctl-teststeps: $(MAIN_OBJ) $(LIB_OBJ) \
		$(call obj,tests/fixtures/teststeps.c)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(DEPS_LIBS)

$(B)/tests/%: $(B)/obj/tests/unit/%.o $(call obj,tests/unit/unit.c) \
		$(LIB_OBJ) $(call obj,tests/fixtures/teststeps.c)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(DEPS_LIBS) $(CMOCKA_LIBS)

# test_steps checks the real step table (steps/steps.c), not teststeps'
$(B)/tests/test_steps: $(B)/obj/tests/unit/test_steps.o \
		$(call obj,tests/unit/unit.c) $(LIB_OBJ) $(STEP_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(DEPS_LIBS) $(CMOCKA_LIBS)

unit: test-deps $(UNIT_BIN)
	@set -e; for t in $(UNIT_BIN); do \
		echo "== $$t"; POMCTL_TOP=$(CURDIR) $$t; done

# The fuzz targets of tests/fuzz.  make check replays each one's seed
# corpus and the inputs that once crashed it (tests/fuzz/regress/TARGET)
# through a plain build; make fuzz runs libFuzzer on each for FUZZ_TIME
# seconds (an input running over 10 s counts as a hang) and keeps what it
# finds under build/fuzz/fuzz.
FUZZ_TARGETS := config spec boot state pom path manifest
FUZZ_TIME ?= 60
FUZZ_COMMON := $(call obj,tests/fuzz/common.c) $(LIB_OBJ) \
	$(call obj,tests/fixtures/teststeps.c)
REPLAY_BIN := $(patsubst %,$(B)/fuzz/replay-%,$(FUZZ_TARGETS))

$(B)/fuzz/replay-%: $(call obj,tests/fuzz/fuzz_%.c) \
		$(call obj,tests/fuzz/driver.c) $(FUZZ_COMMON)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(DEPS_LIBS)

$(B)/fuzz/fuzz-%: $(call obj,tests/fuzz/fuzz_%.c) $(FUZZ_COMMON)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_LDFLAGS) -fsanitize=fuzzer -o $@ $^ $(DEPS_LIBS)

fuzz-replay: test-deps $(REPLAY_BIN)
	@set -e; for t in $(FUZZ_TARGETS); do \
		printf '== fuzz replay %s: ' $$t; \
		timeout 120 $(B)/fuzz/replay-$$t $$(find tests/fuzz/corpus/$$t \
			tests/fuzz/regress/$$t -type f 2>/dev/null | sort); \
	done

fuzz:
	$(MAKE) B=build/fuzz CC=clang SAN=fuzz fuzz-run

fuzz-run: $(patsubst %,$(B)/fuzz/fuzz-%,$(FUZZ_TARGETS))
	@set -e; for t in $(FUZZ_TARGETS); do \
		mkdir -p $(B)/fuzz/corpus-$$t $(B)/fuzz/crashes-$$t; \
		echo "== fuzzing $$t for $(FUZZ_TIME) s"; \
		$(B)/fuzz/fuzz-$$t -max_total_time=$(FUZZ_TIME) -timeout=10 \
			-artifact_prefix=$(B)/fuzz/crashes-$$t/ \
			-print_final_stats=1 $(B)/fuzz/corpus-$$t \
			tests/fuzz/corpus/$$t 2>$(B)/fuzz/$$t.log || \
			{ tail -40 $(B)/fuzz/$$t.log; \
			  echo "fuzz $$t: crash kept in $(B)/fuzz/crashes-$$t;" \
			       "fix it and add it to tests/fuzz/regress/$$t"; \
			  exit 1; }; \
		grep -h 'stat::number_of_executed_units\|cov:' \
			$(B)/fuzz/$$t.log | tail -2; \
	done

# The fixture world (tests/fixtures/build-world): kernel trees, patch-o-matic
# trees, iptables sources, the tarballs, SRPM and RPMs of the sandbox.
WORLD_SRC := $(shell find tests/fixtures -type f ! -name '*.o' 2>/dev/null)
world: $(B)/world/.stamp
$(B)/world/.stamp: $(WORLD_SRC)
	tests/fixtures/build-world $(B)/world
	@touch $@

# The integration suite's environment: BIN is where pomctl and
# pomctl-teststeps are (the build, or its valgrind wrappers).  The tests'
# python3 is the system's (tools/bootstrap installs it), found first: a
# version manager's shim in front of it (pyenv's) costs most of a second
# a call, and the tests make thousands.  JOBS: tests at a time (default:
# the CPUs).
NPROC := $(shell nproc 2>/dev/null || echo 2)
JOBS ?= $(NPROC)
integration_env = POMCTL=$(CURDIR)/$(1)/pomctl \
	POMCTL_TESTSTEPS=$(CURDIR)/$(1)/pomctl-teststeps \
	POMCTL_WORLD=$(CURDIR)/$(B)/world POMCTL_TOP=$(CURDIR) \
	POMCTL_TIMES=$(CURDIR)/$(B)/times JOBS=$(JOBS) \
	PATH="$(CURDIR)/$(B)/testbin:$$PATH" \
	CCACHE_DIR=$(CURDIR)/build/ccache CCACHE_BASEDIR=/tmp \
	CCACHE_NOHASHDIR=true

$(B)/testbin/python3:
	@mkdir -p $(dir $@)
	@p=$$(PATH=/usr/bin:/bin command -v python3) || \
		{ echo "make: no python3 in /usr/bin: make bootstrap" >&2; exit 1; }; \
		ln -sf "$$p" $@

# The fixtures' compiles (the sandbox kernel trees' and iptables' `cc`, in
# make and in rpmbuild's %build) through ccache: the same sources are
# built in every sandbox, at another path each (CCACHE_BASEDIR makes the
# paths under /tmp relative).  pomctl's own [build] ccache is t-build's.
$(B)/testbin/cc:
	@mkdir -p $(dir $@)
	@p=$$(command -v ccache) || \
		{ echo "make: no ccache: make bootstrap" >&2; exit 1; }; \
		ln -sf "$$p" $@

INTEGRATION_DEPS = test-deps $(B)/pomctl $(B)/pomctl-teststeps \
	$(B)/world/.stamp $(B)/testbin/python3 $(B)/testbin/cc
integration: $(INTEGRATION_DEPS)
	@$(call integration_env,$(B)) tests/run-integration $(TESTS)

# make check: every suite on the plain build, again on an AddressSanitizer
# + UBSan build (build/asan), and the integration tests that do not depend
# on timing under valgrind.  The two builds' unit tests run at once (each
# keeps one CPU busy).  The three passes' integration tests share one
# pool of $(JOBS) jobs, the longest first.  TESTS="t-cli t-json" narrows
# the integration suite.  make check-plain, check-asan and check-valgrind
# run one pass alone.
ASAN_MAKE = $(MAKE) --no-print-directory B=build/asan SAN=1
check: format-check include-check
	@t0=$$(date +%s); tools/capabilities; \
	$(MAKE) --no-print-directory -j$(NPROC) $(INTEGRATION_DEPS) \
		$(UNIT_BIN) $(REPLAY_BIN) valgrind-wrappers && \
	$(ASAN_MAKE) -j$(NPROC) build/asan/pomctl build/asan/pomctl-teststeps \
		$(patsubst $(B)/%,build/asan/%,$(UNIT_BIN) $(REPLAY_BIN)) || \
		exit 1; \
	$(MAKE) --no-print-directory unit fuzz-replay >$(B)/units.log 2>&1 & \
	$(ASAN_MAKE) unit fuzz-replay >build/asan/units.log 2>&1; a=$$?; \
	wait $$!; p=$$?; \
	for u in plain:$(B) asan:build/asan; do \
		[ $${u%%:*} = plain ] && rc=$$p || rc=$$a; \
		[ $$rc -eq 0 ] || { cat $${u#*:}/units.log; exit 1; }; \
		echo "== the $${u%%:*} build's unit tests and fuzz regressions"; \
		grep -h '^\[  PASSED\|^== fuzz' $${u#*:}/units.log | sed 's/^/  /'; \
	done; \
	echo "unit cases: $$(grep -h '^\[  PASSED' $(B)/units.log | \
		awk '{ n += $$4 } END { print n }') in each build"; \
	echo "== integration: plain, asan, valgrind"; \
	$(call integration_env,$(B)) tests/run-integration \
		--pass plain:$(CURDIR)/$(B) --pass asan:$(CURDIR)/build/asan \
		--pass valgrind:$(CURDIR)/$(B)/valgrind:$(subst $(space),$(comma),$(strip $(VALGRIND_TESTS))) \
		$(TESTS) && \
	echo "make check: all tests passed in $$(($$(date +%s) - t0)) s"
comma := ,
space := $(subst ,, )

check-plain: unit fuzz-replay integration

# make check-quick: the edit-test loop -- the plain build's unit tests,
# fuzz regressions and integration tests in parallel, but for the ones
# QUICK_SKIP names (t-faults: 21 whole runs, a quarter of the suite's
# time).  make check before a commit.
QUICK_SKIP ?= t-faults
check-quick: unit fuzz-replay $(INTEGRATION_DEPS)
	@$(call integration_env,$(B)) tests/run-integration \
		$(or $(TESTS),$(filter-out $(QUICK_SKIP),$(basename $(notdir \
			$(wildcard tests/integration/t-*.sh)))))

check-asan asan:
	$(MAKE) B=build/asan SAN=1 check-plain

# Under valgrind, pomctl is ~20 times slower: the tests that kill it at
# chosen moments (t-faults, t-lock) or build pomctl itself (t-package) stay
# out; t-world runs no pomctl; t-planrun, t-grub, t-real-shapes, t-runs
# and t-kinds are whole runs whose code t-plan, t-install, t-kernel and
# t-lifecycle take through valgrind; t-build spends its time in make and
# t-fetch in many short runs whose paths t-attacks and t-lifecycle take.
# t-year's runs take t-set's paths (the check's host probe, the set's
# iptables, a release above the earlier runs' builds) but for the update
# step's sentence about an errata kernel it installed.
# ASan's pass runs them all; make check stays near 17 of its 20 minutes
# (run-integration prints each test's seconds).
VALGRIND_TESTS ?= $(filter-out t-faults t-lock t-package t-world t-planrun \
	t-grub t-real-shapes t-runs t-kinds t-build t-fetch t-moved-root t-golden \
	t-bundle t-ansible t-year, \
	$(basename $(notdir $(wildcard tests/integration/t-*.sh))))
valgrind-wrappers: $(B)/pomctl $(B)/pomctl-teststeps
	@mkdir -p $(B)/valgrind
	@for b in pomctl pomctl-teststeps; do \
		printf '#!/bin/sh\nexec %s %s "$$@"\n' \
			$(CURDIR)/tests/fixtures/valgrind-run \
			$(CURDIR)/$(B)/$$b >$(B)/valgrind/$$b; \
		chmod +x $(B)/valgrind/$$b; done

check-valgrind: $(INTEGRATION_DEPS) valgrind-wrappers
	@echo "== integration under valgrind"
	@$(call integration_env,$(B)/valgrind) tests/run-integration \
		$(VALGRIND_TESTS)

demo-deps:
	@tools/bootstrap --check --demo $(BOOTSTRAP_FLAGS) 2>/dev/null || \
		tools/bootstrap --demo $(BOOTSTRAP_FLAGS)

demo: demo-deps $(B)/pomctl $(B)/world/.stamp
	@POMCTL=$(CURDIR)/$(B)/pomctl POMCTL_WORLD=$(CURDIR)/$(B)/world \
		tests/fixtures/demo $(B)/demo-root

# The example configuration is installed only where none is: make install
# never replaces a sysadmin's /etc/pomctl.conf.
install: $(B)/pomctl
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man8 \
		$(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(BASHCOMPDIR) \
		$(DESTDIR)$(SYSCONFDIR) $(DESTDIR)$(UNITDIR) $(DESTDIR)$(INITDIR)
	install -m 0755 $(B)/pomctl $(DESTDIR)$(BINDIR)/pomctl
	install -m 0644 man/pomctl.8 $(DESTDIR)$(MANDIR)/man8/pomctl.8
	install -m 0644 man/pomctl.conf.5 $(DESTDIR)$(MANDIR)/man5/pomctl.conf.5
	install -m 0644 contrib/pomctl.bash-completion \
		$(DESTDIR)$(BASHCOMPDIR)/pomctl
	test -e $(DESTDIR)$(SYSCONFDIR)/pomctl.conf || \
		install -m 0600 contrib/pomctl.conf $(DESTDIR)$(SYSCONFDIR)/pomctl.conf
	sed 's|@SBINDIR@|$(BINDIR)|g' contrib/pomctl-resume.service \
		>$(DESTDIR)$(UNITDIR)/pomctl-resume.service
	chmod 0644 $(DESTDIR)$(UNITDIR)/pomctl-resume.service
	sed 's|@SBINDIR@|$(BINDIR)|g' contrib/pomctl-resume.init \
		>$(DESTDIR)$(INITDIR)/pomctl-resume
	chmod 0755 $(DESTDIR)$(INITDIR)/pomctl-resume

# A source tarball of what git tracks, and the RPM built from it with
# pomctl.spec (in build/rpm: nothing is written to ~/rpmbuild).
DIST := pomctl-$(VERSION)
dist: $(B)/$(DIST).tar.gz
$(B)/$(DIST).tar.gz: $(shell git ls-files 2>/dev/null)
	@mkdir -p $(B)
	git ls-files -z | tar --null -T - --owner=0 --group=0 \
		--transform 's,^,$(DIST)/,' -czf $@.tmp
	mv $@.tmp $@

# Debian's rpmbuild checks BuildRequires against an rpm database that holds
# none of the -dev packages: there, the dependencies are apt's business.
RPMBUILD_FLAGS ?= $(if $(wildcard /etc/debian_version),--nodeps)
rpm: $(B)/$(DIST).tar.gz
	rm -rf $(B)/rpm
	mkdir -p $(B)/rpm/SOURCES
	cp $< $(B)/rpm/SOURCES/
	rpmbuild -ba --define "_topdir $(abspath $(B))/rpm" \
		--define 'pomctl_version $(VERSION)' $(RPMBUILD_FLAGS) pomctl.spec
	@ls $(B)/rpm/RPMS/*/pomctl-$(VERSION)-*.rpm

# Benchmarks: not part of make check; each prints its own ratios.
$(B)/pomctl-bench: $(call obj,bench/pomctl-bench.c) $(LIB_OBJ) $(STEP_OBJ)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(DEPS_LIBS)

# Writes bench/RESULTS.md; BENCH="extract build" runs some only (into
# build/bench-RESULTS.md).
bench: $(B)/pomctl $(B)/pomctl-bench $(B)/world/.stamp
	@tools/bootstrap --check --bench 2>/dev/null || tools/bootstrap --bench
	@bench/run $(BENCH)

# make vm-check: the real machine (tests/vm/check): a QEMU PC with GRUB
# legacy in its MBR, booted for real.  Runs as root; installs what it needs
# (tools/bootstrap --vm).  VM_CHECK=optional: a machine that cannot run it
# says what it lacks and passes.
vm-deps:
	@tools/bootstrap --check --vm 2>/dev/null || tools/bootstrap --vm

vm-check: $(B)/pomctl
	@tools/bootstrap --check --vm 2>/dev/null || \
		tools/bootstrap --vm || [ "$(VM_CHECK)" = optional ]
	@B=$(B) tests/vm/check

# The C of the project as .clang-format writes it (clang-format 14, Debian
# 12's; fixtures stand for other projects' code and keep their own shape).
FORMAT_FILES = $(wildcard src/*.c src/*.h steps/*.c steps/*.h include/pomctl/*.h \
	tests/unit/*.[ch] tests/fuzz/*.[ch] bench/*.c)
# Every #include "pomctl/X.h" is used: some name X.h declares appears in
# the file (tools/dead-includes says which are not).
include-check:
	@tools/dead-includes

format-check: test-deps
	@clang-format --dry-run --Werror $(FORMAT_FILES) && \
		echo "format-check: $(words $(FORMAT_FILES)) files as .clang-format writes them"
format:
	clang-format -i $(FORMAT_FILES)

clean:
	rm -rf build

-include $(shell find $(B)/obj -name '*.d' 2>/dev/null)
