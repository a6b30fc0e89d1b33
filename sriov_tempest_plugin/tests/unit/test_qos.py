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
"""The QoS check: its verdicts, its run, its records and their views."""

import dataclasses
import json

from sriov_tempest_plugin import exceptions
from sriov_tempest_plugin import gate
from sriov_tempest_plugin import iperf
from sriov_tempest_plugin import rejudge
from sriov_tempest_plugin import results as results_file
from sriov_tempest_plugin import tables
from sriov_tempest_plugin.tests.unit import base
from sriov_tempest_plugin import topology
from sriov_tempest_plugin import verdict
from sriov_tempest_plugin import vf
from sriov_tempest_plugin import webpage

TOPO = topology.SAME_SUBNET_DIFFERENT_HOSTS.name


def _outcome(document):
    """Kind, verdict and message of each verdict.

    A re-judgement works from the file's samples, rounded to 4 places.
    """
    return [(v['kind'], v['passed'], v['message'])
            for v in document['verdicts']]


def lab_document(name='results-qos-lab.json'):
    return json.loads(base.fixture(name))


class RateLimitVerdictTest(base.TestCase):

    def _point(self, *samples):
        return verdict.Point(TOPO, 'direct', 3, samples)

    def test_within_tolerance_either_side(self):
        for samples in ((0.286, 0.282, 0.286), (0.32, 0.33, 0.31)):
            v = verdict.judge_rate_limit(self._point(*samples), 300000, 0.1)
            self.assertTrue(v.passed, v.message)
            self.assertEqual((verdict.QOS_LIMIT, 0.3),
                             (v.kind, v.threshold_gbps))
            self.assertIn('within 10 % of the limit 0.300', v.message)

    def test_above_the_limit_names_the_vf_and_the_agent(self):
        v = verdict.judge_rate_limit(self._point(0.94, 0.92, 0.90),
                                     300000, 0.1)
        self.assertFalse(v.passed)
        self.assertIn('median 0.920 Gbit/s is 206.7 % above the limit '
                      '0.300 Gbit/s (tolerance 10 %)', v.message)
        self.assertIn('does not enforce its max_tx_rate', v.message)
        self.assertIn('[agent] extensions must include qos', v.message)

    def test_below_the_limit(self):
        v = verdict.judge_rate_limit(self._point(0.25, 0.26, 0.25),
                                     300000, 0.1)
        self.assertFalse(v.passed)
        self.assertIn('16.7 % below the limit', v.message)

    def test_removed_is_the_line_rate_verdict_of_its_own_kind(self):
        doc = lab_document()
        thresholds = verdict.Thresholds.of(doc['settings'])
        v = thresholds.judge_qos(self._point(0.92, 0.918, 0.937), 0)
        self.assertEqual(verdict.QOS_REMOVED, v.kind)
        self.assertTrue(v.passed)
        self.assertEqual(thresholds.line_rate_gbps, v.threshold_gbps)
        self.assertTrue(v.message.startswith(
            'with the bandwidth limit deleted, '))
        v = thresholds.judge_qos(self._point(0.30, 0.29, 0.30), 0)
        self.assertFalse(v.passed)
        self.assertIn('is below the near-line-rate threshold', v.message)

    def test_kind_follows_the_limit(self):
        self.assertEqual(verdict.QOS_LIMIT, verdict.qos_kind(300000))
        self.assertEqual(verdict.QOS_REMOVED, verdict.qos_kind(0))

    def test_limit_must_be_told_apart_from_line_rate(self):
        settings = {'port_speed_gbps': 10.0, 'line_rate_fraction': 0.9,
                    'qos_max_kbps': 1000000, 'qos_tolerance': 0.1}
        self.assertIsNone(verdict.qos_limit_problem(settings))
        settings['qos_max_kbps'] = 8000000
        why = verdict.qos_limit_problem(settings)
        self.assertIn('reaches the near-line-rate threshold 8.451', why)
        self.assertIn('use a limit below 7683056 kbit/s', why)

    def test_tolerance_rule(self):
        self.assertIsNone(verdict.threshold_problem('qos_tolerance', 0.1))
        for bad in (0, 1, -0.1, None):
            self.assertIn('must be in (0, 1)', verdict.threshold_problem(
                'qos_tolerance', bad))


class QosConfigTest(base.TestCase):

    def test_defaults(self):
        s = self.settings()
        self.assertEqual((True, 1000000, 0.1),
                         (s.qos_checks, s.qos_max_kbps, s.qos_tolerance))

    def test_a_limit_at_line_rate_is_refused_unless_qos_is_off(self):
        self.assertRaisesRegex(exceptions.SriovConfigError,
                               r'\[sriov\] qos_max_kbps = 9000000 is '
                               'invalid: the limit 9.000 Gbit/s',
                               self.settings, qos_max_kbps=9000000)
        self.settings(qos_max_kbps=9000000, qos_checks=False)

    def test_bad_tolerance(self):
        self.assertRaisesRegex(exceptions.SriovConfigError,
                               r'qos_tolerance = 1.5 is invalid',
                               self.settings, qos_tolerance=1.5)


class MaxTxRateTest(base.TestCase):

    def test_as_the_sriov_agent_rounds(self):
        self.assertEqual([0, 1, 1, 1, 2, 300, 1000],
                         [vf.max_tx_rate_mbps(k) for k in
                          (0, 1, 999, 1499, 1500, 300000, 1000000)])


class RunQosTest(base.TestCase):

    def setUp(self):
        super(RunQosTest, self).setUp()
        self.template = iperf.parse_client_output(
            base.fixture('iperf3-3.12-1stream.json'))
        self.s = self.settings(physical_network='physnet1',
                               port_speed_gbps=1.0, line_rate_fraction=0.8,
                               qos_max_kbps=300000)
        self.results = results_file.Results(
            'run1', gate.settings_summary(self.s, 1500))
        self.events = []

    def _run(self, script):
        def limit(max_kbps):
            self.events.append(('limit', max_kbps))

        def measure(streams, count):
            self.events.append(('measure', streams, count))
            taken, script[:] = script[:count], script[count:]
            return [dataclasses.replace(self.template, received_gbps=v,
                                        streams=streams) for v in taken]

        return gate.run_qos(topology.SAME_SUBNET_DIFFERENT_HOSTS, self.s,
                            1500, limit, measure, self.results,
                            {'client': 'compute1', 'server': 'compute2'})

    def test_limit_then_deleted_each_judged_and_recorded(self):
        verdicts = self._run([0.286, 0.282, 0.286, 0.92, 0.918, 0.937])
        self.assertEqual([('limit', 300000), ('measure', 3, 3),
                          ('limit', 0), ('measure', 3, 3)], self.events)
        self.assertEqual([(verdict.QOS_LIMIT, True),
                          (verdict.QOS_REMOVED, True)],
                         [(v.kind, v.passed) for v in verdicts])
        doc = self.results.document()
        self.assertTrue(doc['passed'])
        self.assertEqual([], doc['points'])
        self.assertEqual([300000, 0], [p['max_kbps'] for p in doc['qos']])
        self.assertEqual({'client': 'compute1', 'server': 'compute2'},
                         doc['qos'][0]['hosts'])

    def test_a_failed_point_is_measured_again(self):
        verdicts = self._run([0.92, 0.93, 0.91, 0.92, 0.94, 0.90,
                              0.92, 0.918, 0.937])
        self.assertEqual(('measure', 3, 3), self.events[2])
        self.assertFalse(verdicts[0].passed)
        self.assertTrue(self.results.document()['qos'][0]['remeasured'])
        self.assertEqual(6, self.results.document()['qos'][0]['samples'])

    def test_streams_are_the_fewest_judged_near_line_rate(self):
        self.assertEqual(3, gate.qos_streams(self.s))
        self.assertEqual(5, gate.qos_streams(dataclasses.replace(
            self.s, line_rate_streams=())))


class QosRecordsTest(base.TestCase):

    def test_lab_file_tables_and_page(self):
        doc = lab_document()
        lines = tables.qos_table(doc)
        self.assertIn('limit kbit/s', lines[1])
        self.assertRegex(lines[3], r'same_subnet_different_hosts\s+direct'
                         r'\s+3\s+300000\s+0\.286\s+0\.282-0\.286\s+'
                         r'qos_limit:pass')
        self.assertRegex(lines[4], r'\s+none\s+0\.922\s+.*qos_removed:pass')
        self.assertIn('qos_limit:pass', tables.text_table(doc))
        page = webpage.run_section(doc)
        self.assertIn('<h3>QoS bandwidth limit</h3>', page)
        self.assertIn('qos_limit: <span class="pass">pass</span>', page)

    def test_text_table_of_a_qos_only_run_has_no_empty_gate_table(self):
        doc = lab_document()
        self.assertFalse(doc.get('points'))
        text = tables.text_table(doc)
        self.assertTrue(text.startswith('topology'), text)
        self.assertNotIn('min-max   spread', text)
        self.assertIn('limit kbit/s', text.splitlines()[0])

    def test_qos_verdicts_stay_off_the_gate_points(self):
        doc = lab_document()
        doc['points'] = [dict(doc['qos'][1], max_kbps=None)]
        del doc['points'][0]['max_kbps']
        self.assertEqual({}, results_file.verdicts_by_point(doc))

    def test_rejudged_with_another_tolerance(self):
        doc = lab_document()
        # Median 0.286 is 4.7 % under the limit.
        out = rejudge.judge(doc, qos_tolerance=0.04)
        limited = [v for v in out['verdicts']
                   if v['kind'] == verdict.QOS_LIMIT][0]
        self.assertFalse(limited['passed'])
        self.assertFalse(out['passed'])
        self.assertEqual(_outcome(doc), _outcome(rejudge.judge(doc)))

    def test_fault_run_fails_above_the_limit(self):
        doc = lab_document('results-qos-no-rate-limit.json')
        self.assertEqual(_outcome(doc), _outcome(rejudge.judge(doc)))
        self.assertIn('% above the limit',
                      results_file.failed_messages(doc)[0])
        self.assertEqual([(300000, 0.921), (0, 0.936)],
                         [(k, round(p.median, 3)) for p, k in
                          results_file.qos_of(doc)])
