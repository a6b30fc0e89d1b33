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
"""The [sriov] options and the settings read from them."""

import dataclasses
import os

import fixtures

from sriov_tempest_plugin import config
from sriov_tempest_plugin import exceptions
from sriov_tempest_plugin.tests.unit import base


class SettingsTest(base.TestCase):

    def test_defaults_follow_the_paper(self):
        s = self.settings()
        self.assertIsNone(s.physical_network)
        self.assertEqual((1, 3, 5), s.streams)
        self.assertEqual((3, 5), s.line_rate_streams)
        self.assertEqual(0.9, s.line_rate_fraction)
        self.assertEqual(0.4, s.margin_over_normal)
        self.assertEqual(10.0, s.port_speed_gbps)
        self.assertEqual('direct', s.vnic_type)
        self.assertEqual(3, s.iperf_repeats)
        self.assertEqual(2 + 10 + 30, s.iperf_timeout)

    def assertInvalid(self, option, **kw):
        exc = self.assertRaises(exceptions.SriovConfigError, self.settings,
                                **kw)
        self.assertIn('[sriov] %s' % option, str(exc))
        return str(exc)

    def test_fraction_above_one(self):
        msg = self.assertInvalid('line_rate_fraction',
                                 line_rate_fraction=1.5)
        self.assertIn('(0, 1]', msg)

    def test_latency_margin_and_topologies(self):
        self.assertIn('[0, 1)', self.assertInvalid('latency_margin',
                                                   latency_margin=1.0))
        self.assertIn('same_rack', self.assertInvalid(
            'latency_topologies', latency_margin=0.0,
            latency_topologies=['same_rack']))
        s = self.settings(latency_topologies=['same_subnet_same_host'])
        self.assertEqual((True, 50, 0.0), (s.latency_checks,
                                           s.latency_samples,
                                           s.latency_margin))
        self.assertEqual(('same_subnet_same_host',), s.latency_topologies)
        self.assertEqual(3, len(config.sriov_opts[[
            o.name for o in config.sriov_opts].index(
                'latency_topologies')].default))

    def test_fraction_zero(self):
        self.assertInvalid('line_rate_fraction', line_rate_fraction=0.0)

    def test_fraction_one_is_fine(self):
        self.assertEqual(1.0, self.settings(
            line_rate_fraction=1.0).line_rate_fraction)

    def test_negative_speed(self):
        self.assertInvalid('port_speed_gbps', port_speed_gbps=-10.0)

    def test_unknown_vnic_type(self):
        msg = self.assertInvalid('vnic_type', vnic_type='virtio-forwarder')
        self.assertIn('direct, macvtap, direct-physical', msg)

    def test_empty_streams(self):
        self.assertInvalid('streams', streams=[], line_rate_streams=[],
                           margin_streams=[])

    def test_judged_streams_must_be_measured(self):
        msg = self.assertInvalid('line_rate_streams', streams=[1, 3])
        self.assertIn('[5]', msg)

    def test_negative_margin(self):
        self.assertInvalid('margin_over_normal', margin_over_normal=-0.1)

    def test_hosts_must_be_two_different(self):
        self.assertInvalid('compute_hosts', compute_hosts=['c1'])
        self.assertInvalid('compute_hosts', compute_hosts=['c1', 'c1'])
        self.assertEqual(('c1', 'c2'), self.settings(
            compute_hosts=['c1', 'c2']).compute_hosts)

    def test_repeated_vlan(self):
        self.assertInvalid('segmentation_ids', segmentation_ids=[100, 100])

    def test_unknown_mode(self):
        self.assertInvalid('iperf_mode', iperf_mode='threads')

    def test_unparseable_value_in_file_names_option(self):
        path = os.path.join(self.useFixture(fixtures.TempDir()).path,
                            'tempest.conf')
        with open(path, 'w') as handle:
            handle.write('[sriov]\nport_speed_gbps = fast\n')
        self.conf(['--config-file', path], project='sriov-unit-tests',
                  default_config_files=[])
        exc = self.assertRaises(exceptions.SriovConfigError,
                                config.load_settings, self.conf.sriov)
        self.assertIn('[sriov] port_speed_gbps', str(exc))

    def test_virsh_prefix_defaults_to_host_prefix(self):
        s = self.settings(host_command_prefix='sudo')
        self.assertEqual('sudo', s.virsh_command_prefix)
        s = self.settings(virsh_command_prefix='sudo podman exec libvirt')
        self.assertEqual('sudo podman exec libvirt', s.virsh_command_prefix)

    def test_list_opts(self):
        [(group, opts)] = config.list_opts()
        self.assertEqual('sriov', group.name)
        names = {o.name for o in opts}
        for name in ('physical_network', 'vnic_type', 'port_speed_gbps',
                     'line_rate_fraction', 'margin_over_normal', 'streams',
                     'host_addresses', 'libvirt_checks', 'results_dir'):
            self.assertIn(name, names)

    def test_every_option_reaches_the_settings(self):
        # The tests read settings, never CONF.sriov: an option missing
        # from Settings is unreadable (an AttributeError at class setup).
        [(group, opts)] = config.list_opts()
        fields = {f.name for f in dataclasses.fields(config.Settings)}
        self.assertEqual(set(), {o.name for o in opts} - fields)

    def test_image_and_flavor_are_read(self):
        s = self.settings(image_ref='img', flavor_ref='flv',
                          image_ssh_user='root')
        self.assertEqual(('img', 'flv', 'root'),
                         (s.image_ref, s.flavor_ref, s.image_ssh_user))
