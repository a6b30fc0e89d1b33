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
"""The Zuul configuration in zuul.d, parsed and checked.

Structure that matters to users (the abstract SR-IOV job's settings, the
[sriov] test-config naming real options) is checked with PyYAML here; the
whole configuration is also checked against Zuul's own voluptuous schemas
(job, project) when Zuul is importable, as in ``tox -e zuul``.
"""

import glob
import json
import os
import re

import yaml

from sriov_tempest_plugin import config
from sriov_tempest_plugin.tests.unit import base

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..',
                                    '..'))
# Jobs and templates that come from other projects (openstack-zuul-jobs,
# devstack, tempest, zuul-jobs).
UPSTREAM = {'base', 'openstack-tox', 'devstack-tempest'}
UPSTREAM_TEMPLATES = {'openstack-python3-jobs', 'publish-openstack-docs-pti'}
# What the abstract job's Jinja variables stand for in a real CI.
SAMPLE_VARS = {'sriov_physical_network': 'physnet1',
               'sriov_pci_vendor_id': '8086',
               'sriov_pci_product_id': '10ed',
               'sriov_pf_interface': 'ens1f0',
               'sriov_vlan_range': '100:199',
               'sriov_port_speed_gbps': '10'}


def load_zuul_config():
    items = []
    for path in sorted(glob.glob(os.path.join(ROOT, 'zuul.d', '*.yaml'))):
        with open(path) as handle:
            items.extend(yaml.safe_load(handle))
    return items


def render(text):
    """Fill the abstract job's ``{{ var }}`` placeholders with samples."""
    return re.sub(r'\{\{\s*(\w+)\s*\}\}',
                  lambda m: SAMPLE_VARS[m.group(1)], text)


class ZuulConfigTest(base.TestCase):

    def setUp(self):
        super(ZuulConfigTest, self).setUp()
        self.items = load_zuul_config()
        self.jobs = {i['job']['name']: i['job'] for i in self.items
                     if 'job' in i}
        self.projects = [i['project'] for i in self.items if 'project' in i]

    def _job(self, name):
        return self.jobs[name]

    def test_every_item_is_a_known_kind(self):
        kinds = {list(i)[0] for i in self.items}
        self.assertTrue(kinds <= {'job', 'project', 'nodeset'}, kinds)
        self.assertEqual(1, len(self.projects))

    def test_pipelines_run_jobs_that_exist(self):
        project = self.projects[0]
        self.assertEqual(UPSTREAM_TEMPLATES, set(project['templates']))
        for pipeline in ('check', 'gate'):
            for job in project[pipeline]['jobs']:
                name = job if isinstance(job, str) else list(job)[0]
                self.assertIn(name, self.jobs)
        self.assertIn('sriov-tempest-plugin-lab',
                      project['gate']['jobs'])

    def test_parents_exist(self):
        for name, job in self.jobs.items():
            parent = job.get('parent')
            self.assertTrue(parent in self.jobs or parent in UPSTREAM,
                            '%s has unknown parent %s' % (name, parent))

    def test_playbooks_exist_and_parse(self):
        for job in self.jobs.values():
            for key in ('pre-run', 'run', 'post-run'):
                value = job.get(key)
                for path in ([value] if isinstance(value, str)
                             else value or []):
                    full = os.path.join(ROOT, path)
                    self.assertTrue(os.path.exists(full), path)
                    with open(full) as handle:
                        self.assertIsInstance(yaml.safe_load(handle), list)

    def test_devstack_job_cleans_up_in_post_run(self):
        job = self._job('sriov-tempest-plugin-base')
        post = job['post-run']
        self.assertEqual('playbooks/sriov-cleanup.yaml', post)
        with open(os.path.join(ROOT, post)) as f:
            text = f.read()
        self.assertIn('sriov-tempest-cleanup', text)
        self.assertIn('tempest/etc/tempest.conf', text)

    def test_lab_job_runs_readme_command_one(self):
        with open(os.path.join(ROOT, 'playbooks', 'lab', 'run.yaml')) as f:
            text = f.read()
        self.assertIn('tools/lab-suite.sh', text)
        self.assertTrue(os.access(os.path.join(ROOT, 'tools',
                                               'lab-suite.sh'), os.X_OK))
        with open(os.path.join(ROOT, 'README.rst')) as f:
            self.assertTrue('tools/lab-suite.sh' in f.read(),
                            'README.rst does not name tools/lab-suite.sh')

    def test_lab_jobs_pass_options_lab_suite_knows(self):
        with open(os.path.join(ROOT, 'tools', 'lab-suite.sh')) as f:
            script = f.read()
        lab_jobs = [n for n in self.jobs if n.startswith(
            'sriov-tempest-plugin-lab')]
        self.assertIn('sriov-tempest-plugin-lab-ovn', lab_jobs)
        for name in lab_jobs:
            args = self.jobs[name].get('vars', {}).get('lab_suite_args')
            self.assertIsInstance(args, list, name)
            for arg in args:
                if arg.startswith('--'):
                    self.assertIn('        %s)' % arg, script,
                                  '%s: lab-suite.sh has no %s' % (name, arg))

    def test_tox_envs_of_the_tox_jobs_exist(self):
        with open(os.path.join(ROOT, 'tox.ini')) as f:
            tox = f.read()
        for job in self.jobs.values():
            env = job.get('vars', {}).get('tox_envlist')
            if env and job.get('parent') == 'openstack-tox':
                self.assertIn('[testenv:%s]' % env, tox)

    def test_abstract_job_is_serial_and_runs_the_sriov_regex(self):
        job = self._job('sriov-tempest-plugin-base')
        self.assertTrue(job['abstract'])
        self.assertEqual('devstack-tempest', job['parent'])
        v = job['vars']
        self.assertEqual(1, v['tempest_concurrency'])
        self.assertEqual('sriov', v['tempest_test_regex'])
        self.assertEqual(['sriov-tempest-plugin'], v['tempest_plugins'])

    def test_abstract_job_configures_ml2_and_both_agents(self):
        job = self._job('sriov-tempest-plugin-base')
        rc = job['vars']['devstack_localrc']
        self.assertEqual(['openvswitch', 'sriovnicswitch'],
                         rc['Q_ML2_PLUGIN_MECHANISM_DRIVERS'].split(','))
        self.assertIn('vlan', rc['Q_ML2_PLUGIN_TYPE_DRIVERS'].split(','))
        self.assertEqual('physnet1:100:199', render(rc['ML2_VLAN_RANGES']))
        self.assertEqual('ens1f0', render(rc['PHYSICAL_INTERFACE']))
        for services in (job['vars']['devstack_services'],
                         job['group-vars']['subnode']['devstack_services']):
            self.assertTrue(services['q-sriov-agt'])
            self.assertTrue(services['q-agt'])
        sub_rc = job['group-vars']['subnode']['devstack_localrc']
        self.assertEqual('ens1f0', render(sub_rc['PHYSICAL_INTERFACE']))

    def test_nova_pci_and_scheduler(self):
        job = self._job('sriov-tempest-plugin-base')
        for conf in (job['vars']['devstack_local_conf'],
                     job['group-vars']['subnode']['devstack_local_conf']):
            pci = conf['post-config']['$NOVA_CONF']['pci']
            spec = json.loads(render(pci['device_spec']))
            self.assertEqual({'vendor_id': '8086', 'product_id': '10ed',
                              'physical_network': 'physnet1'}, spec)
        nova = job['vars']['devstack_local_conf']['post-config']['$NOVA_CONF']
        alias = json.loads(render(nova['pci']['alias']))
        self.assertEqual('type-VF', alias['device_type'])
        filters = nova['filter_scheduler']['enabled_filters'].replace(
            ' ', '').split(',')
        self.assertIn('PciPassthroughFilter', filters)
        self.assertIn('ComputeFilter', filters)

    def test_test_config_names_real_sriov_options(self):
        known = {opt.name for opt in config.sriov_opts}
        for name, job in self.jobs.items():
            conf = job.get('vars', {}).get('devstack_local_conf', {})
            sriov = conf.get('test-config', {}).get(
                '$TEMPEST_CONFIG', {}).get('sriov', {})
            unknown = set(sriov) - known
            self.assertEqual(set(), unknown, '%s: [sriov] %s are not '
                             'options of the plugin' % (name, unknown))
            if 'vnic_type' in sriov:
                self.assertIn(sriov['vnic_type'], config.SRIOV_VNIC_TYPES)


class ZuulSchemaTest(base.TestCase):
    """zuul.d against Zuul's own schemas (needs Zuul: tox -e zuul)."""

    def setUp(self):
        super(ZuulSchemaTest, self).setUp()
        try:
            from zuul import configloader
        except ImportError:
            self.skipTest('Zuul is not installed here; tox -e zuul runs '
                          'the schema check')
        import voluptuous
        self.configloader = configloader
        self.invalid = voluptuous.Invalid
        self.items = load_zuul_config()

    def test_jobs_and_project_match_zuuls_schema(self):
        project_schema = self.configloader.ProjectParser.__new__(
            self.configloader.ProjectParser).getSchema()
        checked = 0
        for item in self.items:
            (kind, body), = item.items()
            schema = {'job': self.configloader.JobParser.schema,
                      'project': project_schema}[kind]
            try:
                schema(body)
            except self.invalid as exc:
                self.fail('zuul.d %s %s: %s' % (kind, body.get('name', ''),
                                                exc))
            checked += 1
        self.assertEqual(len(self.items), checked)

    def test_the_schema_check_can_fail(self):
        job = dict(self.items[0]['job'], parnt='base')
        self.assertRaises(self.invalid, self.configloader.JobParser.schema,
                          job)
