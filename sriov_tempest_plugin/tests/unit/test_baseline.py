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
"""Comparing a run with a baseline results file."""

from sriov_tempest_plugin import baseline
from sriov_tempest_plugin.tests.unit import base

POINT = ('same_subnet_different_hosts', 'direct', 3)


class CompareTest(base.TestCase):

    def setUp(self):
        super(CompareTest, self).setUp()
        self.base = base.results_document('20261124T060000Z')

    def test_same_run_passes(self):
        outcome = baseline.compare(self.base, self.base)
        self.assertTrue(outcome.passed)
        self.assertEqual(18, len(outcome.compared))
        self.assertEqual([], outcome.regressions)

    def test_median_20_percent_below_fails_and_is_named(self):
        run = base.results_document(scale={POINT: 0.8})
        outcome = baseline.compare(run, self.base, tolerance=0.10)
        self.assertFalse(outcome.passed)
        self.assertEqual([POINT], [(c.topology, c.vnic_type, c.streams)
                                   for c in outcome.regressions])
        line = outcome.lines()[0]
        self.assertTrue(line.startswith('REGRESSED '))
        self.assertIn('same_subnet_different_hosts/direct/3 streams: median '
                      '0.69 Gbit/s is 20.0 % below the baseline 0.86 Gbit/s '
                      '(run 20261124T060000Z); allowed drop 11.2 % '
                      '(tolerance 10 % + spread 1.2 %)', line)

    def test_drop_within_the_spread_passes(self):
        noisy = {'same_subnet_different_hosts': {
            'direct': (0.70, 0.86, 0.95), 'normal': (0.47, 0.48, 0.47)}}
        base_doc = base.results_document('b', samples=noisy)
        # 8 % lower: beyond the 5 % tolerance, within tolerance + the
        # baseline's 29 % spread.
        run = base.results_document('r', samples=noisy,
                                    scale={POINT: 0.92})
        outcome = baseline.compare(run, base_doc, tolerance=0.05)
        self.assertTrue(outcome.passed, outcome.lines())
        comparison = [c for c in outcome.compared
                      if (c.topology, c.vnic_type, c.streams) == POINT][0]
        self.assertAlmostEqual(0.08, comparison.drop)
        self.assertGreater(comparison.spread, 0.25)

    def test_the_spread_counted_is_bounded(self):
        """The noisier a run, the less it could regress: not beyond
        MAX_SPREAD. A run whose samples spread over 100 % of its median
        still fails a 50 % drop.
        """
        wild = {'same_subnet_different_hosts': {
            'direct': (0.10, 0.86, 1.20), 'normal': (0.47, 0.48, 0.47)}}
        base_doc = base.results_document('b', samples=wild)
        run = base.results_document('r', samples=wild, scale={POINT: 0.5})
        outcome = baseline.compare(run, base_doc, tolerance=0.1)
        [c] = [c for c in outcome.compared
               if (c.topology, c.vnic_type, c.streams) == POINT]
        self.assertGreater(c.spread, 1.0)
        self.assertAlmostEqual(0.1 + baseline.MAX_SPREAD, c.allowed)
        self.assertTrue(c.regressed)
        self.assertIn('counted up to 25 %', c.message('b'))

    def test_comparing_no_point_fails(self):
        run = base.results_document(
            samples={'same_subnet_same_host':
                     base.LAB_SAMPLES['same_subnet_same_host']},
            streams=[8], line_rate_streams=[8], margin_streams=[8])
        outcome = baseline.compare(run, self.base)
        self.assertEqual((), outcome.compared)
        self.assertFalse(outcome.passed)
        self.assertIn('compared no point with the baseline',
                      outcome.failures()[0])
        self.assertIn('compared no point of same_subnet_same_host',
                      outcome.failures('same_subnet_same_host')[0])

    def test_zero_tolerance_still_allows_the_spread_only(self):
        run = base.results_document(scale={POINT: 0.97})
        outcome = baseline.compare(run, self.base, tolerance=0.0)
        # 3 % drop against a 1.2 % spread.
        self.assertEqual(1, len(outcome.regressions))

    def test_a_faster_run_passes(self):
        run = base.results_document(scale={POINT: 1.5})
        outcome = baseline.compare(run, self.base)
        self.assertTrue(outcome.passed)
        self.assertIn('50.0 % above the baseline',
                      '\n'.join(outcome.lines()))

    def test_points_of_one_run_only_are_listed_not_judged(self):
        run = base.results_document(
            samples={'same_subnet_same_host':
                     base.LAB_SAMPLES['same_subnet_same_host']},
            streams=[1, 3, 5, 8], line_rate_streams=[3],
            margin_streams=[3])
        outcome = baseline.compare(run, self.base)
        self.assertTrue(outcome.passed)
        self.assertEqual(('same_subnet_same_host/direct/8 streams',
                          'same_subnet_same_host/normal/8 streams'),
                         outcome.only_in_run)
        self.assertEqual(12, len(outcome.only_in_baseline))
        self.assertIn('not measured in this run: different_subnets_same_host'
                      '/direct/1 stream', outcome.lines())

    def test_topologies_limit_the_comparison(self):
        run = base.results_document(scale={POINT: 0.5})
        outcome = baseline.compare(run, self.base,
                                   topologies=['same_subnet_same_host'])
        self.assertTrue(outcome.passed)
        self.assertEqual(6, len(outcome.compared))

    def test_negative_tolerance_is_refused(self):
        self.assertRaises(ValueError, baseline.compare, self.base,
                          self.base, -0.1)
