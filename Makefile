# Quick start:  make demo   (set up, then extract the bundled example page)
#               make test   (set up with test extras, then run the test suite)
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
PIP    := $(PY) -m pip install --disable-pip-version-check -q

.PHONY: demo test bench train clean

$(VENV)/.base: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PIP) --upgrade pip
	$(PIP) -e .
	touch $@

$(VENV)/.test: $(VENV)/.base
	$(PIP) -e ".[test]"
	touch $@

demo: $(VENV)/.base
	$(VENV)/bin/copydesk extract examples/news-article.html --format markdown
	@echo; echo "--- the same page as JSON (fields only) ---"
	$(VENV)/bin/copydesk extract examples/news-article.html --format json | $(PY) -c "import json,sys; d=json.load(sys.stdin); [print(f'{k}: {d[k]}') for k in ('title','authors','date','publisher','language','credits','bio','confidence','page_type')]"

test: $(VENV)/.test
	$(PY) -m pytest -q -p no:cacheprovider

bench: $(VENV)/.base
	$(PIP) -e ".[bench]"
	$(VENV)/bin/copydesk bench --dataset all --jobs 2 --oof 5 \
	  --compare trafilatura,resiliparse,readability,justext,newspaper4k,goose3,boilerpy3,html-text

train: $(VENV)/.base
	$(VENV)/bin/copydesk train --folds 5

clean:
	rm -rf $(VENV) build *.egg-info
