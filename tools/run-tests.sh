#!/usr/bin/env bash
# The project's test command (README.rst, .ci/run), through tox: unit tests
# of the plugin (with the config-sample, Zuul and devstack checks), of the
# lab, style and idempotent ids, zuul.d against Zuul's schemas, the docs.
# Installs tox into .venv-tools first when it is not there. Extra arguments
# go to tox (e.g. tools/run-tests.sh -e py3 -- test_verdict).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -x .venv-tools/bin/tox ]; then
    python3 -m venv .venv-tools
    .venv-tools/bin/pip install --quiet --upgrade pip
    .venv-tools/bin/pip install --quiet 'tox>=4'
fi
if [ $# -eq 0 ]; then
    set -- -e py3,lab,pep8,zuul,docs
fi
exec .venv-tools/bin/tox "$@"
