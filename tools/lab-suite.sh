#!/usr/bin/env bash
# The main job: bring the local lab up (a real OpenStack with an emulated
# SR-IOV NIC, see README "The lab"), run the whole SR-IOV suite against it
# with `tempest run --regex sriov`, keep the results and tear the lab down.
#
#   tools/lab-suite.sh [--check-lab] [--unmeetable] [--keep]
#
#   --check-lab   before the suite: the lab's own smoke check and Tempest's
#                 tempest.scenario.test_server_basic_ops (tells a broken lab
#                 from a failing plugin)
#   --unmeetable  after the suite: the same-host throughput test again with
#                 [sriov] margin_over_normal the lab cannot meet; it must
#                 fail, and with the gate's verdict message
#   --keep        leave the lab up afterwards (python3 -m lab down ends it)
#
# Runs as root (the lab makes namespaces and starts services). Results:
# .lab/results (the gate's results files, each Tempest run's output); they
# survive `lab down`. Exit status: non-zero when any step fails.
set -euo pipefail
cd "$(dirname "$0")/.."
top=$PWD
check_lab=0 unmeetable=0 keep=0
for arg in "$@"; do
    case "$arg" in
        --check-lab) check_lab=1 ;;
        --unmeetable) unmeetable=1 ;;
        --keep) keep=1 ;;
        *) echo "unknown option $arg (see the top of $0)" >&2; exit 2 ;;
    esac
done
if [ "$(id -u)" -ne 0 ]; then
    echo "the lab runs as root: sudo $0 $*" >&2
    exit 2
fi

state=${SRIOV_LAB_DIR:-$top/.lab}
results=$state/results
tempest=$top/.venv/bin/tempest
stamp=$(date -u +%Y%m%dT%H%M%SZ)

if [ "$keep" -eq 0 ]; then
    trap 'python3 -m lab down >/dev/null 2>&1 || true' EXIT
fi

step() { echo "== $(date -u +%H:%M:%S) $*"; }

step "lab up"
python3 -m lab up
python3 -m lab status
mkdir -p "$results"
ws=$state/workspace

if [ "$check_lab" -eq 1 ]; then
    step "lab smoke"
    python3 -m lab smoke
    step "tempest.scenario.test_server_basic_ops"
    (cd "$ws" && "$tempest" run --serial \
        --regex 'tempest\.scenario\.test_server_basic_ops')
fi

status=0
step "tempest run --regex sriov (output: $results/tempest-$stamp.txt)"
t0=$(date +%s)
(cd "$ws" && "$tempest" run --serial --regex sriov) 2>&1 \
    | tee "$results/tempest-$stamp.txt" || status=$?
cp "$ws/tempest.log" "$results/tempest-$stamp.log" 2>/dev/null || true
echo "suite: exit $status in $(( $(date +%s) - t0 )) s"

if [ "$unmeetable" -eq 1 ]; then
    step "unmeetable margin: the gate must fail with its verdict message"
    out=$results/tempest-$stamp-unmeetable.txt
    t0=$(date +%s)
    rc=0
    (cd "$ws" && "$tempest" run --serial \
        --config-file "$ws/etc/unmeetable-margin.conf" \
        --regex 'test_sriov_throughput.*same_subnet_same_host') 2>&1 \
        | tee "$out" || rc=$?
    echo "unmeetable: exit $rc in $(( $(date +%s) - t0 )) s"
    if [ "$rc" -eq 0 ]; then
        echo "FAILED: the throughput gate passed a margin the lab cannot" \
             "meet" >&2
        status=1
    elif ! grep -q 'the required margin is 1000 %' "$out" ||
            ! grep -q 'Failed: 1$' "$out"; then
        echo "FAILED: the unmeetable run failed, but not (only) with the" \
             "margin verdict message; see $out" >&2
        status=1
    else
        echo "ok: the gate failed the unmeetable margin with its verdict:"
        grep -m3 'the required margin is' "$out" | sed 's/^ */    /'
    fi
fi

if [ "$status" -ne 0 ]; then
    # lab down removes .lab/logs; keep the service logs of a failed run.
    cp -r "$state/logs" "$results/logs-$stamp" 2>/dev/null || true
fi
echo "results in $results:"
ls -1 "$results" | sed 's/^/    /'
if [ "$keep" -eq 1 ]; then
    echo "the lab is still up: python3 -m lab down ends it"
else
    step "lab down"
    python3 -m lab down
    trap - EXIT
fi
exit "$status"
