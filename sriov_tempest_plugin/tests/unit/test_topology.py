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
"""The VM plan of the three topologies, and placement."""

from sriov_tempest_plugin.tests.unit import base
from sriov_tempest_plugin import topology


class PlanTest(base.TestCase):

    def test_eight_vms_cover_three_topologies_for_two_vnic_types(self):
        plan = topology.plan(['direct', 'normal'])
        self.assertEqual(8, len(plan.vms))
        self.assertEqual(4, plan.count('direct'))
        self.assertEqual(4, plan.count('normal'))
        self.assertEqual(6, len(plan.pairs))
        self.assertEqual(len(plan.vms), len({v.name for v in plan.vms}))

    def test_pairs_satisfy_their_topology(self):
        plan = topology.plan(['direct', 'normal'])
        for (name, vnic), (a, b) in plan.pairs.items():
            topo = topology.BY_NAME[name]
            va, vb = plan.vm(a), plan.vm(b)
            self.assertEqual(vnic, va.vnic_type)
            self.assertEqual(vnic, vb.vnic_type)
            self.assertEqual(topo.same_host, va.host == vb.host, name)
            self.assertEqual(topo.same_subnet, va.subnet == vb.subnet, name)

    def test_fewer_topologies_fewer_vms(self):
        plan = topology.plan(['direct'],
                             [topology.SAME_SUBNET_DIFFERENT_HOSTS])
        self.assertEqual(2, len(plan.vms))
        self.assertFalse(plan.needs_router)
        self.assertEqual([topology.HOST1, topology.HOST2], plan.hosts)

    def test_routed_topology_needs_router_and_two_subnets(self):
        plan = topology.plan(['direct'])
        self.assertTrue(plan.needs_router)
        self.assertEqual([topology.SUBNET1, topology.SUBNET2], plan.subnets)

    def test_mixed_pair_only_with_normal(self):
        self.assertEqual(('direct-a', 'normal-a'),
                         topology.plan(['direct', 'normal']).mixed_pair)
        self.assertIsNone(topology.plan(['direct']).mixed_pair)
        self.assertEqual(('directphysical-a', 'normal-a'),
                         topology.plan(['direct-physical', 'normal'])
                         .mixed_pair)

    def test_mixed_pair_shares_host_and_subnet(self):
        plan = topology.plan(['macvtap', 'normal'])
        a, b = (plan.vm(n) for n in plan.mixed_pair)
        self.assertEqual((a.host, a.subnet), (b.host, b.subnet))

    def test_empty_inputs(self):
        self.assertRaises(ValueError, topology.plan, [])
        self.assertRaises(ValueError, topology.plan, ['direct'], ())

    def test_crosses_wire(self):
        self.assertFalse(topology.SAME_SUBNET_SAME_HOST.crosses_wire)
        self.assertTrue(topology.SAME_SUBNET_DIFFERENT_HOSTS.crosses_wire)
        self.assertTrue(topology.DIFFERENT_SUBNETS_SAME_HOST.crosses_wire)
        self.assertTrue(topology.DIFFERENT_SUBNETS_SAME_HOST.routed)


class PlacementTest(base.TestCase):

    def setUp(self):
        super(PlacementTest, self).setUp()
        self.plan = topology.plan(['direct'])
        self.wanted = {topology.HOST1: 'compute1', topology.HOST2: 'compute2'}

    def test_all_where_planned(self):
        actual = {'direct-a': 'compute1', 'direct-b': 'compute1',
                  'direct-c': 'compute2', 'direct-d': 'compute1'}
        self.assertEqual([], topology.placement_errors(
            self.plan.vms, self.wanted, actual))

    def test_misplaced_vm_is_named(self):
        actual = {'direct-a': 'compute1', 'direct-b': 'compute1',
                  'direct-c': 'compute1', 'direct-d': 'compute1'}
        self.assertEqual(
            ['direct-c should be on compute2 (host2) but is on compute1'],
            topology.placement_errors(self.plan.vms, self.wanted, actual))


class IsolationAddressesTest(base.TestCase):

    def test_a_28_uses_its_last_three_hosts(self):
        # Tempest's default project subnets are /28: 14 hosts. The first
        # run against the lab indexed host 21 of one (IndexError).
        self.assertEqual(['10.100.0.12', '10.100.0.13', '10.100.0.14'],
                         topology.isolation_addresses('10.100.0.0/28'))

    def test_too_small_names_the_need(self):
        exc = self.assertRaises(ValueError, topology.isolation_addresses,
                                '10.100.0.0/30')
        self.assertIn('needs 4', str(exc))
