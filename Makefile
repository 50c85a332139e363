# Habitual tasks; run them inside the environment: bash scripts/env.sh run make <target>
PYTEST ?= python3 -m pytest
NP ?= 2

.PHONY: help demo test test-fast test-mpi lint format bench docs examples clean

help:
	@echo "make demo | test | test-fast | test-mpi | lint | format | bench | docs | examples | clean"

demo:
	spinfem demo

test:  ## the whole suite (serial tests and the mpirun -n 2 ones)
	$(PYTEST) -q --timeout=900

test-fast:  ## skip the slow verification tests
	$(PYTEST) -q -m "not slow" --timeout=600

test-mpi:  ## only the tests that run spinfem under mpirun
	$(PYTEST) -q -m mpi --timeout=900

lint:
	ruff check .
	ruff format --check spinfem tests scripts meshes examples

format:
	ruff format spinfem tests scripts meshes examples
	ruff check --fix .

bench:
	python3 scripts/bench.py

docs:  ## regenerate the generated docs: case-file reference and verification report
	python3 scripts/update_case_reference.py
	python3 scripts/verification_report.py

examples:  ## the Python examples at smoke size, serially and on NP ranks
	$(PYTEST) -q tests/test_examples.py --timeout=900

clean:
	rm -rf spinfem-demo .pytest_cache .ruff_cache build *.egg-info
