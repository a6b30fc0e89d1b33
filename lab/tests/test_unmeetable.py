"""The unmeetable re-judge: every verdict must fail, with its message."""

import os
import unittest

from lab import unmeetable

FIXTURE = os.path.join(os.path.dirname(__file__), 'fixtures',
                       'rejudge-unmeetable-20261207T124843Z.txt')


class UnmeetableTest(unittest.TestCase):

    def setUp(self):
        with open(FIXTURE) as f:
            self.text = f.read()

    def test_report_args(self):
        args = unmeetable.report_args('/r/x.json')
        self.assertEqual(['/r/x.json', '--no-chart'], args[:2])
        self.assertEqual(
            ['--latency-margin', '0.99', '--line-rate-fraction', '1.0',
             '--line-rate-reference', 'port_speed',
             '--margin-over-normal', '10.0'], args[2:])

    def test_every_verdict_failed(self):
        self.assertEqual([], unmeetable.problems(1, self.text))
        self.assertEqual(6, len(unmeetable.expected()))

    def test_a_passing_rejudge_fails(self):
        self.assertIn('the re-judged run passed thresholds no lab meets',
                      unmeetable.problems(0, self.text))

    def test_a_refused_file_fails(self):
        found = unmeetable.problems(2, 'sriov-tempest-report: no points')
        self.assertEqual(1, len(found))
        self.assertIn('exited 2', found[0])

    def test_a_missing_verdict_is_named(self):
        text = '\n'.join(
            line for line in self.text.splitlines()
            if not line.strip().startswith(
                'different_subnets_same_host/direct latency:'))
        self.assertEqual(
            ['different_subnets_same_host: no failed latency verdict'],
            unmeetable.problems(1, text))
        text = self.text.replace('the required margin is 1000 %',
                                 'the required margin is 40 %')
        self.assertEqual(
            ['different_subnets_same_host: no failed margin verdict',
             'same_subnet_different_hosts: no failed margin verdict'],
            unmeetable.problems(1, text))


if __name__ == '__main__':
    unittest.main()
