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
"""The throughput gate of one topology, free of Tempest clients.

For the SR-IOV vnic type and ``normal`` and each configured stream count it
takes ``iperf_repeats`` samples, judges the medians, measures every point
behind a failed verdict once more (``iperf_repeats`` more samples, both
sides of a margin) and judges again on all samples, then records points and
verdicts in the run's :class:`results.Results`. With ``decide_early`` it
first takes a majority of the samples and stops there when the rest could
not fail a verdict (``verdict.decided``).

Each of the paper's claims is a test of its own per topology
(:data:`CLAIMS`); the claims of a topology share one measurement
(:class:`Measured`), and :func:`claim_failures` says what fails a claim.
"""

import dataclasses
import typing

from sriov_tempest_plugin import artifacts
from sriov_tempest_plugin import baseline
from sriov_tempest_plugin import exceptions
from sriov_tempest_plugin import latency
from sriov_tempest_plugin import results as results_file
from sriov_tempest_plugin import verdict


def settings_summary(settings, mtu):
    """The settings a results file carries (``verdict.SETTINGS_KEYS``).

    The gate judges from this summary too (``verdict.Thresholds.of``), so
    a results file re-judged with its own settings gets the gate's
    verdicts.
    """
    summary = {}
    for key in verdict.SETTINGS_KEYS:
        value = mtu if key == 'mtu' else getattr(settings, key)
        summary[key] = list(value) if isinstance(value, tuple) else value
    return summary


def planned_verdicts(topology, settings):
    """``[(kind, streams)]``: the verdicts the settings ask of a topology.
    """
    return verdict.planned(topology.crosses_wire, settings.streams,
                           settings.line_rate_streams,
                           settings.margin_over_normal,
                           settings.margin_streams)


def no_verdict_reason(topology, settings):
    """Why the settings judge nothing in ``topology``, or None.

    A gate that judges nothing passes whatever it measures, so a topology
    without a verdict is a configuration error, not a pass.
    """
    if planned_verdicts(topology, settings):
        return None
    return ('%s: the settings judge nothing here, so the gate would pass '
            'whatever it measured: [sriov] streams = %s, line_rate_streams '
            '= %s%s, margin_streams = %s, margin_over_normal = %s (0 '
            'disables the margin). Set margin_over_normal > 0 and '
            'margin_streams%s to streams that are measured' % (
                topology.name, _csv(settings.streams),
                _csv(settings.line_rate_streams),
                '' if topology.crosses_wire else
                ' (no line-rate verdict here: same-host VF-to-VF traffic '
                'never leaves the NIC)',
                _csv(settings.margin_streams), settings.margin_over_normal,
                ' or line_rate_streams' if topology.crosses_wire else ''))


#: The paper's claims, each one test per topology, and the verdict kinds
#: each is judged on: near line rate and the margin over OVS (one iperf3
#: measurement, :func:`run_topology`), and latency (one ping measurement,
#: :func:`run_latency`: the p50 comparison, or the loss alone where
#: ``latency_topologies`` leaves the topology out).
CLAIMS = {
    'line_rate': ('line_rate',),
    'margin': ('margin',),
    'latency': verdict.LATENCY_KINDS,
}
#: Which measurement each claim is judged on.
MEASUREMENT_OF = {'line_rate': 'throughput', 'margin': 'throughput',
                  'latency': 'latency'}


def claim_skip_reason(claim, topology, settings):
    """Why the settings do not judge ``claim`` in ``topology`` (a skip
    naming the option), or None.
    """
    if claim == 'latency':
        if not settings.latency_checks:
            return '[sriov] latency_checks is False'
        return None
    planned = {kind for kind, _ in planned_verdicts(topology, settings)}
    if claim in planned:
        return None
    if claim == 'margin':
        return ('[sriov] margin_over_normal = %s, margin_streams = %s: no '
                'margin verdict is asked (0 disables it)'
                % (settings.margin_over_normal,
                   _csv(settings.margin_streams)))
    if not topology.crosses_wire:
        return ('%s: no near-line-rate verdict here: same-host VF-to-VF '
                'traffic never leaves the NIC' % topology.name)
    return ('[sriov] line_rate_streams = %s: no near-line-rate verdict is '
            'asked' % _csv(settings.line_rate_streams))


@dataclasses.dataclass(frozen=True)
class Measured(object):
    """One measurement of a topology, shared by the claims judged on it.

    ``verdicts`` is everything judged; ``error`` says why the measurement
    stopped before it judged (iperf3, SSH, ping), None when it finished.
    ``regressions`` are the baseline's (:func:`publish`), ``where`` names
    the files written.
    """

    topology: str
    what: str  # 'throughput' or 'latency' (MEASUREMENT_OF)
    verdicts: tuple = ()
    error: typing.Optional[str] = None
    regressions: tuple = ()
    where: str = ''


def claim_failures(claim, measured):
    """Why ``claim`` fails on ``measured``: the failed verdicts' messages,
    or that nothing was judged; [] when it passed.

    A claim with no verdict of its kinds fails: with the measurement's
    error when it stopped, else because a claim nobody judged is not a
    pass.
    """
    mine = [v for v in measured.verdicts if v.kind in CLAIMS[claim]]
    if not mine:
        if measured.error:
            return ['the %s measurement of %s stopped before it judged '
                    'this: %s' % (measured.what, measured.topology,
                                  measured.error)]
        return ['the %s measurement of %s judged no %s verdict (kinds %s), '
                'and a claim nobody judged is not a pass'
                % (measured.what, measured.topology, claim,
                   ', '.join(CLAIMS[claim]))]
    return [v.message for v in mine if not v.passed]


def first_samples(settings):
    """How many samples each point gets before ``verdict.decided`` is asked.

    A majority of ``iperf_repeats`` (2 of 3) with ``decide_early``, else
    all of them; all of them too against a baseline, whose regression rule
    compares medians and run-to-run spreads of full samples.
    """
    repeats = settings.iperf_repeats
    if not settings.decide_early or settings.baseline_results:
        return repeats
    return repeats // 2 + 1


def _csv(values):
    return ','.join(str(v) for v in values) or '(empty)'


def run_topology(topology, settings, mtu, measure, results, hosts):
    """Measure, judge and record one topology; return its verdicts.

    :param measure: ``measure(vnic_type, streams, count) -> [IperfRun]``.
    :param hosts: ``hosts(vnic_type) -> {'client': .., 'server': ..}``.
    :raises SriovConfigError: when the settings judge nothing here
        (:func:`no_verdict_reason`), before anything is measured.
    """
    reason = no_verdict_reason(topology, settings)
    if reason:
        raise exceptions.SriovConfigError(reason)
    vnic_types = (settings.vnic_type, 'normal')
    repeats = settings.iperf_repeats
    first = first_samples(settings)
    runs = {}
    for vnic_type in vnic_types:
        for streams in settings.streams:
            runs[(vnic_type, streams)] = list(
                measure(vnic_type, streams, first))

    def points():
        return {key: verdict.Point(topology.name, key[0], key[1],
                                   tuple(r.received_gbps for r in value))
                for key, value in runs.items()}

    thresholds = verdict.Thresholds.of(settings_summary(settings, mtu))

    def judge(these=None):
        return thresholds.judge(points() if these is None else these,
                                topology.crosses_wire)

    if first < repeats and not verdict.decided(points(), repeats,
                                               settings.vnic_type, judge):
        for key in sorted(runs):
            runs[key].extend(measure(key[0], key[1], repeats - first))

    verdicts = judge()
    again = set()
    for v in verdicts:
        if not v.passed:
            again.add((v.vnic_type, v.streams))
            if v.kind == 'margin':
                again.add(('normal', v.streams))
    for key in sorted(again):
        runs[key].extend(measure(key[0], key[1], settings.iperf_repeats))
    if again:
        verdicts = judge()

    for key, point in sorted(points().items()):
        results.add_point(point, runs[key], settings.cpu_bound_percent,
                          hosts(key[0]), remeasured=key in again,
                          planned=repeats)
    results.add_verdicts(verdicts)
    return verdicts


def run_latency(topology, settings, mtu, ping, results, hosts):
    """Measure, judge and record one topology's latency; return verdicts.

    :param ping: ``ping(vnic_type, count) -> ping output`` (text).
    :param hosts: ``hosts(vnic_type) -> {'client': .., 'server': ..}``.
    :raises ValueError: when the output is not ping's.
    """
    points = {}
    for vnic_type in (settings.vnic_type, 'normal'):
        rtts, sent = latency.parse_ping(ping(vnic_type,
                                             settings.latency_samples))
        points[vnic_type] = latency.LatencyPoint(topology.name, vnic_type,
                                                 rtts, sent)
        results.add_latency(points[vnic_type], hosts(vnic_type))
    thresholds = verdict.Thresholds.of(settings_summary(settings, mtu))
    verdicts = thresholds.judge_latency(points)
    results.add_verdicts(verdicts)
    return verdicts


def qos_streams(settings):
    """The stream count the QoS check measures: the fewest judged near
    line rate (once the limit is deleted the VF must be back there), else
    the most measured.
    """
    if settings.line_rate_streams:
        return min(settings.line_rate_streams)
    return max(settings.streams)


def run_qos(topology, settings, mtu, limit, measure, results, hosts):
    """Measure, judge and record the QoS check; return its verdicts.

    Under a bandwidth limit of ``[sriov] qos_max_kbps``, then with the
    limit deleted: ``iperf_repeats`` samples each, as many more when a
    verdict fails (as the gate does).

    :param limit: ``limit(max_kbps)``: puts that limit on the SR-IOV
        client's port (0: deletes it) and returns once it is in force.
    :param measure: ``measure(streams, count) -> [IperfRun]`` from the
        SR-IOV client to its server.
    :param hosts: ``{'client': .., 'server': ..}``.
    """
    thresholds = verdict.Thresholds.of(settings_summary(settings, mtu))
    streams = qos_streams(settings)
    verdicts = []
    for max_kbps in (settings.qos_max_kbps, 0):
        limit(max_kbps)
        runs = list(measure(streams, settings.iperf_repeats))

        def point():
            return verdict.Point(topology.name, settings.vnic_type, streams,
                                 tuple(r.received_gbps for r in runs))

        judged = thresholds.judge_qos(point(), max_kbps)
        if not judged.passed:
            runs.extend(measure(streams, settings.iperf_repeats))
            judged = thresholds.judge_qos(point(), max_kbps)
        results.add_qos(point(), max_kbps, runs, settings.cpu_bound_percent,
                        hosts, remeasured=len(runs) > settings.iperf_repeats)
        verdicts.append(judged)
    results.add_verdicts(verdicts)
    return verdicts


class Published(object):
    """What :func:`publish` wrote, and the baseline regressions it found."""

    def __init__(self, path, written, table, regressions, baseline_lines):
        self.path = path
        self.written = written
        self.table = table
        self.regressions = regressions
        self.baseline_lines = baseline_lines

    def where(self):
        lines = ['results file: %s' % self.path,
                 'table: %s' % self.written.text,
                 'page: %s' % self.written.html]
        if self.written.pngs:
            lines.append('chart: %s' % ', '.join(self.written.pngs))
        else:
            lines.append('chart: not drawn; %s' % self.written.chart_missing)
        return '\n'.join(lines)


def publish(results, settings, topology_name):
    """Write the results file, its table, chart and page; compare with the
    baseline when ``[sriov] baseline_results`` names one.

    Only ``topology_name``'s regressions are returned (the gate fails the
    topology it just measured); the page lists the comparison of every
    point measured so far.
    """
    path = results.write(settings.results_dir)
    document = results.document()
    run = artifacts.Run(document, source=path)
    regressions = []
    if settings.baseline_results:
        try:
            base = results_file.load(settings.baseline_results)
        except results_file.ResultsFileError as exc:
            raise exceptions.SriovConfigError(
                '[sriov] baseline_results: %s' % exc)
        outcome = baseline.compare(document, base,
                                   settings.baseline_tolerance)
        run.baseline_lines = outcome.lines()
        regressions = outcome.failures(topology_name)
    written = artifacts.write([run], settings.results_dir)
    return Published(path, written, artifacts.run_text(run), regressions,
                     run.baseline_lines)
