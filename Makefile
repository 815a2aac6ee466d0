# Course tasks. Every target creates .venv and installs requirements.txt on first use.
SHELL := /bin/bash
PYTHON ?= python3
# The Pythons `make test-pythons` tries; the supported range is requires-python in pyproject.toml.
PYTHONS ?= python3.11 python3.12 python3.13
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
export TF_CPP_MIN_LOG_LEVEL ?= 2
# The Keras backend of every target: `make test BACKEND=jax` (or torch) first installs
# requirements-BACKEND.txt into .venv, then runs with KERAS_BACKEND=BACKEND. TensorFlow (in
# requirements.txt) is the default; an exported KERAS_BACKEND is honoured too.
BACKENDS := tensorflow jax torch
BACKEND ?= $(or $(KERAS_BACKEND),tensorflow)
ifeq ($(filter $(BACKEND),$(BACKENDS)),)
$(error BACKEND=$(BACKEND): expected one of $(BACKENDS))
endif
export KERAS_BACKEND := $(BACKEND)
BACKEND_STAMP := $(VENV)/.installed-$(BACKEND)

.PHONY: install install-backends test test-fast test-notebooks test-pythons lint figures slides slides-deps \
    slides-check lab lab-check throughput student-notebooks book book-deps book-check clean

install: $(BACKEND_STAMP)

# Both optional backends (CI tests all three): requirements-jax.txt and requirements-torch.txt.
install-backends: $(VENV)/.installed-jax $(VENV)/.installed-torch

# First, the Python that .venv has (or will have) must be in the supported range.
$(STAMP): requirements.txt pyproject.toml
	$(if $(wildcard $(PY)),$(PY),$(PYTHON)) tools/python_range.py
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $(STAMP)

$(VENV)/.installed-tensorflow: $(STAMP)
	touch $@

$(VENV)/.installed-%: requirements-%.txt $(STAMP)
	$(PY) -m pip install --quiet -r requirements-$*.txt
	touch $@

# Unit tests, then every notebook through nbval, in smoke mode (VAE_SMOKE=1).
test: $(BACKEND_STAMP)
	VAE_SMOKE=$${VAE_SMOKE:-1} $(PY) -m pytest

# The fast inner loop: unit tests without the slow ones (training, smoke figures, browser).
test-fast: $(BACKEND_STAMP)
	VAE_SMOKE=1 $(PY) -m pytest -m "not slow" tests

# Every notebook through nbval in smoke mode: the notebook half of `make test` (CI runs it
# on each backend: `make test-notebooks BACKEND=jax`).
test-notebooks: $(BACKEND_STAMP)
	VAE_SMOKE=1 $(PY) -m pytest notebooks

# Style and import order of the library, tests, scripts and notebooks (ruff, pyproject.toml).
lint: $(STAMP)
	$(VENV)/bin/ruff check .

# Each Python of PYTHONS found here: a venv in .venvs/, requirements.txt, the fast unit tests
# (pytest -m "not slow" tests). Absent ones are skipped; ones outside the range, not tried.
test-pythons:
	$(PYTHON) tools/test_pythons.py $(PYTHONS)

# Regenerate every slide figure into slides/figures/ (PNG + PDF), from the trained models
# cached in $$KERAS_HOME/vae-course-models/ (~/.keras by default; trained there first if absent).
figures: $(BACKEND_STAMP)
	$(PY) slides/make_figures.py

# The trained-model cache, $$KERAS_HOME/vae-course-models/: list each entry (size, date, model
# card), or delete them all (python -m vae.recipes clear --name NAME deletes one recipe's).
.PHONY: cache clean-cache
cache: $(STAMP)
	$(PY) -m vae.recipes list

clean-cache: $(STAMP)
	$(PY) -m vae.recipes clear

# reveal.js + KaTeX from the npm registry, pinned by slides/package-lock.json (no CDN).
NODE_STAMP := slides/node_modules/.installed
slides-deps: $(NODE_STAMP)

$(NODE_STAMP): slides/package.json slides/package-lock.json
	cd slides && npm ci --no-audit --no-fund
	touch $(NODE_STAMP)

# Build every deck (slides/decks/*.md) into offline HTML in slides/build/ (after `make figures`).
slides: $(STAMP) $(NODE_STAMP)
	$(PY) slides/build_decks.py

# Open every built deck in headless chromium: slides, images, math; screenshots in slides/build/screenshots/.
slides-check: $(STAMP)
	$(PY) slides/check_decks.py

# The course website in book/_build/full/html/ (VAE_SMOKE=1: book/_build/smoke/html/): the
# lectures, every notebook executed (jupyter-cache: unchanged notebooks are not re-run), the
# decks, the API reference. Sphinx and its theme from book/requirements.txt, MathJax from npm
# (book/package-lock.json), reveal.js and KaTeX from slides/: everything served by the site.
BOOK_STAMP := $(VENV)/.installed-book
BOOK_NODE_STAMP := book/node_modules/.installed
book-deps: $(BOOK_STAMP) $(BOOK_NODE_STAMP) $(NODE_STAMP)

$(BOOK_STAMP): $(STAMP) book/requirements.txt
	$(PY) -m pip install --quiet -r book/requirements.txt
	touch $(BOOK_STAMP)

$(BOOK_NODE_STAMP): book/package.json book/package-lock.json
	cd book && npm ci --no-audit --no-fund
	touch $(BOOK_NODE_STAMP)

book: $(BACKEND_STAMP) book-deps
	$(PY) book/build.py

# Open every page of the built site in headless chromium: console errors, requests leaving the
# machine, images, alt text, math, solutions folded, links, search; screenshots beside html/.
book-check: $(BOOK_STAMP)
	$(PY) book/check_site.py

# Jupyter's and IPython's own files (settings, workspaces, runtime files, kernel specs, history)
# for `make lab` and `make lab-check` in .jupyter/ (git-ignored): nothing is written to ~. Its
# kernel specs come first (JUPYTER_PREFER_ENV_PATH=0), before .venv/share/jupyter's.
JUPYTER_HOME := $(CURDIR)/.jupyter
JUPYTER_ENV := JUPYTER_CONFIG_DIR=$(JUPYTER_HOME)/config JUPYTER_DATA_DIR=$(JUPYTER_HOME)/data \
    JUPYTER_RUNTIME_DIR=$(JUPYTER_HOME)/runtime IPYTHONDIR=$(JUPYTER_HOME)/ipython \
    JUPYTER_PREFER_ENV_PATH=0
# The course's kernel: .venv's Python with the course's log level, registered by the README's
# own command, but in .jupyter/data (JUPYTER_DATA_DIR) and under the name the notebooks ask for.
KERNEL := $(JUPYTER_HOME)/data/kernels/python3/kernel.json
$(KERNEL): $(STAMP)
	$(JUPYTER_ENV) $(PY) -m ipykernel install --user --name python3 \
	    --display-name "Python 3 (VAE course)" --env TF_CPP_MIN_LOG_LEVEL 2

# JupyterLab on notebooks/ with the course's kernel; more options in LAB_ARGS (e.g.
# `make lab LAB_ARGS="--no-browser --port 8899"`).
LAB_ARGS ?=
lab: $(BACKEND_STAMP) $(KERNEL)
	$(JUPYTER_ENV) $(VENV)/bin/jupyter lab $(LAB_ARGS) notebooks/

# Notebooks 02, 03 and 09 run in JupyterLab in headless chromium, smoke mode: no error, figures
# as images, progress bars as widgets, no stray stderr; screenshots in build/lab-check/.
lab-check: $(BACKEND_STAMP) $(KERNEL)
	$(JUPYTER_ENV) $(PY) tools/lab_check.py

# Training throughput (images/s) of the lecture's conv VAE on this machine.
throughput: $(BACKEND_STAMP)
	$(PY) benchmarks/throughput.py

# Student copies of every notebook (solution cells blanked) in notebooks/student/ (not committed).
student-notebooks: $(BACKEND_STAMP)
	$(PY) tools/student_notebooks.py

clean:
	rm -rf $(VENV) .venvs .pytest_cache slides/build slides/node_modules book/_build book/node_modules
