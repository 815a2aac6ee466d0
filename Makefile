# Course tasks. Every target creates .venv and installs requirements.txt on first use.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
export TF_CPP_MIN_LOG_LEVEL ?= 2

.PHONY: install test figures lab throughput student-notebooks clean

install: $(STAMP)

$(STAMP): requirements.txt pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $(STAMP)

# Unit tests, then every notebook through nbval, in smoke mode (VAE_SMOKE=1).
test: $(STAMP)
	VAE_SMOKE=$${VAE_SMOKE:-1} $(PY) -m pytest

# Regenerate every slide figure into slides/figures/ (PNG + PDF).
figures: $(STAMP)
	$(PY) slides/make_figures.py

lab: $(STAMP)
	$(VENV)/bin/jupyter lab notebooks/

# Training throughput (images/s) of the lecture's conv VAE on this machine.
throughput: $(STAMP)
	$(PY) benchmarks/throughput.py

# Student copies of every notebook (solution cells blanked) in notebooks/student/ (not committed).
student-notebooks: $(STAMP)
	$(PY) tools/student_notebooks.py

clean:
	rm -rf $(VENV) .pytest_cache
