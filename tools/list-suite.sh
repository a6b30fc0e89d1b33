#!/usr/bin/env bash
# Installs Tempest and this plugin into .venv-tempest
# (tools/ensure-tempest-venv.sh), makes a Tempest workspace in .workspace
# and lists the SR-IOV suite: proves Tempest finds the plugin and shows
# every test it would run against a cloud, without one.
set -euo pipefail
cd "$(dirname "$0")/.."
top=$PWD
venv=$(tools/ensure-tempest-venv.sh)
# Tempest registers workspaces by name in ~/.tempest/workspace.yaml: name
# this one after the checkout so that two clones do not collide.
name="sriov-$(printf '%s' "$top" | md5sum | cut -c1-8)"
if [ ! -f .workspace/etc/tempest.conf ]; then
    rm -rf .workspace
    "$venv/bin/tempest" workspace remove --name "$name" >/dev/null 2>&1 || true
    "$venv/bin/tempest" init --name "$name" .workspace >/dev/null
fi
cd .workspace
"$venv/bin/tempest" list-plugins
"$venv/bin/tempest" run --list-tests --regex sriov
