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
"""sriov-tempest-report: a results file to its views, re-judged."""

import io
import os

import fixtures

from sriov_tempest_plugin.cmd import report as cmd
from sriov_tempest_plugin.tests.unit import base
from sriov_tempest_plugin import verdict

POINT = ('same_subnet_different_hosts', 'direct', 3)


class ReportCommandTest(base.TestCase):

    def setUp(self):
        super(ReportCommandTest, self).setUp()
        self.dir = self.useFixture(fixtures.TempDir()).path
        self.stderr = io.StringIO()
        self.useFixture(fixtures.MonkeyPatch('sys.stderr', self.stderr))
        self.results = base.write_json(self.dir, base.results_document())
        self.baseline = base.write_json(
            self.dir, base.results_document('20261124T060000Z'),
            'baseline.json')

    def _main(self, *argv):
        out = io.StringIO()
        rc = cmd.main(list(argv), out=out)
        return rc, out.getvalue()

    def test_results_file_to_table_chart_and_page(self):
        rc, out = self._main(self.results, '-o',
                             os.path.join(self.dir, 'out'))
        self.assertEqual(0, rc)
        self.assertIn('run 20261125T060000Z: PASSED', out)
        for ext in ('txt', 'png', 'html'):
            path = os.path.join(self.dir, 'out',
                                'sriov-throughput-20261125T060000Z.' + ext)
            self.assertTrue(os.path.getsize(path) > 0, path)
            self.assertIn(path, out)

    def test_default_output_is_beside_the_results_file(self):
        rc, out = self._main(self.results, '--no-chart')
        self.assertEqual(0, rc)
        self.assertTrue(os.path.exists(os.path.join(
            self.dir, 'sriov-throughput-20261125T060000Z.html')))
        self.assertNotIn('.png', out)

    def test_rejudged_with_a_larger_margin_fails_with_the_verdict(self):
        rc, out = self._main(self.results, '--no-chart',
                             '--margin-over-normal', '1.0')
        self.assertEqual(1, rc)
        self.assertIn('same_subnet_different_hosts/direct/3 streams: median '
                      '0.86 Gbit/s is only 1.83x the normal (OVS) median '
                      '0.47 Gbit/s; the required margin is 100 %', out)
        self.assertIn('FAILED: 20261125T060000Z', out)

    def test_rejudged_with_a_lower_fraction_still_passes(self):
        rc, _ = self._main(self.results, '--no-chart',
                           '--line-rate-fraction', '0.5',
                           '--margin-streams', '1,3')
        self.assertEqual(0, rc)

    def test_median_20_percent_below_the_baseline_fails(self):
        slow = base.write_json(self.dir, base.results_document(
            '20261126T060000Z', scale={POINT: 0.8}))
        rc, out = self._main(slow, '--no-chart', '--baseline',
                             self.baseline)
        self.assertEqual(1, rc)
        self.assertIn('REGRESSED same_subnet_different_hosts/direct/3 '
                      'streams: median 0.69 Gbit/s is 20.0 % below the '
                      'baseline 0.86 Gbit/s (run 20261124T060000Z)', out)
        self.assertEqual(1, out.count('REGRESSED'))

    def test_drop_within_spread_passes_the_baseline(self):
        close = base.write_json(self.dir, base.results_document(
            '20261126T060000Z', scale={POINT: 0.95}))
        rc, out = self._main(close, '--no-chart', '--baseline',
                             self.baseline)
        self.assertEqual(0, rc, out)
        self.assertNotIn('REGRESSED', out)

    def test_unreadable_file_exits_2_with_one_line(self):
        rc, out = self._main(os.path.join(self.dir, 'nope.json'))
        self.assertEqual(2, rc)
        err = self.stderr.getvalue()
        self.assertIn('sriov-tempest-report: cannot read results file', err)
        self.assertEqual(1, len(err.strip().splitlines()))

    def test_bad_threshold_exits_2(self):
        rc, _ = self._main(self.results, '--line-rate-fraction', '2')
        self.assertEqual(2, rc)
        self.assertIn('in (0, 1]', self.stderr.getvalue())

    def test_thresholds_that_judge_nothing_exit_2(self):
        # The file measured 1/3/5 streams; 8 judges none of them.
        rc, out = self._main(self.results, '--no-chart',
                             '--line-rate-streams', '8',
                             '--margin-streams', '8')
        self.assertEqual(2, rc)
        err = self.stderr.getvalue()
        self.assertIn('no throughput verdict judges', err)
        self.assertIn('line_rate_streams = 8, margin_streams = 8', err)
        self.assertNotIn('PASSED', out)

    def test_rejudged_report_never_overwrites_the_runs_own(self):
        own = os.path.join(self.dir,
                           'sriov-throughput-20261125T060000Z.txt')
        with open(own, 'w') as f:
            f.write('what the run decided\n')
        rc, out = self._main(self.results, '--no-chart',
                             '--margin-over-normal', '1.0')
        self.assertEqual(1, rc)
        with open(own) as f:
            self.assertEqual('what the run decided\n', f.read())
        rejudged = os.path.join(
            self.dir, 'sriov-throughput-20261125T060000Z-rejudged.txt')
        self.assertIn(rejudged, out)
        with open(rejudged) as f:
            self.assertIn('re-judged with margin_over_normal=1.0', f.read())

    def test_baseline_report_is_named_apart(self):
        rc, out = self._main(self.results, '--no-chart', '--baseline',
                             self.baseline)
        self.assertEqual(0, rc, out)
        self.assertIn('sriov-throughput-20261125T060000Z-baseline.html', out)

    def test_baseline_that_compares_nothing_fails(self):
        other = base.results_document('20261124T060000Z')
        for p in other['points']:
            p['streams'] += 10
        other_path = base.write_json(self.dir, other, 'other.json')
        rc, out = self._main(self.results, '--no-chart', '--baseline',
                             other_path)
        self.assertEqual(1, rc)
        self.assertIn('compared no point with the baseline', out)

    def test_bad_stream_list_is_a_usage_error(self):
        exc = self.assertRaises(SystemExit, self._main, self.results,
                                '--margin-streams', 'three')
        self.assertEqual(2, exc.code)


class ThresholdOptionsTest(base.TestCase):

    def test_one_option_per_threshold_key(self):
        dests = {a.dest for g in cmd.parser()._action_groups
                 if g.title == 're-judge' for a in g._group_actions}
        self.assertEqual(set(verdict.THRESHOLD_KEYS), dests)
