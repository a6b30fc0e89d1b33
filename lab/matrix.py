"""The fault matrix: each fault turns exactly the tests red that exist to
catch it, with their message, and ``fault clear`` makes the lab healthy
again (README "Fault matrix").

    python3 -m lab.matrix [--ci] [--alone] [FAULT ...]

For each row: inject the fault into the running lab (``lab.faults``), run
the families that must catch it with ``tempest run``, require that
exactly the listed tests fail and that the listed message is in the
output of one of them, then clear the fault. Rows whose failing tests do
not overlap and whose faults leave each other's tests alone share one
run (:data:`RUNS`: their faults in force together, one ``tempest
run`` of their families); ``--alone`` gives each row a run of its own.
``--ci`` runs the rows CI runs every time (:data:`CI_CHOICE`); no
argument runs them all.
Prints one line per row (time, verdict) and exits 1 when a row did not
behave as listed.
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
QOS = PREFIX + 'test_sriov_qos.SriovQosTest.'
VF = PREFIX + 'test_sriov_vf_behaviour.SriovVfBehaviourTest.'
FLEET = (PREFIX + 'test_sriov_fleet.SriovFleetTest.'
         'test_fleet_every_host_near_line_rate')
#: The rows are written for this many compute nodes (the fleet's ring),
#: unless a row says it runs on any lab (``Row.computes`` None).
COMPUTES = 3


@dataclasses.dataclass(frozen=True)
class Row(object):
    fault: str
    regex: str                      # the families that must catch it
    fails: typing.Tuple[str, ...]   # exactly these tests fail
    #: and this is in the output (a tuple: each of these is)
    message: typing.Union[str, typing.Tuple[str, ...]]
    #: CI runs it every time (:data:`CI_CHOICE` says why these); the
    #: others run in the full matrix (``python3 -m lab.matrix``,
    #: ``tools/lab-suite.sh --all-faults``, Zuul's periodic lab jobs).
    ci: bool = False
    #: the ML2 backend (lab up --ml2) it is written for: ML2/OVN differs
    #: in the rows' own tests (no FDB agent extension, so no-fdb's tests
    #: skip there; DHCP from OVN), and has faults of its own.
    ml2: str = 'ovs'
    #: the lab's compute nodes it is written for; None: any lab (lab up's
    #: default of 2 or more)
    computes: typing.Optional[int] = COMPUTES

    @property
    def messages(self):
        return (self.message,) if isinstance(self.message, str) \
            else tuple(self.message)


ROWS = (
    # Every direct guest of compute1 is cut off from its network: its
    # floating IP, its peers and its router are on the told VLAN.
    # Their DHCP requests go out on the told VLAN too: no lease, which the
    # failure names (sriov_tempest_plugin.dhcp).
    Row('wrong-vlan', 'test_sriov_connectivity',
        (CONN + 'test_same_subnet_same_host_direct',
         CONN + 'test_same_subnet_different_hosts_direct',
         CONN + 'test_different_subnets_same_host_direct',
         CONN + 'test_mixed_direct_normal_same_subnet_same_host'),
        ('cannot SSH to guest', 'got no DHCP lease: its console says')),
    Row('vlan-leak', 'test_sriov_vlan_isolation',
        (ISO + 'test_other_vlan_direct_unreachable',),
        'which it must not'),
    # a1 and a2 hold b1's MAC for b1's address, and b1 theirs: their
    # unicast crosses, and so do b1's answers.
    Row('unicast-leak', 'test_sriov_vlan_isolation',
        (ISO + 'test_other_vlan_direct_unreachable',),
        'which it must not'),
    Row('vf-link-down', 'test_sriov_vlan_isolation',
        (ISO + 'test_same_vlan_direct_reachable',
         ISO + 'test_other_vlan_direct_unreachable'),
        ('cannot SSH to guest', 'got no DHCP lease: its console says')),
    Row('no-spoofchk', 'test_sriov_vf_behaviour',
        (VF + 'test_spoofed_source_mac_dropped',), 'spoof check is off',
        ci=True),
    # The traffic check fails, and its message carries what the host's
    # ip link reports for the VF (lab/host-bin/ip).
    Row('sticky-spoofchk', 'test_sriov_vf_behaviour',
        (VF + 'test_spoof_check_off_without_port_security',),
        'with spoof checking on, Neutron asked for spoof checking off'),
    Row('no-link-state', 'test_sriov_vf_behaviour',
        (VF + 'test_admin_state_down_stops_vf',),
        'is admin_state_up=False and DOWN', ci=True),
    Row('small-mtu', 'test_sriov_vf_behaviour',
        (VF + 'test_network_mtu_frames_pass',),
        'with DF set (the network\'s MTU) get no answer', ci=True),
    # The host reports trust on for the trusted guest's VF; the card
    # still refuses the MAC its guest asks for.
    Row('no-trust', 'test_sriov_vf_behaviour',
        (VF + 'test_trusted_vf_changes_its_mac',),
        'could not change its MAC from'),
    # The host reports trust off for the untrusted guest's VF; the card
    # takes its MAC all the same.
    Row('trust-all', 'test_sriov_vf_behaviour',
        (VF + 'test_untrusted_vf_keeps_its_mac',),
        'the NIC let an untrusted VF override the MAC', ci=True),
    # The card takes the untrusted guest's MAC 3 s after its driver did:
    # frames from it get through, seen by the first look (its burst ends
    # about then in the lab) or within the window after the control.
    Row('late-grant', 'test_sriov_vf_behaviour',
        (VF + 'test_untrusted_vf_keeps_its_mac',),
        'though its port'),
    # The host's ip link lists no VF: every host-side VF check fails
    # (never passes on absence); the normal port's checks still pass.
    Row('host-no-vfs', 'test_sriov_datapath_layout|test_sriov_vf_behaviour',
        (LAYOUT + 'test_host_no_ovs_hops_direct',
         VF + 'test_spoofed_source_mac_dropped',
         VF + 'test_spoof_check_off_without_port_security',
         VF + 'test_trusted_vf_changes_its_mac',
         VF + 'test_untrusted_vf_keeps_its_mac'),
        'lists no VF lines', ci=True),
    # Every direct guest of compute1 loses about a third of the frames its
    # VF receives, so the routed VF pair (both on compute1, a topology
    # whose latency the lab judges) loses about half of its echo requests
    # or their replies: the latency claim fails on the loss, whatever the
    # p50 of the replies that came back. Its test runs pings only (TCP
    # over such a path crawls; the throughput claims are other tests).
    Row('lossy-vf',
        'test_sriov_throughput.*test_latency_different_subnets_same_host',
        (GATE + 'test_latency_different_subnets_same_host',),
        'more than [sriov] latency_max_loss', ci=True),
    # The scenario-2 SR-IOV client is on compute1; the agent sets its
    # max_tx_rate and the host reports it, but the card sends at line rate.
    Row('no-rate-limit', 'test_sriov_qos',
        (QOS + 'test_bandwidth_limit_direct_same_subnet_different_hosts',),
        '% above the limit'),
    # The host reports the limit gone; the VF is still held to it.
    Row('stuck-rate', 'test_sriov_qos',
        (QOS + 'test_bandwidth_limit_direct_same_subnet_different_hosts',),
        'with the bandwidth limit deleted, same_subnet_different_hosts/'
        'direct/3 streams: median'),
    # The card's switch forwards by its filter table (lab.nic.veb): with
    # the PF's FDB left out, a direct guest's frames to a normal guest of
    # its own host (compute1) leave on the wire and never come back: the
    # mixed connectivity test, and the MTU test's direct-to-normal ping.
    Row('no-fdb', 'test_sriov_connectivity.*test_mixed|'
        'test_sriov_vf_behaviour.*test_network_mtu',
        (CONN + 'test_mixed_direct_normal_same_subnet_same_host',
         VF + 'test_network_mtu_frames_pass'),
        "Enable Neutron's FDB extension"),
    Row('host-ssh-down', 'test_sriov_datapath_layout',
        (LAYOUT + 'test_host_no_ovs_hops_direct',
         LAYOUT + 'test_host_ovs_hops_normal'),
        'cannot SSH to compute host compute1'),
    # The line-rate claim across that wire. Its margin claim failed too
    # here (2026-12-06: 1.18x, OVS 0.19 on the slow wire), but only while
    # the OVS path is faster than the VF's 0.23 / 1.4: on a machine whose
    # OVS path carries 0.10-0.16 (2026-12-02) it would pass, so the row
    # does not run it. The QoS test across the same wire fails as well
    # (the slow wire is below its limit), which is not what the row shows.
    # The fleet test names compute2, and only it: both its ring links
    # (compute1 -> compute2, compute2 -> compute3) cross the slow wire.
    Row('slow-port',
        'test_sriov_throughput.*test_line_rate_same_subnet_different_hosts'
        '|test_sriov_fleet.*near_line_rate',
        (GATE + 'test_line_rate_same_subnet_different_hosts', FLEET),
        ('is below the near-line-rate threshold',
         'failed for 1 of 3 SR-IOV hosts (compute2):',
         'compute2: bad: both its links')),
    # compute3's agent maps nothing: the fleet names it from Neutron's
    # agent list before it boots anything there (a VM would fail its
    # port binding).
    Row('no-agent-mapping', 'test_sriov_fleet.*near_line_rate', (FLEET,),
        ('failed for 1 of 3 SR-IOV hosts (compute3):',
         'maps no device to physnet1')),
    # The class fails in its set-up: no VF port can be bound.
    Row('sriov-agent-down', 'test_sriov_datapath_layout',
        (LAYOUT.rstrip('.'),), 'needs an alive SR-IOV NIC agent on '
        'compute1'),
    # ML2/OVN: no chassis hosts external ports (nor, on Neutron 29, router
    # gateways: lab.faults). Every direct guest gets no DHCP lease, and
    # its test says why from OVN's Southbound DB, not as an SSH timeout.
    # (The normal guests get theirs from their own chassis; their floating
    # IPs have no gateway either, which the row's tests do not reach.)
    Row('no-extport-chassis', 'test_sriov_connectivity.*_direct',
        (CONN + 'test_same_subnet_same_host_direct',
         CONN + 'test_same_subnet_different_hosts_direct',
         CONN + 'test_different_subnets_same_host_direct'),
        ('got no DHCP lease: its console says',
         'a VF port gets it only from its OVN external port',
         'no chassis is marked enable-chassis-as-extport-host, and none '
         'marked enable-chassis-as-gw maps physnet1',
         'is bound to no chassis'), ml2='ovn', computes=None),
)


#: The runs the matrix makes of its rows: the faults of a run are in
#: force together for one ``tempest run`` of their families. A run's rows
#: fail disjoint tests, and no fault of a run acts on another row's tests:
#: - wrong-vlan and vf-link-down cut off every direct guest of compute1,
#:   so each runs alone;
#: - the VF-behaviour family's guests are all on compute1: spoof check
#:   ignored, link state ignored, a small MTU and any MAC taken each break
#:   one of its tests, with small frames and no rate limit;
#: - sticky-spoofchk keeps spoof check on, which no-spoofchk contradicts;
#:   the QoS test's port keeps port security (spoof check on), and its
#:   rate is the card's alone; late-grant acts only on an untrusted VF's
#:   MAC change (the untrusted test), which spoof check on leaves as is;
#: - host-no-vfs fails every host-side VF check of the VF-behaviour and
#:   layout families, which the other rows' faults act on too; with it,
#:   unicast-leak, which acts only on frames to the MAC of a VF of another
#:   VLAN, which only the isolation test sends (their other VFs of two
#:   VLANs talk through the router, to its MAC), and no-fdb, which acts
#:   only on a VF's frames to an OVS port of its own host, which only the
#:   mixed connectivity test and the MTU test (its direct-to-normal ping)
#:   send, neither of them a host-no-vfs or unicast-leak test (CI,
#:   2026-12-06: listing only the mixed test, the MTU test failed too);
#: - lossy-vf drops frames to every direct guest of compute1, which the
#:   other rows' tests have too: it runs alone;
#: - vlan-leak needs two VLANs on compute1 (isolation only); host-ssh-down
#:   stops only compute1's sshd, which in that run only the layout's host
#:   tests use (the gate's hosts are names); slow-port slows only
#:   compute2's wire, which the gate's scenario 2 and the fleet's ring
#:   cross and no test of the other two families measures. (The QoS test
#:   crosses it too: slow-port and no-rate-limit never share a run.)
#: - no-agent-mapping acts only on compute3, which only the fleet test
#:   uses, and no other row of its run fails the fleet test.
RUNS = (
    ('wrong-vlan',),
    ('vf-link-down',),
    ('no-spoofchk', 'no-link-state', 'small-mtu', 'trust-all'),
    ('sticky-spoofchk', 'no-rate-limit', 'late-grant', 'no-agent-mapping'),
    ('host-no-vfs', 'unicast-leak', 'no-fdb'),
    ('lossy-vf',),
    ('vlan-leak', 'host-ssh-down', 'slow-port'),
)
BY_FAULT = {r.fault: r for r in ROWS}

#: Why CI runs these rows every time (``Row.ci``) and not the others.
#: CI runs the whole suite on ML2/OVS and on ML2/OVN within 75 minutes:
#: everything but the matrix took 3884 s of CI's 4298 s on 2026-12-07
#: (adc4a3c), and the 7 runs of every row took 2095 s (ci8, that day),
#: so CI keeps 3 runs (414 s there) that prove what a verdict must never
#: pass on:
#: - host-no-vfs: a host that lists no VF lines fails every host-side VF
#:   check (fail closed), alone (without the two rows of its group);
#: - lossy-vf: a latency with half its echo requests lost fails, whatever
#:   the p50 of the replies (fail closed);
#: - no-spoofchk, no-link-state, small-mtu, trust-all: the VF-behaviour
#:   family's four traffic checks, each against the card doing the wrong
#:   thing, in one run (158 s).
#: The full matrix (every row, grouped as :data:`RUNS` says) runs in
#: Zuul's periodic lab job and by hand.
CI_CHOICE = tuple(r.fault for r in ROWS if r.ci)


def plan(rows, alone=False):
    """The runs (tuples of rows) that cover ``rows``: grouped as
    :data:`RUNS` says (their order), unless ``alone``; any other row
    runs alone.
    """
    if alone:
        return [(r,) for r in rows]
    chosen = {r.fault for r in rows}
    runs = []
    grouped = set()
    for faults_of_run in RUNS:
        run = tuple(BY_FAULT[f] for f in faults_of_run if f in chosen)
        if run:
            runs.append(run)
            grouped.update(r.fault for r in run)
    runs.extend((r,) for r in rows if r.fault not in grouped)
    return runs


def judge(rows, text):
    """Problems of each row: {fault: [problem]}, from a run's output.

    Exactly the rows' tests fail, and each row's message is in the output
    of one of its own failing tests (its traceback), not just anywhere.
    """
    seen = outcome.parse_run(text)
    own = outcome.sections(text)
    failed = {k for k, v in seen.items() if v == 'failed'}
    listed = set()
    problems = {}
    for row in rows:
        mine = problems.setdefault(row.fault, [])
        listed.update(row.fails)
        for test in row.fails:
            if test not in failed:
                mine.append('%s did not fail (%s)' % (
                    test, seen.get(test, 'did not run')))
        for message in row.messages:
            if not any(message in own.get(t, '') for t in row.fails):
                mine.append('the output of %s lacks %r' % (
                    ' or '.join(t.rsplit('.', 1)[-1] for t in row.fails),
                    message))
    for test in sorted(failed - listed):
        for row in rows:
            problems[row.fault].append('%s failed too' % test)
    return problems


def run_faults(rows, state, tempest, conf, log):
    """[(row, ok, seconds, problems)] of one run: every row's fault in
    force, one ``tempest run`` of their families, the faults cleared.
    """
    ws = state.workspace
    name = '+'.join(r.fault for r in rows)
    out_path = os.path.join(state.path('results'), 'fault-%s-%s.txt' % (
        name, time.strftime('%Y%m%dT%H%M%SZ', time.gmtime())))
    regex = '|'.join(dict.fromkeys(r.regex for r in rows))
    start = time.monotonic()
    try:
        for row in rows:
            faults.inject(state, row.fault, log=log)
        with open(out_path, 'w') as out:
            subprocess.run([tempest, 'run', '--serial', '--config-file',
                            conf, '--regex', regex], cwd=ws,
                           stdout=out, stderr=subprocess.STDOUT,
                           timeout=1800)
    finally:
        took = time.monotonic() - start
        faults.clear(state, log=log)
    with open(out_path, errors='replace') as f:
        problems = judge(rows, f.read())
    shared = ' (one run with %s)' % ', '.join(
        r.fault for r in rows[1:]) if len(rows) > 1 else ''
    results = []
    for i, row in enumerate(rows):
        mine = problems[row.fault]
        log('%s: %s in %.0f s%s%s (output: %s)' % (
            row.fault, 'caught as listed' if not mine else 'NOT AS LISTED',
            took, shared if i == 0 else ' (same run)',
            ''.join('\n    ' + p for p in mine), out_path))
        results.append((row, not mine, took if i == 0 else 0.0, mine))
    return results


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--ci', action='store_true',
                        help='only the rows CI runs every time')
    parser.add_argument('--alone', action='store_true',
                        help='each row in a run of its own (to tell which '
                        'fault of a shared run acts on another row)')
    parser.add_argument('faults', nargs='*')
    args = parser.parse_args(argv)
    state = layout.State.default()
    tempest = os.path.join(tempest_conf.tempest_venv(), 'bin', 'tempest')
    conf = os.path.join(state.workspace, 'etc', tempest_conf.FAULT_CONF)
    unknown = set(args.faults) - {r.fault for r in ROWS}
    if unknown:
        parser.error('no matrix row for %s' % ', '.join(sorted(unknown)))
    other = sorted(f for f in args.faults if BY_FAULT[f].ml2 != layout.ML2)
    if other:
        parser.error('%s: written for ML2/%s; this lab runs ML2/%s: '
                     'python3 -m lab down, then python3 -m lab up --ml2 %s'
                     % (', '.join(other), BY_FAULT[other[0]].ml2.upper(),
                        layout.ML2.upper(), BY_FAULT[other[0]].ml2))
    rows = [r for r in ROWS if r.ml2 == layout.ML2 and
            (not args.faults or r.fault in args.faults) and
            (r.ci or not args.ci)]
    if not rows:
        parser.error('no %smatrix row is written for ML2/%s' % (
            'CI ' if args.ci else '', layout.ML2.upper()))

    def log(line):
        print('[matrix] %s' % line, flush=True)

    fixed = sorted({r.computes for r in rows if r.computes} -
                   {len(layout.COMPUTES)})
    if fixed:
        parser.error('the rows are written for a lab of %d compute nodes '
                     '(the fleet\'s ring); this one has %d: python3 -m lab '
                     'down, then python3 -m lab up --computes %d'
                     % (fixed[0], len(layout.COMPUTES), fixed[0]))
    os.makedirs(state.path('results'), exist_ok=True)
    runs = plan(rows, args.alone)
    results = [res for run in runs
               for res in run_faults(run, state, tempest, conf, log)]
    bad = sum(1 for _, ok, _, _ in results if not ok)
    log('%d of %d faults caught as listed in %d runs, %.0f s' % (
        len(rows) - bad, len(rows), len(runs),
        sum(t for _, _, t, _ in results)))
    return 1 if bad else 0


if __name__ == '__main__':
    sys.exit(main())
