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
# records its arguments one per line, tab-separated; sudo, upload_image and
# the openstack client record theirs in CALLS_LOG. The cloud's answers: an
# image id once upload_image ran, a flavor once created (or FLAVOR_EXISTS).
STUBS = r'''
set -eu
function iniset { printf '%s\t%s\t%s\t%s\n' "$@" >> "$INISET_LOG"; }
function _call { echo "$*" >> "$CALLS_LOG"; }
function sudo { _call sudo "$@"; }
function upload_image { _call upload_image "$@"; touch "$CALLS_LOG.uploaded"; }
function openstack {
    _call openstack "$@"
    case "$*" in
        *"image list"*)
            if [[ -f "$CALLS_LOG.uploaded" && -z "${GLANCE_LOSES_IT:-}" ]]
            then echo 6d1c7a0e-image; fi ;;
        *"flavor create"*) touch "$CALLS_LOG.flavor" ;;
        *"flavor show"*)
            [[ -f "$CALLS_LOG.flavor" || -n "${FLAVOR_EXISTS:-}" ]] || return 1
            [[ "$*" != *"-c id"* ]] || echo f1a7-flavor ;;
    esac
}
function trueorfalse {
    local value=${!2:-$1}
    case "${value,,}" in 1|t|true|y|yes|on) echo True ;; *) echo False ;; esac
}
function die { shift; echo "$*" >&2; exit 1; }
FILES=$DEST/devstack/files
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
        self.calls_log = os.path.join(self.dir, 'calls.log')

    def calls(self):
        if not os.path.exists(self.calls_log):
            return []
        with open(self.calls_log) as handle:
            return handle.read().splitlines()

    def _run(self, phase=('stack', 'test-config'), expect_rc=0, **env):
        environ = {'PATH': os.environ.get('PATH', '/usr/bin:/bin'),
                   'INISET_LOG': self.log,
                   'CALLS_LOG': self.calls_log,
                   'ENABLED_SERVICES': 'key,n-api,q-svc,tempest',
                   'DEST': self.dir}
        environ.update(env)
        script = STUBS + ('source %s/devstack/settings\n'
                          'source %s/devstack/plugin.sh %s\n'
                          % (ROOT, ROOT, ' '.join(phase)))
        proc = subprocess.run(['bash', '-c', script], env=environ,
                              capture_output=True, text=True, timeout=30)
        self.assertEqual(expect_rc, proc.returncode, proc.stderr)
        self.stderr = proc.stderr
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
                          'image_ref': '6d1c7a0e-image',
                          'flavor_ref': 'f1a7-flavor',
                          'image_ssh_user': 'debian',
                          'port_speed_gbps': '10',
                          'results_dir': self.dir + '/logs/sriov-results',
                          'host_command_prefix': 'sudo',
                          'libvirt_checks': 'True'}, written)

    def test_guest_image_built_uploaded_and_a_flavor_made(self):
        self._run()
        image = self.dir + '/devstack/files/sriov-guest.qcow2'
        calls = self.calls()
        self.assertEqual(
            'sudo %s/tools/build-guest-image.sh --output %s --mirror '
            'http://deb.debian.org/debian' % (ROOT, image), calls[0])
        self.assertEqual('upload_image file://' + image, calls[1])
        self.assertIn('openstack --os-cloud devstack-admin flavor create '
                      '--vcpus 2 --ram 1024 --disk 4 sriov.guest', calls)

    def test_guest_image_already_built_is_not_built_again(self):
        os.makedirs(self.dir + '/devstack/files')
        image = self.dir + '/devstack/files/sriov-guest.qcow2'
        open(image, 'w').close()
        written = self._run(FLAVOR_EXISTS='1')
        calls = self.calls()
        self.assertEqual('upload_image file://' + image, calls[0])
        self.assertFalse([c for c in calls if c.startswith('sudo')])
        self.assertFalse([c for c in calls if 'flavor create' in c])
        self.assertEqual('f1a7-flavor', written['flavor_ref'])

    def test_guest_image_downloaded_from_a_url(self):
        url = 'https://images.example.org/sriov-guest.qcow2'
        self._run(SRIOV_GUEST_IMAGE_URL=url)
        calls = self.calls()
        self.assertEqual('upload_image ' + url, calls[0])
        self.assertFalse([c for c in calls if c.startswith('sudo')])

    def test_given_image_and_flavor_are_kept(self):
        written = self._run(SRIOV_IMAGE_REF='my-image',
                            SRIOV_IMAGE_SSH_USER='ubuntu',
                            SRIOV_FLAVOR_REF='42')
        self.assertEqual([], self.calls())
        self.assertEqual(('my-image', 'ubuntu', '42'),
                         (written['image_ref'], written['image_ssh_user'],
                          written['flavor_ref']))

    def test_given_flavor_is_kept_with_the_built_image(self):
        written = self._run(SRIOV_FLAVOR_REF='42')
        self.assertFalse([c for c in self.calls() if 'flavor' in c])
        self.assertEqual('42', written['flavor_ref'])
        self.assertEqual('6d1c7a0e-image', written['image_ref'])

    def test_no_guest_image_when_turned_off(self):
        written = self._run(SRIOV_GUEST_IMAGE='False')
        self.assertEqual([], self.calls())
        self.assertNotIn('image_ref', written)
        self.assertNotIn('flavor_ref', written)

    def test_image_missing_after_upload_stops_the_stack(self):
        self._run(expect_rc=1, GLANCE_LOSES_IT='1')
        self.assertIn('sriov-guest is not in Glance after upload_image',
                      self.stderr)

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
        self.assertEqual([], self.calls())

    def test_nothing_without_tempest(self):
        self.assertEqual({}, self._run(ENABLED_SERVICES='key,n-api'))
        self.assertEqual([], self.calls())

    def test_option_list_is_the_plugins(self):
        script = 'source %s/devstack/settings; echo $SRIOV_TEMPEST_OPTIONS' \
            % ROOT
        out = subprocess.run(['bash', '-c', script], capture_output=True,
                             text=True, timeout=30, check=True).stdout
        self.assertEqual([opt.name for opt in config.sriov_opts],
                         out.split())
