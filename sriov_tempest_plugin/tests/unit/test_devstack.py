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
"""devstack/plugin.sh run by bash with devstack's functions stubbed."""

import os
import subprocess

import fixtures

from sriov_tempest_plugin import config
from sriov_tempest_plugin.tests.unit import base

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..',
                                    '..'))

# Stand-ins for what devstack defines before it sources a plugin: iniset
# records its arguments one per line, tab-separated.
STUBS = r'''
set -eu
function iniset { printf '%s\t%s\t%s\t%s\n' "$@" >> "$INISET_LOG"; }
function is_service_enabled {
    local s; for s in "$@"; do
        [[ ",$ENABLED_SERVICES," == *",$s,"* ]] && return 0
    done; return 1
}
function echo_summary { echo "$@"; }
TEMPEST_CONFIG=/opt/stack/tempest/etc/tempest.conf
'''


class DevstackPluginTest(base.TestCase):

    def setUp(self):
        super(DevstackPluginTest, self).setUp()
        self.dir = self.useFixture(fixtures.TempDir()).path
        self.log = os.path.join(self.dir, 'iniset.log')

    def _run(self, phase=('stack', 'test-config'), **env):
        environ = {'PATH': os.environ.get('PATH', '/usr/bin:/bin'),
                   'INISET_LOG': self.log,
                   'ENABLED_SERVICES': 'key,n-api,q-svc,tempest',
                   'DEST': '/opt/stack'}
        environ.update(env)
        script = STUBS + ('source %s/devstack/settings\n'
                          'source %s/devstack/plugin.sh %s\n'
                          % (ROOT, ROOT, ' '.join(phase)))
        proc = subprocess.run(['bash', '-c', script], env=environ,
                              capture_output=True, text=True, timeout=30)
        self.assertEqual(0, proc.returncode, proc.stderr)
        written = {}
        if os.path.exists(self.log):
            with open(self.log) as handle:
                for line in handle.read().splitlines():
                    path, section, key, value = line.split('\t')
                    self.assertEqual('/opt/stack/tempest/etc/tempest.conf',
                                     path)
                    self.assertEqual('sriov', section)
                    written[key] = value
        return written

    def test_defaults_from_a_devstack_deployment(self):
        written = self._run(PHYSICAL_NETWORK='sriovnet')
        self.assertEqual({'physical_network': 'sriovnet',
                          'vnic_type': 'direct',
                          'port_speed_gbps': '10',
                          'results_dir': '/opt/stack/logs/sriov-results',
                          'host_command_prefix': 'sudo',
                          'libvirt_checks': 'True'}, written)

    def test_physnet1_without_devstack_physical_network(self):
        self.assertEqual('physnet1', self._run()['physical_network'])

    def test_every_option_can_be_set(self):
        written = self._run(SRIOV_MARGIN_OVER_NORMAL='0.6',
                            SRIOV_COMPUTE_HOSTS='cmp1,cmp2',
                            SRIOV_LINE_RATE_FRACTION='0.95',
                            SRIOV_BASELINE_RESULTS='/srv/accepted.json',
                            SRIOV_LOGDIR_IS_NOT_AN_OPTION='x',
                            LOGDIR='/var/log/stack')
        self.assertEqual('0.6', written['margin_over_normal'])
        self.assertEqual('cmp1,cmp2', written['compute_hosts'])
        self.assertEqual('0.95', written['line_rate_fraction'])
        self.assertEqual('/srv/accepted.json', written['baseline_results'])
        self.assertEqual('/var/log/stack/sriov-results',
                         written['results_dir'])
        self.assertNotIn('logdir_is_not_an_option', written)

    def test_values_reach_iniset_as_one_argument(self):
        prefix = 'sudo podman exec openvswitch; echo $(id)'
        written = self._run(SRIOV_HOST_COMMAND_PREFIX=prefix)
        self.assertEqual(prefix, written['host_command_prefix'])

    def test_no_libvirt_checks_on_other_virt_drivers(self):
        self.assertEqual('False',
                         self._run(VIRT_DRIVER='ironic')['libvirt_checks'])

    def test_other_phases_write_nothing(self):
        for phase in (('stack', 'install'), ('stack', 'post-config'),
                      ('stack', 'extra'), ('unstack',), ('clean',)):
            self.assertEqual({}, self._run(phase))

    def test_nothing_without_tempest(self):
        self.assertEqual({}, self._run(ENABLED_SERVICES='key,n-api'))

    def test_option_list_is_the_plugins(self):
        script = 'source %s/devstack/settings; echo $SRIOV_TEMPEST_OPTIONS' \
            % ROOT
        out = subprocess.run(['bash', '-c', script], capture_output=True,
                             text=True, timeout=30, check=True).stdout
        self.assertEqual([opt.name for opt in config.sriov_opts],
                         out.split())
