# Two commands are the whole set-up: `make test` and `make demo`. Each creates .venv when needed.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
MODE ?= preview
STAMP := $(VENV)/.installed

.PHONY: test demo lint serve worker bench clean voice-sdk

$(STAMP): pyproject.toml setup.py
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[test]'
	@touch $(STAMP)

$(BIN)/dialer: $(STAMP)

test: $(STAMP)
	@case "$(PYTEST_ARGS)" in *'not browser'*) ;; *) sh tools/ensure_chromium.sh ;; esac
	$(BIN)/python -m pytest -q $(PYTEST_ARGS)

demo: $(STAMP)
	$(BIN)/dialer demo --port $(PORT) --mode $(MODE)

serve: $(STAMP)
	$(BIN)/dialer serve --port $(PORT)

worker: $(STAMP)
	$(BIN)/dialer worker

lint: $(STAMP)
	$(BIN)/ruff check dialer web tests bench tools
	$(BIN)/ruff format --check dialer web tests bench tools
	$(BIN)/mypy

bench: $(STAMP)
	@for b in bench/*.py; do echo "== $$b"; $(BIN)/python $$b || exit 1; done

clean:
	rm -rf $(VENV) var .pytest_cache

# The Twilio Voice JavaScript SDK for CARRIER=twilio: a pinned version fetched from the npm registry and
# checked against its integrity hash, into web/static/vendor/ (never committed).
voice-sdk: $(STAMP)
	$(BIN)/python tools/fetch_voice_sdk.py
