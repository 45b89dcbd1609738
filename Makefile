# Two commands do all set-up on a fresh machine with only Python 3:
#   make report   — virtual environment, install, ingest the sample, build all sample reports
#   make test     — the test suite (the same command CI runs)
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: report test lab ingest clean-reports

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	$(BIN)/python -m ipykernel install --sys-prefix --name python3 --display-name "Python 3 (zaitaku)" > /dev/null
	touch $(STAMP)

ingest: $(STAMP)
	$(BIN)/zaitaku ingest --raw data/raw/sample --out data/processed

report: ingest
	$(BIN)/zaitaku run --all

test: $(STAMP)
	$(BIN)/python -m pytest

lab: ingest
	$(BIN)/jupyter lab notebooks/

clean-reports:
	rm -rf reports/*/ reports/index.html
