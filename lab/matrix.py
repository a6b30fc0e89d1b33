"""The fault matrix: each fault turns exactly the tests red that exist to
catch it, with their message, and ``fault clear`` makes the lab healthy
again (README "Fault matrix").

    python3 -m lab.matrix [--ci] [FAULT ...]

For each row: inject the fault into the running lab (``lab.faults``), run
the families that must catch it with ``tempest run``, require that
exactly the listed tests fail and that the listed message is in the
output, then clear the fault. ``--ci`` runs the rows CI runs every time;
no argument runs them all. Prints one line per row (time, verdict) and
exits 1 when a row did not behave as listed.
"""

import argparse
import dataclasses
import os
import subprocess
import sys
import time
import typing

from lab import faults
from lab import layout
from lab import outcome
from lab import tempest_conf

PREFIX = 'sriov_tempest_plugin.tests.scenario.'
CONN = PREFIX + 'test_sriov_connectivity.SriovConnectivityTest.'
ISO = PREFIX + 'test_sriov_vlan_isolation.SriovVlanIsolationTest.'
LAYOUT = PREFIX + 'test_sriov_datapath_layout.SriovDatapathLayoutTest.'
GATE = PREFIX + 'test_sriov_throughput.SriovThroughputTest.'
VF = PREFIX + 'test_sriov_vf_behaviour.SriovVfBehaviourTest.'


@dataclasses.dataclass(frozen=True)
class Row(object):
    fault: str
    regex: str                      # the families that must catch it
    fails: typing.Tuple[str, ...]   # exactly these tests fail
    message: str                    # and this is in the output
    ci: bool = True                 # CI runs it every time


ROWS = (
    # Every direct guest of compute1 is cut off from its network: its
    # floating IP, its peers and its router are on the told VLAN.
    Row('wrong-vlan', 'test_sriov_connectivity',
        (CONN + 'test_same_subnet_same_host_direct',
         CONN + 'test_same_subnet_different_hosts_direct',
         CONN + 'test_different_subnets_same_host_direct',
         CONN + 'test_mixed_direct_normal_same_subnet_same_host'),
        'cannot SSH to guest'),
    Row('vlan-leak', 'test_sriov_vlan_isolation',
        (ISO + 'test_other_vlan_direct_unreachable',),
        'which it must not'),
    Row('vf-link-down', 'test_sriov_vlan_isolation',
        (ISO + 'test_same_vlan_direct_reachable',
         ISO + 'test_other_vlan_direct_unreachable'),
        'cannot SSH to guest'),
    Row('no-spoofchk', 'test_sriov_vf_behaviour',
        (VF + 'test_spoofed_source_mac_dropped',), 'spoof check is off'),
    # The traffic check fails, and its message carries what the host's
    # ip link reports for the VF (lab/host-bin/ip).
    Row('sticky-spoofchk', 'test_sriov_vf_behaviour',
        (VF + 'test_spoof_check_off_without_port_security',),
        'with spoof checking on, Neutron asked for spoof checking off'),
    Row('no-link-state', 'test_sriov_vf_behaviour',
        (VF + 'test_admin_state_down_stops_vf',),
        'is admin_state_up=False and DOWN'),
    Row('small-mtu', 'test_sriov_vf_behaviour',
        (VF + 'test_network_mtu_frames_pass',),
        'with DF set (the network\'s MTU) get no answer'),
    # The host reports trust on for the trusted guest's VF; the card
    # still refuses the MAC its guest asks for.
    Row('no-trust', 'test_sriov_vf_behaviour',
        (VF + 'test_trusted_vf_changes_its_mac',),
        'could not change its MAC from', ci=False),
    # The host reports trust off for the untrusted guest's VF; the card
    # takes its MAC all the same.
    Row('trust-all', 'test_sriov_vf_behaviour',
        (VF + 'test_untrusted_vf_keeps_its_mac',),
        'the NIC let an untrusted VF override the MAC'),
    # The scenario-2 SR-IOV client is on compute1; the agent sets its
    # max_tx_rate and the host reports it, but the card sends at line rate.
    Row('no-rate-limit', 'test_sriov_throughput.*bandwidth_limit',
        (GATE + 'test_bandwidth_limit_direct_same_subnet_different_hosts',),
        '% above the limit'),
    # The host reports the limit gone; the VF is still held to it.
    Row('stuck-rate', 'test_sriov_throughput.*bandwidth_limit',
        (GATE + 'test_bandwidth_limit_direct_same_subnet_different_hosts',),
        'with the bandwidth limit deleted, same_subnet_different_hosts/'
        'direct/3 streams: median', ci=False),
    Row('host-ssh-down', 'test_sriov_datapath_layout',
        (LAYOUT + 'test_host_no_ovs_hops_direct',
         LAYOUT + 'test_host_ovs_hops_normal'),
        'cannot SSH to compute host compute1'),
    # The gate's test only: the QoS test across the same wire fails too
    # (the slow wire is below its limit), which is not what the row shows.
    Row('slow-port',
        'test_sriov_throughput.*direct_vs_normal_same_subnet_different_hosts',
        (GATE + 'test_direct_vs_normal_same_subnet_different_hosts',),
        'is below the near-line-rate threshold'),
    # The class fails in its set-up: no VF port can be bound.
    Row('sriov-agent-down', 'test_sriov_datapath_layout',
        (LAYOUT.rstrip('.'),), 'needs an alive SR-IOV NIC agent on '
        'compute1', ci=False),
)


def run_row(row, state, tempest, conf, log):
    """(ok, seconds, problems) of one row."""
    ws = state.workspace
    out_path = os.path.join(state.path('results'), 'fault-%s-%s.txt' % (
        row.fault, time.strftime('%Y%m%dT%H%M%SZ', time.gmtime())))
    start = time.monotonic()
    faults.inject(state, row.fault, log=log)
    try:
        with open(out_path, 'w') as out:
            subprocess.run([tempest, 'run', '--serial', '--config-file',
                            conf, '--regex', row.regex], cwd=ws,
                           stdout=out, stderr=subprocess.STDOUT,
                           timeout=1800)
    finally:
        took = time.monotonic() - start
        faults.clear(state, log=log)
    with open(out_path, errors='replace') as f:
        text = f.read()
    seen = outcome.parse_run(text)
    failed = {k for k, v in seen.items() if v == 'failed'}
    problems = []
    for test in row.fails:
        if test not in failed:
            problems.append('%s did not fail (%s)' % (
                test, seen.get(test, 'did not run')))
    for test in sorted(failed - set(row.fails)):
        problems.append('%s failed too' % test)
    if row.message not in text:
        problems.append('the output lacks %r' % row.message)
    log('%s: %s in %.0f s%s (output: %s)' % (
        row.fault, 'caught as listed' if not problems else 'NOT AS LISTED',
        took, ''.join('\n    ' + p for p in problems), out_path))
    return not problems, took, problems


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--ci', action='store_true',
                        help='only the rows CI runs every time')
    parser.add_argument('faults', nargs='*')
    args = parser.parse_args(argv)
    state = layout.State.default()
    tempest = os.path.join(tempest_conf.tempest_venv(), 'bin', 'tempest')
    conf = os.path.join(state.workspace, 'etc', tempest_conf.FAULT_CONF)
    rows = [r for r in ROWS if (not args.faults or r.fault in args.faults)
            and (r.ci or not args.ci)]
    unknown = set(args.faults) - {r.fault for r in ROWS}
    if unknown:
        parser.error('no matrix row for %s' % ', '.join(sorted(unknown)))

    def log(line):
        print('[matrix] %s' % line, flush=True)

    results = [run_row(row, state, tempest, conf, log) for row in rows]
    bad = sum(1 for ok, _, _ in results if not ok)
    log('%d of %d faults caught as listed in %.0f s' % (
        len(rows) - bad, len(rows), sum(t for _, t, _ in results)))
    return 1 if bad else 0


if __name__ == '__main__':
    sys.exit(main())
