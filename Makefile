# Each target sets up .venv on first use (or when requirements.txt or pyproject.toml
# change): the pinned libraries, then this project installed in editable mode, which
# puts the `portal` command in .venv/bin. Then it hands over to invoke (tasks.py).
PYTHON ?= python3
VENV := .venv
STAMP := $(VENV)/.installed-stamp
INVOKE := $(VENV)/bin/invoke

.PHONY: run build test check preview publish bench clean bytecode

$(STAMP): requirements.txt pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed: make PYTHON=python3.11 ...")'
	@test -x $(VENV)/bin/python || $(PYTHON) -m venv $(VENV)
	$(VENV)/bin/python -m pip install --quiet --upgrade pip
	$(VENV)/bin/python -m pip install --quiet -r requirements.txt
	$(VENV)/bin/python -m pip install --quiet --no-deps --editable .
	@touch $(STAMP)

# The project's own modules compiled to bytecode, as pip compiles every package it installs (Pelican's
# too): each command then starts without compiling them, even where PYTHONDONTWRITEBYTECODE is set
# (as in many containers). Only what changed is compiled again (about 0.1 s when nothing did).
bytecode: $(STAMP)
	@$(VENV)/bin/python -m compileall -q -j 0 portal plugins ratings >/dev/null

run: bytecode
	$(INVOKE) run

build: bytecode
	$(INVOKE) build

test: bytecode
	$(INVOKE) test

check: bytecode
	$(INVOKE) check

preview: bytecode
	$(INVOKE) preview

publish: bytecode
	$(INVOKE) publish

bench: bytecode
	$(INVOKE) bench

clean:
	rm -rf output .output.* .pytest_cache
