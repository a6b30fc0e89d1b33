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
"""Connectivity: VM pairs talk in the paper's three topologies."""

from tempest.common import utils
from tempest.lib import decorators

from sriov_tempest_plugin.tests.scenario import base
from sriov_tempest_plugin import topology
from sriov_tempest_plugin import vf


class SriovConnectivityTest(base.SriovScenarioTest):
    """Paper Fig. 5: VM pairs talk in all three topologies.

    Boots the 8 VMs of the plan (direct and normal, 4 each) in one wave and
    checks each pair with ping and with SSH from one guest to the other.
    "direct" tests use the configured [sriov] vnic_type.
    """

    @classmethod
    def resource_setup(cls):
        super(SriovConnectivityTest, cls).resource_setup()
        cls.deploy_plan(topology.plan([cls.settings.vnic_type, 'normal']))

    def _check_pair(self, topology_name, vnic_type):
        key = (topology_name,
               self.settings.vnic_type if vnic_type == 'direct' else 'normal')
        client, server = (self.vms[n] for n in self.plan.pairs[key])
        self._check(client, server)

    def _check(self, client, server):
        why = vf.reach_hint(client.vnic_type, client.host, server.vnic_type,
                            server.host)
        self.guest(client).ping(server.ip, why=why)
        self.guest(server).ping(client.ip, why=why)
        # SSH from the client guest to the server guest (a jump through the
        # client), proving TCP both ways, not only ICMP; what the far end
        # prints must be the server guest's own address or MAC, so that
        # any other machine answering on that IP is caught.
        addresses, macs = self.guest(server).addresses(
            via=self.guest(client))
        self.assertTrue(
            server.ip in addresses or
            server.port['mac_address'].lower() in macs,
            'SSH to %s (%s) through %s reached a guest that holds neither '
            'its address nor its MAC %s; it has %s, %s' % (
                server.server['name'], server.ip,
                client.server['name'], server.port['mac_address'],
                ', '.join(sorted(addresses)) or 'no IPv4 address',
                ', '.join(sorted(macs)) or 'no MAC'))

    @decorators.idempotent_id('0f4eaa59-d393-4ae1-a896-da916d921a15')
    @utils.services('compute', 'network')
    def test_same_subnet_same_host_direct(self):
        """Scenario 1: two VF ports of one NIC talk through its switch."""
        self._check_pair(topology.SAME_SUBNET_SAME_HOST.name, 'direct')

    @decorators.idempotent_id('84ca7b8d-dabf-43e4-ad76-c86635017bc6')
    @utils.services('compute', 'network')
    def test_same_subnet_same_host_normal(self):
        """Scenario 1 over OVS: two normal ports of one host talk."""
        self._check_pair(topology.SAME_SUBNET_SAME_HOST.name, 'normal')

    @decorators.idempotent_id('f56f72c5-0800-44a4-b479-7b2d314a4b11')
    @utils.services('compute', 'network')
    def test_same_subnet_different_hosts_direct(self):
        """Scenario 2: VF ports on two hosts talk across the switch."""
        self._check_pair(topology.SAME_SUBNET_DIFFERENT_HOSTS.name, 'direct')

    @decorators.idempotent_id('2a9a74f8-5808-4deb-82fd-8800bdef5a74')
    @utils.services('compute', 'network')
    def test_same_subnet_different_hosts_normal(self):
        """Scenario 2 over OVS: normal ports on two hosts talk."""
        self._check_pair(topology.SAME_SUBNET_DIFFERENT_HOSTS.name, 'normal')

    @decorators.idempotent_id('f649cea1-f4e1-478a-8bce-8dd82b1351d8')
    @utils.services('compute', 'network')
    def test_different_subnets_same_host_direct(self):
        """Scenario 3: VF ports on two subnets talk through the router."""
        self._check_pair(topology.DIFFERENT_SUBNETS_SAME_HOST.name, 'direct')

    @decorators.idempotent_id('bba44626-3ced-4e47-9d69-6a028e713852')
    @utils.services('compute', 'network')
    def test_different_subnets_same_host_normal(self):
        """Scenario 3 over OVS: normal ports on two subnets, routed."""
        self._check_pair(topology.DIFFERENT_SUBNETS_SAME_HOST.name, 'normal')

    @decorators.idempotent_id('4cd52416-a837-4081-a919-a015279b230c')
    @utils.services('compute', 'network')
    def test_mixed_direct_normal_same_subnet_same_host(self):
        """A VF port and an OVS port of one network talk (VF <-> PF/OVS).

        Needs the PF's forwarding database to hold the OVS port's MAC
        (skips with [sriov] vf_to_ovs_same_host = False).
        """
        if not self.settings.vf_to_ovs_same_host:
            raise self.skipException(
                '[sriov] vf_to_ovs_same_host is False: this cloud gives a '
                'VF port no path to an OVS port of its own host')
        sriov, normal = (self.vms[n] for n in self.plan.mixed_pair)
        self._check(sriov, normal)
