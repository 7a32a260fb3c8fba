# The learner's copy: two commands do all set-up, `make demo` and `make test` (see README.md).
# Written by `course release` from grader/author/learner.mk in the instructor's repository.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
export NO_MKDOCS_2_WARNING := 1
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: demo test serve site install browser clean

install: $(STAMP)

# The learner's packages only: the site, and what this copy's tests use (no instructor tools).
$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[learner]'
	@touch $(STAMP)

# Debian's chromium, for the test that opens the lesson site in a real browser.
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "installing Debian's chromium for the browser tests"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

site: install
	$(BIN)/mkdocs build --strict --quiet

# Your progress: every exercise checked once, then the table (an unfinished exercise is not an error
# here; `course check N` shows what its checks say).
demo: install site
	$(BIN)/course list --check
	@echo "next: read the lessons (make serve), then work on an exercise: .venv/bin/course check N, .venv/bin/course hint N"

test: install browser
	$(BIN)/python -m pytest -n 2 -q

serve: install
	$(BIN)/mkdocs serve -a 127.0.0.1:8000

clean:
	rm -rf site .course build
