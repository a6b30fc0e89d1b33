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
"""The guest image's boot check (tools/check-guest-image.py), its pure parts.

The boot itself runs in .ci/run and in the guest image Zuul job; here: the
NoCloud seed gives the key only in meta-data and the pair's addresses only
in network-config, the goodput is read from real iperf3 output, and the
image, the check and the devstack plugin name the same SSH user.
"""

import importlib.util
import json
import os
import re
import subprocess

from sriov_tempest_plugin.tests.unit import base

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..',
                                    '..'))
FIXTURES = os.path.join(os.path.dirname(__file__), 'fixtures')


def load_check():
    path = os.path.join(ROOT, 'tools', 'check-guest-image.py')
    spec = importlib.util.spec_from_file_location('check_guest_image', path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class GuestImageCheckTest(base.TestCase):

    def setUp(self):
        super(GuestImageCheckTest, self).setUp()
        self.check = load_check()

    def test_key_only_in_meta_data(self):
        files = self.check.seed_files('guest-a', 'ssh-ed25519 AAAAkey x')
        self.assertEqual({'meta-data', 'user-data'}, set(files))
        meta = json.loads(files['meta-data'])
        self.assertEqual(['ssh-ed25519 AAAAkey x'], meta['public-keys'])
        self.assertEqual('iid-guest-a', meta['instance-id'])
        self.assertNotIn('AAAAkey', files['user-data'])

    def test_pair_addresses_only_from_network_config(self):
        files = self.check.seed_files('guest-b', 'ssh-ed25519 K', 2)
        net = json.loads(files['network-config'])
        pair = net['ethernets']['pair']
        self.assertEqual({'macaddress': '52:54:00:77:00:02'}, pair['match'])
        self.assertEqual(['192.168.77.2/24'], pair['addresses'])
        self.assertTrue(net['ethernets']['nic0']['dhcp4'])

    def test_goodput_from_real_iperf3_output(self):
        with open(os.path.join(FIXTURES, 'iperf3-3.12-1stream.json')) as f:
            out = f.read()
        want = json.loads(out)['end']['sum_received']['bits_per_second']
        self.assertAlmostEqual(want / 1e9, self.check.iperf_gbps(out))

    def test_image_check_and_devstack_name_one_user(self):
        cfg = os.path.join(ROOT, 'tools', 'guest-image', 'files', 'etc',
                           'cloud', 'cloud.cfg.d', '90-sriov-guest.cfg')
        with open(cfg) as f:
            image_user = re.search(r'default_user:\s*\n\s*name: (\S+)',
                                   f.read()).group(1)
        script = ('source %s/devstack/settings; echo $SRIOV_GUEST_IMAGE_USER'
                  % ROOT)
        devstack_user = subprocess.run(
            ['bash', '-c', 'function trueorfalse { echo True; }; ' + script],
            capture_output=True, text=True, timeout=30,
            check=True).stdout.strip()
        self.assertEqual(image_user, self.check.USER)
        self.assertEqual(image_user, devstack_user)
