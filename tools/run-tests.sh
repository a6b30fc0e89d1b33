#!/usr/bin/env bash
# The project's test command (README.rst, .ci/run): unit tests of the plugin
# and of the lab, style and idempotent-id checks, and the config sample
# check, through tox. Installs tox into .venv-tools first when it is not
# there. Extra arguments go to tox
# (e.g. tools/run-tests.sh -e py3 -- test_verdict).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -x .venv-tools/bin/tox ]; then
    python3 -m venv .venv-tools
    .venv-tools/bin/pip install --quiet --upgrade pip
    .venv-tools/bin/pip install --quiet 'tox>=4'
fi
if [ $# -eq 0 ]; then
    set -- -e py3,lab,pep8
fi
exec .venv-tools/bin/tox "$@"
