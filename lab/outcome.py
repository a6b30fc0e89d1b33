"""Hold a Tempest run to its exact expected outcome.

    python3 -m lab.outcome EXPECTED TEMPEST_OUTPUT [--results DIR --since T]
                           [--only REGEX]

EXPECTED lists every test the run must report, one a line: the test id
(as ``tempest run`` prints it, without its [tags]), then ``ok`` or
``skip: <the skip message>``. The run fails this check when a test
failed, a listed test did not run, a test ran that is not listed, a test
passed that should skip or skipped that should pass, or a skip gave
another reason. A run that lost two tests to new skips is not a green run.

With ``--results DIR --since T`` it also requires a throughput results
file in DIR written after T (seconds since the epoch) by this run, with
every topology measured and judged, so that a file an older run left
cannot stand in for this one.

Exit 0 when everything matches; 1 with one line per mismatch.
"""

import argparse
import glob
import json
import os
import re
import sys

from sriov_tempest_plugin import topology

#: A test's line, or its class's when the class was skipped or failed
#: in setUpClass ("{0} setUpClass (<module>.<Class>) ... FAILED").
LINE = re.compile(r'^\{\d+\} (?:setUpClass \((?P<cls>\S+)\)|'
                  r'(?P<id>\S+?)(?:\[[^\]]*\])?)(?: \[[0-9.]+s\])? '
                  r'\.\.\. (?P<status>ok|FAILED|SKIPPED: (?P<reason>.*))$')
TOPOLOGIES = tuple(t.name for t in topology.TOPOLOGIES)


def parse_expected(text):
    expected = {}
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith('#'):
            continue
        test_id, _, outcome = line.partition(' ')
        outcome = outcome.strip()
        if outcome != 'ok' and not outcome.startswith('skip: '):
            raise ValueError('bad expected line (want "<id> ok" or "<id> '
                             'skip: <reason>"): %r' % raw)
        expected[test_id] = outcome
    return expected


def parse_run(text):
    """{test id or class: 'ok' | 'failed' | 'skip: reason'}."""
    seen = {}
    for raw in text.splitlines():
        line = raw.rstrip()
        match = LINE.match(line)
        if match:
            status = match.group('status')
            seen[match.group('cls') or match.group('id')] = (
                'ok' if status == 'ok' else 'failed' if status == 'FAILED'
                else 'skip: %s' % match.group('reason').strip())
    return seen


#: Where subunit-trace's closing blocks start ("=====" rulers: the
#: totals, the worker balance, the failed tests' output again).
RULER = re.compile(r'^={5,}')


def sections(text):
    """{test id or class: its line and what follows it (its traceback)
    up to the next test's line or the run's closing blocks}.
    """
    found = {}
    current = None
    for raw in text.splitlines():
        line = raw.rstrip()
        match = LINE.match(line)
        if match:
            current = match.group('cls') or match.group('id')
            found[current] = [line]
        elif RULER.match(line):
            current = None
        elif current is not None:
            found[current].append(line)
    return {k: '\n'.join(v) for k, v in found.items()}


def mismatches(expected, seen):
    problems = []
    for test_id, want in sorted(expected.items()):
        got = seen.get(test_id)
        if got is None:
            problems.append('%s: expected %s, but it did not run'
                            % (test_id, want))
        elif got != want:
            problems.append('%s: expected %s, got %s' % (test_id, want, got))
    for test_id, got in sorted(seen.items()):
        if test_id not in expected:
            problems.append('%s: %s, but it is not in the expected outcome '
                            '(add it there)' % (test_id, got))
    return problems


def run_results(directory, since):
    """The newest throughput results file written in ``directory`` after
    ``since`` (seconds since the epoch): the run's own, or None.
    """
    fresh = [p for p in glob.glob(os.path.join(
        directory, 'sriov-throughput-*.json')) if os.path.getmtime(p) > since]
    return max(fresh, key=os.path.getmtime) if fresh else None


def results_problems(directory, since):
    """Problems with the newest throughput results file of this run."""
    path = run_results(directory, since)
    if path is None:
        return ['no throughput results file in %s was written by this run'
                % directory]
    with open(path) as f:
        doc = json.load(f)
    measured = {p.get('topology') for p in doc.get('points', [])}
    judged = {v.get('topology') for v in doc.get('verdicts', [])}
    problems = []
    for topo in TOPOLOGIES:
        if topo not in measured:
            problems.append('%s: %s has no measured point' % (path, topo))
        if topo not in judged:
            problems.append('%s: %s has no verdict' % (path, topo))
    return problems


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('expected')
    parser.add_argument('output')
    parser.add_argument('--results')
    parser.add_argument('--since', type=float, default=0.0)
    parser.add_argument('--only', metavar='REGEX',
                        help='expect only the tests whose id matches (the '
                        'run was given this --regex)')
    args = parser.parse_args(argv)
    with open(args.expected) as f:
        expected = parse_expected(f.read())
    if args.only:
        expected = {k: v for k, v in expected.items()
                    if re.search(args.only, k)}
    with open(args.output, errors='replace') as f:
        seen = parse_run(f.read())
    problems = mismatches(expected, seen)
    if args.results:
        problems.extend(results_problems(args.results, args.since))
    for line in problems:
        print('outcome: ' + line)
    if not problems:
        print('outcome: as expected (%d tests: %d ok, %d skipped for their '
              'named reasons)' % (len(expected), sum(
                  1 for v in expected.values() if v == 'ok'), sum(
                  1 for v in expected.values() if v != 'ok')))
    return 1 if problems else 0


if __name__ == '__main__':
    sys.exit(main())
