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
"""Datapath parsing (ip link, ovs-vsctl, libvirt) and host findings."""

import json

from sriov_tempest_plugin import layout
from sriov_tempest_plugin.tests.unit import base

NORMAL = '3f1c9b2e-7a4d-4e55-9a61-0c2d8e4f5a17'
DIRECT = '7b2e41d0-98c3-4f0e-a5d6-1e2f3a4b5c6d'
DIRECT_MAC = 'fa:16:3e:8c:1b:57'


def direct_port(**kw):
    port = {'id': DIRECT, 'mac_address': DIRECT_MAC,
            'binding:vnic_type': 'direct', 'binding:vif_type': 'hw_veb',
            'binding:profile': {'pci_slot': '0000:82:10.4',
                                'pci_vendor_info': '8086:10ed',
                                'physical_network': 'physnet1'},
            'binding:vif_details': {'vlan': '1201', 'port_filter': False,
                                    'connectivity': 'l2'}}
    port.update(kw)
    return port


def normal_port(**kw):
    port = {'id': NORMAL, 'mac_address': 'fa:16:3e:5d:2a:91',
            'binding:vnic_type': 'normal', 'binding:vif_type': 'ovs',
            'binding:profile': {},
            'binding:vif_details': {'ovs_hybrid_plug': True,
                                    'port_filter': True,
                                    'bridge_name': 'br-int'}}
    port.update(kw)
    return port


class NamesTest(base.TestCase):

    def test_device_names_use_11_chars_of_port_id(self):
        self.assertEqual({'tap': 'tap3f1c9b2e-7a', 'qbr': 'qbr3f1c9b2e-7a',
                          'qvb': 'qvb3f1c9b2e-7a', 'qvo': 'qvo3f1c9b2e-7a'},
                         layout.device_names(NORMAL))

    def test_pci_normalisation(self):
        self.assertEqual('0000:82:10.4', layout.normalize_pci('82:10.4'))
        self.assertEqual('0000:82:10.4', layout.normalize_pci('0000:82:10.4'))
        self.assertEqual('0000:0a:02.1', layout.normalize_pci('0:A:2.1'))
        self.assertRaises(layout.LayoutParseError, layout.normalize_pci,
                          'eth0')


class IpLinkTest(base.TestCase):

    def test_one_line_mode(self):
        links = layout.parse_ip_link(base.fixture('ip-o-link-hybrid-plug.txt'))
        self.assertIn('tap3f1c9b2e-7a', links)
        qvb = links['qvb3f1c9b2e-7a']
        self.assertEqual('qvo3f1c9b2e-7a', qvb.peer)
        self.assertEqual('qbr3f1c9b2e-7a', qvb.master)
        self.assertEqual('UP', qvb.state)
        self.assertEqual('qbr3f1c9b2e-7a', links['tap3f1c9b2e-7a'].master)

    def test_details_mode_gives_kinds(self):
        links = layout.parse_ip_link(
            base.fixture('ip-d-o-link-hybrid-plug.txt'))
        self.assertEqual('tun', links['tap3f1c9b2e-7a'].kind)
        self.assertEqual('bridge', links['qbr3f1c9b2e-7a'].kind)
        self.assertEqual('veth', links['qvb3f1c9b2e-7a'].kind)
        self.assertEqual('veth', links['qvo3f1c9b2e-7a'].kind)

    def test_multi_line_mode_with_vfs(self):
        links = layout.parse_ip_link(base.fixture('ip-link-pf-with-vfs.txt'))
        pf = links['enp130s0f0']
        self.assertEqual('90:e2:ba:5c:1a:40', pf.mac)
        self.assertEqual(4, len(pf.vfs))
        self.assertEqual((2, DIRECT_MAC, 1201),
                         (pf.vfs[2].index, pf.vfs[2].mac, pf.vfs[2].vlan))
        self.assertIsNone(pf.vfs[1].vlan)

    def test_vf_flags(self):
        links = layout.parse_ip_link(
            base.fixture('ip-d-o-link-pf-vf-flags.txt'))
        vfs = links['ens1f0'].vfs
        self.assertEqual(
            [(0, False, 'auto', False, None), (1, True, 'auto', True, 300),
             (2, True, 'disable', False, None),
             (3, True, 'auto', False, None)],
            [(v.index, v.spoofchk, v.link_state, v.trust, v.max_tx_rate)
             for v in vfs])
        self.assertEqual([1305, 1305, 1305, None], [v.vlan for v in vfs])
        self.assertEqual((), links['lo'].vfs)

    def test_old_iproute2_vf_format(self):
        text = ('4: enp5s0f0: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 '
                'qdisc mq state UP mode DEFAULT qlen 1000\n'
                '    link/ether 90:e2:ba:5c:1a:40 brd ff:ff:ff:ff:ff:ff\n'
                '    vf 0 MAC fa:16:3e:8c:1b:57, vlan 100, spoof checking '
                'on, link-state auto\n')
        vf = layout.parse_ip_link(text)['enp5s0f0'].vfs[0]
        self.assertEqual((0, DIRECT_MAC, 100), (vf.index, vf.mac, vf.vlan))
        self.assertEqual((True, 'auto', None), (vf.spoofchk, vf.link_state,
                                                vf.trust))

    def test_not_ip_link(self):
        self.assertRaises(layout.LayoutParseError, layout.parse_ip_link,
                          'bash: ip: command not found')


class OvsTest(base.TestCase):

    def test_interfaces(self):
        ifaces = layout.parse_ovs_interfaces(
            base.fixture('ovs-vsctl-interfaces-hybrid-plug.json'))
        self.assertEqual(NORMAL, ifaces['qvo3f1c9b2e-7a']['iface-id'])
        self.assertEqual({}, ifaces['br-int'])

    def test_list_ports(self):
        self.assertEqual({'int-br-ex1', 'qvo3f1c9b2e-7a'},
                         layout.parse_list_ports(
                             base.fixture('ovs-vsctl-list-ports-br-int.txt')))

    def test_not_ovs_json(self):
        self.assertRaises(layout.LayoutParseError,
                          layout.parse_ovs_interfaces, 'ovs-vsctl: unix:...')


class HostFindingsTest(base.TestCase):

    def _view(self, port_id, mac, ip_fixture='ip-link-pf-with-vfs.txt'):
        return layout.host_view(
            port_id, mac, layout.parse_ip_link(base.fixture(ip_fixture)),
            layout.parse_ovs_interfaces(
                base.fixture('ovs-vsctl-interfaces-hybrid-plug.json')),
            layout.parse_list_ports(
                base.fixture('ovs-vsctl-list-ports-br-int.txt')))

    def test_normal_port_has_the_whole_chain(self):
        view = self._view(NORMAL, 'fa:16:3e:5d:2a:91',
                          'ip-d-o-link-hybrid-plug.txt')
        self.assertEqual({'tap': True, 'qbr': True, 'qvb': True,
                          'qvo': True}, view.devices)
        self.assertEqual(('qvo3f1c9b2e-7a',), view.on_integration_bridge)
        self.assertEqual([], layout.host_findings(view, 'normal',
                                                  hybrid_plug=True))

    def test_direct_port_has_no_ovs_hop_and_its_vf_is_tagged(self):
        view = self._view(DIRECT, DIRECT_MAC)
        self.assertFalse(any(view.devices.values()))
        self.assertEqual((), view.ovs_interfaces)
        self.assertEqual('enp130s0f0', view.vf[0])
        self.assertEqual(2, view.vf[1].index)
        self.assertEqual([], layout.host_findings(view, 'direct',
                                                  segmentation_id=1201))

    def test_direct_port_on_wrong_vlan(self):
        view = self._view(DIRECT, DIRECT_MAC)
        findings = layout.host_findings(view, 'direct', segmentation_id=1300)
        self.assertEqual(1, len(findings))
        self.assertIn('VF 2 of enp130s0f0 has VLAN 1201', findings[0])

    def test_direct_port_whose_vf_is_not_on_this_host(self):
        """Absence of OVS hops is not enough: the host lists VFs, so the
        port's VF must be among them (else the VM is on another host).
        """
        view = self._view(DIRECT, 'fa:16:3e:00:00:99')
        self.assertEqual(('enp130s0f0',), view.pfs)
        findings = layout.host_findings(view, 'direct',
                                        segmentation_id=1201)
        self.assertEqual(1, len(findings))
        self.assertIn('none of the VFs this host lists (PF enp130s0f0) '
                      'holds the port\'s MAC', findings[0])

    def test_host_without_vf_lines_fails_the_direct_port(self):
        """No OVS hop is absence only: a host that lists no VF line (the
        wrong machine, or a driver whose lines are not read) cannot show
        the port's VF, and that fails.
        """
        view = self._view(DIRECT, DIRECT_MAC, 'ip-d-o-link-hybrid-plug.txt')
        self.assertEqual((), view.pfs)
        findings = layout.host_findings(view, 'direct')
        self.assertEqual(1, len(findings))
        self.assertIn('lists no VF lines', findings[0])
        self.assertIn('[sriov] host_addresses', findings[0])

    def test_direct_physical_has_no_vf_line_to_see(self):
        view = self._view(DIRECT, DIRECT_MAC, 'ip-d-o-link-hybrid-plug.txt')
        self.assertEqual([], layout.host_findings(view, 'direct-physical'))

    def test_direct_check_fails_when_chain_exists(self):
        """A port id whose OVS chain is on the host cannot pass as direct."""
        view = self._view(NORMAL, 'fa:16:3e:5d:2a:91')
        findings = layout.host_findings(view, 'direct')
        self.assertIn('qbr3f1c9b2e-7a exists on the host', '\n'.join(findings))
        self.assertIn('OVS interface qvo3f1c9b2e-7a carries its iface-id',
                      '\n'.join(findings))

    def test_normal_check_fails_when_chain_missing(self):
        view = self._view(DIRECT, DIRECT_MAC)
        findings = layout.host_findings(view, 'normal', hybrid_plug=True)
        self.assertEqual(5, len(findings))
        self.assertIn('tap7b2e41d0-98 is missing', findings[0])

    def test_normal_port_without_hybrid_plug(self):
        view = self._view(NORMAL, 'fa:16:3e:5d:2a:91')
        findings = layout.host_findings(view, 'normal', hybrid_plug=False)
        self.assertIn('qbr3f1c9b2e-7a exists although', '\n'.join(findings))


class OthersVfLinesTest(base.TestCase):
    """VF lines captured by others (fixtures/README.rst)."""

    def test_neutron_pci_lib_older_iproute2(self):
        links = layout.parse_ip_link(base.fixture(
            'ip-link-neutron-pci-lib.txt'))
        vfs = links['p7p1'].vfs
        self.assertEqual([0, 1, 2], [vf.index for vf in vfs])
        self.assertEqual(layout.VirtualFunction(
            0, 'fa:16:3e:b4:81:ac', 4095, spoofchk=False,
            link_state='disable'), vfs[0])
        self.assertEqual('enable', vfs[2].link_state)

    def test_infiniband_vf_is_parsed_never_dropped(self):
        links = layout.parse_ip_link(base.fixture(
            'ip-link-ib-pf-vf-guids.txt'))
        [vf] = links['ib4'].vfs
        self.assertEqual(0, vf.index)
        self.assertEqual(59, len(vf.mac))   # 20 bytes: not a MAC
        self.assertEqual((False, 'disable', False),
                         (vf.spoofchk, vf.link_state, vf.trust))
        # No port MAC is an IB VF's address: the host lists VFs (ib4),
        # and the port's VF is not among them.
        view = layout.host_view(DIRECT, DIRECT_MAC, links, {}, ())
        self.assertEqual(('ib4',), view.pfs)
        self.assertIsNone(view.vf)
        self.assertIn('none of the VFs this host lists (PF ib4)',
                      layout.host_findings(view, 'direct')[0])

    def test_i40e_vf_with_the_mac_its_pf_set(self):
        links = layout.parse_ip_link(base.fixture(
            'ip-link-i40e-vf-mac-set.txt'))
        self.assertEqual(
            (layout.VirtualFunction(0, 'fe:6c:b5:da:c7:7d', None,
                                    spoofchk=True, link_state='auto',
                                    trust=False),),
            links['enp2s0f0'].vfs)
        view = layout.host_view(DIRECT, 'FE:6C:B5:DA:C7:7D', links, {}, ())
        self.assertEqual(('enp2s0f0', links['enp2s0f0'].vfs[0]), view.vf)

    def test_vf_statistics_lines_of_ip_s_link(self):
        # ip -s prints each VF's RX/TX counters under its line.
        links = layout.parse_ip_link(base.fixture(
            'ip-s-link-i40e-vf-stats.txt'))
        self.assertEqual(['enp2s0f0'], list(links))
        [vf] = links['enp2s0f0'].vfs
        self.assertEqual((0, 'e2:c6:fd:c1:1e:92', True, False),
                         (vf.index, vf.mac, vf.spoofchk, vf.trust))

    def test_ice_pf_with_eight_vfs_and_an_altname(self):
        links = layout.parse_ip_link(base.fixture(
            'ip-link-ice-e810-8vfs.txt'))
        vfs = links['ens3f1'].vfs
        self.assertEqual(list(range(8)), [vf.index for vf in vfs])
        self.assertEqual('ae:6b:93:a1:ee:b8', vfs[7].mac)
        self.assertTrue(all(vf.spoofchk and vf.link_state == 'auto' and
                            vf.trust is False and vf.vlan is None
                            for vf in vfs))
        # A port whose MAC no VF carries is missing there, not passed.
        view = layout.host_view(DIRECT, DIRECT_MAC, links, {}, ())
        self.assertEqual(('ens3f1',), view.pfs)
        self.assertIsNone(view.vf)
        self.assertIn('none of the VFs this host lists (PF ens3f1)',
                      layout.host_findings(view, 'direct')[0])

    def test_vf_line_not_understood_is_refused(self):
        text = base.fixture('ip-link-neutron-pci-lib.txt').replace(
            'vf 1 MAC 00:00:00:00:00:11', 'vf 1 link/foo 11')
        with self.assertRaisesRegex(layout.LayoutParseError,
                                    'VF line of p7p1 not understood'):
            layout.parse_ip_link(text)


class HybridPlugTest(base.TestCase):
    """Whether a normal port has the hybrid plug, as Nova reads its
    binding (port bodies: fixtures/README.rst).
    """

    def test_ml2_ovs_iptables_hybrid(self):
        self.assertTrue(layout.hybrid_plug(normal_port()))

    def test_ml2_ovs_openvswitch_firewall(self):
        port = json.loads(base.fixture(
            'port-ml2-ovs-openvswitch-firewall.json'))
        self.assertFalse(layout.hybrid_plug(port['port']))

    def test_ml2_ovn_sets_no_hybrid_plug_key(self):
        port = json.loads(base.fixture('port-ml2-ovn.json'))['port']
        self.assertNotIn('ovs_hybrid_plug', port['binding:vif_details'])
        self.assertFalse(layout.hybrid_plug(port))

    def test_ml2_ovn_compute_captured_by_others(self):
        """``ip -d link show`` of an ML2/OVN compute (VLAN network): the
        VM port's tap is a port of OVS itself, with no qbr/qvb/qvo.
        """
        links = layout.parse_ip_link(base.fixture('ip-d-link-ovn-compute.txt'))
        port = '0600145a-d509-4aa9-b6b2-98f117f1b48c'
        self.assertEqual(('ovs-system', 'tun'),
                         (links['tap0600145a-d5'].master,
                          links['tap0600145a-d5'].kind))
        view = layout.host_view(port, 'fa:16:3e:d8:6c:ea', links, {}, ())
        self.assertEqual({'tap': True, 'qbr': False, 'qvb': False,
                          'qvo': False}, view.devices)
        findings = layout.host_findings(view, 'normal', hybrid_plug=False)
        # Only OVS's own evidence is missing here (no ovs-vsctl output).
        self.assertEqual(1, len(findings))
        self.assertIn('no OVS interface with iface-id=%s' % port, findings[0])

    def test_ovn_tap_straight_on_br_int_passes(self):
        """The OVN/openvswitch-firewall layout: the tap itself on br-int,
        no qbr/qvb/qvo.
        """
        view = layout.HostView(
            NORMAL, {'tap': True, 'qbr': False, 'qvb': False, 'qvo': False},
            ('tap3f1c9b2e-7a',), ('tap3f1c9b2e-7a',), None)
        self.assertEqual([], layout.host_findings(view, 'normal'))
        self.assertEqual(3, len(layout.host_findings(view, 'normal',
                                                     hybrid_plug=True)))


class VfFlagFindingsTest(base.TestCase):

    def _view(self, mac, fixture='ip-d-o-link-pf-vf-flags.txt'):
        return layout.host_view(DIRECT, mac, layout.parse_ip_link(
            base.fixture(fixture)), {}, ())

    def test_port_security_off_reported(self):
        view = self._view('fa:16:3e:4e:8a:10')
        self.assertEqual([], layout.vf_flag_findings(
            view, 'port security off', spoofchk=False))

    def test_spoof_check_left_on(self):
        # The agent was told port security off; the VF still checks.
        problems = layout.vf_flag_findings(
            self._view('fa:16:3e:4e:8a:12'), 'port security off',
            spoofchk=False)
        self.assertEqual(1, len(problems))
        self.assertIn('VF 2 of ens1f0 with spoof checking on, Neutron '
                      'asked for spoof checking off', problems[0])
        self.assertIn('(port security off)', problems[0])

    def test_several_flags(self):
        view = self._view('fa:16:3e:4e:8a:11')
        self.assertEqual([], layout.vf_flag_findings(
            view, 'QoS, trusted', spoofchk=True, trust=True,
            max_tx_rate=300, link_state='auto'))
        problems = layout.vf_flag_findings(
            view, 'untrusted', trust=False, max_tx_rate=0)
        self.assertEqual(2, len(problems))
        self.assertIn('max_tx_rate 300Mbps', problems[0])
        self.assertIn('the SR-IOV agent sets it', problems[0])
        self.assertIn('trust on', problems[1])
        # Trust is Nova's to set, as it plugs the VF.
        self.assertIn("Nova's libvirt driver sets it with ip link set "
                      "ens1f0 vf 1", problems[1])

    def test_no_max_tx_rate_printed_is_no_limit(self):
        # iproute2 prints max_tx_rate only when it is set.
        view = self._view('fa:16:3e:4e:8a:10')
        self.assertEqual([], layout.vf_flag_findings(
            view, 'bandwidth limit deleted', max_tx_rate=0))
        problems = layout.vf_flag_findings(
            view, 'bandwidth limit 300000 kbit/s', max_tx_rate=300)
        self.assertIn('with no max_tx_rate, Neutron asked for max_tx_rate '
                      '300Mbps', problems[0])

    def test_port_mac_on_no_vf(self):
        problems = layout.vf_flag_findings(
            self._view('fa:16:3e:00:00:01'), 'port security on',
            spoofchk=True)
        self.assertEqual(1, len(problems))
        self.assertIn('none of the VFs this host lists (PF ens1f0)',
                      problems[0])

    def test_host_lists_no_vfs_is_a_finding(self):
        """Nothing to compare is not "as asked": the flags fail."""
        view = self._view(DIRECT_MAC, 'ip-d-o-link-hybrid-plug.txt')
        problems = layout.vf_flag_findings(view, 'port security on',
                                           spoofchk=True)
        self.assertEqual(1, len(problems))
        self.assertIn('(port security on): the host\'s ip link lists no VF '
                      'lines', problems[0])

    def test_flag_not_reported(self):
        text = ('4: enp5s0f0: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 '
                'qdisc mq state UP mode DEFAULT qlen 1000\n'
                '    link/ether 90:e2:ba:5c:1a:40 brd ff:ff:ff:ff:ff:ff\n'
                '    vf 0 MAC fa:16:3e:8c:1b:57, vlan 100, spoof checking '
                'on, link-state auto\n')
        view = layout.host_view(DIRECT, DIRECT_MAC,
                                layout.parse_ip_link(text), {}, ())
        problems = layout.vf_flag_findings(view, 'trusted', trust=True)
        self.assertIn('with no trust flag', problems[0])


class ApiFindingsTest(base.TestCase):

    def test_direct_port_bound_to_vf(self):
        self.assertEqual([], layout.api_findings(direct_port(), 'direct',
                                                 'physnet1'))

    def test_normal_port_on_ovs(self):
        self.assertEqual([], layout.api_findings(normal_port(), 'normal'))

    def test_direct_port_bound_by_ovs_is_caught(self):
        port = direct_port(**{'binding:vif_type': 'ovs',
                              'binding:profile': {}})
        findings = layout.api_findings(port, 'direct')
        self.assertIn("binding:vif_type is 'ovs', expected 'hw_veb'",
                      findings[0])
        self.assertIn('no pci_slot', findings[1])

    def test_unbound_port(self):
        findings = layout.api_findings(
            direct_port(**{'binding:vif_type': 'binding_failed'}), 'direct')
        self.assertIn('binding_failed', findings[0])

    def test_wrong_physnet_and_missing_vlan(self):
        port = direct_port(**{'binding:vif_details': {}})
        port['binding:profile']['physical_network'] = 'physnet2'
        findings = layout.api_findings(port, 'direct', 'physnet1')
        self.assertEqual(2, len(findings))

    def test_vlan_must_be_the_networks_segment(self):
        self.assertEqual([], layout.api_findings(
            direct_port(), 'direct', 'physnet1', segmentation_id=1201))
        findings = layout.api_findings(direct_port(), 'direct', 'physnet1',
                                       segmentation_id=1202)
        self.assertEqual(["direct port %s: binding:vif_details vlan is 1201, "
                          "the network's segment is 1202" % DIRECT],
                         findings)

    def test_missing_physical_network_is_a_finding(self):
        port = direct_port()
        del port['binding:profile']['physical_network']
        findings = layout.api_findings(port, 'direct', 'physnet1')
        self.assertEqual(1, len(findings))
        self.assertIn('physical_network is None, expected \'physnet1\'',
                      findings[0])

    def test_normal_port_with_vf(self):
        port = normal_port(**{'binding:profile': {'pci_slot': '0000:82:10.4'}})
        self.assertIn('must not hold a VF',
                      layout.api_findings(port, 'normal')[0])


class LibvirtTest(base.TestCase):

    def setUp(self):
        super(LibvirtTest, self).setUp()
        self.ifaces = layout.libvirt_interfaces(
            base.fixture('libvirt-domain-sriov.xml'))

    def test_parse(self):
        by_type = {i.type: i for i in self.ifaces}
        self.assertEqual('0000:82:10.4', by_type['hostdev'].pci_address)
        self.assertEqual(1201, by_type['hostdev'].vlan)
        self.assertEqual('tap3f1c9b2e-7a', by_type['bridge'].target)
        self.assertEqual('qbr3f1c9b2e-7a', by_type['bridge'].source)

    def test_direct_matches_binding(self):
        self.assertEqual([], layout.libvirt_findings(
            self.ifaces, direct_port(), 'direct', 1201))

    def test_direct_wrong_pci_and_vlan(self):
        port = direct_port()
        port['binding:profile']['pci_slot'] = '0000:82:10.6'
        findings = layout.libvirt_findings(self.ifaces, port, 'direct', 1300)
        self.assertEqual(2, len(findings))
        self.assertIn('0000:82:10.4 is not the pci_slot 0000:82:10.6',
                      findings[0])

    def test_normal_is_a_bridge_tap(self):
        self.assertEqual([], layout.libvirt_findings(
            self.ifaces, normal_port(), 'normal'))

    def test_port_not_in_domain(self):
        findings = layout.libvirt_findings(
            self.ifaces, direct_port(mac_address='fa:16:3e:00:00:01'),
            'direct')
        self.assertIn('no <interface> with MAC', findings[0])

    def test_bad_xml(self):
        self.assertRaises(layout.LayoutParseError,
                          layout.libvirt_interfaces, 'error: no domain')


class HostCommandsTest(base.TestCase):

    def test_plain(self):
        cmds = layout.host_commands('', 'br-int')
        self.assertEqual('ip -d -o link', cmds['ip_link'])
        self.assertEqual('ovs-vsctl list-ports br-int', cmds['bridge_ports'])
        self.assertEqual('ovs-vsctl --format=json --columns=name,external_ids'
                         ' list Interface', cmds['ovs_interfaces'])

    def test_prefix_and_values_are_quoted(self):
        cmds = layout.host_commands('sudo podman exec "ovs vswitchd"',
                                    'br-int; reboot')
        self.assertEqual("sudo podman exec 'ovs vswitchd' ovs-vsctl "
                         "list-ports 'br-int; reboot'", cmds['bridge_ports'])

    def test_virsh(self):
        self.assertEqual("sudo virsh dumpxml 'instance-0000002a;x'",
                         layout.virsh_dumpxml_command('sudo',
                                                      'instance-0000002a;x'))


class GuestAddressesTest(base.TestCase):

    def test_lab_guest_ip_addr(self):
        addresses, macs = layout.guest_addresses(
            base.fixture('ip-addr-guest.txt'))
        self.assertEqual({'127.0.0.1', '10.100.0.3'}, addresses)
        self.assertEqual({'fa:16:3e:8b:43:41'}, macs)

    def test_nothing_printed(self):
        self.assertEqual((set(), set()), layout.guest_addresses(''))


class VfGivenBackTest(base.TestCase):
    """A deleted port's VF, on others' captures of ip link."""

    def links(self, name):
        return layout.parse_ip_link(base.fixture(name))

    def test_a_vf_still_carrying_the_ports_mac_is_named(self):
        # Neutron's pci_lib capture: VF 0 holds fa:16:3e:b4:81:ac, vlan
        # 4095.
        problems = layout.vf_given_back_findings(
            self.links('ip-link-neutron-pci-lib.txt'), 'FA:16:3E:B4:81:AC')
        self.assertEqual(1, len(problems))
        self.assertIn('VF 0 of p7p1 still carries the deleted port\'s MAC '
                      'FA:16:3E:B4:81:AC (vlan 4095)', problems[0])

    def test_a_vf_given_back_has_no_finding(self):
        # The E810 capture: VF 3 is listed, with a MAC of its own.
        self.assertEqual([], layout.vf_given_back_findings(
            self.links('ip-link-ice-e810-8vfs.txt'), 'fa:16:3e:00:00:01',
            ('ens3f1', 3), 1201))

    def test_the_vlan_left_on_the_ports_vf_is_named(self):
        problems = layout.vf_given_back_findings(
            self.links('ip-link-neutron-pci-lib.txt'), 'fa:16:3e:00:00:01',
            ('p7p1', 2), 4095)
        self.assertEqual(['VF 2 of p7p1, the deleted port\'s, is still '
                          'tagged with its network\'s VLAN 4095'], problems)

    def test_a_vf_no_longer_listed_is_named(self):
        problems = layout.vf_given_back_findings(
            self.links('ip-link-ice-e810-8vfs.txt'), 'fa:16:3e:00:00:01',
            ('ens3f1', 9), None)
        self.assertIn('VF 9 of ens3f1', problems[0])

    def test_a_host_listing_no_vf_lines_proves_nothing(self):
        self.assertEqual([layout.NO_VF_LINES], layout.vf_given_back_findings(
            self.links('ip-o-link-hybrid-plug.txt'), 'fa:16:3e:00:00:01'))
