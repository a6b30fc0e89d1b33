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
"""The guest and host clients, their SSH faked, on captured outputs."""

import types
import unittest
from unittest import mock

from tempest.lib import exceptions as lib_exc

from sriov_tempest_plugin.services import clients
from sriov_tempest_plugin.tests.unit import base

# The X710 VF of ip-link-i40e-vf-mac-set.txt, as a port of that MAC.
PORT = {'id': '3f1c9b2e-7a00-4b1e-9a0c-1d2e3f405162',
        'mac_address': 'fe:6c:b5:da:c7:7d'}


class FakeSsh(object):
    """What ``ssh.Client`` does: ``answers`` maps a command's last word
    to its output or to an exception to raise.
    """

    def __init__(self, answers, *args, **kwargs):
        self.answers = answers
        self.host = args[0] if args else None
        self.timeout = kwargs.get('timeout', 60)
        self.commands = []

    def exec_command(self, command):
        self.commands.append(command)
        for key, answer in self.answers.items():
            if key in command:
                if isinstance(answer, Exception):
                    raise answer
                return answer
        return ''


def guest(answers, vm_ip='10.99.0.1', no_lease=None):
    vm = types.SimpleNamespace(server={'name': 'srv-a'}, ip=vm_ip,
                               ssh_ip='172.24.4.10')
    client = clients.GuestClient(vm, 'debian', 'KEY', 'rsa', 30, 4,
                                 lambda: 'console of srv-a: (tail)',
                                 lambda: no_lease)
    fake = FakeSsh(answers, '172.24.4.10', timeout=30)

    def remote(timeout=None, via=None):
        return types.SimpleNamespace(exec_command=fake.exec_command,
                                     ip_address='172.24.4.10',
                                     ssh_client=fake)
    client.remote = remote
    return client, fake


class GuestClientTest(base.TestCase):

    def test_unreachable_guest_fails_with_its_console(self):
        client, _ = guest({'ip addr': lib_exc.SSHTimeout(
            host='172.24.4.10', user='debian', password=None)})
        exc = self.assertRaises(clients.Failure, client.interface)
        self.assertIsInstance(exc, AssertionError)
        self.assertIn('cannot SSH to guest srv-a (172.24.4.10) as debian',
                      str(exc))
        self.assertIn('[validation] connect_method', str(exc))
        self.assertIn('console of srv-a', str(exc))

    def test_a_guest_without_a_lease_fails_naming_dhcp(self):
        client, _ = guest({'ip addr': lib_exc.SSHTimeout(
            host='172.24.4.10', user='debian', password=None)},
            no_lease='guest srv-a got no DHCP lease: ...')
        exc = self.assertRaises(clients.Failure, client.interface)
        self.assertIn('cannot SSH to guest srv-a (172.24.4.10) as debian '
                      'within 30 s: guest srv-a got no DHCP lease', str(exc))
        # Not the SSH hints: SSH is not what failed.
        self.assertNotIn('[validation] connect_method', str(exc))
        self.assertIn('console of srv-a', str(exc))

    def test_interface_of_a_captured_ip_addr(self):
        client, _ = guest({'ip addr': base.fixture('ip-addr-netns-veth.txt')})
        self.assertEqual(('vfa', '62:ac:de:16:5d:98', 1500),
                         client.interface())

    def test_not_reaching_is_one_run_and_any_reply_fails(self):
        client, fake = guest({'ping': 'PING 10.0.0.9: 1 received'})
        exc = self.assertRaises(clients.Failure, client.ping, '10.0.0.9',
                                should_succeed=False, count=5, why='leak')
        self.assertIn('srv-a reaches 10.0.0.9, which it must not (5 echo '
                      'requests, at least one answered): leak', str(exc))
        self.assertEqual(1, len(fake.commands))

    def test_no_reply_passes_the_negative_check(self):
        client, _ = guest({'ping': lib_exc.SSHExecCommandFailed(
            command='ping', exit_status=1, stderr='', stdout='')})
        self.assertIsNone(client.ping('10.0.0.9', should_succeed=False))

    def test_ping_samples_keep_the_output_of_a_lossy_run(self):
        lossy = base.fixture('ping-iputils-partial-loss.txt')
        client, fake = guest({'ping': lib_exc.SSHExecCommandFailed(
            command='ping', exit_status=1, stderr='', stdout=lossy)})
        self.assertIn('packets transmitted', client.ping_samples(
            '10.0.0.9', 50))
        self.assertIn('ping -c 50 -i 0.2 -W 2 10.0.0.9', fake.commands[0])

    def test_a_command_that_overruns_its_bound_fails_naming_options(self):
        client, _ = guest({'iperf3': lib_exc.TimeoutException('slow')})
        exc = self.assertRaises(
            clients.Failure, client.run_bounded, 'iperf3 -c x', 22,
            'iperf3 from srv-a to x', '[sriov] iperf_duration')
        self.assertEqual('iperf3 from srv-a to x did not finish within 22 s '
                         '([sriov] iperf_duration)', str(exc))

    def test_a_guest_without_iperf3_fails_naming_the_image(self):
        client, _ = guest({'iperf3': lib_exc.SSHExecCommandFailed(
            command='iperf3', exit_status=1, stderr='', stdout='')})
        exc = self.assertRaises(clients.Failure, client.require_iperf3,
                                'img-1')
        self.assertIn('guest image img-1 has no iperf3 (guest srv-a): set '
                      '[sriov] image_ref', str(exc))

    def test_set_mac_hands_back_the_guest_error(self):
        client, _ = guest({'address': lib_exc.SSHExecCommandFailed(
            command='ip link', exit_status=2, stderr='RTNETLINK answers: '
            'Operation not permitted', stdout='')})
        self.assertIn('Operation not permitted',
                      client.set_mac('eth0', '02:00:00:00:00:01'))


class HostClientTest(base.TestCase):

    def host(self, answers, **flags):
        settings = self.settings(
            host_addresses='compute1:192.0.2.11', **flags)
        fake = FakeSsh(answers)
        patcher = mock.patch.object(clients.ssh, 'Client',
                                    lambda *a, **k: fake)
        patcher.start()
        self.addCleanup(patcher.stop)
        return clients.HostClient('compute1', settings), fake

    def test_a_host_not_configured_is_skipped_naming_the_option(self):
        client = clients.HostClient('compute9', self.settings(
            host_addresses='compute1:192.0.2.11'))
        exc = self.assertRaises(unittest.SkipTest, client.exec, 'true')
        self.assertIn('[sriov] host_addresses has no address for compute '
                      'host compute9', str(exc))

    def test_vf_seen_with_its_flags(self):
        client, _ = self.host({'ip': base.fixture(
            'ip-link-i40e-vf-mac-set.txt')})
        seen, problems = client.vf_state(PORT, 'port security on',
                                         spoofchk=True, trust=False)
        self.assertTrue(seen)
        self.assertEqual([], problems)

    def test_vf_flag_not_as_asked_is_a_problem(self):
        client, _ = self.host({'ip': base.fixture(
            'ip-link-i40e-vf-mac-set.txt')})
        problems = client.vf_findings(PORT, 'port security off',
                                      spoofchk=False)
        self.assertEqual(1, len(problems), problems)
        self.assertIn('spoof', problems[0])

    def test_a_host_that_lists_no_vf_lines_is_missing_not_as_asked(self):
        # Issue 23: a host whose ip link has no VF line never passes.
        client, _ = self.host(
            {'ip': base.fixture('ip-o-link-hybrid-plug.txt')})
        seen, problems = client.vf_state(PORT, 'port security on',
                                         spoofchk=True)
        self.assertFalse(seen)
        self.assertIn('on compute host compute1, ', problems[-1])
        self.assertIn('printed', problems[-1])
        exc = self.assertRaises(clients.Failure, client.wait_vf_flags, PORT,
                                'port security on', 0, spoofchk=True)
        self.assertIn('on compute host compute1', str(exc))

    def test_unreachable_host_fails_naming_the_options(self):
        client, _ = self.host({'ip': lib_exc.SSHTimeout(
            host='192.0.2.11', user='root', password=None)})
        exc = self.assertRaises(clients.Failure, client.run, 'ip_link')
        self.assertIn('cannot SSH to compute host compute1 at '
                      '192.0.2.11:22', str(exc))
        self.assertIn('Check [sriov] host_addresses, host_ssh_user and '
                      'host_ssh_key_path', str(exc))

    def test_a_failed_host_command_names_the_prefix(self):
        client, _ = self.host({'ip': lib_exc.SSHExecCommandFailed(
            command='ip', exit_status=1, stderr='sudo: a password is '
            'required', stdout='')})
        exc = self.assertRaises(clients.Failure, client.run, 'ip_link')
        self.assertIn('[sriov] host_command_prefix', str(exc))

    def test_said_keeps_the_last_lines(self):
        client = clients.HostClient('compute1', self.settings())
        text = client.said('ip -d link', '\n'.join(str(n) for n in range(20)))
        self.assertIn('(its last 15 lines)', text)
        self.assertTrue(text.endswith('\n'.join(str(n)
                                                for n in range(5, 20))))
        self.assertIn('(nothing)', client.said('ip -d link', ''))
