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
"""Fleet inventory, on Nova's and Neutron's own API samples."""

import copy
import json

from sriov_tempest_plugin import inventory
from sriov_tempest_plugin.tests.unit import base


def services(name='nova-os-services-v2.53.json'):
    return json.loads(base.fixture(name))['services']


def agents():
    """Neutron-lib's agents sample (no SR-IOV agent in it)."""
    return json.loads(base.fixture('neutron-agents-list.json'))['agents']


def nic_agent(host, mappings, alive=True, admin_state_up=True):
    """A NIC Switch agent as Neutron lists it: the keys its
    ``sriov_nic_agent.py`` reports (binary, agent_type, configurations
    with ``device_mappings`` physnet -> [PF]) and the API's ``alive`` and
    ``admin_state_up``.
    """
    return {'binary': 'neutron-sriov-nic-agent', 'host': host,
            'agent_type': 'NIC Switch agent', 'alive': alive,
            'admin_state_up': admin_state_up, 'topic': 'N/A',
            'heartbeat_timestamp': '2017-09-12 19:40:08',
            'configurations': {'device_mappings': mappings,
                               'extensions': ['qos']}}


def enabled(listing, host):
    out = copy.deepcopy(listing)
    for s in out:
        if s['host'] == host and s['binary'] == 'nova-compute':
            s.update(status='enabled', disabled_reason=None)
    return out


class DiscoverTest(base.TestCase):

    def test_nova_sample_a_disabled_and_a_down_compute(self):
        # host1's nova-compute is up but disabled ("test2"); host2's is
        # down. The sample's other agents (OVS, DHCP, L3, metadata on
        # agenthost1) are no SR-IOV host and are not listed.
        inv = inventory.discover(
            services(), agents() + [nic_agent('host1', {'physnet1': ['p1']}),
                                    nic_agent('host2', {'physnet1': ['p1']})],
            'physnet1')
        self.assertEqual([], inv.names())
        self.assertEqual([('host2', 'its nova-compute service is down (last '
                                    'heartbeat 2012-09-18T08:03:38.000000)')],
                         list(inv.unproven))
        self.assertEqual([('host1', 'its nova-compute service is disabled '
                                    '(reason: test2)')], list(inv.left_out))

    def test_enabled_and_up_with_a_mapping_serves(self):
        inv = inventory.discover(
            enabled(services(), 'host1'),
            agents() + [nic_agent('host1', {'physnet1': ['ens2f1', 'ens2f0'],
                                            'physnet2': ['ens3f0']})],
            'physnet1')
        self.assertEqual((inventory.Host('host1', ('ens2f0', 'ens2f1')),),
                         inv.hosts)
        self.assertIn('host1: serves physnet1 (PFs ens2f0, ens2f1)',
                      inv.lines())

    def test_a_meant_host_without_its_agent_or_compute_is_unproven(self):
        inv = inventory.discover(
            enabled(services(), 'host1'),
            [nic_agent('host1', {'physnet1': ['p1']}, alive=False),
             nic_agent('host9', {'physnet1': ['p1']})], 'physnet1')
        why = dict(inv.unproven)
        self.assertIn('NIC Switch agent (neutron-sriov-nic-agent) is not '
                      'alive', why['host1'])
        self.assertEqual('no nova-compute service runs there', why['host9'])
        self.assertEqual([], inv.names())

    def test_admin_down_agent_is_unproven(self):
        inv = inventory.discover(
            enabled(services(), 'host1'),
            [nic_agent('host1', {'physnet1': ['p1']}, admin_state_up=False)],
            'physnet1')
        self.assertIn('administratively down', dict(inv.unproven)['host1'])

    def test_a_compute_without_sriov_is_left_out_by_name(self):
        inv = inventory.discover(
            enabled(services(), 'host1'),
            [nic_agent('host2', {'physnet2': ['p1']})], 'physnet1')
        left = dict(inv.left_out)
        self.assertIn('no NIC Switch agent (neutron-sriov-nic-agent) runs '
                      'there', left['host1'])
        self.assertIn('maps no device to physnet1 (it maps: physnet2)',
                      left['host2'])
        self.assertEqual((), inv.unproven)
        self.assertTrue(any('host1: left out of physnet1' in line
                            for line in inv.lines()))

    def test_an_agent_that_maps_nothing_is_unproven(self):
        # A deployment that missed the host's physical_device_mappings: its
        # agent runs and reports {} (host1's compute is enabled and up).
        listing = enabled(services(), 'host1')
        for s in listing:
            s['state'] = 'up'
        inv = inventory.discover(listing, [nic_agent('host1', {})],
                                 'physnet1')
        self.assertEqual('its NIC Switch agent maps no device to physnet1 '
                         '(it maps: nothing)', dict(inv.unproven)['host1'])
        self.assertEqual([], inv.names())

    def test_cells_that_do_not_answer(self):
        # Microversion 2.69: a down cell's services have status UNKNOWN
        # and no state.
        inv = inventory.discover(
            services('nova-os-services-v2.69-down-cell.json'),
            [nic_agent('host1', {'physnet1': ['p1']})], 'physnet1')
        self.assertIn('cell does not answer', dict(inv.unproven)['host1'])
        self.assertIn('cell does not answer', dict(inv.left_out)['host2'])

    def test_fleet_hosts_limits_and_makes_each_listed_host_count(self):
        listing = enabled(enabled(services(), 'host1'), 'host2')
        for s in listing:
            s['state'] = 'up'
        nics = [nic_agent(h, {'physnet1': ['p1']})
                for h in ('host1', 'host2')]
        inv = inventory.discover(listing, nics, 'physnet1',
                                 only=['host2', 'host7'])
        self.assertEqual(['host2'], inv.names())
        self.assertEqual('no nova-compute service runs there; no NIC Switch '
                         'agent (neutron-sriov-nic-agent) runs there',
                         dict(inv.unproven)['host7'])
        self.assertNotIn('host1', dict(inv.left_out))
        # A listed host its operator disabled is a failure: it was asked for.
        inv = inventory.discover(services(), [nic_agent(
            'host1', {'physnet1': ['p1']})], 'physnet1', only=['host1'])
        self.assertIn('disabled (reason: test2), and [sriov] fleet_hosts '
                      'lists it', dict(inv.unproven)['host1'])
