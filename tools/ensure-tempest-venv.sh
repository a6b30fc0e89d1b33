#!/usr/bin/env bash
# The one place that makes the Tempest venv, .venv-tempest: Tempest, this
# plugin (editable, with its "report" extra for the gate's chart) and their
# dependencies at tools/constraints.txt's versions. tools/list-suite.sh and
# the lab (lab.tempest_conf.ensure_tempest) both call it. It is named apart
# from ".venv", which other tools write into a project root (tox >= 4.67
# writes a PEP 832 redirect file there), so that no tool's file is ever in
# its way. Reinstalls only when the requirements or constraints changed.
#
#   tools/ensure-tempest-venv.sh    # prints the venv's path
set -euo pipefail
cd "$(dirname "$0")/.."
top=$PWD
venv=$top/.venv-tempest
cons=$top/tools/constraints.txt
stamp=$venv/.sriov-requirements
want=$(cat requirements.txt setup.cfg "$cons" | sha256sum | cut -d' ' -f1)
if [ -e "$venv" ] && [ ! -d "$venv" ]; then
    echo "cannot make the Tempest venv: $venv is a file, not a directory" \
         "($(wc -c <"$venv") bytes, first line: $(head -1 "$venv"));" \
         "move it away and run again" >&2
    exit 2
fi
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ] ||
        [ ! -x "$venv/bin/tempest" ]; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --upgrade pip -c "$cons"
    "$venv/bin/pip" install --quiet -r requirements.txt -c "$cons"
    "$venv/bin/pip" install --quiet -e ".[report]" -c "$cons"
    printf '%s' "$want" >"$stamp"
fi
echo "$venv"
