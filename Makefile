# Two commands do all the set-up: `make demo` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed

.PHONY: install demo test lint golden bench bench-delivery clean

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
	@echo "The web archive and feeds: $(PYTHON) -m http.server -d build/site, then http://127.0.0.1:8000/"
	@echo "A live preview that follows your edits: $(BIN)/flemletter preview 2025-11"
	@echo "(The warnings are real slips in the foundation's sample text, kept word for word.)"

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

# Delivery throughput: 10,000 through outbox and local SMTP; 100,000 through sendgrid (local).
bench-delivery: $(INSTALLED)
	$(BIN)/python -m benchmarks.send_outbox_smtp
	$(BIN)/python -m benchmarks.send_sendgrid

clean:
	rm -rf build outbox $(VENV)
