#!/usr/bin/env bash
# The project's test command (README.rst, .ci/run), through tox: unit tests
# of the plugin (with the config-sample, Zuul and devstack checks), of the
# lab, style and idempotent ids, zuul.d against Zuul's schemas, the docs.
# Installs tox into .venv-tools first, at tools/tox-requirements.txt's
# pinned versions (again when that file changes). The environments run in
# parallel (tox -p, their output shown live), which on 2 cores takes about
# half the time of one after the other. Extra arguments go to tox instead
# (e.g. tools/run-tests.sh -e py3 -- test_verdict).
set -euo pipefail
cd "$(dirname "$0")/.."
want=$(sha256sum tools/tox-requirements.txt | cut -d' ' -f1)
stamp=.venv-tools/.sriov-requirements
if [ ! -x .venv-tools/bin/tox ] || [ ! -f "$stamp" ] ||
        [ "$(cat "$stamp")" != "$want" ]; then
    python3 -m venv .venv-tools
    .venv-tools/bin/pip install --quiet --upgrade pip -c tools/constraints.txt
    .venv-tools/bin/pip install --quiet -r tools/tox-requirements.txt
    printf '%s' "$want" >"$stamp"
fi
if [ $# -eq 0 ]; then
    set -- -p auto -o -e py3,lab,pep8,zuul,docs
fi
exec .venv-tools/bin/tox "$@"
