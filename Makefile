# The backpropagation workbook.  Start with README.md.
#
#   make check [CHAPTER=N] [EXERCISES=dir]   grade exercises (default: exercises/)
#   make book  [EDITION=student|instructor]  build the HTML and PDF book
#   make book-test [EDITION=...]             the book in headless Chromium and as PDF pages
#   make test                                the project's own tests
#   make run EXAMPLE=name|file.c [EXERCISES=dir]  run an example (or your copy) on your code
#   make exercises                           regenerate exercises/ from solutions/
#   make deps                                install missing tools (Debian/Ubuntu)

include course.mk

SHELL     := /bin/bash
BUILD     := build
EXERCISES ?= exercises
EDITION   ?= student
CHAPTER   ?=
PYTHON    ?= python3

CC     ?= cc
CFLAGS := -std=c11 -Wall -Wextra -Werror -O2 -g -Iharness/include

nn = ch0$(1)

.PHONY: all check run book book-test test exercises examples deps deps-grade deps-book clean help
.DELETE_ON_ERROR:

help:
	@sed -n 's/^#   make/make/p' Makefile

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
	@$(PYTHON) harness/grade.py --chapter "$(CHAPTER)" --exercises "$(EXERCISES)"

exercises:
	@$(PYTHON) harness/source.py exercises

# ---- examples: compiled against the solutions, run at build time ----------
SOLUTION_SRCS := $(foreach n,$(CHAPTERS),$(addprefix solutions/$(call nn,$(n))/,$(ch$(n).files)))
SOLUTION_OBJS := $(SOLUTION_SRCS:%.c=$(BUILD)/obj/%.o)
SUPPORT_OBJS  := $(BUILD)/obj/harness/src/dotgraph.o $(BUILD)/obj/harness/src/not_implemented_main.o
HEADERS       := $(wildcard harness/include/*.h)

$(BUILD)/obj/%.o: %.c $(HEADERS)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -c $< -o $@

EXAMPLE_OUTPUTS :=

# example_rules(n, name): build/examples/chNN/name{,.out} and, for graphs, .dot .svg .pdf
define example_rules
$(BUILD)/examples/$(call nn,$(1))/$(2): chapters/$(ch$(1).dir)/$(2).c $(SOLUTION_OBJS) $(SUPPORT_OBJS) $(HEADERS)
	@mkdir -p $$(@D)
	$$(CC) $$(CFLAGS) $$< $(SOLUTION_OBJS) $(SUPPORT_OBJS) -lm -lz -o $$@
$(BUILD)/examples/$(call nn,$(1))/$(2).out: $(BUILD)/examples/$(call nn,$(1))/$(2)
	@$$< > $$@ || { echo "error: example $(2) (chapters/$(ch$(1).dir)/$(2).c) failed; the book cannot show its output" >&2; exit 1; }
EXAMPLE_OUTPUTS += $(BUILD)/examples/$(call nn,$(1))/$(2).out
endef

define graph_rules
$(BUILD)/examples/$(call nn,$(1))/$(2).dot: $(BUILD)/examples/$(call nn,$(1))/$(2)
	@$$< --dot > $$@ || { echo "error: '$(2) --dot' failed; the book cannot draw its graph" >&2; exit 1; }
$(BUILD)/examples/$(call nn,$(1))/$(2).svg: $(BUILD)/examples/$(call nn,$(1))/$(2).dot
	dot -Tsvg $$< -o $$@
$(BUILD)/examples/$(call nn,$(1))/$(2).pdf: $(BUILD)/examples/$(call nn,$(1))/$(2).dot
	dot -Tpdf $$< -o $$@
EXAMPLE_OUTPUTS += $(addprefix $(BUILD)/examples/$(call nn,$(1))/$(2),.svg .pdf)
endef

$(foreach n,$(CHAPTERS),$(foreach e,$(ch$(n).examples),$(eval $(call example_rules,$(n),$(e)))))
$(foreach n,$(CHAPTERS),$(foreach g,$(ch$(n).graphs),$(eval $(call graph_rules,$(n),$(g)))))

examples: $(EXAMPLE_OUTPUTS)

# ---- run an example, or your own program, on the learner's code ----------------
# EXAMPLE is a chapter's example (buy_apple) or a path to your own .c file
# with a main (a copy of an example you changed); it is linked with the
# exercise files of its chapter and the chapters before it (all of them for
# your own file).
ALL_EXAMPLES := $(strip $(foreach n,$(CHAPTERS),$(ch$(n).examples)))
run_ch = $(strip $(foreach n,$(CHAPTERS),$(if $(filter $(EXAMPLE),$(ch$(n).examples)),$(n))))
upto = $(foreach k,$(CHAPTERS),$(if $(filter $(k),$(wordlist 1,$(1),$(CHAPTERS))),$(addprefix $(EXERCISES)/$(call nn,$(k))/,$(ch$(k).files))))
run_src  = $(if $(run_ch),chapters/$(ch$(run_ch).dir)/$(EXAMPLE).c,$(filter %.c,$(EXAMPLE)))
run_libs = $(call upto,$(if $(run_ch),$(run_ch),$(words $(CHAPTERS))))
run_bin  = $(BUILD)/run/$(basename $(notdir $(EXAMPLE)))

run:
	@if [ -z "$(run_src)" ] || [ ! -f "$(run_src)" ]; then \
	  echo "error: EXAMPLE='$(EXAMPLE)' is neither an example nor a .c file that exists." >&2; \
	  echo "       examples: $(ALL_EXAMPLES)" >&2; \
	  echo "       e.g. make run EXAMPLE=buy_apple, or make run EXAMPLE=scratch/my_apple.c" >&2; exit 2; fi
	@mkdir -p $(BUILD)/run
	@$(CC) $(CFLAGS) $(run_src) $(run_libs) harness/src/dotgraph.c harness/src/not_implemented_main.c \
	  -lm -lz -o $(run_bin)
	@$(run_bin) $(ARGS)

# ---- the book -------------------------------------------------------------
book: deps-book examples
	@$(PYTHON) book/build.py --edition $(EDITION)

# screenshots in build/book/$(EDITION)/screenshots/, PDF pages in .../pdf-pages/
book-test: book
	@harness/deps.sh test
	@$(PYTHON) book/test_browser.py --edition $(EDITION)
	@$(PYTHON) book/test_pdf.py --edition $(EDITION)

# ---- the project's own tests ----------------------------------------------
test: deps
	@$(PYTHON) harness/selftest.py

clean:
	rm -rf $(BUILD)
