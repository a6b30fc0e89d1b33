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
"""Guest commands and readings of the VF behaviour checks."""

import random
import re
import shlex

from sriov_tempest_plugin import layout
from sriov_tempest_plugin.tests.unit import base
from sriov_tempest_plugin import vf


class InterfaceTest(base.TestCase):

    def test_lab_guest(self):
        self.assertEqual(
            ('eth0', 'fa:16:3e:8b:43:41', 1500),
            layout.interface_of(base.fixture('ip-addr-guest.txt'),
                                '10.100.0.3'))

    def test_veth_in_a_namespace(self):
        name, mac, mtu = layout.interface_of(
            base.fixture('ip-addr-netns-veth.txt'), '10.99.0.1')
        self.assertEqual(('vfa', 1500), (name, mtu))
        self.assertTrue(re.match(r'^([0-9a-f]{2}:){5}[0-9a-f]{2}$', mac))

    def test_address_not_held(self):
        self.assertRaises(layout.LayoutParseError,
                          layout.interface_of,
                          base.fixture('ip-addr-guest.txt'), '10.100.0.33')
        self.assertRaises(layout.LayoutParseError,
                          layout.interface_of,
                          base.fixture('ip-addr-guest.txt'), '127.0.0.2')

    def test_loopback_is_found_by_its_address(self):
        self.assertEqual('lo', layout.interface_of(
            base.fixture('ip-addr-guest.txt'), '127.0.0.1')[0])


class NeighTest(base.TestCase):

    def test_entry_after_arp(self):
        self.assertEqual('02:11:22:33:44:55', vf.neigh_mac(
            base.fixture('ip-neigh-after-arp.txt')))

    def test_no_entry(self):
        self.assertIsNone(vf.neigh_mac(''))
        self.assertIsNone(vf.neigh_mac('10.99.0.1  FAILED\n'))

    def test_command_quotes(self):
        self.assertEqual("ip neigh show 10.0.0.1 dev 'eth0;x'",
                         vf.neigh_command('10.0.0.1', 'eth0;x'))

    def test_static_entry_and_its_removal_as_root(self):
        self.assertEqual(
            'if [ "$(id -u)" = 0 ]; then ip neigh replace 10.0.0.1 lladdr '
            "fa:16:3e:00:00:01 dev 'eth0;x' nud permanent; else sudo -n ip "
            "neigh replace 10.0.0.1 lladdr fa:16:3e:00:00:01 dev 'eth0;x' "
            'nud permanent; fi',
            vf.static_neigh_command('10.0.0.1', 'fa:16:3e:00:00:01',
                                    'eth0;x'))
        self.assertIn("sudo -n ip neigh del 10.0.0.1 dev 'eth0;x'",
                      vf.del_neigh_command('10.0.0.1', 'eth0;x'))


class ArpCommandTest(base.TestCase):

    def test_arguments_quoted_and_sudo_when_not_root(self):
        cmd = vf.arp_command('eth0', 'fa:16:3e:00:00:02',
                             '02:00:00:00:00:01', '02:00:00:00:00:09',
                             '10.0.0.1', '10.0.0.2', count=5)
        self.assertTrue(cmd.startswith('if [ "$(id -u)" = 0 ]; then '))
        self.assertIn('; else sudo -n python3 -c ', cmd)
        tail = shlex.split(cmd.split('; else sudo -n ')[1].rsplit(';', 1)[0])
        self.assertEqual(['python3', '-c'], tail[:2])
        self.assertEqual(['eth0', 'fa:16:3e:00:00:02', '02:00:00:00:00:01',
                          '02:00:00:00:00:09', '10.0.0.1', '10.0.0.2', '5'],
                         tail[3:])
        compile(tail[2], 'arp', 'exec')

    def test_refusal_is_the_nics_only_with_eperm(self):
        # What tempest's SSHExecCommandFailed carries for ixgbevf's EPERM,
        # for a user without passwordless sudo, and for a wrong device.
        self.assertTrue(vf.refused_by_nic(
            'Command \'...\', exit status: 2, stderr:\nRTNETLINK answers: '
            'Operation not permitted\n\nstdout:\n'))
        self.assertFalse(vf.refused_by_nic(
            'exit status: 1, stderr:\nsudo: a password is required\n'))
        self.assertFalse(vf.refused_by_nic(
            'exit status: 1, stderr:\nCannot find device "eth9"\n'))
        self.assertFalse(vf.refused_by_nic(None))

    def test_root_check_prints_the_uid_as_root(self):
        self.assertIn('id -u', vf.ROOT_CHECK)
        self.assertIn('sudo -n id -u', vf.ROOT_CHECK)
        self.assertGreaterEqual(vf.LATE_GRANT_WINDOW, 10)

    def test_mac_command_runs_as_root_in_a_shell(self):
        cmd = vf.mac_command('eth0;x', '02:00:00:00:00:0a')
        self.assertEqual(
            "if [ \"$(id -u)\" = 0 ]; then ip link set dev 'eth0;x' address "
            "02:00:00:00:00:0a; else sudo -n ip link set dev 'eth0;x' "
            "address 02:00:00:00:00:0a; fi", cmd)

    def test_port_trusted_attribute_or_binding_profile(self):
        # As Neutron shows a port with port-trusted-vif: the attribute, and
        # the same in the binding profile it hands Nova.
        self.assertTrue(vf.port_trusted({
            'trusted': True, 'binding:profile': {'trusted': True}}))
        self.assertFalse(vf.port_trusted({'trusted': False,
                                          'binding:profile': {}}))
        self.assertEqual('true', vf.port_trusted(
            {'binding:profile': {'trusted': 'true'}}))
        self.assertIsNone(vf.port_trusted({'binding:profile': {}}))
        self.assertIsNone(vf.port_trusted({'binding:profile': None}))

    def test_local_mac_is_locally_administered_unicast(self):
        rng = random.Random(4)
        for _ in range(50):
            mac = vf.local_mac(rng)
            first = int(mac[:2], 16)
            self.assertEqual(2, first & 3)
            self.assertTrue(re.match(r'^([0-9a-f]{2}:){5}[0-9a-f]{2}$',
                                     mac))


class ReachHintTest(base.TestCase):

    def test_a_vf_and_a_normal_port_of_one_host_get_the_fdb_hint(self):
        for a, b in (('direct', 'normal'), ('normal', 'direct')):
            hint = vf.reach_hint(a, 'compute1', b, 'compute1')
            self.assertIn("Neutron's FDB extension", hint)
            self.assertIn('shared_physical_device_mappings', hint)

    def test_no_hint_where_the_filter_table_is_not_the_cause(self):
        # Another host: the frames cross the wire anyway.
        self.assertIsNone(vf.reach_hint('direct', 'compute1', 'normal',
                                        'compute2'))
        # Two VFs, two OVS ports, or a host not known.
        self.assertIsNone(vf.reach_hint('direct', 'compute1', 'direct',
                                        'compute1'))
        self.assertIsNone(vf.reach_hint('normal', 'compute1', 'normal',
                                        'compute1'))
        self.assertIsNone(vf.reach_hint('direct', None, 'normal', None))
