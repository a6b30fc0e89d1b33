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
"""Datapath layout: a VF port has no OVS hops, a normal port its path."""

from tempest.common import utils
from tempest.lib import decorators

from sriov_tempest_plugin import layout
from sriov_tempest_plugin.tests.scenario import base
from sriov_tempest_plugin import topology


class SriovDatapathLayoutTest(base.SriovScenarioTest):
    """Paper Fig. 1 vs Fig. 3: "the OVS hops are gone" for a VF port.

    One direct and one normal VM on host 1 of one VLAN network. Evidence
    at three levels: the API binding (always), the compute host's devices
    and OVS interfaces (with [sriov] host_addresses) and the libvirt
    domain (with [sriov] libvirt_checks).
    """

    host_roles = (topology.HOST1,)

    @classmethod
    def resource_setup(cls):
        super(SriovDatapathLayoutTest, cls).resource_setup()
        network, subnet = cls.create_vlan_network(0)
        cls.segment = network['provider:segmentation_id']
        cls.route_for_ssh([subnet])
        cls.boot_wave([
            ('direct', cls.settings.vnic_type, topology.HOST1, network, None),
            ('normal', 'normal', topology.HOST1, network, None)])

    # -- helpers ------------------------------------------------------------

    def _host_view(self, vm):
        host = self.host(vm.host)
        out = {k: host.run(k)
               for k in ('ip_link', 'ovs_interfaces', 'bridge_ports')}
        return out, layout.host_view(
            vm.port['id'], vm.port['mac_address'],
            layout.parse_ip_link(out['ip_link']),
            layout.parse_ovs_interfaces(out['ovs_interfaces']),
            layout.parse_list_ports(out['bridge_ports']))

    def _assert_no_findings(self, findings):
        self.assertEqual([], findings, '\n'.join(findings))

    def _host_findings(self, name):
        """What is wrong with the port's layout on its host, with what
        the host printed when its VF was not seen there.
        """
        vm = self.vms[name]
        out, view = self._host_view(vm)
        findings = layout.host_findings(
            view, vm.vnic_type, hybrid_plug=layout.hybrid_plug(vm.port),
            integration_bridge=self.settings.integration_bridge,
            segmentation_id=self.segment)
        if findings and vm.vnic_type in ('direct', 'macvtap') and \
                view.vf is None:
            host = self.host(vm.host)
            findings.append(host.said(host.command('ip_link'),
                                      out['ip_link']))
        return findings

    def _check_host(self, name):
        self._assert_no_findings(self._host_findings(name))

    def _check_libvirt(self, name):
        if not self.settings.libvirt_checks:
            raise self.skipException(
                '[sriov] libvirt_checks must be True (libvirt clouds only)')
        vm = self.vms[name]
        instance = vm.server.get('OS-EXT-SRV-ATTR:instance_name')
        xml = self.host(vm.host).libvirt_xml(instance)
        self._assert_no_findings(layout.libvirt_findings(
            layout.libvirt_interfaces(xml), vm.port, vm.vnic_type,
            self.segment if vm.vnic_type != 'normal' else None))

    # -- tests --------------------------------------------------------------

    @decorators.idempotent_id('c294d2ef-7405-439d-a316-1690959d6c20')
    @utils.services('compute', 'network')
    def test_api_binding_direct(self):
        """The direct port is bound to a VF: hw_veb, pci_slot, the physnet
        and the network's own VLAN.
        """
        vm = self.vms['direct']
        self._assert_no_findings(layout.api_findings(
            vm.port, vm.vnic_type, self.settings.physical_network,
            segmentation_id=self.segment))

    @decorators.idempotent_id('28c3f998-921a-41d8-a61c-40a5ab716cca')
    @utils.services('compute', 'network')
    def test_api_binding_normal(self):
        """The normal port is bound by the OVS mechanism driver."""
        vm = self.vms['normal']
        self._assert_no_findings(layout.api_findings(vm.port, 'normal'))

    @decorators.idempotent_id('7c8c2666-75ca-40c2-9f47-17ce6497f1bc')
    @utils.services('compute', 'network')
    def test_host_no_ovs_hops_direct(self):
        """No tap/qbr/qvb/qvo and no OVS interface for the VF port, and its
        VF seen on the host with the port's MAC and VLAN.

        Positive control first, by the same host access: the normal port
        of the same host shows its OVS path there. So a host view from
        the wrong machine (no OVS path, no VF: absence everywhere) fails
        instead of passing.
        """
        control = self._host_findings('normal')
        self.assertEqual(
            [], control, 'control failed: the normal port on the same host '
            'does not show its OVS path there, so this host view cannot '
            'prove the VF port bypasses OVS (check [sriov] host_addresses '
            'for %s):\n%s' % (self.vms['normal'].host, '\n'.join(control)))
        self._check_host('direct')

    @decorators.idempotent_id('a6236a88-2d3d-40e1-8930-4b2df72444ff')
    @utils.services('compute', 'network')
    def test_host_ovs_hops_normal(self):
        """The normal port's path on its host is the one its binding asks
        Nova for: tap -> qbr -> qvb/qvo -> br-int with the hybrid plug,
        else the tap straight on br-int (ML2/OVN, the openvswitch
        firewall; Nova's default when vif_details has no ovs_hybrid_plug).
        """
        self._check_host('normal')

    @decorators.idempotent_id('f0f88ba2-4e63-4258-adc2-6009f4b6ce22')
    @utils.services('compute', 'network')
    def test_libvirt_hostdev_direct(self):
        """The guest holds the VF of pci_slot as hostdev, VLAN tagged."""
        self._check_libvirt('direct')

    @decorators.idempotent_id('32aaa6d5-8589-45a5-8aa2-62f7e696f9f7')
    @utils.services('compute', 'network')
    def test_libvirt_bridge_normal(self):
        """The normal port is a tap on the qbr bridge in the domain."""
        self._check_libvirt('normal')
