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
"""The gate's measuring plan, decisions and records."""

import dataclasses
import random

from sriov_tempest_plugin import exceptions
from sriov_tempest_plugin import gate
from sriov_tempest_plugin import iperf
from sriov_tempest_plugin import latency
from sriov_tempest_plugin import results as results_file
from sriov_tempest_plugin.tests.unit import base
from sriov_tempest_plugin import topology
from sriov_tempest_plugin import verdict


class FakeMeasure(object):
    """Returns real-shaped runs whose goodput follows a script."""

    def __init__(self, template, script):
        self.template = template
        self.script = script  # (vnic, streams) -> [Gbit/s, ...] in order
        self.calls = []

    def __call__(self, vnic_type, streams, count):
        self.calls.append((vnic_type, streams, count))
        values = self.script[(vnic_type, streams)]
        taken, self.script[(vnic_type, streams)] = (values[:count],
                                                    values[count:])
        return [dataclasses.replace(self.template, received_gbps=v,
                                    streams=streams) for v in taken]


class GateTest(base.TestCase):

    def setUp(self):
        super(GateTest, self).setUp()
        self.template = iperf.parse_client_output(
            base.fixture('iperf3-3.12-1stream.json'))
        self.s = self.settings(physical_network='physnet1',
                               streams=[1, 3], line_rate_streams=[3],
                               margin_streams=[3])
        self.results = results_file.Results(
            'run1', gate.settings_summary(self.s, 1500))

    def _run(self, script, topo=topology.SAME_SUBNET_DIFFERENT_HOSTS):
        self.measure = FakeMeasure(self.template, script)
        return gate.run_topology(
            topo, self.s, 1500, self.measure, self.results,
            lambda vnic: {'client': 'c1', 'server': 'c2'})

    def test_paper_like_run_passes_without_remeasure(self):
        verdicts = self._run({
            ('direct', 1): [8.3] * 3, ('direct', 3): [9.4] * 3,
            ('normal', 1): [5.5] * 3, ('normal', 3): [6.0] * 3})
        self.assertTrue(all(v.passed for v in verdicts))
        self.assertEqual(4, len(self.measure.calls))
        self.assertTrue(self.results.document()['passed'])
        self.assertEqual(4, len(self.results.document()['points']))

    def test_failed_point_is_measured_once_more_and_can_recover(self):
        verdicts = self._run({
            ('direct', 1): [8.3] * 3,
            ('direct', 3): [9.4, 7.0, 7.1, 9.4, 9.4, 9.3],
            ('normal', 1): [5.5] * 3, ('normal', 3): [6.0] * 6})
        # 2 samples each; 9.4, 7.0 and a worst third leave the line rate
        # open: the third of each; then the failed points 3 more each.
        self.assertEqual([2] * 4 + [1] * 4 + [3, 3],
                         [c[2] for c in self.measure.calls])
        self.assertIn(('direct', 3, 3), self.measure.calls[8:])
        self.assertIn(('normal', 3, 3), self.measure.calls[8:])
        line = [v for v in verdicts if v.kind == 'line_rate'][0]
        self.assertTrue(line.passed)  # median of 6 samples: 9.35
        point = [p for p in self.results.document()['points']
                 if (p['vnic_type'], p['streams']) == ('direct', 3)][0]
        self.assertTrue(point['remeasured'])
        self.assertEqual(6, len(point['samples_gbps']))

    def test_healthy_run_decides_after_two_of_three_samples(self):
        verdicts = self._run({
            ('direct', 1): [8.3] * 3, ('direct', 3): [9.4] * 3,
            ('normal', 1): [5.5] * 3, ('normal', 3): [6.0] * 3})
        self.assertTrue(all(v.passed for v in verdicts))
        self.assertEqual([2] * 4, [c[2] for c in self.measure.calls])
        for point in self.results.document()['points']:
            self.assertEqual((2, 3), (point['samples'],
                                      point['planned_samples']))
            self.assertEqual(2, len(point['samples_gbps']))

    def test_every_sample_without_decide_early(self):
        self.s = dataclasses.replace(self.s, decide_early=False)
        self._run({
            ('direct', 1): [8.3] * 3, ('direct', 3): [9.4] * 3,
            ('normal', 1): [5.5] * 3, ('normal', 3): [6.0] * 3})
        self.assertEqual([3] * 4, [c[2] for c in self.measure.calls])
        for point in self.results.document()['points']:
            self.assertEqual((3, 3), (point['samples'],
                                      point['planned_samples']))

    def test_every_sample_against_a_baseline(self):
        self.s = dataclasses.replace(self.s,
                                     baseline_results='/srv/accepted.json')
        self.assertEqual(3, gate.first_samples(self.s))

    def test_open_margin_takes_the_last_sample(self):
        # 9.4 vs normal 6.0, 7.0 and an unbounded third: 9.4 < 1.4 x 7.0.
        verdicts = self._run({
            ('direct', 1): [8.3] * 3, ('direct', 3): [9.4] * 3,
            ('normal', 1): [5.5] * 3, ('normal', 3): [6.0, 7.0, 6.0]})
        self.assertEqual([2] * 4 + [1] * 4,
                         [c[2] for c in self.measure.calls])
        self.assertTrue(all(v.passed for v in verdicts))

    def test_decided_fills_the_worst_samples(self):
        thresholds = verdict.Thresholds.of(gate.settings_summary(self.s,
                                                                 1500))

        def judge(points):
            return thresholds.judge(points, True)

        def points(direct, normal):
            return {('direct', 3): verdict.Point('t', 'direct', 3, direct),
                    ('normal', 3): verdict.Point('t', 'normal', 3, normal)}

        # Line rate 0.9 x 9.39 = 8.45: two samples above it decide a median
        # of three; one above and one below do not.
        self.assertTrue(verdict.decided(points((9.4, 9.3), (6.0, 6.1)), 3,
                                        'direct', judge))
        self.assertFalse(verdict.decided(points((9.4, 8.0), (6.0, 6.1)), 3,
                                         'direct', judge))
        # Margin: the normal median could still rise to the larger sample.
        self.assertFalse(verdict.decided(points((9.4, 9.3), (6.0, 6.7)), 3,
                                         'direct', judge))
        # All samples in: decided is the verdict itself.
        self.assertTrue(verdict.decided(points((9.4, 9.3, 1.0), (6.0, 6.1, 9)),
                                        3, 'direct', judge))

    def test_verdicts_are_those_of_every_sample(self):
        """Decide-early never changes a verdict: random runs and the paper's
        and the lab's figures judged both ways.
        """
        rng = random.Random(20261125)
        scripts = []
        for _ in range(300):
            scripts.append({key: [round(rng.uniform(lo, hi), 2)
                                  for _ in range(6)]
                            for key, (lo, hi) in (
                                (('direct', 1), (6.0, 9.5)),
                                (('direct', 3), (7.5, 9.5)),
                                (('normal', 1), (3.0, 7.0)),
                                (('normal', 3), (4.0, 7.5)))})
        scripts.append({('direct', 1): [8.3] * 6, ('direct', 3): [9.4] * 6,
                        ('normal', 1): [5.5] * 6, ('normal', 3): [6.0] * 6})
        for name, by_vnic in base.LAB_SAMPLES.items():
            scripts.append({(vnic, n): list(values) * 2
                            for vnic, values in by_vnic.items()
                            for n in (1, 3)})
        early_calls = full_calls = 0
        for script in scripts:
            outcome = {}
            for early in (True, False):
                self.s = dataclasses.replace(self.s, decide_early=early)
                self.results = results_file.Results('r', {})
                verdicts = self._run({k: list(v) for k, v in script.items()})
                outcome[early] = [(v.kind, v.streams, v.passed)
                                  for v in verdicts]
                taken = sum(c[2] for c in self.measure.calls)
                if early:
                    early_calls += taken
                else:
                    full_calls += taken
            self.assertEqual(outcome[False], outcome[True], script)
        self.assertLess(early_calls, full_calls)

    def test_ovs_within_margin_still_fails_after_remeasure(self):
        verdicts = self._run({
            ('direct', 1): [8.3] * 3, ('direct', 3): [9.4] * 6,
            ('normal', 1): [7.0] * 3, ('normal', 3): [7.2] * 6})
        failed = [v for v in verdicts if not v.passed]
        self.assertEqual(['margin'], [v.kind for v in failed])
        self.assertIn('only 1.31x', failed[0].message)
        self.assertFalse(self.results.document()['passed'])

    def test_same_host_has_only_margin_verdicts(self):
        verdicts = self._run({
            ('direct', 1): [14.0] * 3, ('direct', 3): [14.0] * 3,
            ('normal', 1): [6.0] * 3, ('normal', 3): [6.0] * 3},
            topo=topology.SAME_SUBNET_SAME_HOST)
        self.assertEqual(['margin'], [v.kind for v in verdicts])

    def test_topology_without_verdicts_fails_before_measuring(self):
        self.s = dataclasses.replace(self.s, margin_over_normal=0.0)
        self.measure = FakeMeasure(self.template, {})
        exc = self.assertRaises(
            exceptions.SriovConfigError, gate.run_topology,
            topology.SAME_SUBNET_SAME_HOST, self.s, 1500, self.measure,
            self.results, lambda vnic: {})
        self.assertEqual([], self.measure.calls)
        self.assertIn('same_subnet_same_host: the settings judge nothing '
                      'here', str(exc))
        self.assertIn('margin_over_normal = 0.0', str(exc))
        self.assertIn('no line-rate verdict here', str(exc))

    def test_verdicts_planned_per_topology(self):
        self.assertEqual([('margin', 3)], gate.planned_verdicts(
            topology.SAME_SUBNET_SAME_HOST, self.s))
        self.assertEqual([('line_rate', 3), ('margin', 3)],
                         gate.planned_verdicts(
                             topology.DIFFERENT_SUBNETS_SAME_HOST, self.s))
        self.assertIsNone(gate.no_verdict_reason(
            topology.SAME_SUBNET_DIFFERENT_HOSTS, self.s))

    def test_summary_is_the_declared_settings_keys(self):
        summary = gate.settings_summary(self.s, 1500)
        self.assertEqual(list(verdict.SETTINGS_KEYS), list(summary))
        self.assertEqual([3], summary['line_rate_streams'])
        self.assertTrue(summary['decide_early'])

    def test_gate_and_rejudge_share_thresholds(self):
        """The gate's thresholds are those of the summary it writes."""
        thresholds = verdict.Thresholds.of(gate.settings_summary(self.s,
                                                                 1500))
        self.assertAlmostEqual(0.9 * 9.39, thresholds.line_rate_gbps,
                               places=2)
        self.assertEqual('near line rate 8.45 Gbit/s (90 % of goodput '
                         'ceiling)', thresholds.line_rate_label())
        self.assertEqual((3,), thresholds.margin_streams)

    def test_summary_carries_thresholds(self):
        summary = gate.settings_summary(self.s, 1500)
        self.assertEqual(0.9, summary['line_rate_fraction'])
        self.assertEqual(1500, summary['mtu'])
        self.assertEqual('processes', summary['iperf_mode'])


class ClaimsTest(base.TestCase):
    """One test per claim: which verdicts a claim's test judges, when it
    is not asked, and that one nobody judged fails.
    """

    def setUp(self):
        super(ClaimsTest, self).setUp()
        self.template = iperf.parse_client_output(
            base.fixture('iperf3-3.12-1stream.json'))
        self.s = self.settings(physical_network='physnet1', streams=[3],
                               line_rate_streams=[3], margin_streams=[3])
        self.results = results_file.Results(
            'run1', gate.settings_summary(self.s, 1500))

    def _measured(self, script, topo=topology.SAME_SUBNET_DIFFERENT_HOSTS):
        verdicts = gate.run_topology(
            topo, self.s, 1500, FakeMeasure(self.template, script),
            self.results, lambda vnic: {'client': 'c1', 'server': 'c2'})
        return gate.Measured(topo.name, 'throughput', tuple(verdicts))

    def test_each_claim_judges_its_own_verdicts(self):
        # The VF at line rate but the OVS path within the margin: the
        # margin claim fails, the line-rate claim passes.
        measured = self._measured({('direct', 3): [9.4] * 6,
                                   ('normal', 3): [8.0] * 6})
        self.assertEqual([], gate.claim_failures('line_rate', measured))
        failed = gate.claim_failures('margin', measured)
        self.assertEqual(1, len(failed))
        self.assertIn('only 1.18x', failed[0])

    def test_a_slow_vf_fails_both_throughput_claims(self):
        measured = self._measured({('direct', 3): [3.0] * 6,
                                   ('normal', 3): [3.0] * 6})
        self.assertIn('below the near-line-rate threshold',
                      gate.claim_failures('line_rate', measured)[0])
        self.assertEqual(1, len(gate.claim_failures('margin', measured)))

    def test_latency_claim_judges_the_ping_verdict(self):
        rtts, sent = latency.parse_ping(
            base.fixture('ping-iputils-partial-loss.txt'))
        ok_rtts, ok_sent = latency.parse_ping(
            base.fixture('ping-iputils-50.txt'))
        points = {'direct': latency.LatencyPoint(
            'same_subnet_different_hosts', 'direct', rtts, sent),
            'normal': latency.LatencyPoint(
                'same_subnet_different_hosts', 'normal', ok_rtts, ok_sent)}
        thresholds = verdict.Thresholds.of(gate.settings_summary(self.s,
                                                                 1500))
        verdicts = tuple(thresholds.judge_latency(points))
        measured = gate.Measured('same_subnet_different_hosts', 'latency',
                                 verdicts)
        self.assertEqual(
            [v.message for v in verdicts if not v.passed],
            gate.claim_failures('latency', measured))
        # A throughput claim finds nothing of its own on a ping
        # measurement: not a pass.
        self.assertIn('judged no line_rate verdict',
                      gate.claim_failures('line_rate', measured)[0])

    def test_a_stopped_measurement_fails_each_claim_with_its_error(self):
        measured = gate.Measured('same_subnet_different_hosts', 'throughput',
                                 error='iperf3 from a to 10.0.0.5 (3 '
                                 'streams), attempt 3 of 3: no data')
        for claim in ('line_rate', 'margin'):
            failed = gate.claim_failures(claim, measured)
            self.assertEqual(1, len(failed))
            self.assertIn('the throughput measurement of '
                          'same_subnet_different_hosts stopped before it '
                          'judged this: iperf3 from a', failed[0])

    def test_a_claim_not_asked_is_skipped_naming_the_option(self):
        same_host = topology.SAME_SUBNET_SAME_HOST
        wire = topology.SAME_SUBNET_DIFFERENT_HOSTS
        self.assertIsNone(gate.claim_skip_reason('margin', same_host, self.s))
        self.assertIsNone(gate.claim_skip_reason('line_rate', wire, self.s))
        self.assertIn('never leaves the NIC', gate.claim_skip_reason(
            'line_rate', same_host, self.s))
        off = dataclasses.replace(self.s, margin_over_normal=0.0,
                                  line_rate_streams=(), latency_checks=False)
        self.assertIn('[sriov] margin_over_normal = 0.0',
                      gate.claim_skip_reason('margin', wire, off))
        self.assertIn('[sriov] line_rate_streams = ',
                      gate.claim_skip_reason('line_rate', wire, off))
        self.assertEqual('[sriov] latency_checks is False',
                         gate.claim_skip_reason('latency', wire, off))
        self.assertIsNone(gate.claim_skip_reason('latency', wire, self.s))

    def test_every_verdict_kind_of_a_topology_belongs_to_one_claim(self):
        kinds = [k for claim in gate.CLAIMS.values() for k in claim]
        self.assertEqual(len(kinds), len(set(kinds)))
        for topo in topology.TOPOLOGIES:
            for kind, _ in gate.planned_verdicts(topo, self.s):
                self.assertIn(kind, kinds)
        self.assertEqual(set(gate.CLAIMS), set(gate.MEASUREMENT_OF))
