#!/bin/bash
# Install the Debian packages named as arguments that are not installed.
#
#   tools/ensure-debian-packages.sh PACKAGE...
#
# The one place the project's tools install host packages (the lab,
# the guest image build and its check). Nothing to do: exits 0 at once.
# Something missing and not root: exits 1 with the apt-get command to run.
# Maintainer scripts are kept from starting services (policy-rc.d): the
# lab starts its own. A first failed install is retried after an update.
set -euo pipefail

missing=()
for p in "$@"; do
    dpkg-query -W -f '${Status}' "$p" 2>/dev/null | grep -q 'ok installed' \
        || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
    echo "missing Debian packages: ${missing[*]}; install them" \
         "(apt-get install ${missing[*]}) or run this as root" >&2
    exit 1
fi

# One install of the project's at a time (CI installs the lab's beside
# the guest image check's): the policy-rc.d below lives as long as the
# install that made it, so another must not start under it.
exec 9>/run/lock/sriov-ensure-debian-packages.lock
flock -w 1200 9
echo "== apt-get install ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
policy=/usr/sbin/policy-rc.d
if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' > "$policy"
    chmod 755 "$policy"
    trap 'rm -f "$policy"' EXIT
fi
# Another apt-get (not the project's) may hold dpkg's lock: wait for it.
lock=(-o DPkg::Lock::Timeout=600)
install() {
    timeout 900 apt-get "${lock[@]}" install -y --no-install-recommends \
        "${missing[@]}" >/dev/null
}
if ! install; then
    timeout 600 apt-get "${lock[@]}" update >/dev/null
    install
fi
