# The two commands of the README: `make run` (the bot; without a token yet, the practice room
# of `dondoc sandbox` on http://127.0.0.1:8080/) and `make test` (every check).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: run test lint install browser check-image

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[test]'
	touch $@

install: $(BIN)/.installed

config.toml:
	cp config.example.toml config.toml
	@echo "config.toml created from config.example.toml: put your bot token in it (without one, make run opens the practice room)."

run: $(BIN)/.installed config.toml
	$(BIN)/dondoc run --sandbox-if-no-token

lint: $(BIN)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

# Debian's chromium and an emoji font for the practice room's browser tests.
browser:
	scripts/browser

test: lint browser
	$(BIN)/pytest -q

# Not part of `make test`: builds the Docker image (buildah, minutes) and runs dondoc in it.
check-image:
	scripts/check-image
