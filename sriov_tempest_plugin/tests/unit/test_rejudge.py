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
"""Verdicts again from a results file, with other thresholds."""

import copy

from sriov_tempest_plugin import rejudge
from sriov_tempest_plugin import results as results_file
from sriov_tempest_plugin.tests.unit import base


class JudgeTest(base.TestCase):

    def setUp(self):
        super(JudgeTest, self).setUp()
        self.doc = base.results_document()

    def test_same_thresholds_give_the_same_verdicts(self):
        again = rejudge.judge(self.doc)
        self.assertEqual(self.doc['verdicts'], again['verdicts'])
        self.assertTrue(again['passed'])
        self.assertNotIn('rejudged', again)

    def test_larger_margin_fails_with_the_verdict_message(self):
        original = copy.deepcopy(self.doc)
        again = rejudge.judge(self.doc, margin_over_normal=1.0)
        self.assertFalse(again['passed'])
        self.assertEqual({'margin_over_normal': 1.0}, again['rejudged'])
        self.assertEqual(1.0, again['settings']['margin_over_normal'])
        failed = results_file.failed_messages(again)
        # different hosts: 0.86 / 0.47 = 1.83x, same host 1.24 / 0.70 = 1.77x;
        # routed 0.79 / 0.38 = 2.08x still passes 2x.
        self.assertEqual(4, len(failed))
        self.assertIn(
            'same_subnet_different_hosts/direct/3 streams: median 0.86 '
            'Gbit/s is only 1.83x the normal (OVS) median 0.47 Gbit/s; the '
            'required margin is 100 % (>= 0.94 Gbit/s)', '\n'.join(failed))
        self.assertEqual(original, self.doc)

    def test_faster_port_fails_line_rate_only_where_the_wire_is_crossed(self):
        again = rejudge.judge(self.doc, port_speed_gbps=10.0)
        kinds = {(v['topology'], v['kind']) for v in again['verdicts']
                 if not v['passed']}
        self.assertEqual({('same_subnet_different_hosts', 'line_rate'),
                          ('different_subnets_same_host', 'line_rate')},
                         kinds)

    def test_judged_stream_counts_can_change(self):
        again = rejudge.judge(self.doc, margin_streams=[1],
                              line_rate_streams=[5])
        margins = sorted({v['streams'] for v in again['verdicts']
                          if v['kind'] == 'margin'})
        rates = sorted({v['streams'] for v in again['verdicts']
                        if v['kind'] == 'line_rate'})
        self.assertEqual(([1], [5]), (margins, rates))

    def test_bad_thresholds(self):
        for kw, text in (({'line_rate_fraction': 1.5}, 'in (0, 1]'),
                         ({'port_speed_gbps': 0.0}, 'above 0'),
                         ({'margin_over_normal': -0.1}, '0 or more'),
                         ({'line_rate_reference': 'x'}, 'goodput_ceiling'),
                         ({'mtu': 9000}, 'cannot re-judge with mtu')):
            exc = self.assertRaises(ValueError, rejudge.judge, self.doc,
                                    **kw)
            self.assertIn(text, str(exc))
