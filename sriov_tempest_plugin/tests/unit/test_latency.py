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
"""ping parsing, percentiles and the latency verdict."""

import dataclasses
import json

from sriov_tempest_plugin import gate
from sriov_tempest_plugin import latency
from sriov_tempest_plugin import rejudge
from sriov_tempest_plugin import results as results_file
from sriov_tempest_plugin import tables
from sriov_tempest_plugin.tests.unit import base
from sriov_tempest_plugin import topology
from sriov_tempest_plugin import verdict

WIRE = topology.SAME_SUBNET_DIFFERENT_HOSTS


class ParseTest(base.TestCase):

    def test_fifty_replies(self):
        rtts, sent = latency.parse_ping(base.fixture('ping-iputils-50.txt'))
        self.assertEqual(50, sent)
        self.assertEqual(50, len(rtts))
        # The summary line of the same output: min 0.043, max 0.079.
        self.assertEqual((0.043, 0.079), (min(rtts), max(rtts)))

    def test_no_reply(self):
        self.assertEqual(((), 5), latency.parse_ping(
            base.fixture('ping-iputils-no-reply.txt')))

    def test_partial_loss(self):
        rtts, sent = latency.parse_ping(
            base.fixture('ping-iputils-partial-loss.txt'))
        self.assertEqual((0.038, 0.057, 0.054, 0.051, 0.057, 0.054), rtts)
        self.assertEqual(10, sent)

    def test_busybox_format(self):
        # BusyBox's ping (CirrOS) says seq= and "packets received".
        text = ('PING 10.0.0.5 (10.0.0.5): 56 data bytes\n'
                '64 bytes from 10.0.0.5: seq=0 ttl=64 time=0.512 ms\n'
                '64 bytes from 10.0.0.5: seq=1 ttl=64 time=0.433 ms\n'
                '64 bytes from 10.0.0.5: seq=1 ttl=64 time=0.600 ms (DUP!)\n'
                '\n--- 10.0.0.5 ping statistics ---\n'
                '3 packets transmitted, 2 packets received, 33% packet '
                'loss\n')
        self.assertEqual(((0.512, 0.433), 3), latency.parse_ping(text))

    def test_busybox_capture(self):
        # BusyBox in an Alpine container (docker/docs, fixtures README).
        self.assertEqual(((0.6, 0.555), 2), latency.parse_ping(
            base.fixture('ping-busybox-alpine.txt')))

    def test_old_iputils_icmp_req(self):
        # iputils s20101006..s20121221 print icmp_req= (fixtures README).
        self.assertEqual((252.0, 252.0, 253.0, 252.0, 251.0),
                         latency.replies(base.fixture(
                             'ping-iputils-s2010-icmp-req.txt')))

    def test_netkit_msec_and_packets_received(self):
        rtts, sent = latency.parse_ping(base.fixture('ping-netkit-msec.txt'))
        self.assertEqual(5, sent)
        self.assertEqual((98.283, 94.114, 66.565, 24.301, 37.06), rtts)

    def test_not_ping_output(self):
        self.assertRaises(ValueError, latency.parse_ping,
                          'sh: ping: not found')

    def test_command_is_quoted_and_bounded(self):
        self.assertEqual('ping -c 50 -i 0.2 -W 2 10.0.0.5',
                         latency.ping_command('10.0.0.5', 50))
        self.assertIn("'1; reboot'", latency.ping_command('1; reboot', 50))
        self.assertGreaterEqual(latency.command_timeout(50), 50 * 0.2 + 2)


class PercentileTest(base.TestCase):

    def test_nearest_rank(self):
        values = list(range(1, 51))     # 1..50
        self.assertEqual(25, latency.percentile(values, 50))
        self.assertEqual(50, latency.percentile(values, 99))
        self.assertEqual(1, latency.percentile(values, 1))
        self.assertEqual(7, latency.percentile([7], 99))
        self.assertRaises(ValueError, latency.percentile, [], 50)

    def test_of_the_fixture(self):
        rtts, sent = latency.parse_ping(base.fixture('ping-iputils-50.txt'))
        p = latency.LatencyPoint(WIRE.name, 'direct', rtts, sent)
        self.assertEqual(sorted(rtts)[24], p.p50)
        self.assertEqual(max(rtts), p.p99)
        self.assertEqual(0, p.lost)


def point(vnic, *ms, sent=None):
    return latency.LatencyPoint(WIRE.name, vnic, tuple(ms),
                                len(ms) if sent is None else sent)


class JudgeTest(base.TestCase):

    def test_no_worse_than_ovs_passes(self):
        v = verdict.judge_latency(point('direct', 0.1, 0.2, 0.3),
                                  point('normal', 0.2, 0.4, 0.5), 0.0)
        self.assertTrue(v.passed)
        self.assertEqual((0.2, 0.4, 0.4), (v.measured_ms, v.threshold_ms,
                                           v.compared_ms))
        self.assertEqual(('latency', 0), (v.kind, v.streams))

    def test_slower_than_ovs_fails_with_figures(self):
        v = verdict.judge_latency(point('direct', 0.5, 0.6, 0.7),
                                  point('normal', 0.2, 0.4, 0.5, sent=4),
                                  0.0, max_loss=0.5)
        self.assertFalse(v.passed)
        self.assertIn('p50 0.600 ms is above 0.400 ms, the normal (OVS) '
                      'p50 0.400 ms', v.message)
        self.assertIn('0 of 3 and 1 of 4 echo requests lost', v.message)

    def test_margin(self):
        sriov, normal = point('direct', 0.3), point('normal', 0.4)
        self.assertTrue(verdict.judge_latency(sriov, normal, 0.25).passed)
        self.assertFalse(verdict.judge_latency(sriov, normal, 0.26).passed)

    def test_loss_beyond_max_loss_fails_whatever_the_p50(self):
        # One fast reply of 50: its p50 beats OVS by far, and says nothing.
        v = verdict.judge_latency(point('direct', 0.05, sent=50),
                                  point('normal', *([0.4] * 50)), 0.0)
        self.assertFalse(v.passed)
        self.assertIn('the direct pair lost 49 of 50 echo requests (98 %)',
                      v.message)
        self.assertIn('[sriov] latency_max_loss 4 %', v.message)

    def test_loss_on_the_normal_side_fails_too(self):
        v = verdict.judge_latency(point('direct', *([0.2] * 50)),
                                  point('normal', *([0.4] * 47), sent=50), 0.0)
        self.assertFalse(v.passed)
        self.assertIn('the normal pair lost 3 of 50', v.message)

    def test_loss_within_max_loss_is_judged_by_p50(self):
        v = verdict.judge_latency(point('direct', *([0.2] * 48), sent=50),
                                  point('normal', *([0.4] * 50)), 0.0)
        self.assertTrue(v.passed)
        self.assertIn('2 of 50 and 0 of 50 echo requests lost', v.message)
        self.assertFalse(verdict.judge_latency(
            point('direct', *([0.2] * 48), sent=50),
            point('normal', *([0.4] * 50)), 0.0, max_loss=0.02).passed)

    def test_rejudging_a_file_that_lost_49_of_50(self):
        doc = json.loads(base.fixture('results-qos-lab.json'))
        doc['latency'] = [
            {'topology': WIRE.name, 'vnic_type': 'direct', 'sent': 50,
             'received': 1, 'samples_ms': [0.05]},
            {'topology': WIRE.name, 'vnic_type': 'normal', 'sent': 50,
             'received': 50, 'samples_ms': [0.4] * 50}]
        out = rejudge.judge(doc)
        [v] = [v for v in out['verdicts'] if v['kind'] == 'latency']
        self.assertFalse(v['passed'])
        self.assertFalse(out['passed'])
        self.assertIn('lost 49 of 50', v['message'])

    def test_no_reply_fails(self):
        v = verdict.judge_latency(point('direct', sent=50),
                                  point('normal', 0.4), 0.0)
        self.assertFalse(v.passed)
        self.assertIn('none of 50 echo requests', v.message)


class GateLatencyTest(base.TestCase):

    def setUp(self):
        super(GateLatencyTest, self).setUp()
        self.s = self.settings(physical_network='physnet1')
        self.results = results_file.Results(
            'run1', gate.settings_summary(self.s, 1500))

    def _run(self, outputs):
        asked = []

        def ping(vnic_type, count):
            asked.append((vnic_type, count))
            return outputs[vnic_type]

        verdicts = gate.run_latency(
            WIRE, self.s, 1500, ping, self.results,
            lambda vnic: {'client': 'c1', 'server': 'c2'})
        return verdicts, asked

    def test_records_and_judges_both_pairs(self):
        fast = base.fixture('ping-iputils-50.txt')
        slow = fast.replace('time=0.', 'time=1.')   # every RTT +1 ms
        verdicts, asked = self._run({'direct': fast, 'normal': slow})
        self.assertEqual([('direct', 50), ('normal', 50)], asked)
        self.assertEqual([True], [v.passed for v in verdicts])
        doc = self.results.document()
        self.assertEqual(['direct', 'normal'],
                         [p['vnic_type'] for p in doc['latency']])
        self.assertEqual(50, doc['latency'][0]['received'])
        self.assertIn('p50_ms', doc['latency'][0])
        table = tables.text_table(doc)
        self.assertIn('latency:pass', table)
        self.assertTrue(doc['passed'])
        # Swapped, the SR-IOV pair is the slow one: the verdict fails.
        verdicts, _ = self._run({'direct': slow, 'normal': fast})
        self.assertEqual([False], [v.passed for v in verdicts])
        self.assertEqual(2, len(self.results.document()['latency']))
        self.assertFalse(self.results.document()['passed'])

    def test_samples_setting(self):
        self.s = dataclasses.replace(self.s, latency_samples=80)
        out = base.fixture('ping-iputils-50.txt')
        _, asked = self._run({'direct': out, 'normal': out})
        self.assertEqual([('direct', 80), ('normal', 80)], asked)

    def test_rejudged_with_a_margin(self):
        fast = base.fixture('ping-iputils-50.txt')
        slow = fast.replace('time=0.', 'time=1.')
        self._run({'direct': fast, 'normal': slow})
        doc = self.results.document()
        self.assertTrue(rejudge.judge(doc)['passed'])
        self.assertTrue(rejudge.judge(doc, latency_margin=0.5)['passed'])
        out = rejudge.judge(doc, latency_margin=0.95)
        self.assertFalse(out['passed'])
        self.assertEqual({'latency_margin': 0.95}, out['rejudged'])

    def test_old_files_judge_latency_with_margin_0(self):
        summary = gate.settings_summary(self.s, 1500)
        del summary['latency_margin']
        self.assertEqual(0.0, verdict.Thresholds.of(summary).latency_margin)

    def test_bad_margin(self):
        self.assertIsNotNone(verdict.threshold_problem('latency_margin', 1))
        self.assertIsNotNone(verdict.threshold_problem('latency_margin',
                                                       -0.1))
        self.assertIsNone(verdict.threshold_problem('latency_margin', 0))


class LatencyTopologiesTest(base.TestCase):

    def test_only_listed_topologies_are_judged(self):
        s = self.settings(physical_network='physnet1',
                          latency_topologies=[WIRE.name])
        summary = gate.settings_summary(s, 1500)
        self.assertEqual([WIRE.name], summary['latency_topologies'])
        thresholds = verdict.Thresholds.of(summary)
        slow = {'direct': point('direct', 0.9), 'normal': point('normal', 0.1)}
        self.assertEqual([False], [v.passed for v in
                                   thresholds.judge_latency(slow)])
        same_host = {v: dataclasses.replace(
            p, topology=topology.SAME_SUBNET_SAME_HOST.name)
            for v, p in slow.items()}
        # Not compared there: only the loss is judged, and none was lost.
        [v] = thresholds.judge_latency(same_host)
        self.assertEqual(('latency_loss', True), (v.kind, v.passed))
        self.assertIsNone(v.threshold_ms)
        self.assertIn('0 of 1 and 0 of 1 echo requests lost', v.message)
        self.assertIn('not compared ([sriov] latency_topologies leaves '
                      'same_subnet_same_host out)', v.message)

    def test_loss_fails_where_latency_is_only_recorded(self):
        s = self.settings(physical_network='physnet1',
                          latency_topologies=[WIRE.name])
        thresholds = verdict.Thresholds.of(gate.settings_summary(s, 1500))
        name = topology.SAME_SUBNET_SAME_HOST.name
        lossy = {'direct': latency.LatencyPoint(name, 'direct', (0.05,), 50),
                 'normal': latency.LatencyPoint(name, 'normal',
                                                (0.4,) * 50, 50)}
        [v] = thresholds.judge_latency(lossy)
        self.assertFalse(v.passed)
        self.assertIn('the direct pair lost 49 of 50 echo requests (98 %), '
                      'more than [sriov] latency_max_loss 4 % allows',
                      v.message)
        silent = dict(lossy, direct=latency.LatencyPoint(name, 'direct', (),
                                                         50))
        [v] = thresholds.judge_latency(silent)
        self.assertFalse(v.passed)
        self.assertIsNone(v.measured_ms)
        self.assertIn('lost 50 of 50', v.message)

    def test_rejudged_file_with_loss_on_a_recorded_topology(self):
        doc = json.loads(base.fixture('results-qos-lab.json'))
        doc['settings']['latency_topologies'] = [WIRE.name]
        name = topology.SAME_SUBNET_SAME_HOST.name
        doc['latency'] = [
            {'topology': name, 'vnic_type': 'direct', 'sent': 50,
             'received': 1, 'samples_ms': [0.05]},
            {'topology': name, 'vnic_type': 'normal', 'sent': 50,
             'received': 50, 'samples_ms': [0.4] * 50}]
        out = rejudge.judge(doc)
        [v] = [v for v in out['verdicts'] if v['kind'] == 'latency_loss']
        self.assertFalse(v['passed'])
        self.assertFalse(out['passed'])
        self.assertIn('latency_loss:FAIL',
                      '\n'.join(tables.latency_table(out)))

    def test_unknown_topology_is_refused(self):
        self.assertIn('unknown topologies same_rack',
                      verdict.threshold_problem('latency_topologies',
                                                ['same_rack']))
        self.assertIsNone(verdict.threshold_problem(
            'latency_topologies', [t.name for t in topology.TOPOLOGIES]))
