"""The OpenStack services' configuration the lab writes."""

import json
import os
import tempfile
import unittest

from lab import card
from lab import layout
from lab import service_conf

SECRETS = {'db': 'dbpw', 'rabbit': 'rabbitpw', 'admin': 'adminpw',
           'service': 'servicepw'}


class ServiceConfTest(unittest.TestCase):

    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.addCleanup(self.tmp.cleanup)
        self.state = layout.State(os.path.join(self.tmp.name, 'lab'))
        self.configs = service_conf.all_configs(self.state, SECRETS)

    def test_pure_no_file_is_touched(self):
        self.assertFalse(os.path.exists(self.state.root))

    def test_one_file_per_service_and_node(self):
        want = {('keystone', 'keystone.conf'),
                ('placement', 'placement.conf'),
                ('glance', 'glance-api.conf'), ('nova', 'nova.conf'),
                ('neutron', 'neutron.conf'), ('neutron', 'ml2_conf.ini'),
                ('neutron', 'l3-network.ini'),
                ('neutron', 'dhcp-network.ini')}
        for node in layout.COMPUTES:
            want |= {('nova', 'nova-%s.conf' % node.name),
                     ('neutron', 'sriov-%s.ini' % node.name)}
        for node in layout.NODES:
            want.add(('neutron', 'ovs-%s.ini' % node.name))
        self.assertEqual(want, set(self.configs))

    def test_compute_runs_the_lab_driver_on_its_own_card(self):
        for node in layout.COMPUTES:
            conf = self.configs[('nova', 'nova-%s.conf' % node.name)]
            self.assertEqual(node.name, conf['DEFAULT']['host'])
            self.assertEqual('sriovlab.NetnsDriver',
                             conf['DEFAULT']['compute_driver'])
            specs = json.loads(conf['pci']['device_spec'])
            self.assertEqual(layout.CARD_VFS, len(specs))
            bus = card.pf_address(node).rsplit(':', 1)[0] + ':'
            for one in specs:
                self.assertEqual(layout.PHYSNET, one['physical_network'])
                self.assertTrue(one['address'].startswith(bus), one)
            self.assertEqual(card.card_dir(self.state, node),
                             conf['lab']['nic_dir'])
            self.assertNotIn('database', conf)

    def test_scheduler_filters_place_vf_ports(self):
        filters = self.configs[('nova', 'nova.conf')][
            'filter_scheduler']['enabled_filters']
        self.assertIn('PciPassthroughFilter', filters)
        self.assertIn('DifferentHostFilter', filters)

    def test_ml2_has_both_mechanism_drivers_on_the_vlan_physnet(self):
        ml2 = self.configs[('neutron', 'ml2_conf.ini')]
        self.assertEqual('openvswitch,sriovnicswitch',
                         ml2['ml2']['mechanism_drivers'])
        self.assertEqual('%s:%d:%d' % ((layout.PHYSNET,) + layout.VLAN_RANGE),
                         ml2['ml2_type_vlan']['network_vlan_ranges'])

    def test_only_the_network_node_bridges_the_public_physnet(self):
        for node in layout.NODES:
            mappings = self.configs[('neutron', 'ovs-%s.ini' % node.name)][
                'ovs']['bridge_mappings']
            public = [m for m in mappings
                      if m.startswith(layout.PUBLIC_PHYSNET + ':')]
            self.assertEqual(node.role == 'network', bool(public), node.name)

    def test_compute_ovs_agents_fill_the_pfs_fdb(self):
        # A VF reaches an OVS port of its host through the PF's FDB only.
        for node in layout.NODES:
            conf = self.configs[('neutron', 'ovs-%s.ini' % node.name)]
            if node.role == 'network':
                self.assertNotIn('FDB', conf)
                continue
            self.assertEqual('fdb', conf['agent']['extensions'])
            self.assertEqual('%s:ens1f0' % layout.PHYSNET,
                             conf['FDB']['shared_physical_device_mappings'])

    def test_secrets_only_where_a_service_needs_them(self):
        """A password appears only as a password or inside a URL."""
        for (project, name), sections in self.configs.items():
            for section, values in sections.items():
                for key, value in values.items():
                    text = str(value)
                    for secret in SECRETS.values():
                        if secret in text:
                            self.assertIn(key, ('password', 'connection',
                                                'transport_url'),
                                          '%s/%s [%s] %s' % (
                                              project, name, section, key))
        self.assertIn('dbpw', self.configs[('neutron', 'neutron.conf')][
            'database']['connection'])
        self.assertNotIn('adminpw', repr(self.configs))


if __name__ == '__main__':
    unittest.main()


class OvnServiceConfTest(unittest.TestCase):
    """``lab up --ml2 ovn``: ML2/OVN's configuration."""

    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.addCleanup(self.tmp.cleanup)
        self.addCleanup(layout.set_ml2, layout.ML2)
        layout.set_ml2('ovn')
        self.state = layout.State(os.path.join(self.tmp.name, 'lab'))
        self.configs = service_conf.all_configs(self.state, SECRETS)

    def test_no_l2_l3_or_dhcp_agent_is_configured(self):
        names = {name for _, name in self.configs}
        self.assertFalse({n for n in names if n.startswith('ovs-')})
        self.assertNotIn('l3-network.ini', names)
        self.assertNotIn('dhcp-network.ini', names)
        for node in layout.COMPUTES:
            self.assertIn(('neutron', 'sriov-%s.ini' % node.name),
                          self.configs)

    def test_ovn_and_sriov_mechanism_drivers_and_ovn_router(self):
        ml2 = self.configs[('neutron', 'ml2_conf.ini')]
        self.assertEqual('ovn,sriovnicswitch',
                         ml2['ml2']['mechanism_drivers'])
        self.assertEqual('vlan', ml2['ml2']['tenant_network_types'])
        self.assertEqual(service_conf.OVN_NB,
                         ml2['ovn']['ovn_nb_connection'])
        self.assertEqual(service_conf.OVN_SB,
                         ml2['ovn']['ovn_sb_connection'])
        neutron = self.configs[('neutron', 'neutron.conf')]
        self.assertEqual('ovn-router,qos',
                         neutron['DEFAULT']['service_plugins'])

    def test_network_node_is_the_gateway_and_external_port_chassis(self):
        for node in layout.NODES:
            ids = service_conf.ovn_chassis(node)
            self.assertEqual(node.name, ids['system-id'])
            self.assertEqual(service_conf.OVN_SB, ids['ovn-remote'])
            self.assertIn('%s:%s' % (layout.PHYSNET, layout.PHYS_BRIDGE),
                          ids['ovn-bridge-mappings'].split(','))
            if node.role == 'network':
                self.assertEqual(
                    {'enable-chassis-as-gw',
                     'enable-chassis-as-extport-host'},
                    set(ids['ovn-cms-options'].split(',')))
            else:
                self.assertNotIn('ovn-cms-options', ids)

    def test_an_unknown_backend_is_refused(self):
        self.assertRaises(ValueError, layout.set_ml2, 'linuxbridge')
