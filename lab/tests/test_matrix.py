"""Every fault the lab offers is caught by a listed test (a matrix row)."""

import unittest

from lab import faults
from lab import matrix
from lab import outcome


class MatrixTest(unittest.TestCase):

    def test_every_fault_has_a_row(self):
        self.assertEqual(sorted(f.name for f in faults.FAULTS),
                         sorted(r.fault for r in matrix.ROWS))

    def test_rows_name_tests_of_the_expected_outcome(self):
        with open(outcome.__file__.replace('outcome.py',
                                           'expected-outcome-ovs.txt')) as f:
            known = set(outcome.parse_expected(f.read()))
        classes = {name.rsplit('.', 1)[0] for name in known}
        for row in matrix.ROWS:
            self.assertTrue(row.fails, row.fault)
            self.assertTrue(row.message, row.fault)
            for test in row.fails:
                self.assertTrue(test in known or test in classes,
                                '%s: %s is not in the suite' % (row.fault,
                                                                test))

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


if __name__ == '__main__':
    unittest.main()
