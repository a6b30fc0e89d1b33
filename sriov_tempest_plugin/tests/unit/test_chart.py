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
"""The throughput chart."""

import builtins
import struct
from unittest import mock

from sriov_tempest_plugin import chart
from sriov_tempest_plugin import latency
from sriov_tempest_plugin import rejudge
from sriov_tempest_plugin.tests.unit import base
from sriov_tempest_plugin import topology


class ChartTest(base.TestCase):

    def setUp(self):
        super(ChartTest, self).setUp()
        self.doc = base.results_document()
        from matplotlib import pyplot
        self.pyplot = pyplot

    def _figure(self, doc):
        fig = chart.figure(doc)
        self.addCleanup(self.pyplot.close, fig)
        return fig

    def test_one_panel_per_topology_in_the_papers_order(self):
        fig = self._figure(self.doc)
        self.assertEqual(['same subnet, same host', 'same subnet, different '
                          'hosts', 'different subnets, same host'],
                         [ax.get_title().split('\n')[0] for ax in fig.axes])

    def test_bars_are_medians_grouped_by_stream_count(self):
        ax = self._figure(self.doc).axes[1]
        heights = sorted(round(p.get_height(), 2) for p in ax.patches)
        self.assertEqual([0.47] * 3 + [0.86] * 3, heights)
        self.assertEqual(['1', '3', '5'],
                         [t.get_text() for t in ax.get_xticklabels()])

    def test_speed_on_every_panel_threshold_where_the_wire_is_crossed(self):
        fig = self._figure(self.doc)
        lines = [[(round(line.get_ydata()[0], 3), line.get_label())
                  for line in ax.get_lines()
                  if line.get_label().startswith(('port', 'near'))]
                 for ax in fig.axes]
        speed = (1.0, 'port speed 1 Gbit/s')
        threshold = (0.704, 'near line rate 0.70 Gbit/s (75 % of goodput '
                            'ceiling)')
        self.assertEqual([[speed], [speed, threshold], [speed, threshold]],
                         lines)

    def test_legend_names_both_paths_and_both_lines(self):
        fig = self._figure(self.doc)
        texts = [t.get_text() for t in fig.legends[0].get_texts()]
        self.assertEqual(['direct (SR-IOV VF)', 'normal (OVS)',
                          'port speed 1 Gbit/s',
                          'near line rate 0.70 Gbit/s (75 % of goodput '
                          'ceiling)'], texts)
        self.assertIn('run 20261125T060000Z: PASSED',
                      fig._suptitle.get_text())

    def test_failed_verdicts_are_hatched_and_explained(self):
        fig = self._figure(rejudge.judge(self.doc, margin_over_normal=1.0))
        hatched = [(round(p.get_height(), 2)) for ax in fig.axes
                   for p in ax.patches if p.get_hatch()]
        self.assertEqual([1.24, 1.24, 0.86, 0.86], hatched)
        self.assertIn('failed verdict', [
            t.get_text() for t in fig.legends[0].get_texts()])
        self.assertIn('FAILED', fig._suptitle.get_text())

    def _with_latency(self, **overrides):
        doc = dict(self.doc, latency=[
            latency.LatencyPoint(t.name, vnic, ms, len(ms)).as_dict()
            for t in topology.TOPOLOGIES
            for vnic, ms in (('direct', (0.40, 0.42, 0.90)),
                             ('normal', (0.60, 0.61, 1.50)))])
        return rejudge.judge(doc, **overrides)

    def test_latency_panel_last_with_p50_bars(self):
        fig = self._figure(self._with_latency())
        self.assertEqual(4, len(fig.axes))
        ax = fig.axes[-1]
        self.assertEqual('round-trip latency (ping)', ax.get_title())
        self.assertEqual([0.42] * 3 + [0.61] * 3,
                         sorted(round(p.get_height(), 2)
                                for p in ax.patches))
        self.assertFalse([p for p in ax.patches if p.get_hatch()])

    def test_failed_latency_verdicts_are_hatched(self):
        fig = self._figure(self._with_latency(latency_margin=0.9))
        hatched = [round(p.get_height(), 2) for p in fig.axes[-1].patches
                   if p.get_hatch()]
        self.assertEqual([0.42] * 3, hatched)
        self.assertIn('FAILED', fig._suptitle.get_text())

    def test_png_is_a_real_picture(self):
        png = chart.png_bytes(self.doc)
        self.assertEqual(b'\x89PNG\r\n\x1a\n', png[:8])
        width, height = struct.unpack('>II', png[16:24])
        self.assertGreater(width, 1000)
        self.assertGreater(height, 400)

    def test_without_matplotlib_the_message_names_the_extra(self):
        real_import = builtins.__import__

        def no_matplotlib(name, *args, **kwargs):
            if name.startswith('matplotlib'):
                raise ImportError(name)
            return real_import(name, *args, **kwargs)

        with mock.patch('builtins.__import__', no_matplotlib):
            self.assertFalse(chart.available())
            exc = self.assertRaises(chart.ChartUnavailable, chart.png_bytes,
                                    self.doc)
        self.assertIn('pip install "sriov-tempest-plugin[report]"',
                      str(exc))

    def test_run_without_points_is_refused(self):
        doc = dict(self.doc, points=[], verdicts=[])
        self.assertRaises(ValueError, chart.figure, doc)
