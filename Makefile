# Two commands do all the set-up: `make demo` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed

.PHONY: install demo test lint golden bench clean

$(INSTALLED): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(INSTALLED)

install: $(INSTALLED)

demo: $(INSTALLED)
	$(BIN)/flemletter build 2025-11
	@echo
	@echo "Open the emails in a browser:"
	@echo "  $(CURDIR)/build/2025-11/en/email.html"
	@echo "  $(CURDIR)/build/2025-11/sv/email.html"

lint: $(INSTALLED)
	$(BIN)/ruff check src tests benchmarks scripts
	$(BIN)/ruff format --check src tests benchmarks scripts
	$(BIN)/mypy

test: lint
	$(BIN)/pytest

# Regenerate the golden files after a deliberate change to what readers see; review `git diff`.
golden: $(INSTALLED)
	$(BIN)/python -m tests.golden

bench: $(INSTALLED)
	$(BIN)/python -m benchmarks.build_sample

clean:
	rm -rf build outbox $(VENV)
