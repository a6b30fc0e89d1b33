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
"""The fleet plan (ring, waves, cost) and its blame rules."""

from sriov_tempest_plugin import fleet
from sriov_tempest_plugin.tests.unit import base

L = fleet.Link


def hosts(n):
    return ['cmp%02d' % i for i in range(n)]


def result(sender, receiver, gbps, threshold=0.75):
    passed = gbps is not None and gbps >= threshold
    return fleet.LinkResult(L(sender, receiver), gbps, passed,
                            '' if passed else 'median %s' % gbps)


def ring_results(medians):
    """{host: its sent link's median} over a ring of those hosts."""
    names = sorted(medians)
    return [result(h, names[(i + 1) % len(names)], medians[h])
            for i, h in enumerate(names)]


class PlanTest(base.TestCase):

    def test_ring_sends_and_receives_once_per_host(self):
        self.assertEqual([L('a', 'b'), L('b', 'a')], fleet.ring(['b', 'a']))
        links = fleet.ring(hosts(5))
        self.assertEqual(5, len(links))
        self.assertEqual(sorted(hosts(5)), sorted(x.sender for x in links))
        self.assertEqual(sorted(hosts(5)), sorted(x.receiver for x in links))

    def test_ring_needs_two_distinct_hosts(self):
        self.assertRaisesRegex(ValueError, 'at least 2', fleet.ring, ['a'])
        self.assertRaisesRegex(ValueError, 'named twice', fleet.ring,
                               ['a', 'a'])

    def test_waves_share_no_host_and_hold_concurrency(self):
        for n in (2, 3, 4, 7, 50):
            for c in (1, 2, 4, 8):
                links = fleet.ring(hosts(n))
                planned = fleet.waves(links, c)
                self.assertEqual(sorted(links, key=L.label),
                                 sorted((x for w in planned for x in w),
                                        key=L.label))
                for wave in planned:
                    self.assertLessEqual(len(wave), c)
                    busy = [h for x in wave for h in x.hosts]
                    self.assertEqual(len(busy), len(set(busy)), (n, c))

    def test_wave_counts(self):
        # Concurrency 1 measures one link at a time; a ring's links pair
        # up two by two apart: even N in 2 waves at N/2, odd N in 3.
        count = {(n, c): len(fleet.waves(fleet.ring(hosts(n)), c))
                 for n in (2, 4, 5, 50, 500) for c in (1, 2, 10, 1000)}
        self.assertEqual(2, count[2, 1])
        self.assertEqual(2, count[2, 1000])
        self.assertEqual(4, count[4, 1])
        self.assertEqual(2, count[4, 2])
        self.assertEqual(3, count[5, 2])
        self.assertEqual(50, count[50, 1])
        self.assertEqual(5, count[50, 10])
        self.assertEqual(25, count[50, 2])
        self.assertEqual(3, count[5, 1000])
        self.assertEqual(5, count[5, 1])
        self.assertEqual(2, count[50, 1000])
        self.assertEqual(500, count[500, 1])
        self.assertEqual(50, count[500, 10])
        self.assertEqual(2, count[500, 1000])

    def test_concurrency_below_one_is_refused(self):
        self.assertRaisesRegex(ValueError, 'fleet_concurrency',
                               fleet.waves, fleet.ring(hosts(2)), 0)

    def test_boot_waves_by_quota(self):
        self.assertEqual([['a', 'b'], ['c']],
                         fleet.boot_waves(['c', 'a', 'b'], 2))
        self.assertRaises(ValueError, fleet.boot_waves, ['a'], 0)

    def test_cost_of_500_hosts(self):
        # 60 s a link (3 samples of 20 s), 90 s a boot wave of 20 VMs.
        one = fleet.cost(500, 1, 60, 90, 20)
        self.assertEqual((500, 500, 500, 25), (
            one.hosts, one.links, one.link_waves, one.boot_waves))
        self.assertEqual(500 * 60 + 25 * 90, one.seconds)
        self.assertEqual('500 hosts: 500 links in 500 measurement waves, '
                         '25 boot waves, at least 8 h 57 min',
                         one.describe())
        ten = fleet.cost(500, 10, 60, 90, 20)
        self.assertEqual(50 * 60 + 25 * 90, ten.seconds)
        self.assertIn('at least 1 h 27 min', ten.describe())
        self.assertIn('at least 2 min 00 s', fleet.cost(2, 1, 60, 0,
                                                        20).describe())


class JudgeTest(base.TestCase):

    def test_all_good(self):
        verdicts = fleet.judge(ring_results(
            {'a': 0.93, 'b': 0.92, 'c': 0.94}), 0.2)
        self.assertTrue(all(v.passed for v in verdicts.values()))
        self.assertEqual([], fleet.retest_plan(verdicts))
        self.assertEqual(0.93, verdicts['a'].sent_gbps)
        self.assertEqual(0.94, verdicts['a'].received_gbps)

    def test_a_host_whose_both_links_fail_is_named_alone(self):
        # c's port runs at a quarter: c -> d and b -> c both fail.
        results = [result('a', 'b', 0.93), result('b', 'c', 0.23),
                   result('c', 'd', 0.24), result('d', 'a', 0.92)]
        verdicts = fleet.judge(results, 0.2)
        self.assertEqual('bad', verdicts['c'].state)
        self.assertIn('both its links: c -> d: median 0.24; b -> c: median '
                      '0.23',
                      verdicts['c'].why)
        # b and d each have one failed link, which c explains.
        for h in ('a', 'b', 'd'):
            self.assertEqual('ok', verdicts[h].state, h)
        self.assertIn('b -> c is low, which c explains', verdicts['b'].why)
        self.assertEqual([], fleet.retest_plan(verdicts))
        self.assertEqual('c', fleet.worst_first(verdicts)[0].host)
        self.assertEqual([], fleet.unexplained(results, verdicts))

    def test_a_link_failing_alone_makes_both_ends_suspects(self):
        results = [result('a', 'b', 0.93), result('b', 'c', 0.40),
                   result('c', 'd', 0.92), result('d', 'a', 0.92)]
        verdicts = fleet.judge(results, 0.2)
        self.assertEqual(['b', 'c'], sorted(
            h for h, v in verdicts.items() if v.state == 'suspect'))
        self.assertEqual('sender', verdicts['b'].failed_as)
        self.assertEqual('receiver', verdicts['c'].failed_as)
        # Each suspect again in its failed direction, with a good host.
        plan = fleet.retest_plan(verdicts)
        self.assertEqual([L('b', 'a'), L('d', 'c')], plan)
        # b's sending is at fault: its retest fails, c's passes.
        final = fleet.blame(verdicts, [result('b', 'a', 0.41),
                                       result('d', 'c', 0.93)])
        self.assertEqual('bad', final['b'].state)
        self.assertIn('b -> a, with a host whose links passed, is low too '
                      '(median 0.41)', final['b'].why)
        self.assertEqual('ok', final['c'].state)
        self.assertIn('cleared', final['c'].why)
        self.assertEqual([], fleet.unexplained(results, final))

    def test_both_suspects_cleared_leaves_the_path_to_blame(self):
        results = [result('a', 'b', 0.93), result('b', 'c', 0.10),
                   result('c', 'a', 0.92)]
        verdicts = fleet.judge(results, 0.2)
        final = fleet.blame(verdicts, [result(x.sender, x.receiver, 0.93)
                                       for x in fleet.retest_plan(verdicts)])
        self.assertTrue(all(v.passed for v in final.values()))
        self.assertEqual([results[1]], fleet.unexplained(results, final))

    def test_a_suspect_left_untested_is_an_error(self):
        results = [result('a', 'b', 0.93), result('b', 'a', 0.10)]
        verdicts = fleet.judge(results, 0.2)
        self.assertEqual({'suspect'}, {v.state for v in verdicts.values()})
        self.assertRaisesRegex(ValueError, 'cannot be told apart',
                               fleet.retest_plan, verdicts)
        self.assertRaisesRegex(ValueError, 'not tested again',
                               fleet.blame, verdicts, [])

    def test_outlier_named_though_above_the_threshold(self):
        # e's port is slow both ways, but above the line-rate threshold.
        results = [result('a', 'b', 0.93), result('b', 'c', 0.92),
                   result('c', 'd', 0.94), result('d', 'e', 0.79),
                   result('e', 'a', 0.78)]
        self.assertTrue(all(r.passed for r in results))
        loose = fleet.judge(results, 0.2)     # line 0.92 x 0.8 = 0.736
        self.assertTrue(all(v.passed for v in loose.values()))
        verdicts = fleet.judge(results, 0.1)  # line 0.828
        self.assertEqual('outlier', verdicts['e'].state)
        self.assertFalse(verdicts['e'].passed)
        self.assertIn('e -> a: 0.780 Gbit/s is more than 10 % below the '
                      'fleet median', verdicts['e'].why)
        # d and a each have one low link, which e explains.
        self.assertEqual(['a', 'b', 'c', 'd'], sorted(
            h for h, v in verdicts.items() if v.passed))
        self.assertEqual('e', fleet.worst_first(verdicts)[0].host)

    def test_one_slow_direction_is_told_apart_by_the_second_pass(self):
        # Only e's sending is slow: e -> a is low, d -> e is not.
        results = [result('a', 'b', 0.93), result('b', 'c', 0.92),
                   result('c', 'd', 0.94), result('d', 'e', 0.93),
                   result('e', 'a', 0.78)]
        line = fleet.outlier_line(fleet.fleet_median(results), 0.1)
        verdicts = fleet.judge(results, 0.1)
        self.assertEqual(['a', 'e'], sorted(
            h for h, v in verdicts.items() if v.state == 'suspect'))
        plan = fleet.retest_plan(verdicts)
        self.assertEqual([L('b', 'a'), L('e', 'c')], plan)
        final = fleet.blame(verdicts, [result('b', 'a', 0.93),
                                       result('e', 'c', 0.77)], line)
        self.assertEqual('outlier', final['e'].state)
        self.assertEqual('ok', final['a'].state)
        self.assertEqual([], fleet.unexplained(results, final, line))

    def test_unmeasured_link_fails_and_sorts_first(self):
        results = [result('a', 'b', 0.93), result('b', 'c', None),
                   result('c', 'a', None)]
        verdicts = fleet.judge(results, 0.2)
        self.assertEqual('bad', verdicts['c'].state)
        self.assertIsNone(verdicts['c'].worst_gbps)
        self.assertEqual(['c', 'a', 'b'],
                         [v.host for v in fleet.worst_first(verdicts)])
        self.assertAlmostEqual(0.93, fleet.fleet_median(results))

    def test_results_must_be_a_ring(self):
        self.assertRaisesRegex(ValueError, 'not a ring', fleet.judge,
                               [result('a', 'b', 0.9)], 0.2)
