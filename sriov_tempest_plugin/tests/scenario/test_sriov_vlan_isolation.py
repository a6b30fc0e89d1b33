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
"""VLAN isolation: the NIC keeps two VLANs of one physnet apart."""

from tempest.common import utils
from tempest import config
from tempest.lib import decorators

from sriov_tempest_plugin.tests.scenario import base
from sriov_tempest_plugin import topology

CONF = config.CONF


class SriovVlanIsolationTest(base.SriovScenarioTest):
    """Paper Fig. 3: the NIC tags each VF's VLAN and keeps VLANs apart.

    Two VLAN networks of one physnet with the same CIDR; ``a1`` and ``a2``
    on VLAN A, ``b1`` and ``b2`` on VLAN B, all direct ports on host 1, so
    that the NIC's embedded switch (VEB) is the only thing between them.
    Because the CIDR is the same, no router can explain a failure or a
    success: only layer-2 isolation decides. Each VLAN has its own router
    to the public network, so that a guest of each is reached from outside
    by its floating IP and the two same-CIDR subnets are never confused.
    """

    host_roles = (topology.HOST1,)

    @classmethod
    def skip_checks(cls):
        super(SriovVlanIsolationTest, cls).skip_checks()
        cls.require_vf('VLAN isolation between VFs of one NIC')
        if CONF.validation.connect_method != 'floating':
            raise cls.skipException(
                '[validation] connect_method must be floating: the test '
                'proves b1 alive from b2 on VLAN B, reached by its floating '
                'IP (VLAN B has VLAN A\'s CIDR, so a fixed IP is ambiguous)')

    @classmethod
    def resource_setup(cls):
        super(SriovVlanIsolationTest, cls).resource_setup()
        cidr = cls._next_cidr()
        net_a, subnet_a = cls.create_vlan_network(0, cidr)
        net_b, subnet_b = cls.create_vlan_network(1, cidr)
        if net_a['provider:segmentation_id'] == \
                net_b['provider:segmentation_id']:
            raise cls.skipException(
                '[sriov] segmentation_ids must give two different VLANs')
        cls.segments = (net_a['provider:segmentation_id'],
                        net_b['provider:segmentation_id'])
        cls.route_for_ssh([subnet_a])
        cls.route_for_ssh([subnet_b])
        # b1 gets an address that no port of VLAN A holds.
        try:
            a1, a2, b1, b2 = topology.isolation_addresses(cidr, count=4)
        except ValueError as exc:
            raise cls.skipException(
                '%s: lower [network] project_network_mask_bits' % exc)
        vnic = cls.settings.vnic_type
        cls.boot_wave([('a1', vnic, topology.HOST1, net_a, a1),
                       ('a2', vnic, topology.HOST1, net_a, a2),
                       ('b1', vnic, topology.HOST1, net_b, b1),
                       ('b2', vnic, topology.HOST1, net_b, b2)])

    @decorators.idempotent_id('2b73bf0b-acb1-4dda-aaad-7c3bffb70e1e')
    @utils.services('compute', 'network')
    def test_same_vlan_direct_reachable(self):
        """Control: VFs of one VLAN on one NIC reach each other."""
        self.guest(self.vms['a1']).ping(self.vms['a2'].ip)

    @decorators.idempotent_id('951ff022-1991-403f-a247-aee370a17e09')
    @utils.services('compute', 'network')
    def test_other_vlan_direct_unreachable(self):
        """A VF of VLAN A cannot reach the address that lives on VLAN B.

        Controls bracket the negative check in the same test: a1 reaches
        a2 (VLAN A works) and b2 reaches b1 (b1 is alive and answers on
        its own VLAN) before it, and both again after it. So when a1 and a2
        get no answer from b1's address in between, the only explanation
        left is isolation, not a b1 that had stopped answering. The
        negative pings are unicast to a MAC each side holds for the other
        (static neighbour entries), so a switch that keeps broadcasts in
        their VLAN but forwards known unicast across fails too. One answer
        fails the test at once.
        """
        b1 = self.vms['b1']
        self.assertEqual(
            'ACTIVE', self.a_servers.show_server(
                b1.server['id'])['server']['status'],
            'b1 must be ACTIVE for the check to mean anything')
        self.assertEqual(
            'ACTIVE', self.a_ports.show_port(
                b1.port['id'])['port']['status'],
            'b1\'s port must be ACTIVE for the check to mean anything')
        a1, a2, b2 = self.vms['a1'], self.vms['a2'], self.vms['b2']

        def controls(when):
            why = ('control %s the isolation check failed, so isolation '
                   'could not be proven' % when)
            self.guest(a1).ping(a2.ip, why=why)
            self.guest(b2).ping(b1.ip, why=why)

        controls('before')
        # Unicast as well as broadcast: a1 and a2 hold b1's MAC for its
        # address, and b1 theirs, so their echo requests and b1's replies
        # go to a known MAC, with no ARP request that a VLAN would stop.
        for vm, peers in ((a1, [b1]), (a2, [b1]), (b1, [a1, a2])):
            self._hold_neighbours(vm, peers)
        self.guest(a1).ping(b1.ip, should_succeed=False, count=5)
        self.guest(a2).ping(b1.ip, should_succeed=False, count=5)
        controls('after')

    def _hold_neighbours(self, vm, peers):
        """Static neighbour entries in ``vm`` for each peer's address at
        the peer's MAC (deleted at cleanup).
        """
        guest = self.guest(vm)
        iface = guest.interface()[0]
        for peer in peers:
            self.addCleanup(guest.hold_neighbour(
                peer.ip, peer.port['mac_address'], iface))
