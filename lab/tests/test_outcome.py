"""The suite's exact expected outcome (lab.outcome), on real run output."""

import contextlib
import io
import json
import os
import tempfile
import time
import unittest

from lab import outcome

HERE = os.path.dirname(os.path.abspath(__file__))
PREFIX = 'sriov_tempest_plugin.tests.scenario.'
CONN = PREFIX + 'test_sriov_connectivity.SriovConnectivityTest.'
LAYOUT = PREFIX + 'test_sriov_datapath_layout.SriovDatapathLayoutTest.'
LIBVIRT_SKIP = 'skip: [sriov] libvirt_checks must be True (libvirt clouds '\
    'only)'


def run_output():
    with open(os.path.join(HERE, 'fixtures', 'tempest-run-partial.txt')) as f:
        return f.read()


class ParseRunTest(unittest.TestCase):

    def test_real_run(self):
        seen = outcome.parse_run(run_output())
        self.assertEqual(13, len(seen))
        self.assertEqual('failed', seen[
            CONN + 'test_mixed_direct_normal_same_subnet_same_host'])
        self.assertEqual('ok',
                         seen[CONN + 'test_same_subnet_same_host_direct'])
        self.assertEqual(LIBVIRT_SKIP,
                         seen[LAYOUT + 'test_libvirt_bridge_normal'])

    def test_sections_of_a_real_run(self):
        own = outcome.sections(run_output())
        self.assertEqual(set(outcome.parse_run(run_output())), set(own))
        failed = own[CONN + 'test_mixed_direct_normal_same_subnet_same_host']
        self.assertIn('Captured traceback:', failed)
        self.assertIn('paramiko/client.py', failed)
        self.assertNotIn('test_same_subnet_different_hosts_direct', failed)
        self.assertNotIn('Captured', own[
            CONN + 'test_same_subnet_different_hosts_direct'])

    def test_sections_end_at_the_closing_blocks(self):
        own = outcome.sections(
            '{0} %stest_x [1.0s] ... FAILED\n    mine\n\n======\nTotals\n'
            '======\n    the failed tests again\n' % CONN)
        self.assertIn('mine', own[CONN + 'test_x'])
        self.assertNotIn('again', own[CONN + 'test_x'])

    def test_tags_and_class_skips(self):
        seen = outcome.parse_run(
            '{1} %stest_x[id-0f4eaa59,slow] [1.2s] ... ok\n'
            '{0} setUpClass (%sSriovVlanIsolationTest) ... SKIPPED: '
            '[sriov] physical_network must be set to run the SR-IOV tests\n'
            % (CONN, PREFIX + 'test_sriov_vlan_isolation.'))
        self.assertEqual('ok', seen[CONN + 'test_x'])
        self.assertEqual(
            'skip: [sriov] physical_network must be set to run the SR-IOV '
            'tests', seen[PREFIX + 'test_sriov_vlan_isolation.'
                          'SriovVlanIsolationTest'])


class MismatchTest(unittest.TestCase):

    def setUp(self):
        self.seen = outcome.parse_run(run_output())
        # What the healthy lab gives: every test ok but the libvirt skips.
        self.expected = {k: v if v.startswith('skip: ') else 'ok'
                         for k, v in self.seen.items()}

    def test_a_failed_test_is_a_mismatch(self):
        problems = outcome.mismatches(self.expected, self.seen)
        self.assertEqual(1, len(problems))
        self.assertIn('test_mixed_direct_normal_same_subnet_same_host: '
                      'expected ok, got failed', problems[0])

    def test_new_skips_missing_and_unknown_tests_are_mismatches(self):
        self.seen[CONN + 'test_mixed_direct_normal_same_subnet_same_host'] = \
            'ok'
        self.assertEqual([], outcome.mismatches(self.expected, self.seen))
        seen = dict(self.seen)
        seen[CONN + 'test_same_subnet_same_host_direct'] = 'skip: no VFs'
        del seen[LAYOUT + 'test_api_binding_normal']
        seen[CONN + 'test_new'] = 'ok'
        problems = '\n'.join(outcome.mismatches(self.expected, seen))
        self.assertIn('test_same_subnet_same_host_direct: expected ok, got '
                      'skip: no VFs', problems)
        self.assertIn('test_api_binding_normal: expected ok, but it did not '
                      'run', problems)
        self.assertIn('test_new: ok, but it is not in the expected outcome',
                      problems)

    def test_a_skip_for_another_reason_is_a_mismatch(self):
        expected = dict(self.expected)
        expected[LAYOUT + 'test_libvirt_bridge_normal'] = 'skip: other'
        self.seen[CONN + 'test_mixed_direct_normal_same_subnet_same_host'] = \
            'ok'
        self.assertEqual(1, len(outcome.mismatches(expected, self.seen)))


class ExpectedFileTest(unittest.TestCase):

    def test_the_labs_expected_outcome(self):
        with open(os.path.join(HERE, '..', 'expected-outcome-ovs.txt')) as f:
            expected = outcome.parse_expected(f.read())
        self.assertEqual(33, len(expected))
        self.assertEqual(2, sum(1 for v in expected.values()
                                if v == LIBVIRT_SKIP))
        # One skip more: the baseline test, without [sriov]
        # baseline_results.
        self.assertEqual(3, sum(1 for v in expected.values()
                                if v.startswith('skip')))

    def test_the_ovn_labs_expected_outcome(self):
        """ML2/OVN's differs from ML2/OVS's by the mixed test only: no L2
        agent fills the PF's FDB there ([sriov] vf_to_ovs_same_host).
        """
        def read(backend):
            with open(os.path.join(HERE, '..', 'expected-outcome-%s.txt'
                                   % backend)) as f:
                return outcome.parse_expected(f.read())
        ovs, ovn = read('ovs'), read('ovn')
        self.assertEqual(set(ovs), set(ovn))
        differ = {t for t in ovs if ovs[t] != ovn[t]}
        self.assertEqual({CONN + 'test_mixed_direct_normal_same_subnet_'
                          'same_host'}, differ)
        self.assertIn('vf_to_ovs_same_host', ovn[differ.pop()])

    def test_bad_line(self):
        self.assertRaises(ValueError, outcome.parse_expected, 'x passed')


class ResultsTest(unittest.TestCase):

    def _write(self, d, topologies, name='sriov-throughput-1.json'):
        doc = {'points': [{'topology': t} for t in topologies],
               'verdicts': [{'topology': t} for t in topologies]}
        with open(os.path.join(d, name), 'w') as f:
            json.dump(doc, f)

    def test_a_file_of_this_run_with_every_topology(self):
        with tempfile.TemporaryDirectory() as d:
            since = time.time() - 1
            self._write(d, outcome.TOPOLOGIES)
            self.assertEqual([], outcome.results_problems(d, since))

    def test_an_older_file_does_not_count(self):
        with tempfile.TemporaryDirectory() as d:
            self._write(d, outcome.TOPOLOGIES)
            problems = outcome.results_problems(d, time.time() + 5)
            self.assertIn('was written by this run', problems[0])

    def test_a_topology_without_verdicts(self):
        with tempfile.TemporaryDirectory() as d:
            self._write(d, outcome.TOPOLOGIES[:2])
            problems = outcome.results_problems(d, time.time() - 5)
            self.assertEqual(2, len(problems))
            self.assertIn('different_subnets_same_host has no measured',
                          problems[0])


class MainTest(unittest.TestCase):

    def test_only_the_families_that_ran_are_expected(self):
        with tempfile.TemporaryDirectory() as d:
            out = os.path.join(d, 'run.txt')
            with open(out, 'w') as f:
                f.write(run_output().replace('... FAILED', '... ok'))
            expected = os.path.join(HERE, '..', 'expected-outcome-ovs.txt')
            printed = io.StringIO()
            with contextlib.redirect_stdout(printed):
                self.assertEqual(0, outcome.main(
                    [expected, out, '--only', 'test_sriov_connectivity|'
                     'test_sriov_datapath_layout']))
                self.assertEqual(1, outcome.main([expected, out]))
            self.assertIn('outcome: as expected (13 tests', printed.getvalue())
            self.assertIn('test_same_vlan_direct_reachable: expected ok, but '
                          'it did not run', printed.getvalue())
