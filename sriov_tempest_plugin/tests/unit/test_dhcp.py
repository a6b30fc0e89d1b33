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
"""What a guest's console says of its DHCP lease, and the failure's
words, on consoles captured by others (fixtures/README.rst).
"""

from sriov_tempest_plugin import dhcp
from sriov_tempest_plugin import ovn
from sriov_tempest_plugin.tests.unit import base


class LastEventTest(base.TestCase):

    def test_cirros_that_got_no_answer(self):
        event = dhcp.last_event(
            base.fixture('console-cirros-0.5.1-no-lease.txt'))
        self.assertEqual(('no-lease', 'udhcpc: no lease, failing'), event)

    def test_cirros_lease_from_neutron_old_busybox(self):
        event = dhcp.last_event(
            base.fixture('console-cirros-udhcpc-1.20.1-lease.txt'))
        self.assertEqual(
            ('lease', 'Lease of 10.100.0.11 obtained, lease time 86400'),
            event)

    def test_buildroot_lease(self):
        event = dhcp.last_event(
            base.fixture('console-buildroot-udhcpc-1.27.2-lease.txt'))
        self.assertEqual('lease', event.kind)
        self.assertIn('10.0.2.15', event.line)

    def test_client_gone_to_the_background_without_a_lease(self):
        event = dhcp.last_event(
            base.fixture('udhcpc-no-lease-background.txt'))
        self.assertEqual(
            ('no-lease', 'udhcpc: no lease, forking to background'), event)

    def test_a_later_lease_wins(self):
        event = dhcp.last_event(
            base.fixture('udhcpc-1.27.2-retry-then-lease.txt'))
        self.assertEqual('lease', event.kind)
        self.assertIn('192.168.123.76', event.line)

    def test_networkmanager_timeout(self):
        event = dhcp.last_event(
            base.fixture('networkmanager-dhcp-timeout.txt'))
        self.assertEqual('no-lease', event.kind)
        self.assertIn('(eth1): DHCPv4 request timed out.', event.line)

    def test_a_console_silent_on_dhcp_is_no_evidence(self):
        # The lab's own console head, and console output of a guest whose
        # image logs DHCP elsewhere (the iperf3 fixture is not a console,
        # and says nothing of a lease).
        self.assertIsNone(dhcp.last_event(
            base.fixture('iperf3-3.12-1stream.json')))
        self.assertIsNone(dhcp.last_event(''))
        self.assertIsNone(dhcp.last_event(None))


class NoLeaseMessageTest(base.TestCase):

    EVENT = dhcp.Event('no-lease', 'udhcpc: no lease, failing')

    def test_an_alive_agent_that_did_not_answer_a_vf(self):
        text = dhcp.no_lease_message(
            'vm-a', self.EVENT, ('net-1', 1042), [('network', True)],
            'direct')
        self.assertIn('guest vm-a got no DHCP lease: its console says '
                      '"udhcpc: no lease, failing"', text)
        self.assertIn('network net-1 (VLAN 1042)', text)
        self.assertIn('DHCP agents hosting the network: network (alive)',
                      text)
        self.assertIn("a VF port's DHCP crosses the physical network", text)

    def test_a_normal_port_gets_no_vf_hint(self):
        text = dhcp.no_lease_message(
            'vm-a', self.EVENT, ('net-1', None), [('network', True)],
            'normal')
        self.assertNotIn('VF', text)
        self.assertNotIn('VLAN', text)

    def test_only_dead_agents(self):
        text = dhcp.no_lease_message(
            'vm-a', self.EVENT, ('net-1', 7), [('net2', False)], 'direct')
        self.assertIn('net2 (DOWN)', text)
        self.assertNotIn('did not reach it', text)

    def test_no_agent_on_ml2_ovs(self):
        text = dhcp.no_lease_message(
            'vm-a', self.EVENT, ('net-1', 7), [], 'direct')
        self.assertIn('no DHCP agent hosts the network: start a DHCP agent',
                      text)
        self.assertNotIn('OVN', text)

    def test_ml2_ovn_vf_names_external_ports_and_what_was_seen(self):
        seen = ovn.extport_findings(
            ovn.chassis_list(base.fixture('ovn-sbctl-list-chassis-gw.txt')),
            None, 'p1', 'physnet1')
        text = dhcp.no_lease_message(
            'vm-a', self.EVENT, ('net-1', 7), None, 'direct', ovn=seen)
        self.assertIn('the cloud runs ML2/OVN', text)
        self.assertIn('a VF port gets it only from its OVN external port, '
                      'on a chassis marked enable-chassis-as-extport-host',
                      text)
        self.assertIn('none marked enable-chassis-as-gw maps physnet1', text)
        self.assertIn('the external port of port p1 is bound to no chassis',
                      text)
        # Not the ML2/OVS words: OVN lists no DHCP agent.
        self.assertNotIn('could not be listed', text)

    def test_ml2_ovn_normal_port(self):
        text = dhcp.no_lease_message(
            'vm-a', self.EVENT, ('net-1', None), [], 'normal',
            ovn='not read')
        self.assertIn("ovn-controller on the guest's own chassis", text)
        self.assertNotIn('external port', text)

    def test_agents_not_listed(self):
        text = dhcp.no_lease_message(
            'vm-a', self.EVENT, ('net-1', 7), None, 'direct')
        self.assertIn('could not be listed', text)
