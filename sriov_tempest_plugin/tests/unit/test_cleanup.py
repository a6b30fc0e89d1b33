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
"""sriov-tempest-cleanup: what a killed run left, found and deleted."""

import collections
import datetime
import io
import json

from sriov_tempest_plugin import cleanup
from sriov_tempest_plugin.cmd import cleanup as cmd
from sriov_tempest_plugin.tests.unit import base

FAMILIES = ('SriovConnectivityTest', 'SriovDatapathLayoutTest',
            'SriovFleetTest', 'SriovQosTest', 'SriovThroughputTest',
            'SriovVfBehaviourTest', 'SriovVlanIsolationTest')
OWN = cleanup.Ownership('tempest', FAMILIES)
UTC = datetime.timezone.utc


def listing(name):
    return json.loads(base.fixture(name))


def counts(items):
    return dict(collections.Counter(i.kind for i in items))


class TestOwnership(base.TestCase):

    def test_the_suites_names(self):
        self.assertTrue(OWN.resource(
            'tempest-sriov-SriovConnectivityTest-direct-a-1325446390'))
        self.assertTrue(OWN.project('tempest-SriovConnectivityTest-4904985'))
        self.assertTrue(OWN.user(
            'tempest-SriovConnectivityTest-490498536-project-member'))
        self.assertTrue(OWN.user(
            'tempest-SriovVlanIsolationTest-12-project-admin'))

    def test_not_other_suites_or_the_cloud(self):
        for name in ('tempest-TestServerBasicOps-server-123',
                     'tempest-sriov-SomeoneElsesTest-vm-1',
                     'tempest-SriovConnectivityTestX-12',
                     'tempest-TestNetworkBasicOps-1234',
                     'public', 'admin', 'service', 'nova', 'default', '',
                     None, 'mysriov-SriovConnectivityTest-vm-1'):
            self.assertFalse(OWN.resource(name), name)
            self.assertFalse(OWN.project(name), name)
            self.assertFalse(OWN.user(name), name)

    def test_prefix_is_tempests_resource_name_prefix(self):
        own = cleanup.Ownership('ci', FAMILIES)
        self.assertTrue(own.resource('ci-sriov-SriovThroughputTest-sg-1'))
        self.assertFalse(own.resource(
            'tempest-sriov-SriovThroughputTest-sg-1'))
        self.assertEqual('ci-sriov-*', own.resource_glob)

    def test_no_families_is_an_error(self):
        self.assertRaises(ValueError, cleanup.Ownership, 'tempest', ())


class TestPlan(base.TestCase):

    def test_killed_mid_boot(self):
        items = cleanup.plan(OWN, listing('cloud-killed-mid-boot.json'))
        # What the lab's own listing (python3 -m lab leftovers) counted
        # beyond lab up: 27 = these, the keypair, and the 3 router ports
        # that go with the router's interfaces and gateway.
        self.assertEqual({'server': 6, 'router_interface': 2,
                          'router_gateway': 1, 'router': 1, 'port': 6,
                          'subnet': 2, 'network': 2, 'security_group': 2,
                          'keypair': 1, 'project': 2, 'user': 2},
                         counts(items))

    def test_killed_after_boot_has_floating_ips(self):
        items = cleanup.plan(OWN, listing('cloud-killed-after-boot.json'))
        self.assertEqual(8, counts(items)['floatingip'])
        self.assertEqual(8, counts(items)['server'])
        self.assertEqual(8, counts(items)['port'])

    def test_order(self):
        items = cleanup.plan(OWN, listing('cloud-killed-after-boot.json'))
        ranks = [cleanup.ORDER.index(i.kind) for i in items]
        self.assertEqual(sorted(ranks), ranks)
        self.assertEqual('server', items[0].kind)
        self.assertEqual('user', items[-1].kind)

    def test_never_the_clouds_own(self):
        doc = listing('cloud-killed-after-boot.json')
        items = cleanup.plan(OWN, doc)
        planned = {i.id for i in items}
        lab = ([n['id'] for n in doc['networks'] if n['name'] == 'public'] +
               [p['id'] for p in doc['projects']
                if p['name'] in ('admin', 'service')] +
               [u['id'] for u in doc['users']
                if not u['name'].startswith('tempest-')])
        self.assertEqual(8, len(lab))
        self.assertFalse(planned & set(lab))
        # admin's own default security group stays; the dynamic project's
        # goes with it.
        admin = [p['id'] for p in doc['projects'] if p['name'] == 'admin']
        for group in doc['security_groups']:
            mine = group['project_id'] in admin
            self.assertEqual(not mine, group['id'] in planned,
                             group['name'])

    def test_qos_policy_after_the_ports_that_use_it(self):
        doc = listing('cloud-killed-after-boot.json')
        doc['qos_policies'] = [
            {'id': 'q1', 'name': 'tempest-sriov-SriovThroughputTest-qos-1',
             'project_id': 'admin-project'},
            {'id': 'q2', 'name': 'operators-policy',
             'project_id': 'admin-project'}]
        items = cleanup.plan(OWN, doc)
        kinds = [i.kind for i in items]
        self.assertEqual(['q1'], [i.id for i in items
                                  if i.kind == 'qos_policy'])
        self.assertLess(max(i for i, k in enumerate(kinds) if k == 'port'),
                        kinds.index('qos_policy'))

    def test_router_ports_go_through_the_router(self):
        items = cleanup.plan(OWN, listing('cloud-killed-mid-boot.json'))
        ports = {i.id for i in items if i.kind == 'port'}
        doc = listing('cloud-killed-mid-boot.json')
        router_ports = {p['id'] for p in doc['ports']
                        if p['device_owner'].startswith('network:')}
        self.assertEqual(3, len(router_ports))
        self.assertFalse(ports & router_ports)
        subnets = {i.extra['subnet_id'] for i in items
                   if i.kind == 'router_interface'}
        self.assertEqual({i.id for i in items if i.kind == 'subnet'},
                         subnets)

    def test_nothing_left_plans_nothing(self):
        doc = listing('cloud-killed-after-boot.json')
        ours = {i.id for i in cleanup.plan(OWN, doc)}
        rest = {key: [r for r in value if r.get('id') not in ours]
                for key, value in doc.items() if key != 'keypairs'}
        rest['ports'] = [p for p in rest['ports']
                         if not p['device_owner'].startswith('network:')]
        self.assertEqual([], cleanup.plan(OWN, rest))

    def test_summary_and_describe(self):
        items = cleanup.plan(OWN, listing('cloud-killed-mid-boot.json'))
        self.assertTrue(cleanup.summary(items).startswith(
            '6 servers, 2 router_interfaces, 1 router_gateway, 1 router,'))
        self.assertEqual('nothing', cleanup.summary([]))
        self.assertEqual(len(items), len(cleanup.describe(items)))


class TestLeftovers(base.TestCase):

    def doc(self):
        return listing('cloud-killed-after-boot.json')

    def test_earlier_runs_servers_holding_vfs(self):
        doc = self.doc()
        started = datetime.datetime(2026, 11, 25, 20, 0, tzinfo=UTC)
        notes = cleanup.leftovers(OWN, doc['servers'], doc['ports'],
                                  doc['subnets'], started, '10.100.0.0/16')
        self.assertEqual(3, len(notes))
        self.assertIn('3 servers named tempest-sriov-* from an earlier run '
                      'hold VFs on compute1', notes[0])
        self.assertIn('1 server named tempest-sriov-* from an earlier run '
                      'holds VFs on compute2', notes[1])
        self.assertIn('2 subnets named tempest-sriov-* from an earlier run '
                      'take 10.100.0.0/28, 10.100.0.16/28', notes[2])
        hint = cleanup.leftovers_hint(notes)
        self.assertEqual(1, hint.count('run sriov-tempest-cleanup'))
        self.assertTrue(hint.startswith(notes[0] + '; ' + notes[1]))
        self.assertEqual('', cleanup.leftovers_hint([]))

    def test_this_runs_own_are_not_leftovers(self):
        doc = self.doc()
        started = datetime.datetime(2026, 11, 25, 19, 30, tzinfo=UTC)
        self.assertEqual([], cleanup.leftovers(
            OWN, doc['servers'], doc['ports'], doc['subnets'], started,
            '10.100.0.0/16'))

    def test_normal_ports_hold_no_vfs(self):
        doc = self.doc()
        for port in doc['ports']:
            port['binding:vnic_type'] = 'normal'
        started = datetime.datetime(2026, 11, 25, 20, 0, tzinfo=UTC)
        notes = cleanup.leftovers(OWN, doc['servers'], doc['ports'], [],
                                  started, None)
        self.assertEqual([], notes)


class FakeCloud(object):

    def __init__(self, doc, stuck=(), refuse=()):
        self.doc = doc
        self.deleted = []
        self.stuck = set(stuck)
        self.refuse = set(refuse)
        self.polls = 0

    def listing(self):
        return self.doc

    def delete(self, item):
        if item.id in self.refuse:
            raise RuntimeError('Conflict: still in use')
        self.deleted.append((item.kind, item.id))

    def server_gone(self, server_id):
        self.polls += 1
        return server_id not in self.stuck


class TestRun(base.TestCase):

    def run_cleanup(self, cloud, dry_run=False, timeout=60):
        out = io.StringIO()
        clock = base.FakeClock()
        rc = cmd.run(cloud, OWN, dry_run, timeout, out=out, clock=clock,
                     sleep=clock.sleep)
        return rc, out.getvalue(), clock

    def test_deletes_in_order(self):
        cloud = FakeCloud(listing('cloud-killed-after-boot.json'))
        rc, out, _ = self.run_cleanup(cloud)
        self.assertEqual(0, rc)
        kinds = [k for k, _ in cloud.deleted]
        self.assertEqual(sorted(kinds, key=cleanup.ORDER.index), kinds)
        self.assertEqual(39, len(cloud.deleted))
        self.assertIn('deleted 8 servers, 8 floatingips', out)

    def test_dry_run_deletes_nothing(self):
        cloud = FakeCloud(listing('cloud-killed-mid-boot.json'))
        rc, out, _ = self.run_cleanup(cloud, dry_run=True)
        self.assertEqual(0, rc)
        self.assertEqual([], cloud.deleted)
        self.assertIn('dry run: nothing deleted', out)
        self.assertIn('server           832e5490', out)

    def test_nothing_left(self):
        cloud = FakeCloud({'projects': [{'id': 'p', 'name': 'admin'}]})
        rc, out, _ = self.run_cleanup(cloud)
        self.assertEqual(0, rc)
        self.assertIn('nothing of the SR-IOV suite (tempest-sriov-*) is '
                      'left', out)

    def test_server_wait_is_bounded(self):
        doc = listing('cloud-killed-mid-boot.json')
        stuck = doc['servers'][0]['id']
        cloud = FakeCloud(doc, stuck=[stuck])
        rc, out, clock = self.run_cleanup(cloud, timeout=30)
        self.assertEqual(1, rc)
        self.assertLessEqual(clock.now, 32)
        self.assertIn('1 server(s) still there 30 s after delete: %s'
                      % stuck, out)
        # Nothing a live server holds is touched; key pairs still go.
        self.assertEqual({'server', 'keypair'},
                         {k for k, _ in cloud.deleted})

    def test_a_refused_delete_is_named_and_the_rest_goes_on(self):
        doc = listing('cloud-killed-mid-boot.json')
        network = [n for n in doc['networks']
                   if n['name'].startswith('tempest-sriov-')][0]
        cloud = FakeCloud(doc, refuse=[network['id']])
        rc, out, _ = self.run_cleanup(cloud)
        self.assertEqual(1, rc)
        self.assertIn('could not delete 1:', out)
        self.assertIn('network %s (%s): Conflict: still in use'
                      % (network['id'], network['name']), out)
        self.assertIn('user', {k for k, _ in cloud.deleted})

    def test_missing_config_file(self):
        err = io.StringIO()
        self.useFixture(self._stderr(err))
        self.assertEqual(2, cmd.main(['--config-file', '/nonexistent.conf']))
        self.assertIn('/nonexistent.conf: no such file', err.getvalue())

    @staticmethod
    def _stderr(stream):
        import fixtures
        return fixtures.MonkeyPatch('sys.stderr', stream)


class TestFamilies(base.TestCase):

    def test_every_family_is_found(self):
        from sriov_tempest_plugin.tests.scenario import base as scenario
        self.assertEqual(set(FAMILIES), scenario.families())
