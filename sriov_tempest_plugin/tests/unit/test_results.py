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
"""The results file: written, read and checked."""

import json
import os
import tempfile

import fixtures

from sriov_tempest_plugin import iperf
from sriov_tempest_plugin import results as results_file
from sriov_tempest_plugin import tables
from sriov_tempest_plugin.tests.unit import base
from sriov_tempest_plugin import verdict

TOPO = 'same_subnet_different_hosts'


class ResultsTest(base.TestCase):

    def setUp(self):
        super(ResultsTest, self).setUp()
        self.run_3 = iperf.parse_client_output(
            base.fixture('iperf3-3.12-3streams.json'))
        self.run_p = iperf.parse_client_output(
            base.fixture('iperf3-3.12-3processes.txt'))
        self.results = results_file.Results('20261124T0100Z', {'margin': 0.4})
        self.direct = verdict.Point(TOPO, 'direct', 3, (9.3, 9.4, 9.35))
        self.normal = verdict.Point(TOPO, 'normal', 3, (6.1, 5.9, 6.0))
        hosts = {'client': 'compute1', 'server': 'compute2'}
        self.results.add_point(self.direct, [self.run_p] * 3, 90, hosts)
        self.results.add_point(self.normal, [self.run_3] * 3, 90, hosts)
        self.results.add_verdicts(verdict.judge_topology(
            {('direct', 3): self.direct, ('normal', 3): self.normal},
            'direct', True,
            verdict.line_rate_threshold_gbps(10, 0.9) + (0.9,), (3,), 0.4,
            (3,)))

    def test_document(self):
        doc = self.results.document()
        self.assertEqual(1, doc['format'])
        self.assertEqual(['iperf 3.12'], doc['iperf3_versions'])
        self.assertTrue(doc['passed'])
        direct = [p for p in doc['points'] if p['vnic_type'] == 'direct'][0]
        self.assertEqual([9.3, 9.4, 9.35], direct['samples_gbps'])
        self.assertEqual(9.35, direct['median_gbps'])
        self.assertEqual(9.3, direct['min_gbps'])
        self.assertEqual(9.4, direct['max_gbps'])
        self.assertEqual(3, direct['processes'])
        self.assertEqual([], direct['cpu_bound_samples'])
        self.assertEqual([1, 1, 1], direct['attempts'])
        # Unstamped parallel clients (older output): no skew known.
        self.assertEqual([None] * 3, direct['skew_seconds'])
        self.assertEqual([0, 0, 0], direct['starved_clients'])
        normal = [p for p in doc['points'] if p['vnic_type'] == 'normal'][0]
        self.assertEqual([0, 1, 2], normal['cpu_bound_samples'])
        kinds = sorted(v['kind'] for v in doc['verdicts'])
        self.assertEqual(['line_rate', 'margin'], kinds)
        for v in doc['verdicts']:
            self.assertIn('threshold_gbps', v)
            self.assertIn('passed', v)

    def test_skew_of_late_parallel_clients_is_recorded(self):
        late = iperf.parse_client_output(
            base.fixture('iperf3-3.12-3processes-late-client.txt'))
        results = results_file.Results('20261124T0100Z', {})
        results.add_point(self.direct, [late, self.run_3, late], 90, {})
        point = results.document()['points'][0]
        self.assertEqual([2.07, None, 2.07], point['skew_seconds'])

    def test_failed_verdict_fails_document(self):
        self.results.add_verdicts([verdict.judge_margin(
            self.direct, self.normal, 0.7)])
        doc = self.results.document()
        self.assertFalse(doc['passed'])
        # Re-judging replaces, it does not duplicate.
        self.assertEqual(2, len(doc['verdicts']))

    def test_remeasured_point_replaces_the_old_one(self):
        more = self.direct.with_more([9.2, 9.3, 9.4])
        self.results.add_point(more, [self.run_p] * 6, 90, {},
                               remeasured=True)
        points = [p for p in self.results.document()['points']
                  if p['vnic_type'] == 'direct']
        self.assertEqual(1, len(points))
        self.assertTrue(points[0]['remeasured'])
        self.assertEqual(6, len(points[0]['samples_gbps']))

    def test_write_is_valid_json(self):
        with tempfile.TemporaryDirectory() as tmp:
            path = self.results.write(os.path.join(tmp, 'out'))
            with open(path) as handle:
                self.assertEqual(self.results.document(), json.load(handle))
            self.assertEqual(['sriov-throughput-20261124T0100Z.json'],
                             os.listdir(os.path.join(tmp, 'out')))

    def test_text_table(self):
        table = tables.text_table(self.results.document())
        lines = table.splitlines()
        self.assertEqual(['topology', 'vnic', 'streams', 'median', 'min-max',
                          'spread', 'verdict'], lines[0].split())
        self.assertIn('direct', lines[2])
        self.assertIn('9.35', lines[2])
        self.assertIn('9.30-9.40', lines[2])
        self.assertIn('line_rate:pass margin:pass', lines[2])
        self.assertIn('normal', lines[3])
        self.assertIn('(cpu-bound)', lines[3])
        self.assertIn('PASSED', lines[-1])

    def test_points_follow_the_papers_topology_order(self):
        doc = base.results_document()
        self.assertEqual(
            ['same_subnet_same_host', 'same_subnet_different_hosts',
             'different_subnets_same_host'],
            list(dict.fromkeys(p['topology'] for p in doc['points'])))
        self.assertEqual(['direct'] * 3 + ['normal'] * 3,
                         [p['vnic_type'] for p in doc['points'][:6]])


class LoadTest(base.TestCase):

    def setUp(self):
        super(LoadTest, self).setUp()
        self.dir = self.useFixture(fixtures.TempDir()).path

    def _write(self, text, name='r.json'):
        path = os.path.join(self.dir, name)
        with open(path, 'w') as handle:
            handle.write(text)
        return path

    def test_loads_what_the_gate_writes(self):
        doc = base.results_document()
        self.assertEqual(doc,
                         results_file.load(base.write_json(self.dir, doc)))

    def test_missing_file(self):
        exc = self.assertRaises(
            results_file.ResultsFileError, results_file.load,
            os.path.join(self.dir, 'nope.json'))
        self.assertIn('cannot read results file', str(exc))
        self.assertIn('nope.json', str(exc))

    def test_truncated_file_says_so(self):
        text = json.dumps(base.results_document())
        exc = self.assertRaises(
            results_file.ResultsFileError, results_file.load,
            self._write(text[:200]))
        self.assertIn('is not JSON', str(exc))
        self.assertIn('interrupted', str(exc))

    def test_other_json_is_refused(self):
        exc = self.assertRaises(
            results_file.ResultsFileError, results_file.load,
            self._write('{"results": []}'))
        self.assertIn('not a results file of sriov-tempest-plugin',
                      str(exc))

    def test_newer_format_is_refused(self):
        doc = base.results_document()
        doc['format'] = 2
        exc = self.assertRaises(
            results_file.ResultsFileError, results_file.load,
            base.write_json(self.dir, doc))
        self.assertIn('has results format 2; this version reads format 1',
                      str(exc))

    def test_unknown_topology_is_refused(self):
        doc = base.results_document()
        doc['points'][0]['topology'] = 'moon'
        exc = self.assertRaises(
            results_file.ResultsFileError, results_file.load,
            base.write_json(self.dir, doc))
        self.assertIn("unknown topology 'moon'", str(exc))
