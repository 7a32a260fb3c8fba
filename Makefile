# Two commands do all set-up on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
export NO_MKDOCS_2_WARNING := 1
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: demo test soak serve site install browser sandbox-tools bench lint clean

install: $(STAMP)

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	@touch $(STAMP)

# Debian's chromium for the browser tests (Playwright's own browser download is not reachable).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "installing Debian's chromium for the browser tests"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

# bubblewrap isolates batch-graded submissions where the kernel allows user namespaces (optional).
sandbox-tools:
	@command -v bwrap >/dev/null 2>&1 || { \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq bubblewrap >/dev/null 2>&1 || \
	  echo "bubblewrap not installed: batch grading falls back to process limits only"; }

site: install
	$(BIN)/mkdocs build --strict --quiet

DEMO_PATH := $(if $(wildcard solutions),solutions,exercises)

demo: install site
	@echo "== learner checks on $(DEMO_PATH)/ =="
	$(BIN)/course check --path $(DEMO_PATH) || test "$(DEMO_PATH)" = exercises
	@echo "== progress =="
	$(BIN)/course list --path $(DEMO_PATH)
ifneq ($(wildcard solutions),)
	@echo "== the instructor's view: a small sample class graded (late work, similarity, class report) =="
	$(BIN)/python -m grader.author.sample_class .cache/demo/class
	$(BIN)/course grade .cache/demo/class --out .cache/demo/gradebook -e 1 -e 2 -e 4 \
	  --deadline 2026-12-01T23:59+01:00 --late-policy 'linear:10%/day,max:50%' --similarity
endif

test: install browser sandbox-tools
	$(BIN)/python -m pytest -n 2 --dist loadgroup -q

# The whole suite N times in a row, each in another shuffled order (seed i): order-dependent tests show up.
N ?= 10
soak: install browser sandbox-tools
	@for i in $$(seq 1 $(N)); do \
	  echo "== soak run $$i of $(N) (order seed $$i) =="; \
	  $(BIN)/python -m pytest -n 2 --dist loadgroup -q --random-order-bucket=module --random-order-seed=$$i \
	    || exit 1; \
	done

serve: install
	$(BIN)/mkdocs serve -a 127.0.0.1:8000

bench: install
	$(BIN)/python benchmarks/batch_overhead.py

lint: install
	$(BIN)/ruff check grader tests solutions benchmarks docs/hooks

clean:
	rm -rf site .course build
