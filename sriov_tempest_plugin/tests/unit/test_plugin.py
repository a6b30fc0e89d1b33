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
"""The plugin's registration with Tempest."""

import inspect
import io
import os
import re
import unittest

from oslo_config import cfg
from oslo_config import generator

from sriov_tempest_plugin import config
from sriov_tempest_plugin import plugin
from sriov_tempest_plugin.tests.unit import base

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..',
                                    '..'))
TOPOLOGIES = ('same_subnet_same_host', 'same_subnet_different_hosts',
              'different_subnets_same_host')


class PluginTest(base.TestCase):

    def test_load_tests_points_at_scenario_tests_only(self):
        test_dir, top = plugin.SriovTempestPlugin().load_tests()
        self.assertTrue(os.path.isdir(test_dir))
        self.assertEqual(os.path.join(top, 'sriov_tempest_plugin', 'tests',
                                      'scenario'), test_dir)

    def test_register_opts(self):
        conf = cfg.ConfigOpts()
        plugin.SriovTempestPlugin().register_opts(conf)
        conf([], default_config_files=[])
        self.assertEqual('direct', conf.sriov.vnic_type)

    def test_get_opt_lists(self):
        [(name, opts)] = plugin.SriovTempestPlugin().get_opt_lists()
        self.assertEqual('sriov', name)
        self.assertIs(config.sriov_opts, opts)

    def test_committed_sample_is_current(self):
        """tox -e genconfig must leave etc/ unchanged."""
        conf = cfg.ConfigOpts()
        generator.register_cli_opts(conf)
        conf(['--config-file', os.path.join(ROOT, 'etc',
                                            'config-generator.conf')])
        out = io.StringIO()
        generator.generate(conf, output_file=out)
        with open(os.path.join(ROOT, 'etc',
                               'sriov-tempest-plugin.conf.sample')) as f:
            self.assertEqual(f.read(), out.getvalue(),
                             'run: tools/run-tests.sh -e genconfig')


def _scenario_tests():
    test_dir, top = plugin.SriovTempestPlugin().load_tests()
    suite = unittest.defaultTestLoader.discover(test_dir, top_level_dir=top)
    tests = []

    def walk(s):
        for t in s:
            if isinstance(t, unittest.TestSuite):
                walk(t)
            else:
                tests.append(t)
    walk(suite)
    return tests


class ScenarioTestsTest(base.TestCase):
    """What `tempest run --list-tests --regex sriov` will show, checked."""

    def setUp(self):
        super(ScenarioTestsTest, self).setUp()
        self.tests = _scenario_tests()
        self.ids = [t.id() for t in self.tests]

    def test_discovery_has_no_import_errors(self):
        broken = [i for i in self.ids if 'unittest.loader' in i]
        self.assertEqual([], broken)

    def test_every_family_is_there(self):
        for family in ('connectivity', 'vlan_isolation', 'datapath_layout',
                       'throughput', 'vf_behaviour', 'qos'):
            self.assertTrue(any('test_sriov_%s.' % family in i
                                for i in self.ids), family)
        self.assertTrue(all('sriov' in i for i in self.ids))

    def test_topologies_and_vnic_types_in_names(self):
        for topo in TOPOLOGIES:
            for vnic in ('direct', 'normal'):
                self.assertTrue(any(
                    'connectivity' in i and topo in i and
                    i.split('[')[0].endswith(vnic) for i in self.ids),
                    (topo, vnic))
            # One test per claim: the margin and latency everywhere, the
            # line rate where traffic leaves the NIC.
            claims = ['margin_over_normal', 'latency']
            if topo != 'same_subnet_same_host':
                claims.append('line_rate')
            for claim in claims:
                self.assertTrue(any(
                    'throughput' in i and
                    i.split('[')[0].endswith('test_%s_%s' % (claim, topo))
                    for i in self.ids), (claim, topo))

    def test_every_test_has_unique_id_docstring_and_services(self):
        seen = {}
        for test in self.tests:
            method = getattr(type(test), test._testMethodName)
            attrs = getattr(method, '__testtools_attrs', set())
            ids = [a for a in attrs if a.startswith('id-')]
            self.assertEqual(1, len(ids), test.id())
            self.assertNotIn(ids[0], seen, (test.id(), seen.get(ids[0])))
            seen[ids[0]] = test.id()
            doc = inspect.getdoc(method) or ''
            # idempotent_id prepends its own line; a real docstring follows.
            self.assertTrue(re.search(r'\n\n\S', doc), test.id())
            self.assertIn('compute', attrs, test.id())
            self.assertIn('network', attrs, test.id())

    def test_measuring_families_are_serial_and_slow(self):
        gate = [t for t in self.tests if 'throughput' in t.id()]
        # Latency x 3 topologies, line rate x 2 (across the wire), margin
        # x 3 and the baseline; the QoS check has its own module.
        self.assertEqual(9, len(gate))
        qos = [t for t in self.tests if 'test_sriov_qos.' in t.id()]
        self.assertEqual(1, len(qos))
        gate += qos
        for test in gate:
            self.assertTrue(type(test)._serial)
            method = getattr(type(test), test._testMethodName)
            # iperf3 runs are slow; a ping run is not.
            self.assertEqual('latency' not in test.id(),
                             'slow' in getattr(method, '__testtools_attrs'),
                             test.id())
