# Copyright 2026 sriov-tempest-plugin developers
#
#    Licensed under the Apache License, Version 2.0 (the "License"); you may
#    not use this file except in compliance with the License. You may obtain
#    a copy of the License at
#
#         http://www.apache.org/licenses/LICENSE-2.0
#
#    Unless required by applicable law or agreed to in writing, software
#    distributed under the License is distributed on an "AS IS" BASIS, WITHOUT
#    WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied. See the
#    License for the specific language governing permissions and limitations
#    under the License.
"""sriov-tempest-report: results files to table, chart and page, offline.

    sriov-tempest-report RESULTS.json [RESULTS.json ...] [-o DIR]
        [--margin-over-normal 0.6] [--line-rate-fraction 0.95]
        [--latency-margin 0.2] ...
        [--baseline BASELINE.json [--tolerance 0.10]]

Writes the text table, the PNG chart (with the ``report`` extra) and one
self-contained HTML page, and prints the table. Threshold options re-judge
the stored samples without a cloud; thresholds that judge nothing of a
measured topology are refused (exit 2). ``--baseline`` compares each
run's medians with a baseline run; comparing no point fails. A
re-judged or compared report is written as ``<name>-rejudged.*`` /
``<name>-baseline.*``, never over the files the run itself wrote.

Exit status: 0 when every verdict (and the baseline comparison) passes,
1 when one fails, 2 when a file or an option is unusable.
"""

import argparse
import os
import sys

from sriov_tempest_plugin import artifacts
from sriov_tempest_plugin import baseline as baseline_mod
from sriov_tempest_plugin import rejudge
from sriov_tempest_plugin import results
from sriov_tempest_plugin import verdict


def _name_list(text):
    return [w.strip() for w in text.split(',') if w.strip()]


def _stream_list(text):
    try:
        values = [int(v) for v in text.split(',') if v.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(
            '%r is not a comma-separated list of stream counts' % text)
    if not values or any(v < 1 for v in values):
        raise argparse.ArgumentTypeError(
            '%r: stream counts are positive integers, e.g. 3,5' % text)
    return values


def parser():
    p = argparse.ArgumentParser(
        prog='sriov-tempest-report',
        description='Turn sriov-tempest-plugin results files into a text '
                    'table, a PNG chart and an HTML page; re-judge them '
                    'against other thresholds; compare them with a '
                    'baseline.')
    p.add_argument('results', nargs='+', metavar='RESULTS.json',
                   help='results files written by the throughput gate')
    p.add_argument('-o', '--output-dir',
                   help='where to write (default: beside the first results '
                        'file)')
    p.add_argument('--no-chart', action='store_true',
                   help='do not draw the PNG (no matplotlib needed)')
    g = p.add_argument_group(
        're-judge', 'judge the stored samples again with other thresholds; '
        'unset ones keep the value the run used')
    g.add_argument('--port-speed-gbps', type=float)
    g.add_argument('--line-rate-reference',
                   choices=verdict.LINE_RATE_REFERENCES)
    g.add_argument('--line-rate-fraction', type=float)
    g.add_argument('--line-rate-streams', type=_stream_list)
    g.add_argument('--margin-over-normal', type=float)
    g.add_argument('--margin-streams', type=_stream_list)
    g.add_argument('--latency-margin', type=float)
    g.add_argument('--latency-max-loss', type=float)
    g.add_argument('--latency-topologies', type=_name_list)
    g.add_argument('--qos-tolerance', type=float)
    b = p.add_argument_group('baseline')
    b.add_argument('--baseline', metavar='BASELINE.json',
                   help='a results file to compare each run with')
    b.add_argument('--tolerance', type=float,
                   default=baseline_mod.DEFAULT_TOLERANCE,
                   help='fraction a median may fall below the baseline '
                        'beyond the run-to-run spread (default %(default)s)')
    return p


def output_suffix(overrides, base):
    """What the written files' names get, so that a what-if report (other
    thresholds, a baseline) never overwrites the run's own table, chart
    and page: ``-rejudged``, ``-baseline``, both, or nothing.
    """
    suffix = ''
    if any(v is not None for v in overrides.values()):
        suffix += '-rejudged'
    if base is not None:
        suffix += '-baseline'
    return suffix


def main(argv=None, out=None):
    out = out or sys.stdout
    args = parser().parse_args(argv)
    overrides = {k: getattr(args, k) for k in verdict.THRESHOLD_KEYS}
    try:
        documents = [results.load(path) for path in args.results]
        base = results.load(args.baseline) if args.baseline else None
        runs = []
        for path, document in zip(args.results, documents):
            document = rejudge.judge(document, **overrides)
            run = artifacts.Run(document, source=os.path.abspath(path))
            if base is not None:
                run.outcome = baseline_mod.compare(document, base,
                                                   args.tolerance)
                run.baseline_lines = run.outcome.lines()
            runs.append(run)
    except (results.ResultsFileError, ValueError) as exc:
        print('sriov-tempest-report: %s' % exc, file=sys.stderr)
        return 2
    directory = args.output_dir or os.path.dirname(
        os.path.abspath(args.results[0]))
    written = artifacts.write(runs, directory, draw=not args.no_chart,
                              suffix=output_suffix(overrides, base))
    for run in runs:
        print(artifacts.run_text(run), file=out)
        print('', file=out)
    if written.chart_missing and not args.no_chart:
        print('no chart: %s' % written.chart_missing, file=out)
    print('wrote: %s' % ', '.join(written.paths()), file=out)
    failed = [r.document['run_id'] for r in runs
              if not r.document['passed'] or
              (r.outcome is not None and not r.outcome.passed)]
    if failed:
        print('FAILED: %s' % '; '.join(failed), file=out)
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
