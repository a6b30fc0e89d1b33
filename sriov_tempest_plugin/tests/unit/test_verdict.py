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
"""Throughput thresholds, medians and verdicts."""

from sriov_tempest_plugin.tests.unit import base
from sriov_tempest_plugin import topology
from sriov_tempest_plugin import verdict

WIRE = topology.SAME_SUBNET_DIFFERENT_HOSTS.name


def point(vnic, streams, *samples, topo=WIRE):
    return verdict.Point(topo, vnic, streams, tuple(samples))


class CeilingTest(base.TestCase):
    """The TCP goodput ceilings of the design notes, from first principles.
    """

    def test_10gbe_mtu_1500(self):
        self.assertAlmostEqual(9.415, verdict.goodput_ceiling_gbps(10),
                               places=3)

    def test_10gbe_mtu_1500_vlan(self):
        self.assertAlmostEqual(
            9.39, verdict.goodput_ceiling_gbps(10, vlan_tagged=True),
            places=2)

    def test_10gbe_no_timestamps(self):
        self.assertAlmostEqual(
            9.49, verdict.goodput_ceiling_gbps(10, tcp_timestamps=False),
            places=2)

    def test_10gbe_jumbo(self):
        self.assertAlmostEqual(9.90, verdict.goodput_ceiling_gbps(10, 9000),
                               places=2)

    def test_scales_with_speed(self):
        self.assertAlmostEqual(2.5 * verdict.goodput_ceiling_gbps(10),
                               verdict.goodput_ceiling_gbps(25))

    def test_impossible_mtu(self):
        self.assertRaises(ValueError, verdict.goodput_ceiling_gbps, 10, 40)


class PointTest(base.TestCase):

    def test_median_min_max_spread(self):
        p = point('direct', 3, 9.1, 9.5, 9.3)
        self.assertEqual(9.3, p.median)
        self.assertEqual(9.1, p.minimum)
        self.assertEqual(9.5, p.maximum)
        self.assertAlmostEqual(0.4 / 9.3, p.spread)

    def test_needs_samples(self):
        self.assertRaises(ValueError, verdict.Point, WIRE, 'direct', 1, ())

    def test_with_more(self):
        self.assertEqual((1.0, 2.0, 3.0),
                         point('direct', 1, 1.0).with_more([2.0, 3.0])
                         .samples)

    def test_key_same_for_point_its_dict_and_its_verdicts(self):
        p = point('direct', 3, 9.1, 9.5, 9.3)
        key = (WIRE, 'direct', 3)
        self.assertEqual(key, verdict.point_key(p))
        self.assertEqual(key, verdict.point_key(
            {'topology': WIRE, 'vnic_type': 'direct', 'streams': 3,
             'median_gbps': 9.3}))
        judged = verdict.judge_line_rate(p, 9.0, '10 Gbit/s', 0.9)
        self.assertEqual(key, verdict.point_key(judged))
        self.assertEqual(key, verdict.point_key(judged.as_dict()))
        self.assertNotEqual(key, verdict.point_key(
            point('direct', 1, 9.3)))


class PaperFiguresTest(base.TestCase):
    """The paper's own figures.

    10 GbE, fraction 0.9, margin 0.4; SR-IOV 9.4 Gbit/s with 3 and 5
    streams and 8.3 with one; OVS around 6.
    """

    def setUp(self):
        super(PaperFiguresTest, self).setUp()
        self.line_rate = verdict.line_rate_threshold_gbps(10, 0.9) + (0.9,)

    def _points(self, ovs):
        points = {}
        for streams, sriov in ((1, 8.3), (3, 9.4), (5, 9.4)):
            points[('direct', streams)] = point(
                'direct', streams, sriov - 0.05, sriov, sriov + 0.05)
            points[('normal', streams)] = point(
                'normal', streams, ovs - 0.1, ovs, ovs + 0.1)
        return points

    def _judge(self, ovs, crosses_wire=True):
        return verdict.judge_topology(
            self._points(ovs), 'direct', crosses_wire, self.line_rate,
            (3, 5), 0.4, (3, 5))

    def test_threshold_is_fraction_of_vlan_goodput_ceiling(self):
        threshold, text = verdict.line_rate_threshold_gbps(10, 0.9)
        self.assertAlmostEqual(0.9 * 9.39, threshold, places=2)
        self.assertIn('goodput ceiling', text)
        self.assertIn('802.1Q', text)
        threshold, text = verdict.line_rate_threshold_gbps(
            10, 0.9, reference='port_speed')
        self.assertEqual(9.0, threshold)

    def test_paper_figures_pass(self):
        verdicts = self._judge(ovs=6.0)
        self.assertEqual(
            [('line_rate', 3), ('margin', 3), ('line_rate', 5),
             ('margin', 5)],
            [(v.kind, v.streams) for v in verdicts])
        self.assertTrue(all(v.passed for v in verdicts),
                        [v.message for v in verdicts])
        margin = verdicts[1]
        self.assertAlmostEqual(1.4 * 6.0, margin.threshold_gbps)
        self.assertEqual(6.0, margin.compared_gbps)
        self.assertIn('1.57x', margin.message)

    def test_paper_figures_pass_against_raw_port_speed_too(self):
        threshold, text = verdict.line_rate_threshold_gbps(
            10, 0.9, reference='port_speed')
        v = verdict.judge_line_rate(point('direct', 3, 9.4, 9.4, 9.4),
                                    threshold, text, 0.9)
        self.assertTrue(v.passed)

    def test_ovs_within_margin_fails_readably(self):
        verdicts = self._judge(ovs=7.2)
        failed = [v for v in verdicts if not v.passed]
        self.assertEqual([('margin', 3), ('margin', 5)],
                         [(v.kind, v.streams) for v in failed])
        msg = failed[0].message
        self.assertIn('same_subnet_different_hosts/direct/3 streams', msg)
        self.assertIn('9.40 Gbit/s', msg)
        self.assertIn('only 1.31x', msg)
        self.assertIn('7.20 Gbit/s', msg)
        self.assertIn('required margin is 40 %', msg)
        self.assertIn('>= 10.08 Gbit/s', msg)
        self.assertIn('missed by 0.68 Gbit/s', msg)

    def test_one_stream_is_not_judged_by_default(self):
        self.assertNotIn(1, [v.streams for v in self._judge(ovs=6.0)])

    def test_slow_sriov_fails_line_rate_naming_threshold(self):
        threshold, text, fraction = self.line_rate
        v = verdict.judge_line_rate(point('direct', 5, 7.0, 7.2, 7.1),
                                    threshold, text, fraction)
        self.assertFalse(v.passed)
        self.assertIn('median 7.10 Gbit/s is below the near-line-rate '
                      'threshold 8.45 Gbit/s', v.message)
        self.assertIn('90 % of TCP goodput ceiling 9.390', v.message)
        self.assertIn('samples [7.00, 7.20, 7.10]', v.message)

    def test_same_host_vf_to_vf_has_no_line_rate_verdict(self):
        """Paper scenario 1 reached ~14 Gbit/s on a 10 GbE NIC."""
        verdicts = self._judge(ovs=6.0, crosses_wire=False)
        self.assertEqual({'margin'}, {v.kind for v in verdicts})

    def test_median_not_one_sample_decides(self):
        threshold, text, fraction = self.line_rate
        v = verdict.judge_line_rate(point('direct', 3, 5.0, 9.4, 9.3),
                                    threshold, text, fraction)
        self.assertTrue(v.passed)

    def test_margin_zero_disables(self):
        verdicts = verdict.judge_topology(
            self._points(9.4), 'direct', True, self.line_rate, (3, 5), 0.0,
            (3, 5))
        self.assertEqual({'line_rate'}, {v.kind for v in verdicts})

    def test_margin_needs_same_point(self):
        self.assertRaises(ValueError, verdict.judge_margin,
                          point('direct', 3, 9.0), point('normal', 5, 6.0),
                          0.4)
