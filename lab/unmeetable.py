"""Each verdict of the gate fails, with its message, against thresholds
no lab run meets: the suite's own results file judged again offline.

    python3 -m lab.unmeetable RESULTS_DIR --since T

The newest results file the suite wrote in RESULTS_DIR after T (seconds
since the epoch; ``lab.outcome.run_results``) is judged again by
``sriov-tempest-report`` (``sriov_tempest_plugin.rejudge``, the same
verdicts the tests judge with) with :data:`UNMEETABLE`. The report must
fail, and in each topology whose every claim the lab judges (across the
wire, through the router) it must name the three failed verdicts:
line rate, margin over OVS and latency. The re-judged table and page
are written beside the file (``-rejudged``). Exit 1 with one line per
problem.

Until 2026-12-07 this was a second gate run with these thresholds in
its tempest.conf (about 4 minutes of CI); the matrix's lossy-vf row (a
latency claim) proves in CI that a failed verdict fails its test.
"""

import argparse
import os
import re
import subprocess
import sys

from lab import outcome
from lab import tempest_conf

# Measured there (lab runs of 2026-11-26 to 2026-12-07): VF 0.91-0.94
# Gbit/s, OVS 0.17-0.34, SR-IOV p50 0.53-0.69 of OVS's.
UNMEETABLE = {
    # Direct would have to be 11x OVS; the VF path is bound by the
    # 1 Gbit/s wire and OVS carries 0.2-0.5 Gbit/s.
    'margin_over_normal': 10.0,
    # All of the raw port speed as TCP payload: no TCP flow can carry it
    # (its headers alone leave at most 0.939 of 1 Gbit/s), so no lab, and
    # no real port, meets it.
    'line_rate_reference': 'port_speed',
    'line_rate_fraction': 1.0,
    # The VF path's round trip would have to take 1 % of the OVS path's.
    'latency_margin': 0.99,
}
#: The topologies where every claim must fail: those whose line rate,
#: margin and latency the lab judges (its VF paths bound by the wire).
TOPOLOGIES = tuple(tempest_conf.THRESHOLDS['latency_topologies'].value)


def report_args(path):
    """sriov-tempest-report's arguments: ``path`` judged with
    :data:`UNMEETABLE`, no chart.
    """
    args = [path, '--no-chart']
    for key, value in sorted(UNMEETABLE.items()):
        args += ['--' + key.replace('_', '-'), str(value)]
    return args


def expected():
    """{(topology, verdict): regex} of the messages the report must
    print.
    """
    line = (r'/direct/\d+ streams: median [0-9.]+ Gbit/s is below the '
            r'near-line-rate threshold [0-9.]+ Gbit/s \(%d %% of port speed'
            % round(100 * UNMEETABLE['line_rate_fraction']))
    margin = (r'/direct/\d+ streams: median .* the required margin is '
              r'%d %%' % round(100 * UNMEETABLE['margin_over_normal']))
    latency = (r'/direct latency: p50 [0-9.]+ ms is above [0-9.]+ ms, the '
               r'normal \(OVS\) p50')
    return {(topo, name): re.escape(topo) + pattern
            for topo in TOPOLOGIES
            for name, pattern in (('line rate', line), ('margin', margin),
                                  ('latency', latency))}


def problems(rc, text):
    """What is wrong with a re-judge's exit status ``rc`` and output."""
    found = []
    if rc == 0:
        found.append('the re-judged run passed thresholds no lab meets')
    elif rc != 1:
        found.append('sriov-tempest-report exited %d (not 1, a failed '
                     'run): %s' % (rc, text.strip()[-300:]))
        return found
    for (topo, name), pattern in sorted(expected().items()):
        if not re.search(pattern, text):
            found.append('%s: no failed %s verdict' % (topo, name))
    return found


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('results')
    parser.add_argument('--since', type=float, default=0.0)
    args = parser.parse_args(argv)
    path = outcome.run_results(args.results, args.since)
    if path is None:
        print('unmeetable: no throughput results file in %s was written by '
              'this run' % args.results)
        return 1
    report = os.path.join(tempest_conf.tempest_venv(), 'bin',
                          'sriov-tempest-report')
    done = subprocess.run([report] + report_args(path),
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          universal_newlines=True, timeout=300)
    found = problems(done.returncode, done.stdout)
    for line in found:
        print('unmeetable: ' + line)
    if found:
        print(done.stdout)
        return 1
    print('unmeetable: %s judged again with %s failed with every verdict:'
          % (os.path.basename(path), ', '.join(
              '%s=%s' % kv for kv in sorted(UNMEETABLE.items()))))
    for pattern in sorted(expected().values()):
        print('    ' + re.search(pattern + '.*', done.stdout).group(0))
    return 0


if __name__ == '__main__':
    sys.exit(main())
