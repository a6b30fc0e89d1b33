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
"""What the OVN Southbound DB says of a VF port's external port, read from
``ovn-sbctl`` output captured by others on an ML2/OVN cloud
(fixtures/README.rst).
"""

from sriov_tempest_plugin import ovn
from sriov_tempest_plugin.tests.unit import base

CHASSIS = 'ovn-sbctl-list-chassis-gw.txt'
BINDINGS = 'ovn-sbctl-list-port-binding-vlan.txt'
#: The capture's VM port, bound on compute.home.local's chassis.
VM_PORT = '0600145a-d509-4aa9-b6b2-98f117f1b48c'


class ParseTest(base.TestCase):

    def test_chassis_of_a_two_node_cloud(self):
        found = ovn.chassis_list(base.fixture(CHASSIS))
        self.assertEqual(['controller.home.local', 'compute.home.local'],
                         [c.hostname for c in found])
        controller, compute = found
        self.assertEqual('3732c7d2-a358-41ae-82ca-9c350624e13d',
                         controller.name)
        self.assertEqual(frozenset([ovn.GATEWAY]), controller.cms_options)
        # ovn-cms-options="" on the compute: no option at all.
        self.assertEqual(frozenset(), compute.cms_options)
        self.assertEqual({'provider': 'br-provider', 'mgmt': 'br-mgmt'},
                         compute.bridge_mappings)

    def test_values(self):
        self.assertEqual([], ovn.parse_value('[]'))
        self.assertEqual({}, ovn.parse_value('{}'))
        self.assertEqual(['fa:16:3e:d8:6c:ea 192.168.100.110'],
                         ovn.parse_value('["fa:16:3e:d8:6c:ea '
                                         '192.168.100.110"]'))
        self.assertEqual({'neutron:cidrs': '192.168.100.1/24',
                          'neutron:vnic_type': 'normal', 'x': ''},
                         ovn.parse_value('{"neutron:cidrs"="192.168.100.1/'
                                         '24", "neutron:vnic_type"=normal, '
                                         'x=""}'))
        self.assertEqual('a "quoted" word',
                         ovn.parse_value(r'"a \"quoted\" word"'))

    def test_every_binding_record_parses(self):
        records = ovn.parse_table(base.fixture(BINDINGS))
        self.assertEqual(6, len(records))
        self.assertEqual({'localport', 'localnet', ''},
                         {r['type'] for r in records})
        self.assertEqual('100', records[-1]['tag'])

    def test_not_ovsdb_output_is_refused(self):
        for text in ('Chassis "3732c7d2"\n    hostname: controller',
                     'ovn-sbctl: unix:/var/run/ovn/ovnsb_db.sock: database '
                     'connection failed (No such file or directory)',
                     'name : {a=b, c}', 'name : "unterminated'):
            with self.subTest(text=text):
                self.assertRaises(ovn.OvnParseError, ovn.parse_table, text)


class BoundChassisTest(base.TestCase):

    def test_bound_port(self):
        self.assertEqual('3a2a11e8-b932-4671-a20b-65922819e801',
                         ovn.bound_chassis(base.fixture(BINDINGS), VM_PORT))

    def test_unbound_port(self):
        # The network's metadata port: a localport, bound to no chassis.
        self.assertIsNone(ovn.bound_chassis(
            base.fixture(BINDINGS), '95713f3e-f936-4ede-895f-2d176d4c80d6'))

    def test_port_ovn_does_not_know(self):
        self.assertRaisesRegex(
            ovn.OvnParseError, '0 Port_Binding records for logical port '
            'deadbeef', ovn.bound_chassis, base.fixture(BINDINGS),
            'deadbeef')


def _chassis(hostname, options, mappings='physnet1:br-ex1'):
    record = ('_uuid : uuid-%s\nname : "%s-id"\nhostname : %s\n'
              'other_config : {ovn-bridge-mappings="%s", '
              'ovn-cms-options="%s"}\n' % (hostname, hostname, hostname,
                                           mappings, options))
    return ovn.chassis_list(record)[0]


class ExtportTest(base.TestCase):

    def test_gateway_chassis_mapping_the_physnet_host_it(self):
        found = ovn.chassis_list(base.fixture(CHASSIS))
        option, hosts = ovn.extport_candidates(found, 'provider')
        self.assertEqual(ovn.GATEWAY, option)
        self.assertEqual(['controller.home.local'],
                         [c.hostname for c in hosts])

    def test_gateway_chassis_without_the_physnet_do_not(self):
        found = ovn.chassis_list(base.fixture(CHASSIS))
        self.assertEqual([], ovn.extport_candidates(found, 'physnet1')[1])
        text = ovn.extport_findings(found, None, 'p1', 'physnet1')
        self.assertIn('no chassis is marked enable-chassis-as-extport-host, '
                      'and none marked enable-chassis-as-gw maps physnet1 '
                      '(marked enable-chassis-as-gw: controller.home.local)',
                      text)
        self.assertIn('the external port of port p1 is bound to no chassis',
                      text)

    def test_extport_host_marks_take_precedence(self):
        found = [_chassis('net', 'enable-chassis-as-gw'),
                 _chassis('c1', 'enable-chassis-as-extport-host'),
                 _chassis('c2', '')]
        option, hosts = ovn.extport_candidates(found, 'physnet1')
        self.assertEqual((ovn.EXTPORT_HOST, ['c1']),
                         (option, [c.hostname for c in hosts]))
        text = ovn.extport_findings(found, 'uuid-c1', 'p1', 'physnet1')
        self.assertIn('3 chassis, chassis marked '
                      'enable-chassis-as-extport-host: c1', text)
        self.assertIn('is bound to chassis c1', text)

    def test_no_chassis_marked_at_all(self):
        found = [_chassis('c1', ''), _chassis('c2', '')]
        text = ovn.extport_findings(found, None, 'p1', 'physnet1')
        self.assertIn('no chassis is marked enable-chassis-as-extport-host, '
                      'and none marked enable-chassis-as-gw maps physnet1 ',
                      text)
        # Neutron's router-linked group (LP#2125553) is named too.
        self.assertIn('put the external port on the router\'s gateway '
                      'chassis instead); the external port of port p1 is '
                      'bound to no chassis', text)

    def test_binding_to_an_unlisted_chassis_is_named(self):
        found = ovn.chassis_list(base.fixture(CHASSIS))
        text = ovn.extport_findings(
            found, '3a2a11e8-b932-4671-a20b-65922819e801', VM_PORT,
            'provider')
        self.assertIn('bound to chassis 3a2a11e8-b932-4671-a20b-65922819e801'
                      ', which ovn-sbctl does not list', text)

    def test_cms_options_of_older_ovn_in_external_ids(self):
        found = ovn.chassis_list(
            '_uuid : u1\nname : "c1"\nhostname : c1\nexternal_ids : '
            '{ovn-bridge-mappings="physnet1:br-ex", '
            'ovn-cms-options=enable-chassis-as-gw}\nother_config : {}\n')
        self.assertEqual(frozenset([ovn.GATEWAY]), found[0].cms_options)


class CommandsTest(base.TestCase):

    def test_commands_quote_every_word(self):
        chassis, binding = ovn.commands(
            'sudo podman exec ovn_controller ovn-sbctl '
            '--db="tcp:192.0.2.10:6642"', 'p1; reboot')
        self.assertEqual(
            'sudo podman exec ovn_controller ovn-sbctl '
            '--db=tcp:192.0.2.10:6642 '
            '--columns=_uuid,name,hostname,other_config,external_ids list '
            'Chassis', chassis)
        self.assertTrue(binding.endswith(
            "find Port_Binding 'logical_port=p1; reboot'"), binding)
