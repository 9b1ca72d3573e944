# routehook: a plain Makefile.
#
#   make              build the three programs beside their sources
#   make check        install missing packages (as root), then run every
#                     test twice: as built, and under ASan + UBSan; and
#                     the unit tests under valgrind; JOBS at a time
#   make demo         the whole flow on loopback, start to finish
#   make bench        throughput figures (not a test)
#   make fuzz         each libFuzzer target in tests/fuzz/ for FUZZ_S
#                     seconds (default 60), from its committed corpus
#   make deb          the Debian package, routehook_VERSION_ARCH.deb
#
# B is the build root.  The sanitizer pass builds into .san/ so that the
# plain binaries beside the sources are never replaced by instrumented ones.

B		?= .
CC		?= cc
CFLAGS		?= -O2 -g
WARN		 = -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes \
		   -Wmissing-prototypes -Wno-unused-parameter
CPPFLAGS	+= -D_POSIX_C_SOURCE=200809L -Ilib
ALL_CFLAGS	 = -std=c11 $(WARN) $(CFLAGS)
LDLIBS		 = -lfcgi -lcurl -lssl -lcrypto -ljson-c -lconfig -lpthread -lz
PROVE		?= prove

# make fuzz builds everything into .fuzz/ with clang, instrumented for
# libFuzzer and under ASan + UBSan.
ifeq ($(FUZZ),1)
ALL_CFLAGS	+= -fsanitize=fuzzer-no-link,address,undefined \
		   -fno-sanitize-recover=all -fno-omit-frame-pointer
LDFLAGS		+= -fsanitize=address,undefined
endif

# The sanitizer runtimes are linked in statically: at every exit
# LeakSanitizer scans the data of each loaded object for pointers, and
# a shared libubsan brings 6 MB of zeroed data that it faults in page by
# page, some 30 ms of CPU per process, and make check starts hundreds.
ifeq ($(SANITIZE),1)
ALL_CFLAGS	+= -fsanitize=address,undefined -fno-sanitize-recover=all \
		   -fno-omit-frame-pointer
LDFLAGS		+= -fsanitize=address,undefined -static-libasan -static-libubsan
endif

LIB_SRC		:= $(wildcard lib/*.c)
LIB_OBJ		:= $(LIB_SRC:%.c=$(B)/%.o)
LIB_A		:= $(B)/lib/librouthook.a

# Each program links its own list of objects and, from the library
# archive, only the lib/ modules it calls.  routehookctl shares no object
# with the worker's engine: it works on the spool through lib/ alone.
FCGI_OBJ	:= $(B)/fcgi/routehook-fcgi.o $(B)/fcgi/request.o
ENGINE_OBJ	:= $(patsubst %,$(B)/worker/%.o,drain outcome api members ratelimit \
		   retry metrics sig watch)
WORKER_OBJ	:= $(B)/worker/routehook-worker.o $(ENGINE_OBJ)
CTL_OBJ		:= $(B)/worker/routehookctl.o \
		   $(patsubst %.c,$(B)/%.o,$(wildcard worker/ctl-*.c))

PROGS		:= $(B)/fcgi/routehook-fcgi $(B)/worker/routehook-worker \
		   $(B)/worker/routehookctl
UNIT_SRC	:= $(wildcard tests/unit/*.c)
UNIT_T		:= $(UNIT_SRC:%.c=$(B)/%.t)
E2E_T		:= $(sort $(wildcard tests/t/*.t))

# Fuzz targets: tests/fuzz/NAME-fuzzer.c, corpus in tests/fuzz/corpus/NAME/.
# Built plainly with replay.c's main() they are TAP tests that replay the
# corpus (NAME-fuzzer.t, run by make check); with libFuzzer, make fuzz.
FUZZ_NAMES	:= $(patsubst tests/fuzz/%-fuzzer.c,%,$(wildcard tests/fuzz/*-fuzzer.c))
FUZZ_T		:= $(FUZZ_NAMES:%=$(B)/tests/fuzz/%-fuzzer.t)
FUZZ_BIN	:= $(FUZZ_NAMES:%=$(B)/tests/fuzz/%-fuzzer)
FUZZ_S		?= 60

.PHONY: all check test unit valgrind deps demo bench clean fuzz fuzz-progs deb
.DELETE_ON_ERROR:
.SECONDARY:

all: $(PROGS)

$(B)/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -MMD -MP -c -o $@ $<

$(LIB_A): $(LIB_OBJ)
	rm -f $@
	$(AR) rcs $@ $^

$(B)/fcgi/routehook-fcgi: $(FCGI_OBJ) $(LIB_A)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(B)/worker/routehook-worker: $(WORKER_OBJ) $(LIB_A)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(B)/worker/routehookctl: $(CTL_OBJ) $(LIB_A)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

# A unit test links its own object, the program objects it tests
# (UNIT_<name>), and the library archive, from which the linker takes
# only the modules called.  A test that injects system-call failures
# names its wrapped calls in WRAP_<name>, e.g. WRAP_spool = fsync rename.
UNIT_request	= $(B)/fcgi/request.o
UNIT_members	= $(B)/worker/members.o
UNIT_metrics	= $(B)/worker/metrics.o
UNIT_ratelimit	= $(B)/worker/ratelimit.o
UNIT_retry	= $(B)/worker/retry.o
WRAP_spool	= fsync renameat close write openat
.SECONDEXPANSION:
$(B)/tests/unit/%.t: $(B)/tests/unit/%.o $$(UNIT_$$*) $(LIB_A)
	$(CC) $(LDFLAGS) $(foreach f,$(WRAP_$*),-Wl,--wrap=$(f)) -o $@ $^ $(LDLIBS)

unit: $(UNIT_T) $(FUZZ_T)

# A fuzz target links, like a unit test, the program objects it calls
# (FUZZ_<name>) and the library archive.
FUZZ_request	= $(B)/fcgi/request.o
FUZZ_genesys	= $(B)/worker/ratelimit.o
$(B)/tests/fuzz/replay.o: CPPFLAGS += -DFUZZ_CORPUS='"$(abspath tests/fuzz/corpus)"'
$(B)/tests/fuzz/%-fuzzer.t: $(B)/tests/fuzz/%-fuzzer.o $(B)/tests/fuzz/replay.o \
    $(B)/tests/fuzz/fuzz.o $$(FUZZ_$$*) $(LIB_A)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)
$(FUZZ_BIN): $(B)/tests/fuzz/%-fuzzer: $(B)/tests/fuzz/%-fuzzer.o \
    $(B)/tests/fuzz/fuzz.o $$(FUZZ_$$*) $(LIB_A)
	$(CC) $(LDFLAGS) -fsanitize=fuzzer -o $@ $^ $(LDLIBS)
fuzz-progs: $(FUZZ_BIN)

# Each target for FUZZ_S seconds; what it finds beyond the committed
# corpus goes to .fuzz/corpus/NAME, a crashing input to .fuzz/crash-NAME-*
# (add it to tests/fuzz/corpus/NAME/ once fixed), its output to
# .fuzz/NAME.log; the figures are printed as it goes.
fuzz: deps
	$(MAKE) B=.fuzz CC=clang FUZZ=1 fuzz-progs
	@set -e; for t in $(FUZZ_NAMES); do \
		mkdir -p .fuzz/corpus/$$t; \
		echo "fuzz $$t: $(FUZZ_S) s"; \
		LSAN_OPTIONS=suppressions=$(abspath tests/fuzz/lsan.supp) \
		.fuzz/tests/fuzz/$$t-fuzzer -max_total_time=$(FUZZ_S) \
		    -print_final_stats=1 -artifact_prefix=.fuzz/crash-$$t- \
		    .fuzz/corpus/$$t tests/fuzz/corpus/$$t >.fuzz/$$t.log 2>&1 || \
		    { tail -n 60 .fuzz/$$t.log; exit 1; }; \
		grep -E '^stat::(number_of_executed_units|average_exec_per_sec|new_units_added)' \
		    .fuzz/$$t.log; \
	done

deps:
	@sh tests/install-deps.sh

# Tests run side by side, JOBS at a time: most of an end-to-end test is
# waiting (on nginx, the stand-in, a backoff), so twice as many as there
# are cores keeps the cores busy.  Every test has its own scratch
# directory and ports (tests/lib.sh), and bounds that scale
# (RH_TIMEOUT_SCALE), so any JOBS is correct; JOBS=1 runs them in turn.
NPROC		:= $(shell nproc 2>/dev/null || echo 1)
JOBS		?= $(shell echo $$(( $(NPROC) * 2 )))

# One pass of the suite against the build in $(B).
test: all unit
	RH_BUILD=$(abspath $(B)) $(PROVE) -j$(JOBS) --exec '' $(UNIT_T) $(FUZZ_T) $(E2E_T)

# Valgrind sees what the sanitizers do not (uninitialised reads); the unit
# tests cover the modules and run in seconds under it.
VALGRIND	 = valgrind -q --error-exitcode=99 --leak-check=full \
		   --errors-for-leak-kinds=definite,indirect
valgrind: unit
	$(PROVE) -j$(JOBS) --exec '$(VALGRIND)' $(UNIT_T) $(FUZZ_T)

# make check: both builds, then the three passes (as built, the unit
# tests under valgrind, everything under ASan + UBSan) in one prove -j,
# each test named PASS:TEST (tests/run.sh).  The slowest tests go first
# so that none of them starts last and leaves the other cores idle.
# Side by side each test runs slower than alone: the harness's bounds
# are doubled (tests/lib.sh, RH_TIMEOUT_SCALE).
RH_TIMEOUT_SCALE ?= 2
# The order holds for any CHECK_E2E and CHECK_UNIT given on the command
# line: the slow scripts of SLOW_T first, then the unit tests under
# valgrind (seconds each, where the others take a fraction), then the
# rest, the quick unit tests last, to fill the cores as the run ends.
SLOW_T		:= tests/t/deb.t tests/t/valgrind.t tests/t/metrics.t tests/t/worker-429.t \
		   tests/t/worker-token.t tests/t/worker-retry.t
# Scripts that run no program of the build, or one the san pass cannot
# (deb.t builds the package from the sources, valgrind.t runs the plain
# build under valgrind): the plain pass alone, not a san pass that skips.
PLAIN_ONLY_T	:= tests/t/deb.t tests/t/valgrind.t tests/t/standin.t \
		   tests/t/alerts.t tests/t/install-deps.t
CHECK_E2E	:= $(E2E_T)
CHECK_UNIT	:= $(UNIT_SRC:%.c=%.t) $(FUZZ_NAMES:%=tests/fuzz/%-fuzzer.t)
CHECK_SLOW	:= $(foreach t,$(SLOW_T),$(filter $(t),$(CHECK_E2E)))
CHECK_PAIR	 = $(if $(filter $(1),$(PLAIN_ONLY_T)),,san:$(1)) plain:$(1)
CHECK_LIST	:= $(foreach t,$(CHECK_SLOW),$(call CHECK_PAIR,$(t))) \
		   $(foreach t,$(CHECK_UNIT),valgrind:$(t)) \
		   $(foreach t,$(filter-out $(SLOW_T),$(CHECK_E2E)),$(call CHECK_PAIR,$(t))) \
		   $(foreach t,$(CHECK_UNIT),san:$(t) plain:$(t))
# Both builds under one jobserver: the cores one leaves idle while it
# archives or links, the other fills.
.PHONY: check-builds check-build-plain check-build-san
check-builds: check-build-plain check-build-san
check-build-plain:
	+$(MAKE) all unit
check-build-san:
	+$(MAKE) B=.san SANITIZE=1 all unit

# One test CA and server certificate for the whole run (RH_CERTS, see
# make_certs in tests/lib.sh), removed after it.
check: deps
	$(MAKE) -j$(NPROC) check-builds
	certs=$$(mktemp -d "$${TMPDIR:-/tmp}/routehook-certs.XXXXXX") && \
	sh tests/mkcerts.sh "$$certs" || exit 1; \
	RH_CERTS=$$certs RH_VALGRIND='$(VALGRIND)' \
	    RH_TIMEOUT_SCALE=$(RH_TIMEOUT_SCALE) \
	    $(PROVE) -j$(JOBS) --exec 'sh tests/run.sh' \
	    $(CHECK_LIST); \
	rc=$$?; rm -rf "$$certs"; exit $$rc

demo: deps all
	sh tests/demo.sh

bench: deps all bench-progs
	sh tests/bench.sh
	sh tests/bench-cluster.sh
	sh tests/bench-burst.sh

# The figures for several hosts through etcd alone (issue 13).
bench-cluster: deps all bench-progs
	sh tests/bench-cluster.sh

# The shift-change burst under 300 calls a minute, time scaled by
# BURST_SCALE (issue 11).
bench-burst: deps all
	sh tests/bench-burst.sh

# make bench's measuring sticks (tests/bench/*.c, one main() each):
# built for the benchmark only, never by all or check.
BENCH_BIN	:= $(patsubst %.c,$(B)/%,$(wildcard tests/bench/*.c))
$(BENCH_BIN): $(B)/tests/bench/%: $(B)/tests/bench/%.o $(LIB_A)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)
.PHONY: bench-progs clean-bench bench-cluster bench-burst
bench-progs: $(BENCH_BIN)
clean: clean-bench
clean-bench:
	rm -f $(BENCH_BIN)

clean:
	rm -rf .san .fuzz
	rm -f $(PROGS) $(LIB_A) $(LIB_OBJ) $(UNIT_T) $(FUZZ_T)
	find fcgi worker lib tests -name '*.[od]' -exec rm -f {} +


# --- make install / make uninstall ----------------------------------------
#
#   make install PREFIX=/usr DESTDIR=/tmp/pkg     (PREFIX defaults to /usr/local)
#   make uninstall PREFIX=/usr DESTDIR=/tmp/pkg   removes exactly that
#
# Everything goes under $(DESTDIR) and nothing else is done: the users,
# the spool and the secrets are contrib/routehook-setup.sh's job, run once
# by the administrator.  The sample config is only ever installed as
# routehook.conf.sample, so a real routehook.conf is never touched, and a
# directory that already exists keeps its owner and mode.
#
# routehookctl goes in sbin beside the two daemons: it works on the spool
# and reads the OAuth client secret, so only the spool's owner or root can
# use it; an administrator's tool, as Debian puts postqueue and postsuper
# in /usr/sbin.  The systemd units name their programs in /usr/sbin; the
# copies installed for systemd are rewritten for $(SBINDIR), while those
# under $(DATADIR) stay as they are in contrib/.
PREFIX		?= /usr/local
SYSCONFDIR	?= /etc
SBINDIR		?= $(PREFIX)/sbin
MANDIR		?= $(PREFIX)/share/man
DATADIR		?= $(PREFIX)/share/routehook
UNITDIR		?= $(PREFIX)/lib/systemd/system
INSTALL		?= install

# The man pages, beside what they describe (as OpenBSD keeps smtpd.8).
MANS		:= fcgi/routehook-fcgi.8 worker/routehook-worker.8 \
		   worker/routehookctl.8 etc/routehook.conf.5 etc/routehook.7
# contrib/debian is the packaging (make deb), not something to install.
CONTRIB		:= $(sort $(shell find contrib -path contrib/debian -prune -o \
		   -type f ! -name '.*' ! -name '*~' -print))
UNITS		:= $(filter %.service %.socket %.timer,$(CONTRIB))

# What goes where, as MODE:SOURCE:TARGET ("unit" as MODE: a systemd unit,
# 0644, with /usr/sbin/ rewritten).  install and uninstall both read this
# one list, so they cannot drift apart.
INSTALL_LIST	 = $(foreach f,$(PROGS),0755:$(f):$(SBINDIR)/$(notdir $(f))) \
		   $(foreach f,$(MANS),0644:$(f):$(MANDIR)/man$(subst .,,$(suffix $(f)))/$(notdir $(f))) \
		   0644:etc/routehook.conf:$(SYSCONFDIR)/routehook/routehook.conf.sample \
		   $(foreach f,$(CONTRIB),$(if $(filter %.sh,$(f)),0755,0644):$(f):$(DATADIR)/$(f:contrib/%=%)) \
		   $(foreach f,$(UNITS),unit:$(f):$(UNITDIR)/$(notdir $(f)))

.PHONY: install uninstall

install: all
	@set -e; for e in $(INSTALL_LIST); do \
		mode=$${e%%:*}; src=$${e#*:}; src=$${src%%:*}; \
		dst='$(DESTDIR)'$${e#*:*:}; \
		[ -d "$${dst%/*}" ] || $(INSTALL) -d -m 0755 "$${dst%/*}"; \
		if [ "$$mode" = unit ]; then \
			echo "sed 's|/usr/sbin/|$(SBINDIR)/|' $$src >$$dst"; \
			$(INSTALL) -m 0644 /dev/null "$$dst"; \
			sed 's|/usr/sbin/|$(SBINDIR)/|g' "$$src" >"$$dst"; \
		else \
			echo "$(INSTALL) -m $$mode $$src $$dst"; \
			$(INSTALL) -m "$$mode" "$$src" "$$dst"; \
		fi; \
	done

# Our own directories go too, when nothing else is left in them.
uninstall:
	@for e in $(INSTALL_LIST); do \
		dst='$(DESTDIR)'$${e#*:*:}; \
		echo "rm -f $$dst"; rm -f "$$dst"; \
	done; \
	for d in $(sort $(dir $(CONTRIB:contrib/%=$(DATADIR)/%))) \
	    $(DATADIR) $(SYSCONFDIR)/routehook; do \
		rmdir '$(DESTDIR)'"$$d" 2>/dev/null || true; \
	done


# --- make deb ---------------------------------------------------------------
#
#   make deb [DEBDIR=DIR]     routehook_VERSION_ARCH.deb in DIR (default .)
#
# dpkg-buildpackage wants the packaging in ./debian, and the tree keeps it
# in contrib/debian: the sources are copied to a scratch directory, with
# contrib/debian as its debian/, and built there, so the checkout never
# holds a debian/ directory or the build's leftovers.  debian/changelog
# is written there with the version from lib/version.h, the one place the
# version is kept (NEWS says what each version brought).
VERSION		:= $(shell sed -n 's/^\#define[[:space:]]*ROUTEHOOK_VERSION[[:space:]]*"\(.*\)"/\1/p' lib/version.h)
DEBDIR		?= .
DEB_MAINT	 = $(shell sed -n 's/^Maintainer: //p' contrib/debian/control)
DEB_SRC		:= Makefile README.md LICENSE NEWS lib fcgi worker etc contrib tests

deb:
	@set -e; [ -n '$(VERSION)' ] || { echo 'make deb: no version in lib/version.h' >&2; exit 1; }; \
	t=$$(mktemp -d "$${TMPDIR:-/tmp}/routehook-deb.XXXXXX"); \
	trap 'rm -rf "$$t"' EXIT; trap 'exit 1' INT TERM HUP; \
	s=$$t/routehook-$(VERSION); mkdir "$$s"; \
	tar -cf - --exclude='*.[oad]' --exclude=fcgi/routehook-fcgi \
	    --exclude=worker/routehook-worker --exclude=worker/routehookctl \
	    --exclude='tests/unit/*.t' $(addprefix --exclude=,$(BENCH_BIN)) \
	    $(DEB_SRC) | tar -C "$$s" -xf -; \
	mv "$$s/contrib/debian" "$$s/debian"; \
	{ echo 'routehook ($(VERSION)) unstable; urgency=medium'; echo; \
	  echo '  * Version $(VERSION); see NEWS.'; echo; \
	  echo ' -- $(DEB_MAINT)  '"$$(date -R)"; } >"$$s/debian/changelog"; \
	(cd "$$s" && dpkg-buildpackage -b -us -uc) >"$$t/build.log" 2>&1 || \
	    { tail -n 40 "$$t/build.log" >&2; echo 'make deb: dpkg-buildpackage failed' >&2; exit 1; }; \
	for f in "$$t"/routehook_$(VERSION)_*.deb; do \
		cp "$$f" '$(DEBDIR)'/; echo "$(DEBDIR)/$${f##*/}"; \
	done

-include $(shell find $(B)/lib $(B)/fcgi $(B)/worker $(B)/tests -name '*.d' 2>/dev/null)
