"""Every fault the lab offers is caught by a listed test (a matrix row)."""

import io
import unittest
from unittest import mock

from lab import faults
from lab import layout
from lab import matrix
from lab import outcome
from sriov_tempest_plugin import dhcp
from sriov_tempest_plugin import ovn


class MatrixTest(unittest.TestCase):

    def test_every_fault_has_a_row(self):
        self.assertEqual(sorted(f.name for f in faults.FAULTS),
                         sorted(r.fault for r in matrix.ROWS))

    def test_rows_name_tests_of_the_expected_outcome(self):
        # Tests that pass on a healthy lab of the row's backend: a test
        # that skips there cannot be seen failing for the fault.
        for row in matrix.ROWS:
            self.assertIn(row.ml2, layout.ML2_BACKENDS, row.fault)
            with open(outcome.__file__.replace(
                    'outcome.py', 'expected-outcome-%s.txt' % row.ml2)) as f:
                known = outcome.parse_expected(f.read())
            passing = {t for t, v in known.items() if v == 'ok'}
            classes = {name.rsplit('.', 1)[0] for name in passing}
            self.assertTrue(row.fails, row.fault)
            self.assertTrue(row.message, row.fault)
            for test in row.fails:
                self.assertTrue(test in passing or test in classes,
                                '%s: %s does not pass on a healthy ML2/%s '
                                'lab' % (row.fault, test, row.ml2))

    def test_a_fault_of_one_backend_has_its_rows_there(self):
        for fault in faults.FAULTS:
            if fault.ml2:
                self.assertEqual(fault.ml2, matrix.BY_FAULT[fault.name].ml2)

    def test_runs_never_mix_backends(self):
        for run in matrix.RUNS:
            self.assertEqual(1, len({matrix.BY_FAULT[f].ml2 for f in run}),
                             run)

    def test_no_extport_chassis_messages_are_the_plugins(self):
        # The row's messages are what the plugin says of a VF guest with
        # no lease on an OVN cloud with no chassis marked either way
        # (sriov_tempest_plugin.dhcp and .ovn, pure modules).
        chassis = [ovn.Chassis('u%d' % i, name, name, frozenset(),
                               {'physnet1': 'br-phys'})
                   for i, name in enumerate(('network', 'compute1'))]
        text = dhcp.no_lease_message(
            'vm1', dhcp.Event('no-lease', 'udhcpc: no lease, failing'),
            ('net', 101), None, 'direct',
            ovn=ovn.extport_findings(chassis, None, 'p1', 'physnet1'))
        for message in matrix.BY_FAULT['no-extport-chassis'].messages:
            self.assertIn(message, text)

    def test_runs_group_each_row_at_most_once(self):
        grouped = [f for run in matrix.RUNS for f in run]
        self.assertEqual(sorted(grouped), sorted(set(grouped)))
        self.assertLessEqual(set(grouped), set(matrix.BY_FAULT))

    def test_ci_choice(self):
        # CI's every-run rows: the two fail-closed rows and the VF
        # traffic checks, in 3 runs (host-no-vfs without its group).
        self.assertEqual(
            [('no-spoofchk', 'no-link-state', 'small-mtu', 'trust-all'),
             ('host-no-vfs',), ('lossy-vf',)],
            [tuple(r.fault for r in run) for run in matrix.plan(
                [matrix.BY_FAULT[f] for f in matrix.CI_CHOICE])])

    def test_rows_of_a_run_fail_disjoint_tests(self):
        for run in matrix.RUNS:
            tests = [t for f in run for t in matrix.BY_FAULT[f].fails]
            self.assertEqual(len(tests), len(set(tests)), run)

    def test_conflicting_faults_never_share_a_run(self):
        # Spoof check ignored vs kept on; a slow wire under the QoS
        # test's limit hides a missing limit.
        for run in matrix.RUNS:
            for pair in (('no-spoofchk', 'sticky-spoofchk'),
                         ('slow-port', 'no-rate-limit')):
                self.assertNotEqual(2, len(set(pair) & set(run)), run)

    def test_plan(self):
        rows = [matrix.BY_FAULT[f] for f in
                ('trust-all', 'no-trust', 'no-spoofchk', 'wrong-vlan')]
        self.assertEqual(
            [('wrong-vlan',), ('no-spoofchk', 'trust-all'), ('no-trust',)],
            [tuple(r.fault for r in run) for run in matrix.plan(rows)])
        self.assertEqual(4, len(matrix.plan(rows, alone=True)))


class JudgeTest(unittest.TestCase):
    """A shared run's output judged row by row."""

    def output(self, failures):
        lines = []
        for test in (matrix.VF + 'test_admin_state_down_stops_vf',
                     matrix.VF + 'test_spoofed_source_mac_dropped',
                     matrix.VF + 'test_untrusted_vf_keeps_its_mac'):
            if test in failures:
                lines += ['{0} %s [3.1s] ... FAILED' % test, '',
                          'Captured traceback:', '~~~~~~~~~~~~~~~~~~~',
                          '    AssertionError: %s' % failures[test], '']
            else:
                lines.append('{0} %s [2.0s] ... ok' % test)
        lines += ['', '==============================',
                  'Failed %d tests - output below:' % len(failures),
                  '==============================', '']
        lines += ['    AssertionError: %s' % m for m in failures.values()]
        return '\n'.join(lines) + '\n'

    def rows(self):
        return [matrix.BY_FAULT['no-spoofchk'],
                matrix.BY_FAULT['trust-all']]

    def test_each_row_caught_by_its_own_test(self):
        text = self.output({
            matrix.VF + 'test_spoofed_source_mac_dropped':
                'x: spoof check is off for its VF',
            matrix.VF + 'test_untrusted_vf_keeps_its_mac':
                'the NIC let an untrusted VF override the MAC'})
        self.assertEqual({'no-spoofchk': [], 'trust-all': []},
                         matrix.judge(self.rows(), text))

    def test_message_in_another_rows_test_is_not_enough(self):
        # The untrusted test fails, but with the spoof row's message: the
        # trust row is not caught as listed (its test failed for another
        # cause), though the message is in the output.
        text = self.output({
            matrix.VF + 'test_spoofed_source_mac_dropped':
                'x: spoof check is off for its VF',
            matrix.VF + 'test_untrusted_vf_keeps_its_mac':
                'cannot SSH to guest; spoof check is off'})
        problems = matrix.judge(self.rows(), text)
        self.assertEqual([], problems['no-spoofchk'])
        self.assertEqual(1, len(problems['trust-all']))
        self.assertIn('lacks', problems['trust-all'][0])

    def test_a_row_of_several_messages_needs_each(self):
        row = matrix.Row('x', 'y', (matrix.VF + 'test_spoofed_source_mac_'
                                    'dropped',), ('spoof check', 'is off'))
        test = row.fails[0]
        self.assertEqual({'x': []}, matrix.judge(
            [row], self.output({test: 'x: spoof check is off'})))
        problems = matrix.judge([row], self.output({test: 'spoof check'}))
        self.assertEqual(1, len(problems['x']))
        self.assertIn("lacks 'is off'", problems['x'][0])

    def test_a_test_of_no_row_failing_fails_every_row(self):
        text = self.output({
            matrix.VF + 'test_spoofed_source_mac_dropped':
                'x: spoof check is off for its VF',
            matrix.VF + 'test_untrusted_vf_keeps_its_mac':
                'the NIC let an untrusted VF override the MAC',
            matrix.VF + 'test_admin_state_down_stops_vf': 'boom'})
        problems = matrix.judge(self.rows(), text)
        for fault in ('no-spoofchk', 'trust-all'):
            self.assertEqual(
                ['%stest_admin_state_down_stops_vf failed too' % matrix.VF],
                problems[fault])

    def test_a_row_whose_test_passed(self):
        text = self.output({
            matrix.VF + 'test_untrusted_vf_keeps_its_mac':
                'the NIC let an untrusted VF override the MAC'})
        problems = matrix.judge(self.rows(), text)
        self.assertEqual([], problems['trust-all'])
        self.assertIn('did not fail (ok)', problems['no-spoofchk'][0])


class MainRefusesTest(unittest.TestCase):
    """``lab.matrix`` runs a row only on a lab it is written for, and says
    how to get one.
    """

    def _main(self, ml2, computes, argv):
        self.addCleanup(layout.set_computes, len(layout.COMPUTES))
        self.addCleanup(layout.set_ml2, layout.ML2)
        layout.set_ml2(ml2)
        layout.set_computes(computes)
        ran = []

        def run_faults(rows, *args):
            ran.append(tuple(r.fault for r in rows))
            return [(r, True, 1.0, []) for r in rows]

        state = mock.Mock(workspace='/nonexistent')
        state.path.return_value = '/nonexistent/results'
        with mock.patch.object(layout.State, 'default',
                               return_value=state), \
                mock.patch.object(matrix, 'run_faults', run_faults), \
                mock.patch.object(matrix.os, 'makedirs'), \
                mock.patch('sys.stderr', new_callable=io.StringIO) as err, \
                mock.patch('sys.stdout', new_callable=io.StringIO):
            try:
                code = matrix.main(argv)
            except SystemExit as exc:
                code = exc.code
        return code, ran, err.getvalue()

    def test_an_ovn_row_on_a_lab_of_two(self):
        code, ran, _ = self._main('ovn', 2, [])
        self.assertEqual((0, [('no-extport-chassis',)]), (code, ran))

    def test_ovs_rows_need_three_computes(self):
        code, ran, err = self._main('ovs', 2, ['wrong-vlan'])
        self.assertEqual((2, []), (code, ran))
        self.assertIn('python3 -m lab up --computes 3', err)

    def test_a_row_of_the_other_backend(self):
        code, ran, err = self._main('ovs', 3, ['no-extport-chassis'])
        self.assertEqual((2, []), (code, ran))
        self.assertIn('written for ML2/OVN; this lab runs ML2/OVS', err)
        self.assertIn('python3 -m lab up --ml2 ovn', err)

    def test_no_ci_row_on_ovn(self):
        code, ran, err = self._main('ovn', 3, ['--ci'])
        self.assertEqual((2, []), (code, ran))
        self.assertIn('no CI matrix row is written for ML2/OVN', err)

    def test_ci_rows_on_ovs(self):
        code, ran, _ = self._main('ovs', 3, ['--ci'])
        self.assertEqual(0, code)
        self.assertEqual(sorted(matrix.CI_CHOICE),
                         sorted(f for run in ran for f in run))


if __name__ == '__main__':
    unittest.main()
