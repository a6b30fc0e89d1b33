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
"""iperf3 command lines and the parsing of their output."""

import json
import shlex

from sriov_tempest_plugin import iperf
from sriov_tempest_plugin.tests.unit import base


class CommandTest(base.TestCase):

    def test_streams_mode_is_one_client_with_parallel(self):
        cmd = iperf.client_command('10.0.0.5', 5201, 3, 10, 2, 'streams')
        self.assertEqual(
            ['iperf3', '--client', '10.0.0.5', '--port', '5201', '--time',
             '10', '--omit', '2', '--json', '--parallel', '3', '2>&1',
             '||', 'true'],
            shlex.split(cmd))

    def test_streams_mode_output_is_parsed_whatever_the_exit_code(self):
        # iperf3 exits 1 on a refused connection; its JSON error must reach
        # the parser (which calls it transient), not end the SSH command.
        cmd = iperf.client_command('10.0.0.5', 5201, 3, 10, 2, 'streams')
        self.assertTrue(cmd.endswith(' 2>&1 || true'))
        with self.assertRaises(iperf.IperfError) as ctx:
            iperf.parse_client_output(
                base.fixture('iperf3-3.12-error-refused.json'))
        self.assertTrue(ctx.exception.transient)

    def test_one_stream_has_no_parallel_flag(self):
        cmd = iperf.client_command('10.0.0.5', 5201, 1, 10, 2, 'streams')
        self.assertNotIn('--parallel', cmd)

    def test_processes_mode_runs_one_client_per_port(self):
        cmd = iperf.client_command('10.0.0.5', 5201, 3, 10, 2, 'processes')
        for port in (5201, 5202, 5203):
            self.assertIn('--port %d --time 10 --omit 2 --json;' % port,
                          cmd)
            self.assertIn('} > /tmp/sriov-iperf3-%d.json 2>&1 &' % port, cmd)
        self.assertNotIn('--parallel', cmd)
        self.assertIn('& wait;', cmd)
        self.assertEqual(3, cmd.count('cat /tmp/sriov-iperf3-'))

    def test_processes_mode_stamps_each_clients_end(self):
        cmd = iperf.client_command('10.0.0.5', 5201, 2, 10, 2, 'processes')
        # Each client's group ends with the stamp and writes to its file.
        self.assertEqual(2, cmd.count('read -r up _ < /proc/uptime'))
        self.assertIn("echo '%s'\"$up ====\"; } > /tmp/sriov-iperf3-5202"
                      % iperf._ENDED_PREFIX, cmd)
        # The stamp cannot be taken for a document separator.
        self.assertFalse(iperf._ENDED_PREFIX.startswith(
            iperf._SEPARATOR_PREFIX))

    def test_values_are_quoted(self):
        hostile = '10.0.0.5; rm -rf /'
        cmd = iperf.client_command(hostile, 5201, 1, 10, 2, 'streams')
        self.assertIn("'10.0.0.5; rm -rf /'", cmd)
        self.assertEqual(hostile, shlex.split(cmd)[2])
        cmd = iperf.server_command(5201, '/tmp/a b;c.pid')
        self.assertEqual('/tmp/a b;c.pid', shlex.split(cmd)[-1])
        self.assertIn("'/tmp/a b;c.pid'", iperf.stop_server_command(
            '/tmp/a b;c.pid'))

    def test_server_is_one_off_daemon_with_pidfile(self):
        words = shlex.split(iperf.server_command(5203, '/tmp/s.pid'))
        for flag in ('--server', '--daemon', '--one-off'):
            self.assertIn(flag, words)
        self.assertEqual('5203', words[words.index('--port') + 1])

    def test_server_ports(self):
        self.assertEqual([5201, 5202, 5203, 5204, 5205],
                         iperf.server_ports(5201, 5, 'processes'))
        self.assertEqual([5201], iperf.server_ports(5201, 5, 'streams'))


class ParseTest(base.TestCase):

    def test_one_stream(self):
        run = iperf.parse_client_output(
            base.fixture('iperf3-3.12-1stream.json'))
        doc = json.loads(base.fixture('iperf3-3.12-1stream.json'))
        self.assertEqual('iperf 3.12', run.version)
        self.assertEqual(1, run.streams)
        self.assertEqual(1, run.processes)
        # Receiver goodput, SI units.
        self.assertAlmostEqual(
            doc['end']['sum_received']['bits_per_second'] / 1e9,
            run.received_gbps)
        self.assertAlmostEqual(
            doc['end']['sum_sent']['bits_per_second'] / 1e9, run.sent_gbps)
        self.assertEqual(doc['end']['sum_sent']['retransmits'],
                         run.retransmits)
        self.assertAlmostEqual(
            doc['end']['cpu_utilization_percent']['host_total'],
            run.sender_cpu_percent)
        self.assertAlmostEqual(
            doc['end']['cpu_utilization_percent']['remote_total'],
            run.receiver_cpu_percent)

    def test_three_streams_and_cpu_bound(self):
        run = iperf.parse_client_output(
            base.fixture('iperf3-3.12-3streams.json'))
        self.assertEqual(3, run.streams)
        self.assertAlmostEqual(24.7337, run.received_gbps, places=3)
        self.assertEqual(23196, run.retransmits)
        # The sender sat at 98 % CPU in this real run.
        self.assertTrue(run.cpu_bound(90))
        self.assertFalse(run.cpu_bound(99))

    def test_three_processes_are_summed(self):
        text = base.fixture('iperf3-3.12-3processes.txt')
        run = iperf.parse_client_output(text)
        self.assertEqual(3, run.processes)
        self.assertEqual(3, run.streams)
        parts = [iperf.parse_document(d)
                 for d in iperf._split_documents(text)]
        self.assertEqual(3, len(parts))
        self.assertAlmostEqual(sum(p.received_gbps for p in parts),
                               run.received_gbps)
        self.assertEqual(sum(p.retransmits for p in parts), run.retransmits)
        self.assertEqual(max(p.sender_cpu_percent for p in parts),
                         run.sender_cpu_percent)

    def test_stamped_clients_with_one_window_sum_as_before(self):
        text = base.fixture('iperf3-3.12-3processes-stamped.txt')
        run = iperf.parse_client_output(text)
        parts = [iperf.parse_document(d)
                 for d in iperf._split_documents(text)]
        self.assertEqual([35618.08] * 3, [p.ended_at for p in parts])
        self.assertAlmostEqual(0.0, run.skew_seconds, places=6)
        # Bytes over the common window: the sum, to within the clients'
        # few milliseconds of difference in measured seconds.
        self.assertAlmostEqual(sum(p.received_gbps for p in parts),
                               run.received_gbps, places=3)
        self.assertLess(run.received_gbps, 0.2)

    def test_late_client_is_not_summed_as_if_concurrent(self):
        text = base.fixture('iperf3-3.12-3processes-late-client.txt')
        run = iperf.parse_client_output(text)
        parts = [iperf.parse_document(d)
                 for d in iperf._split_documents(text)]
        plain_sum = sum(p.received_gbps for p in parts)
        # The clients' own rates add up to more than the 0.2 Gbit/s port
        # can carry; bytes over the union of the windows do not.
        self.assertGreater(plain_sum, 0.3)
        self.assertLess(run.received_gbps, 0.2)
        self.assertGreater(run.received_gbps, 0.18)
        self.assertAlmostEqual(2.07, run.skew_seconds, places=2)
        received_bytes = sum(
            json.loads(iperf._ended_at(d)[0])['end']['sum_received']['bytes']
            for d in iperf._split_documents(text))
        self.assertAlmostEqual(received_bytes * 8 / 1e9 / run.seconds,
                               run.received_gbps, places=3)
        self.assertLess(run.sent_gbps, 0.21)

    def test_skewed_is_measured_against_the_window(self):
        late = iperf.parse_client_output(
            base.fixture('iperf3-3.12-3processes-late-client.txt'))
        aligned = iperf.parse_client_output(
            base.fixture('iperf3-3.12-3processes-stamped.txt'))
        # 2.07 s beyond a 3 s window; also beyond a tenth of 10 s.
        self.assertTrue(late.skewed(3))
        self.assertTrue(late.skewed(10))
        self.assertFalse(late.skewed(30))
        self.assertFalse(aligned.skewed(3))
        one = iperf.parse_client_output(
            base.fixture('iperf3-3.12-1stream.json'))
        self.assertFalse(one.skewed(1))

    def test_unstamped_clients_fall_back_to_the_sum(self):
        # Output of the command before clients were stamped.
        run = iperf.parse_client_output(
            base.fixture('iperf3-3.12-3processes.txt'))
        self.assertIsNone(run.skew_seconds)

    def test_a_garbled_stamp_is_ignored(self):
        text = base.fixture('iperf3-3.12-3processes-stamped.txt').replace(
            'uptime 35618.08 ====', 'uptime ? ====', 1)
        run = iperf.parse_client_output(text)
        self.assertIsNone(run.skew_seconds)
        self.assertEqual(3, run.processes)

    def test_error_object_is_reported(self):
        exc = self.assertRaises(
            iperf.IperfError, iperf.parse_client_output,
            base.fixture('iperf3-3.12-error-refused.json'))
        self.assertIn('unable to connect to server: Connection refused',
                      str(exc))
        self.assertTrue(exc.transient)

    def test_error_in_one_of_several_processes_names_it(self):
        good = base.fixture('iperf3-3.12-1stream.json')
        bad = base.fixture('iperf3-3.12-error-unreachable.json')
        text = '\n'.join([iperf._SEPARATOR % 0, good,
                          iperf._SEPARATOR % 1, bad])
        exc = self.assertRaises(iperf.IperfError,
                                iperf.parse_client_output, text)
        self.assertIn('client 1: ', str(exc))
        self.assertIn('Connection timed out', str(exc))
        self.assertNotIn('client 0', str(exc))
        # An unreachable server is not worth a second run.
        self.assertFalse(exc.transient)

    def test_one_starved_process_among_several_counts_as_zero(self):
        good = base.fixture('iperf3-3.12-1stream.json')
        alone = iperf.parse_client_output(good)
        doc = json.loads(good)
        doc['end']['sum_received']['bytes'] = 0
        doc['end']['sum_received']['bits_per_second'] = 0.0
        text = '\n'.join([iperf._SEPARATOR % 0, good,
                          iperf._SEPARATOR % 1, json.dumps(doc)])
        run = iperf.parse_client_output(text)
        self.assertEqual(1, run.starved)
        self.assertEqual(2, run.processes)
        # No end stamps: the plain sum, the starved client adding 0.
        self.assertAlmostEqual(alone.received_gbps, run.received_gbps)
        self.assertEqual(0, alone.starved)

    def test_every_process_starved_is_a_transient_failure(self):
        doc = json.loads(base.fixture('iperf3-3.12-1stream.json'))
        doc['end']['sum_received']['bytes'] = 0
        doc['end']['sum_received']['bits_per_second'] = 0.0
        text = '\n'.join([iperf._SEPARATOR % 0, json.dumps(doc),
                          iperf._SEPARATOR % 1, json.dumps(doc)])
        exc = self.assertRaises(iperf.IperfError,
                                iperf.parse_client_output, text)
        self.assertIn('client 0: iperf3 ran but the receiver got no data',
                      str(exc))
        self.assertIn('client 1: iperf3 ran but the receiver got no data',
                      str(exc))
        self.assertTrue(exc.transient)

    def test_stalled_and_unreachable_together_are_not_transient(self):
        doc = json.loads(base.fixture('iperf3-3.12-1stream.json'))
        doc['end']['sum_received']['bytes'] = 0
        text = '\n'.join([
            iperf._SEPARATOR % 0, json.dumps(doc), iperf._SEPARATOR % 1,
            base.fixture('iperf3-3.12-error-unreachable.json')])
        exc = self.assertRaises(iperf.IperfError,
                                iperf.parse_client_output, text)
        self.assertFalse(exc.transient)

    def test_truncated_json(self):
        exc = self.assertRaises(
            iperf.IperfError, iperf.parse_client_output,
            base.fixture('iperf3-3.12-truncated.json'))
        self.assertIn('truncated', str(exc))
        self.assertFalse(exc.transient)

    def test_missing_iperf3_text(self):
        exc = self.assertRaises(
            iperf.IperfError, iperf.parse_client_output,
            'sh: iperf3: not found\n')
        self.assertIn('image_ref', str(exc))
        self.assertIn('iperf3: not found', str(exc))

    def test_empty_output(self):
        exc = self.assertRaises(iperf.IperfError,
                                iperf.parse_client_output, '')
        self.assertIn('printed nothing', str(exc))

    def test_zero_traffic(self):
        doc = json.loads(base.fixture('iperf3-3.12-1stream.json'))
        doc['end']['sum_received']['bytes'] = 0
        doc['end']['sum_received']['bits_per_second'] = 0.0
        exc = self.assertRaises(iperf.IperfError,
                                iperf.parse_client_output, json.dumps(doc))
        self.assertIn('receiver got no data', str(exc))
        self.assertTrue(exc.transient)

    def test_unfinished_run_without_end_sums(self):
        doc = json.loads(base.fixture('iperf3-3.12-1stream.json'))
        doc['end'] = {}
        exc = self.assertRaises(iperf.IperfError,
                                iperf.parse_client_output, json.dumps(doc))
        self.assertIn('sum_received', str(exc))


class SampleTest(base.TestCase):
    """iperf.sample: one sample's retries, on real iperf3 output."""

    def _sample(self, outputs, duration=10):
        self.starts = 0
        self.warnings = []
        outputs = list(outputs)

        def start():
            self.starts += 1

        return iperf.sample(start, lambda: outputs.pop(0), duration,
                            'iperf3 from a to 10.0.0.5 (3 streams)',
                            self.warnings.append)

    def test_first_run_kept(self):
        run = self._sample([base.fixture('iperf3-3.12-1stream.json')])
        self.assertEqual((1, 1, []), (run.attempts, self.starts,
                                      self.warnings))

    def test_refused_connection_is_run_again_with_fresh_servers(self):
        run = self._sample([base.fixture('iperf3-3.12-error-refused.json'),
                            base.fixture('iperf3-3.12-1stream.json')])
        self.assertEqual((2, 2), (run.attempts, self.starts))
        self.assertEqual(1, len(self.warnings))
        self.assertIn('attempt 1 of 3', self.warnings[0])
        self.assertIn('running it again', self.warnings[0])

    def test_unreachable_server_fails_at_once(self):
        exc = self.assertRaises(
            iperf.IperfError, self._sample,
            [base.fixture('iperf3-3.12-error-unreachable.json')])
        self.assertIn('iperf3 from a to 10.0.0.5 (3 streams), attempt 1 of '
                      '3', str(exc))
        self.assertEqual(1, self.starts)

    def test_three_transient_failures_end_it(self):
        refused = base.fixture('iperf3-3.12-error-refused.json')
        exc = self.assertRaises(iperf.IperfError, self._sample,
                                [refused] * 3)
        self.assertIn('attempt 3 of 3', str(exc))
        self.assertEqual(2, len(self.warnings))

    def test_skewed_window_is_run_again_and_the_last_kept(self):
        late = base.fixture('iperf3-3.12-3processes-late-client.txt')
        run = self._sample([late] * 3, duration=3)
        self.assertEqual(3, run.attempts)
        self.assertEqual(2, len(self.warnings))
        self.assertIn("clients' windows spread", self.warnings[0])
        aligned = base.fixture('iperf3-3.12-3processes-stamped.txt')
        run = self._sample([late, aligned], duration=3)
        self.assertEqual(2, run.attempts)
