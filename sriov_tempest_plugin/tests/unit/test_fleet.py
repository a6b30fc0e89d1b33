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

from sriov_tempest_plugin import chart
from sriov_tempest_plugin import fleet
from sriov_tempest_plugin import rejudge
from sriov_tempest_plugin import results
from sriov_tempest_plugin import tables
from sriov_tempest_plugin.tests.unit import base
from sriov_tempest_plugin import verdict
from sriov_tempest_plugin import webpage

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


# Lab-like settings: threshold 0.75 x 0.939 = 0.704 Gbit/s.
SUMMARY = {'physical_network': 'physnet1', 'vnic_type': 'direct',
           'port_speed_gbps': 1.0, 'line_rate_reference': 'goodput_ceiling',
           'line_rate_fraction': 0.75, 'line_rate_streams': [3],
           'margin_over_normal': 0.4, 'margin_streams': [3],
           'mtu': 1500, 'streams': [3]}


def thresholds(**kw):
    return verdict.Thresholds.of(dict(SUMMARY, **kw))


def fleet_section(samples, retests=(), failed_early=(), errors=None,
                  fraction=0.2):
    """A recorded (unjudged) section: ``samples`` {(a, b): [Gbit/s]}."""
    errors = errors or {}

    def links(items):
        return [(L(a, b), values, errors.get((a, b)))
                for (a, b), values in items]

    hosts = {h for pair in samples for h in pair}
    return fleet.record(3, fraction, 1, ['inventory line'], failed_early,
                        len(hosts) + len(failed_early),
                        links(sorted(samples.items())),
                        links(list(retests)))


class MeasureLinkTest(base.TestCase):

    def test_decided_early_on_two_good_samples(self):
        asked = []

        def measure(count):
            asked.append(count)
            return [0.92] * count

        samples, error = fleet.measure_link(L('a', 'b'), thresholds(), 3,
                                            measure, 3, 2)
        self.assertEqual(([0.92, 0.92], None), (samples, error))
        self.assertEqual([2], asked)

    def test_a_failing_link_takes_the_rest_and_as_many_again(self):
        asked = []

        def measure(count):
            asked.append(count)
            return [0.23] * count

        samples, error = fleet.measure_link(L('a', 'b'), thresholds(), 3,
                                            measure, 3, 2)
        self.assertEqual([2, 1, 3], asked)
        self.assertEqual(6, len(samples))
        self.assertIsNone(error)

    def test_a_guest_failure_ends_the_link_with_its_message(self):
        def measure(count):
            raise AssertionError('iperf3 printed nothing')

        self.assertEqual(([], 'iperf3 printed nothing'), fleet.measure_link(
            L('a', 'b'), thresholds(), 3, measure, 3, 2))

    def test_link_result_by_the_gates_rule(self):
        r = fleet.link_result(L('a', 'b'), thresholds(), 3, [0.23, 0.24])
        self.assertFalse(r.passed)
        self.assertIn('fleet a -> b/direct/3 streams: median 0.23 Gbit/s is '
                      'below the near-line-rate threshold 0.70', r.why)
        r = fleet.link_result(L('a', 'b'), thresholds(), 3, [], 'no SSH')
        self.assertEqual((None, False, 'no SSH'),
                         (r.median_gbps, r.passed, r.why))


class AssessTest(base.TestCase):

    def test_a_slow_host_named_alone_in_one_message(self):
        section, assessment = fleet.judged(fleet_section({
            ('compute1', 'compute2'): [0.23, 0.23, 0.24],
            ('compute2', 'compute3'): [0.22, 0.23, 0.23],
            ('compute3', 'compute1'): [0.92, 0.91]}), thresholds())
        self.assertFalse(assessment.passed)
        message = assessment.message()
        self.assertTrue(message.startswith(
            'fleet acceptance failed for 1 of 3 SR-IOV hosts (compute2):'))
        self.assertIn('  compute2: bad: both its links: compute2 -> '
                      'compute3: fleet compute2 -> compute3/direct/3 '
                      'streams: median 0.23', message)
        self.assertNotIn('compute1:', message)
        self.assertEqual(['compute2', 'compute1', 'compute3'],
                         [h['host'] for h in section['hosts']])
        self.assertFalse(section['passed'])
        self.assertEqual(message, section['message'])

    def test_unproven_and_unbooted_hosts_fail_beside_the_measured(self):
        section, assessment = fleet.judged(fleet_section(
            {('compute1', 'compute2'): [0.92, 0.93],
             ('compute2', 'compute1'): [0.92, 0.92]},
            failed_early=[('compute3', 'its NIC Switch agent maps no '
                           'device to physnet1 (it maps: nothing)')]),
            thresholds())
        self.assertIn('failed for 1 of 3 SR-IOV hosts (compute3):',
                      assessment.message())
        self.assertEqual('failed', section['hosts'][0]['state'])

    def test_both_ends_cleared_blames_the_path(self):
        _, assessment = fleet.judged(fleet_section(
            {('a', 'b'): [0.92, 0.92], ('b', 'c'): [0.1, 0.1, 0.1],
             ('c', 'a'): [0.93, 0.92]},
            retests=[(('b', 'a'), [0.92, 0.93]),
                     (('a', 'c'), [0.92, 0.92])]), thresholds())
        self.assertIn('failed for 0 of 3 SR-IOV hosts (none):',
                      assessment.message())
        self.assertIn('the path between b and c', assessment.message())

    def test_two_hosts_that_cannot_be_told_apart_both_fail(self):
        _, assessment = fleet.judged(fleet_section(
            {('a', 'b'): [0.92, 0.92], ('b', 'a'): [0.1, 0.1, 0.1]}),
            thresholds())
        self.assertIn('failed for 2 of 2 SR-IOV hosts (a, b):',
                      assessment.message())
        self.assertIn('not told apart', assessment.message())

    def test_a_healthy_fleet_passes(self):
        section, assessment = fleet.judged(fleet_section(
            {('a', 'b'): [0.92, 0.92], ('b', 'c'): [0.91, 0.93],
             ('c', 'a'): [0.93, 0.92]}), thresholds())
        self.assertTrue(assessment.passed)
        self.assertIsNone(section['message'])
        self.assertAlmostEqual(0.92 * 0.8,
                               section['outlier_gbps'])

    def test_rejudged_offline_with_other_thresholds(self):
        section, _ = fleet.judged(fleet_section(
            {('a', 'b'): [0.80, 0.81], ('b', 'c'): [0.80, 0.80],
             ('c', 'a'): [0.93, 0.92]}), thresholds())
        self.assertTrue(section['passed'])
        # At 90 % of the ceiling (0.845) a -> b and b -> c fail: b is bad.
        again, assessment = fleet.judged(section,
                                         thresholds(line_rate_fraction=0.9))
        self.assertEqual('b', again['hosts'][0]['host'])
        self.assertEqual('bad', again['hosts'][0]['state'])
        self.assertFalse(again['passed'])


class FleetDocumentTest(base.TestCase):
    """A fleet section in the results file, its views and re-judging."""

    def document(self):
        doc = results.Results('20261206T200000Z', dict(
            SUMMARY, line_rate_streams=[3], margin_streams=[3]))
        section, _ = fleet.judged(fleet_section({
            ('compute1', 'compute2'): [0.23, 0.23, 0.24],
            ('compute2', 'compute3'): [0.22, 0.23, 0.23],
            ('compute3', 'compute1'): [0.92, 0.91]}), thresholds())
        doc.set_fleet(section)
        return doc.document()

    def test_a_failed_fleet_fails_the_run(self):
        doc = self.document()
        self.assertFalse(doc['passed'])
        self.assertIn('failed for 1 of 3 SR-IOV hosts (compute2)',
                      results.failed_messages(doc)[0])

    def test_text_table_lists_the_worst_host_first(self):
        text = tables.text_table(self.document())
        self.assertIn('fleet: 3 SR-IOV hosts at 3 streams, FAILED', text)
        rows = [line.split()[0] for line in text.splitlines()
                if line.startswith('compute') and ' -> ' not in line and
                ': ' not in line]
        self.assertEqual(['compute2', 'compute1', 'compute3'], rows)
        self.assertIn('compute2: both its links', text)

    def test_the_page_has_the_fleet(self):
        page = webpage.run_section(self.document())
        self.assertIn('<h3>Fleet: 3 SR-IOV hosts', page)
        self.assertIn('compute2 -&gt; compute3', page)

    def test_rejudged_offline(self):
        doc = self.document()
        again = rejudge.judge(doc, line_rate_fraction=0.2)
        self.assertTrue(again['fleet']['passed'])
        self.assertTrue(again['passed'])

    def test_a_fleet_alone_is_drawn(self):
        self.assertTrue(chart.drawable(self.document()))
        self.assertFalse(chart.drawable(dict(self.document(), fleet=None)))
        if not chart.available():
            self.skipTest('matplotlib is not installed')
        png = chart.png_bytes(self.document())
        self.assertTrue(png.startswith(b'\x89PNG'))
