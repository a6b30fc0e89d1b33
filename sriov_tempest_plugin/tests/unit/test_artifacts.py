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
"""The results file's views written beside it: table, chart, page."""

import os
import re
from unittest import mock

import fixtures

from sriov_tempest_plugin import artifacts
from sriov_tempest_plugin import baseline
from sriov_tempest_plugin import chart
from sriov_tempest_plugin import exceptions
from sriov_tempest_plugin import gate
from sriov_tempest_plugin import latency
from sriov_tempest_plugin import rejudge
from sriov_tempest_plugin import results as results_file
from sriov_tempest_plugin import tables
from sriov_tempest_plugin.tests.unit import base


class WriteTest(base.TestCase):

    def setUp(self):
        super(WriteTest, self).setUp()
        self.dir = self.useFixture(fixtures.TempDir()).path
        self.doc = base.results_document()

    def _read(self, path):
        with open(path) as handle:
            return handle.read()

    def test_one_run_text_png_and_self_contained_page(self):
        written = artifacts.write([artifacts.Run(self.doc, source='r.json')],
                                  self.dir)
        stem = os.path.join(self.dir, 'sriov-throughput-20261125T060000Z')
        self.assertEqual([stem + '.txt', stem + '.png', stem + '.html'],
                         written.paths())
        self.assertIsNone(written.chart_missing)
        self.assertIn(tables.text_table(self.doc),
                      self._read(written.text))
        page = self._read(written.html)
        self.assertIn('data:image/png;base64,iVBORw0KGgo', page)
        self.assertIn('<span class="pass">PASSED</span>', page)
        # Nothing is fetched from elsewhere.
        self.assertEqual([], re.findall(r'(?:src|href)="(?!data:)', page))
        self.assertNotIn('<script', page)

    def test_failed_verdicts_lead_the_page_and_the_text(self):
        doc = rejudge.judge(self.doc, margin_over_normal=1.0)
        written = artifacts.write([artifacts.Run(doc)], self.dir)
        text = self._read(written.text)
        self.assertIn('re-judged with margin_over_normal=1.0', text)
        self.assertIn('failed verdicts:\n  same_subnet_same_host/direct/3 '
                      'streams: median 1.24 Gbit/s is only 1.77x', text)
        page = self._read(written.html)
        first = page.index('<ul class="verdicts"><li>')
        self.assertIn('<span class="fail">FAILED</span> same_subnet_same_host'
                      '/direct/3 streams', page[first:first + 200])
        self.assertIn('1.0 (re-judged)', page)

    def test_latency_in_the_text_and_on_the_page(self):
        doc = dict(self.doc, latency=[
            latency.LatencyPoint(
                'same_subnet_different_hosts', vnic, ms, 4).as_dict()
            for vnic, ms in (('direct', (0.74, 0.70, 2.09)),
                             ('normal', (1.28, 1.05, 3.01, 1.30)))])
        # 1 of 4 lost is shown; a loss allowance of 30 % lets it pass.
        doc = rejudge.judge(doc, latency_max_loss=0.3)
        written = artifacts.write([artifacts.Run(doc)], self.dir)
        text = self._read(written.text)
        self.assertIn('same_subnet_different_hosts  direct  0.740   2.090'
                      '   1/4   latency:pass', text)
        page = self._read(written.html)
        self.assertIn('<h3>Latency</h3>', page)
        self.assertIn('<td class="num">0.740</td><td class="num">2.090</td>'
                      '<td class="num">0.700-2.090</td><td class="num">1/4'
                      '</td><td>latency: <span class="pass">pass</span>',
                      page)
        self.assertIn('p50 0.740 ms &lt;= 1.280 ms', page)

    def test_several_runs_share_one_page(self):
        other = base.results_document('20261126T060000Z')
        written = artifacts.write([artifacts.Run(self.doc),
                                   artifacts.Run(other)], self.dir)
        self.assertEqual(os.path.join(self.dir, 'sriov-report.html'),
                         written.html)
        self.assertEqual(2, len(written.pngs))
        page = self._read(written.html)
        self.assertEqual(2, page.count('<h2>Run '))

    def test_without_matplotlib_text_and_page_are_still_written(self):
        with mock.patch.object(chart, 'available', return_value=False):
            written = artifacts.write([artifacts.Run(self.doc)], self.dir)
        self.assertEqual([], written.pngs)
        self.assertIn('sriov-tempest-plugin[report]', written.chart_missing)
        self.assertIn('sriov-tempest-plugin[report]',
                      self._read(written.html))
        self.assertTrue(os.path.exists(written.text))

    def test_page_escapes_what_it_shows(self):
        doc = base.results_document('<b>run</b>')
        written = artifacts.write([artifacts.Run(doc, source='<x>.json')],
                                  self.dir, draw=False)
        page = self._read(written.html)
        self.assertNotIn('<b>run</b>', page)
        self.assertIn('&lt;b&gt;run&lt;/b&gt;', page)
        self.assertIn('&lt;x&gt;.json', page)


class PublishTest(base.TestCase):
    """What the throughput gate writes after each topology."""

    def setUp(self):
        super(PublishTest, self).setUp()
        self.dir = self.useFixture(fixtures.TempDir()).path
        doc = base.results_document('20261124T060000Z')
        self.baseline = base.write_json(self.dir, doc, 'baseline.json')

    def _results(self, scale=None):
        doc = base.results_document(scale=scale)
        results = results_file.Results(doc['run_id'], doc['settings'])
        results.points = doc['points']
        results.verdicts = doc['verdicts']
        return results

    def test_writes_results_and_artifacts_and_says_where(self):
        s = self.settings(physical_network='physnet1', results_dir=self.dir)
        published = gate.publish(self._results(), s,
                                 'same_subnet_same_host')
        self.assertTrue(os.path.exists(published.path))
        self.assertEqual([], published.regressions)
        self.assertIsNone(published.baseline_lines)
        where = published.where()
        for path in [published.path] + published.written.paths():
            self.assertIn(path, where)

    def test_baseline_regression_of_this_topology_only(self):
        s = self.settings(physical_network='physnet1', results_dir=self.dir,
                          baseline_results=self.baseline)
        slow = self._results(scale={
            ('same_subnet_different_hosts', 'direct', 3): 0.8})
        published = gate.publish(slow, s, 'same_subnet_same_host')
        self.assertEqual([], published.regressions)
        self.assertTrue(published.baseline_lines[0].startswith('REGRESSED'))
        published = gate.publish(slow, s, 'same_subnet_different_hosts')
        self.assertEqual(1, len(published.regressions))
        self.assertIn('is 20.0 % below the baseline',
                      published.regressions[0])

    def test_unreadable_baseline_names_the_option(self):
        bad = os.path.join(self.dir, 'bad.json')
        with open(bad, 'w') as handle:
            handle.write('{}')
        s = self.settings(physical_network='physnet1', results_dir=self.dir,
                          baseline_results=bad)
        exc = self.assertRaises(exceptions.SriovConfigError, gate.publish,
                                self._results(), s, 'same_subnet_same_host')
        self.assertIn('[sriov] baseline_results:', str(exc))

    def test_missing_baseline_file_is_a_config_error(self):
        exc = self.assertRaises(
            exceptions.SriovConfigError, self.settings,
            physical_network='physnet1',
            baseline_results=os.path.join(self.dir, 'gone.json'))
        self.assertIn('[sriov] baseline_results = ', str(exc))
        self.assertIn('no such file', str(exc))

    def test_negative_tolerance_is_a_config_error(self):
        exc = self.assertRaises(exceptions.SriovConfigError, self.settings,
                                physical_network='physnet1',
                                baseline_tolerance=-0.5)
        self.assertIn('[sriov] baseline_tolerance = -0.5 is invalid',
                      str(exc))

    def test_default_tolerance_is_the_report_commands(self):
        s = self.settings(physical_network='physnet1')
        self.assertEqual(baseline.DEFAULT_TOLERANCE, s.baseline_tolerance)
