# The backpropagation workbook.  Start with README.md.
#
#   make check [CHAPTER=N] [EXERCISES=dir] [RESULTS=file.json] [JUNIT=file.xml]
#                                            grade exercises (default: exercises/); RESULTS:
#                                            also write every verdict as JSON; JUNIT: as
#                                            JUnit XML, for a CI
#   make run EXAMPLE=name [ARGS=...] [EXERCISES=dir] [FAST=1]
#                                            run a chapter's example, or your copy of one
#                                            (EXAMPLE=my_apple.c, or EXAMPLE=my_apple when
#                                            my_apple.c is in this folder), on your code,
#                                            with AddressSanitizer and UBSan (FAST=1: off);
#                                            e.g. make run EXAMPLE=apple_gradients ARGS=--dot
#   make progress                            every chapter and function: done, failing or not
#                                            started, and what to do next
#   make hint CHAPTER=N | EXERCISE=name      one more hint each time you ask (name: a function,
#                                            e.g. mul_backward, or a file, e.g. mul_layer)
#   make watch CHAPTER=N                     regrade the chapter each time you save; Ctrl-C stops
#   make reset EXERCISE=name [YES=1]         put a pristine stub back (asks first; keeps
#                                            yours as FILE.~N~)
#   make exercises [FORCE=1]                 regenerate exercises/ from solutions/; never
#                                            overwrites your edits (FORCE=1 does, keeping
#                                            a backup FILE.~N~ next to each)
#   make book  [EDITION=student|instructor] [FORMAT=html|pdf]
#                                            build the HTML and PDF book (V=1: show commands)
#   make book-test [EDITION=...]             the book in headless Chromium and as PDF pages
#   make grade SUBMISSIONS=dir [JOBS=n] [OUT=dir] [CHAPTER=N,M]
#                                            grade a class: one folder or archive per learner
#                                            -> OUT (build/grades/): gradebook.csv, feedback/,
#                                            summary.txt; a re-run regrades only what changed
#   make grade-bench [N=200] [JOBS=n]        time grading a synthetic class of N submissions
#   make dist-student                        the archive a course hands out, searched for any
#                                            solution line: build/dist/backprop-workbook-student.tar.gz
#   make dist-instructor                     everything, solutions and both books:
#                                            build/dist/backprop-workbook-instructor.tar.gz
#   make gradescope [CHAPTER=N]              a Gradescope autograder: build/dist/gradescope-autograder.zip
#                                            (CHAPTER: one chapter's assignment, ...-chNN.zip)
#   make classroom                           a GitHub Classroom starter repository, with its
#                                            autograding workflow: build/dist/classroom/
#   make train [BLAS=1] [SHORT=1]            the textbook's full training run (10000 iterations,
#                                            784-50-10 on Fashion-MNIST, about 87%) with a progress
#                                            bar; BLAS=1: matrix products by OpenBLAS; SHORT=1: 300
#   make bench [BLAS=1] [SHORT=1]            C against NumPy, side by side: iterations/s, accuracy,
#                                            GFLOP/s against this machine's dgemm peak; the grader's
#                                            and the book's build times (SHORT=1: seconds, for CI)
#   make deps                                install missing tools (Debian/Ubuntu)
#   make test                                the project's own tests (a few minutes)
#   make test-quick                          the grader's inner loop: sync, lint, grading,
#                                            robustness, a quarter of the mutants (about 1 min)

SHELL     := /bin/bash
BUILD     := build
EXERCISES ?= exercises
EDITION   ?= student
CHAPTER   ?=
# Debian's python3: the one its python3-* packages (pandocfilters, selenium) are for.
# The tools are two packages under harness/: workbook (python3 -m workbook ...)
# and selftest (python3 -m selftest).
PYTHON    ?= $(firstword $(wildcard /usr/bin/python3) python3)
export PYTHONPATH := $(CURDIR)/harness

CC     ?= cc
# Every warning is an error, except an unused parameter: a correct add_backward
# never reads `layer`, and the book says to delete the TODO's (void) casts.
WARN   := -Wall -Wextra -Werror -Wno-unused-parameter
# Example programs, make train and make run FAST=1: -O3 vectorises the layers' inner
# loops (they walk rows of W, dW and out in memory order; -O2 leaves them scalar here),
# -march=native lets it use this processor's widest vector instructions (AVX2, AVX-512):
# together about 3 times faster on chapter 6's training run (make bench measures it).
# The programs run where they are built, so native is safe. -ffp-contract=off keeps
# a * b + c two roundings, never one fused multiply-add, so every build, with any
# flags or compiler, prints the same digits the book shows.
FAST_CFLAGS := -O3 -march=native -ffp-contract=off
CFLAGS := -std=c11 $(WARN) $(FAST_CFLAGS) -g -Iharness/include
# make run on your code: as the grader, an unused variable or function is a
# warning, not an error; the sanitizers report an out-of-bounds access or
# undefined behaviour with its file and line, instead of memory silently
# corrupted. UBSan's alignment, null, pointer-overflow and object-size checks
# are left out: they add nothing here (ASan reports a NULL dereference as SEGV,
# with its line) and cost as much as the rest. Much slower: FAST=1 turns the
# sanitizers off and builds with FAST_CFLAGS (chapter 6's training run on the
# reference code: 8 s of processor time instead of 64).
SANITIZE   := -O1 -g -fsanitize=address,undefined -fno-sanitize=alignment,null,pointer-overflow,object-size \
              -fno-sanitize-recover=undefined -fno-omit-frame-pointer
RUN_CFLAGS := -std=c11 $(WARN) -Wno-error=unused-variable -Wno-error=unused-but-set-variable \
              -Wno-error=unused-but-set-parameter -Wno-error=unused-function -Iharness/include $(if $(filter 1,$(FAST)),$(FAST_CFLAGS) -g,$(SANITIZE))

# quiet: one line per step (make -s shows none); V=1 shows every command
Q := $(if $(filter 1,$(V)),,@)
# Each file is written under a temporary name, then renamed: two makes in one
# tree (two sessions' make test, make book beside make test) never run or read
# a half-written program or output. $$ in the shell: its process id.
TMPSUF = .tmp$$$$

# ---- the manifest: course.toml, as make variables -----------------------------
# python3 -m workbook make-include writes them (CHAPTERS, chN.nn, chN.dir, chN.files,
# chN.examples, chN.graphs) to build/course.mk; make rebuilds it when
# course.toml changes. Only the targets that use a chapter list read it (so
# `make check` works in a checkout it cannot write to), and a make asked for files
# under build/examples/ (book_step's `make -q FILES`: without the rules, a file that
# exists would count as up to date however old).
COURSE_MK := $(BUILD)/course.mk
ifneq ($(filter all book book-test examples example-programs example-outputs example-figures run test,\
                $(MAKECMDGOALS))$(filter $(BUILD)/examples/%,$(MAKECMDGOALS)),)
-include $(COURSE_MK)
endif
$(COURSE_MK): course.toml harness/workbook/course.py
	@harness/deps.sh grade
	@mkdir -p $(@D)
	$(Q)$(PYTHON) -m workbook make-include > $@.tmp && mv $@.tmp $@

nn = $(ch$(1).nn)

.PHONY: progress hint watch reset
.PHONY: all check run book book-test test test-quick exercises examples example-programs example-outputs example-figures \
        deps deps-grade deps-book clean help
.DELETE_ON_ERROR:

help:
	@sed -n '/^#   make/,/^$$/s/^#   //p' Makefile

all: book

# ---- set-up ---------------------------------------------------------------
deps:
	@harness/deps.sh all
deps-grade:
	@harness/deps.sh grade
deps-book:
	@harness/deps.sh book

# ---- grading --------------------------------------------------------------
check: deps-grade
ifeq ($(JUNIT),)
	@$(PYTHON) -m workbook check --chapter "$(CHAPTER)" --exercises "$(EXERCISES)" $(if $(RESULTS),--results "$(RESULTS)")
else
# JUNIT=file.xml: the results JSON (RESULTS, or a temporary one) as JUnit XML; the status is the grader's
	@r="$(or $(RESULTS),$${TMPDIR:-/tmp}/check.$$$$.json)"; status=0; \
	  $(PYTHON) -m workbook check --chapter "$(CHAPTER)" --exercises "$(EXERCISES)" --results "$$r" || status=$$?; \
	  if [ -s "$$r" ]; then $(PYTHON) -m workbook dist junit "$$r" "$(JUNIT)" || [ $$status -ne 0 ] || status=1; fi; \
	  $(if $(RESULTS),,rm -f "$$r";) exit $$status
endif

exercises: have-solutions
	@$(PYTHON) -m workbook exercises $(if $(filter 1,$(FORCE)),--force)

# ---- examples: compiled against the solutions, run at build time ----------
SOLUTION_SRCS := $(foreach n,$(CHAPTERS),$(addprefix solutions/$(call nn,$(n))/,$(ch$(n).files)))
SOLUTION_OBJS := $(SOLUTION_SRCS:%.c=$(BUILD)/obj/%.o)
# an example of chapter N links the solutions of the chapters up to N
solutions_upto = $(foreach k,$(ch$(1).upto),$(addprefix $(BUILD)/obj/solutions/$(call nn,$(k))/,$(ch$(k).files:.c=.o)))
SUPPORT_OBJS  := $(BUILD)/obj/harness/src/dotgraph.o $(BUILD)/obj/harness/src/not_implemented_main.o
HEADERS       := $(wildcard harness/include/*.h)

$(BUILD)/obj/%.o: %.c $(HEADERS)
	@mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) -c $< -o $@$(TMPSUF) && mv -f $@$(TMPSUF) $@

EXAMPLE_PROGRAMS :=
EXAMPLE_TEXTS    :=
EXAMPLE_FIGURES  :=

# example_rules(n, name): build/examples/chNN/name{,.out} and, for graphs, .dot .svg .pdf;
# an example with plots (chN.plotted) runs as `name --data name.dat`: the same run
# writes the numbers its plots draw (a grouped target, &:, makes both files or neither)
define example_rules
$(BUILD)/examples/$(call nn,$(1))/$(2): chapters/$(ch$(1).dir)/$(2).c $(call solutions_upto,$(1)) $(SUPPORT_OBJS) $(HEADERS)
	@mkdir -p $$(@D)
	$(Q)$$(CC) $$(CFLAGS) $$< $(call solutions_upto,$(1)) $(SUPPORT_OBJS) -lm -lz -o $$@$$(TMPSUF) && mv -f $$@$$(TMPSUF) $$@
$(BUILD)/examples/$(call nn,$(1))/$(2).out $(if $(filter $(2),$(ch$(1).plotted)),$(BUILD)/examples/$(call nn,$(1))/$(2).dat &:,:) $(BUILD)/examples/$(call nn,$(1))/$(2)
	$(Q)$$< $(if $(filter $(2),$(ch$(1).plotted)),--data $$<.dat$$(TMPSUF)) > $$<.out$$(TMPSUF) \
	  $(if $(filter $(2),$(ch$(1).plotted)),&& mv -f $$<.dat$$(TMPSUF) $$<.dat) \
	  && mv -f $$<.out$$(TMPSUF) $$<.out || { rm -f $$<.out$$(TMPSUF) $$<.dat$$(TMPSUF); \
	  echo "error: example $(2) (chapters/$(ch$(1).dir)/$(2).c) failed; the book cannot show its output" >&2; exit 1; }
EXAMPLE_PROGRAMS += $(BUILD)/examples/$(call nn,$(1))/$(2)
EXAMPLE_TEXTS    += $(BUILD)/examples/$(call nn,$(1))/$(2).out
endef

define graph_rules
$(BUILD)/examples/$(call nn,$(1))/$(2).dot: $(BUILD)/examples/$(call nn,$(1))/$(2)
	$(Q)$$< --dot > $$@$$(TMPSUF) && mv -f $$@$$(TMPSUF) $$@ || { rm -f $$@$$(TMPSUF); \
	  echo "error: '$(2) --dot' failed; the book cannot draw its graph" >&2; exit 1; }
$(BUILD)/examples/$(call nn,$(1))/$(2).svg: $(BUILD)/examples/$(call nn,$(1))/$(2).dot harness/workbook/figure.py
	$(Q)$(PYTHON) -m workbook figure $$< $$@
$(BUILD)/examples/$(call nn,$(1))/$(2).pdf: $(BUILD)/examples/$(call nn,$(1))/$(2).dot harness/workbook/figure.py
	$(Q)$(PYTHON) -m workbook figure $$< $$@
EXAMPLE_FIGURES += $(addprefix $(BUILD)/examples/$(call nn,$(1))/$(2),.svg .pdf)
endef

# plot_rules(n, plot, example, format): build/examples/chNN/plot.svg (with plot.alt, its text
# alternative) or .pdf, drawn by gnuplot: harness/src/figure.gp, then chapters/<dir>/plot.gp,
# from the numbers example.dat holds
define plot_rules
$(BUILD)/examples/$(call nn,$(1))/$(2).$(4): chapters/$(ch$(1).dir)/$(2).gp harness/src/figure.gp $(BUILD)/examples/$(call nn,$(1))/$(3).dat
	$(Q)gnuplot -e "data='$(BUILD)/examples/$(call nn,$(1))/$(3).dat'; format='$(4)'; output='$$@$$(TMPSUF)'; \
	  alt='$(if $(filter svg,$(4)),$$(@:.svg=.alt)$$(TMPSUF),/dev/null)'" harness/src/figure.gp $$< \
	  $(if $(filter svg,$(4)),&& mv -f $$(@:.svg=.alt)$$(TMPSUF) $$(@:.svg=.alt)) && mv -f $$@$$(TMPSUF) $$@ \
	  || { rm -f $$@$$(TMPSUF) $(if $(filter svg,$(4)),$$(@:.svg=.alt)$$(TMPSUF)); \
	  echo "error: gnuplot could not draw $(2) (chapters/$(ch$(1).dir)/$(2).gp) from the data of $(3)" >&2; exit 1; }
EXAMPLE_FIGURES += $(BUILD)/examples/$(call nn,$(1))/$(2).$(4)
endef

$(foreach n,$(CHAPTERS),$(foreach e,$(ch$(n).examples),$(eval $(call example_rules,$(n),$(e)))))
$(foreach n,$(CHAPTERS),$(foreach g,$(ch$(n).graphs),$(eval $(call graph_rules,$(n),$(g)))))
$(foreach n,$(CHAPTERS),$(foreach p,$(ch$(n).plots),$(foreach f,svg pdf,\
  $(eval $(call plot_rules,$(n),$(p),$(ch$(n).plot.$(p)),$(f))))))

example-programs: have-solutions $(EXAMPLE_PROGRAMS) ; @:
example-outputs: have-solutions $(EXAMPLE_TEXTS) ; @:
example-figures: have-solutions $(EXAMPLE_FIGURES) ; @:
examples: have-solutions $(EXAMPLE_TEXTS) $(EXAMPLE_FIGURES)

# ---- run an example, or your own program, on the learner's code ----------------
# EXAMPLE is a chapter's example (buy_apple), or your own .c file with a main
# (a copy of an example you changed): a path (scratch/my_apple.c), or a name
# whose NAME.c is in this folder (my_apple). It is linked with the exercise
# files of its chapter and the chapters before it (all of them for your own
# file), built with the sanitizers (FAST=1: without), and run with ARGS.
ALL_EXAMPLES := $(strip $(foreach n,$(CHAPTERS),$(ch$(n).examples)))
run_ch = $(strip $(foreach n,$(CHAPTERS),$(if $(filter $(EXAMPLE),$(ch$(n).examples)),$(n))))
upto = $(foreach k,$(ch$(1).upto),$(addprefix $(EXERCISES)/$(call nn,$(k))/,$(ch$(k).files)))
run_own  = $(if $(filter %.c,$(EXAMPLE)),$(EXAMPLE),$(if $(EXAMPLE),$(EXAMPLE).c))
run_src  = $(if $(run_ch),chapters/$(ch$(run_ch).dir)/$(EXAMPLE).c,$(run_own))
run_libs = $(call upto,$(if $(run_ch),$(run_ch),$(lastword $(CHAPTERS))))
run_bin  = $(BUILD)/run/$(basename $(notdir $(EXAMPLE)))

# Only the program's own output goes to stdout (make run ... ARGS=--dot | dot -Tsvg).
run:
	@if [ -z "$(EXAMPLE)" ]; then \
	  echo "error: say which program to run: make run EXAMPLE=name, e.g. make run EXAMPLE=buy_apple" >&2; \
	  echo "       examples: $(ALL_EXAMPLES)" >&2; exit 2; \
	elif [ -z "$(run_ch)" ] && [ ! -f "$(run_own)" ]; then \
	  echo "error: EXAMPLE=$(EXAMPLE) is neither an example nor a .c file that exists (there is no $(run_own) in $(CURDIR))." >&2; \
	  echo "       examples: $(ALL_EXAMPLES)" >&2; \
	  echo "       your own file: make run EXAMPLE=my_apple.c (or EXAMPLE=my_apple) for my_apple.c in $(CURDIR), or EXAMPLE=path/to/file.c" >&2; \
	  exit 2; \
	fi
	@if [ -n "$(run_ch)" ] && [ -f "$(EXAMPLE).c" ]; then \
	  echo "note: running the chapter's example $(EXAMPLE); for your copy $(EXAMPLE).c, say EXAMPLE=$(EXAMPLE).c" >&2; fi
	@mkdir -p $(BUILD)/run
	$(Q)$(CC) $(RUN_CFLAGS) $(run_src) $(run_libs) harness/src/dotgraph.c harness/src/not_implemented_main.c \
	  -lm -lz -o $(run_bin)
	$(Q)ASAN_OPTIONS="detect_leaks=0:print_legend=0$${ASAN_OPTIONS:+:$$ASAN_OPTIONS}" \
	  UBSAN_OPTIONS="print_stacktrace=1$${UBSAN_OPTIONS:+:$$UBSAN_OPTIONS}" $(run_bin) $(ARGS)

# ---- the book -------------------------------------------------------------
# book_step(what, target, its files): the line "book: what", then the target,
# when any of its files is out of date
book_step = @$(MAKE) -q --no-print-directory $(3) 2>/dev/null || { echo "book: $(1)"; $(MAKE) --no-print-directory $(2); }

ifneq ($(wildcard solutions/ch*),)
book: deps-book
	$(call book_step,compiling examples,example-programs,$(EXAMPLE_PROGRAMS))
	$(call book_step,running examples,example-outputs,$(EXAMPLE_TEXTS))
	$(call book_step,drawing figures,example-figures,$(EXAMPLE_FIGURES))
	@$(PYTHON) -m workbook book --edition $(EDITION) --build-dir $(BUILD) $(if $(FORMAT),--format $(FORMAT))
else
# A student release (make dist-student) has no solutions/ to run the examples on:
# its book comes built, in release/book/student/, and make book puts it in place.
book:
	@$(PYTHON) -m workbook dist release-book --edition "$(EDITION)" --format "$(FORMAT)"
endif

# screenshots in build/book/$(EDITION)/screenshots/, PDF pages in .../pdf-pages/
book-test: have-solutions book
	@harness/deps.sh test
	@$(PYTHON) -m selftest.browser --edition $(EDITION)
	@$(PYTHON) -m selftest.pdf --edition $(EDITION)

# ---- the project's own tests ----------------------------------------------
test: have-solutions deps
	@$(PYTHON) -m workbook test

# the inner loop of someone changing the grader: no book, a quarter of the mutants
test-quick: have-solutions deps-grade
	@$(PYTHON) -m workbook test --quick

# ---- the learner's loop: progress, hint, watch, reset ------------------------
# What they remember (last results, hints shown) is in build/progress/.
progress: deps-grade
	@$(PYTHON) -m workbook progress

hint:
	@$(PYTHON) -m workbook hint $(if $(CHAPTER),--chapter "$(CHAPTER)") $(if $(EXERCISE),--exercise "$(EXERCISE)")

watch: deps-grade
	@$(PYTHON) -m workbook watch --chapter "$(CHAPTER)"

reset:
	@$(PYTHON) -m workbook reset --exercise "$(EXERCISE)" $(if $(filter 1,$(YES)),--yes)

# ---- a course: release, grade a class, course platforms -----------------------
# make grade: the grader's objects are built once, then each submission is graded
# in a process of its own, JOBS at a time (default: the number of cores).
.PHONY: grade grade-bench
grade: deps-grade
	@$(PYTHON) -m workbook grade --submissions "$(SUBMISSIONS)" --jobs "$(JOBS)" \
	  --out "$(or $(OUT),$(BUILD)/grades)" --chapter "$(CHAPTER)"

grade-bench: deps-grade
	@$(PYTHON) -m workbook grade --bench "$(or $(N),200)" --jobs "$(JOBS)"

# Releases (harness/workbook/dist.py): make dist-student searches every file of its
# archive, the book's HTML and PDF text included, for the solutions' lines before
# keeping it. The platforms' packages hold the student release (workbook/platforms.py,
# templates in harness/platforms/).
.PHONY: dist-student dist-instructor gradescope classroom have-solutions
dist-student: have-solutions deps-book
	@$(MAKE) --no-print-directory book EDITION=student
	@$(PYTHON) -m workbook dist student

dist-instructor: have-solutions deps-book
	@$(MAKE) --no-print-directory book EDITION=student
	@$(MAKE) --no-print-directory book EDITION=instructor
	@$(PYTHON) -m workbook dist instructor

gradescope: have-solutions deps-grade
	@$(PYTHON) -m workbook dist gradescope --chapter "$(CHAPTER)"

classroom: have-solutions deps-book
	@$(MAKE) --no-print-directory book EDITION=student
	@$(PYTHON) -m workbook dist classroom

# A student release has no solutions/: what needs them says so before anything else.
have-solutions:
	@test -d solutions || { echo "make $(or $(MAKECMDGOALS),all): not in the student release: it needs solutions/," \
	  "which a student release leaves out. Yours are make check, make run, make book, make progress, make hint," \
	  "make watch and make reset (make help lists them)." >&2; exit 2; }

# ---- chapter 6: the full training run and the benchmark ------------------------
# make train: harness/bench/train.c on the reference solutions, built with FAST_CFLAGS.
# BLAS=1 links harness/bench/affine_blas.c (the same Affine layer, its products by
# cblas_dgemm from Debian's OpenBLAS) in place of solutions/ch05/affine.c: one file
# swapped at link time, so the solutions the learner reads stay plain loops.
# OpenBLAS runs on one thread, with its own choice of kernels: OPENBLAS_CORETYPE and
# OPENBLAS_L2_SIZE, when the environment sets them, are unset for these commands only.
# make bench: harness/workbook/bench.py runs the builds and harness/bench/train_numpy.py.
.PHONY: train bench deps-bench
TRAIN_SRCS := harness/bench/train.c solutions/ch04/relu_layer.c solutions/ch05/softmax_loss.c \
              solutions/ch06/two_layer_net.c
ONE_THREAD := env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE OPENBLAS_NUM_THREADS=1
train_bin  := $(BUILD)/bench/train$(if $(filter 1,$(BLAS)),-blas)

$(BUILD)/bench/train: $(TRAIN_SRCS) solutions/ch05/affine.c $(HEADERS)
	@mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) $(TRAIN_SRCS) solutions/ch05/affine.c -lm -lz -o $@$(TMPSUF) && mv -f $@$(TMPSUF) $@
# the same at -O2, for the table: what the flags are worth
$(BUILD)/bench/train-O2: $(TRAIN_SRCS) solutions/ch05/affine.c $(HEADERS)
	@mkdir -p $(@D)
	$(Q)$(CC) $(subst $(FAST_CFLAGS),-O2,$(CFLAGS)) $(TRAIN_SRCS) solutions/ch05/affine.c -lm -lz -o $@$(TMPSUF) \
	  && mv -f $@$(TMPSUF) $@
$(BUILD)/bench/train-blas: $(TRAIN_SRCS) harness/bench/affine_blas.c $(HEADERS)
	@mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) $(TRAIN_SRCS) harness/bench/affine_blas.c -lopenblas -lm -lz -o $@$(TMPSUF) \
	  && mv -f $@$(TMPSUF) $@
$(BUILD)/bench/dgemm_peak: harness/bench/dgemm_peak.c
	@mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) $< -lopenblas -o $@$(TMPSUF) && mv -f $@$(TMPSUF) $@

deps-bench:
	@harness/deps.sh bench

train: have-solutions deps-bench
	@$(MAKE) -s --no-print-directory $(train_bin)
	@$(ONE_THREAD) $(train_bin) $(if $(filter 1,$(SHORT)),--iterations 300)

# the BLAS build is part of the table whenever it builds (BLAS=1: it must)
bench: have-solutions deps-bench
	@$(MAKE) -s --no-print-directory $(BUILD)/bench/train $(if $(filter 1,$(SHORT)),,$(BUILD)/bench/train-O2)
	@$(MAKE) -s --no-print-directory $(BUILD)/bench/train-blas $(BUILD)/bench/dgemm_peak \
	  $(if $(filter 1,$(BLAS)),,2>/dev/null || { rm -f $(BUILD)/bench/train-blas $(BUILD)/bench/dgemm_peak; \
	  echo "bench: no BLAS build (is libopenblas-dev installed?): its row is left out" >&2; })
	@$(ONE_THREAD) $(PYTHON) -m workbook bench --build $(BUILD)/bench --flags "$(FAST_CFLAGS)" $(if $(filter 1,$(BLAS)),--blas) \
	  $(if $(filter 1,$(SHORT)),--short)

clean:
	rm -rf $(BUILD)
