"""The guest plan: NICs, addresses and routes from Nova's network model."""

import unittest

from lab.virt import guest


def _vif(port_id, mac, subnets, mtu=1500):
    # The shape of nova.network.model.VIF as a driver sees it (dicts).
    return {'id': port_id, 'address': mac, 'type': 'ovs',
            'devname': 'tap' + port_id[:11],
            'network': {'id': 'net', 'bridge': 'br-int',
                        'meta': {'mtu': mtu},
                        'subnets': subnets}}


def _subnet(cidr, ips, gateway=None):
    return {'cidr': cidr, 'ips': [{'address': ip, 'type': 'fixed'}
                                  for ip in ips],
            'gateway': {'address': gateway, 'type': 'gateway'}
            if gateway else {'address': None}}


class InterfacePlanTest(unittest.TestCase):

    def test_one_nic_with_prefix_length_and_gateway(self):
        plan = guest.interface_plan([_vif(
            '6d86d453-f1a3-4e81-a8a7-65b10f29539f', 'fa:16:3e:17:fa:6a',
            [_subnet('10.100.0.16/28', ['10.100.0.20'], '10.100.0.17')])])
        self.assertEqual([('eth0', 'fa:16:3e:17:fa:6a', 1500,
                           ['10.100.0.20/28'], '10.100.0.17', False)], plan)

    def test_ipv6_subnets_are_left_out_and_mtu_is_the_networks(self):
        plan = guest.interface_plan([_vif(
            'a' * 36, 'fa:16:3e:00:00:01',
            [_subnet('fd00::/64', ['fd00::5'], 'fd00::1'),
             _subnet('192.0.2.0/24', ['192.0.2.5'])], mtu=1450)])
        self.assertEqual([('eth0', 'fa:16:3e:00:00:01', 1450,
                           ['192.0.2.5/24'], None, False)], plan)

    def test_second_nic_is_eth1(self):
        vifs = [_vif('a' * 36, 'fa:16:3e:00:00:01',
                     [_subnet('192.0.2.0/24', ['192.0.2.5'], '192.0.2.1')]),
                _vif('b' * 36, 'fa:16:3e:00:00:02',
                     [_subnet('198.51.100.0/24', ['198.51.100.7'],
                              '198.51.100.1')])]
        self.assertEqual(['eth0', 'eth1'],
                         [p[0] for p in guest.interface_plan(vifs)])


class AddressCommandsTest(unittest.TestCase):

    def test_nics_up_with_their_mac_and_no_address_of_their_own(self):
        plan = [guest.Nic('eth0', 'fa:16:3e:00:00:01', 1500,
                          ['192.0.2.5/24'], '192.0.2.1', False),
                guest.Nic('eth1', 'fa:16:3e:00:00:02', 1450,
                          ['198.51.100.7/24'], '198.51.100.1', True)]
        cmds = guest.address_commands('ns', plan)
        self.assertIn(['ip', '-n', 'ns', 'link', 'set', 'eth1', 'address',
                       'fa:16:3e:00:00:02', 'mtu', '1450', 'up'], cmds)
        # Addresses and routes are the DHCP client's.
        self.assertFalse([c for c in cmds if 'addr' in c or 'route' in c])

    def test_checksum_offload_is_off_before_the_link_is_up(self):
        cmds = guest.address_commands(
            'ns', [guest.Nic('eth0', 'fa:16:3e:00:00:01', 1500, [], None,
                             False)])
        off = cmds.index(['ip', 'netns', 'exec', 'ns', 'ethtool', '-K',
                          'eth0', 'tx', 'off'])
        up = next(i for i, c in enumerate(cmds) if c[-1] == 'up' and
                  'eth0' in c)
        self.assertLess(off, up)

    def test_a_vf_keeps_its_checksum_offload(self):
        vif = _vif('c' * 36, 'fa:16:3e:00:00:03',
                   [_subnet('192.0.2.0/24', ['192.0.2.9'])])
        vif['type'] = 'hw_veb'
        plan = guest.interface_plan([vif])
        self.assertTrue(plan[0].vf)
        cmds = guest.address_commands('ns', plan)
        self.assertFalse([c for c in cmds if 'ethtool' in c])


class SshdTest(unittest.TestCase):

    def test_config_keeps_keys_and_pid_in_the_guest_dir(self):
        text = guest.sshd_config('/lab/g/1')
        self.assertIn('AuthorizedKeysFile /lab/g/1/authorized_keys', text)
        self.assertIn('HostKey /lab/g/1/ssh_host_ed25519_key', text)
        self.assertIn('PasswordAuthentication no', text)

    def test_logins_get_the_lab_environment(self):
        self.assertNotIn('SetEnv', guest.sshd_config('/lab/g/1'))
        text = guest.sshd_config('/lab/g/1', {
            'PATH': '/repo/lab/guest-bin:/usr/bin', 'SRIOV_LAB_NIC_DIR': '/n'})
        self.assertIn('\nSetEnv "PATH=/repo/lab/guest-bin:/usr/bin" '
                      '"SRIOV_LAB_NIC_DIR=/n"\n', text)

    def test_daemons_start_in_the_guest_namespace(self):
        for cmd in guest.start_commands('sriovlab-vm-x', '/lab/g/x'):
            self.assertEqual(['setsid', '-f', 'ip', 'netns', 'exec',
                              'sriovlab-vm-x'], cmd[:6])

    def test_boot_has_its_own_tmp_run_and_resolv_conf(self):
        boot = guest.start_commands('sriovlab-vm-x', '/lab/g/x')[0]
        self.assertEqual(['unshare', '--mount', '--propagation', 'slave',
                          'sh', '-c'], boot[6:12])
        self.assertEqual(
            'mkdir -p /lab/g/x/run/netns && mount --rbind /run/netns '
            '/lab/g/x/run/netns && mount --rbind /lab/g/x/run /run && '
            'mkdir -p /run/sshd && '
            'mount --bind /lab/g/x/resolv.conf /etc/resolv.conf && '
            'mount --rbind /lab/g/x/tmp /tmp && exec /usr/sbin/sshd -f '
            '/lab/g/x/sshd_config -E /lab/g/x/sshd.log', boot[12])

    def test_a_lease_on_each_nic_before_sshd(self):
        boot = guest.start_commands('ns', '/lab/g/x', ['eth0', 'eth1'])[0]
        script = boot[12]
        eth0 = script.index('/sbin/udhcpc -b -i eth0 -p '
                            '/var/run/udhcpc.eth0.pid -s '
                            '/etc/udhcpc/default.script -O mtu')
        eth1 = script.index('-i eth1 -p /var/run/udhcpc.eth1.pid')
        self.assertLess(script.index('mount --rbind'), eth0)
        self.assertLess(eth0, eth1)
        self.assertLess(eth1, script.index('exec /usr/sbin/sshd'))
        # Its output is on the console; a client without a lease does not
        # stop the boot (-b, and ; not &&).
        self.assertIn('>>/lab/g/x/console.log 2>&1; ', script)

    def test_a_guest_dir_under_tmp_stays_reachable(self):
        boot = guest.start_commands('ns', '/tmp/ci/main/.lab/g/x')[0]
        self.assertTrue(boot[12].startswith(
            'mkdir -p /tmp/ci/main/.lab/g/x/tmp/ci && mount --bind /tmp/ci '
            '/tmp/ci/main/.lab/g/x/tmp/ci && mkdir -p '
            '/tmp/ci/main/.lab/g/x/run/netns && '), boot[12])
        self.assertIn('mount --rbind /tmp/ci/main/.lab/g/x/tmp /tmp && exec '
                      '/usr/sbin/sshd -f /tmp/ci/main/.lab/g/x/sshd_config',
                      boot[12])

    def test_console_log_names_nics_and_their_ports_addresses(self):
        text = guest.console_log('instance-1', 'ns', [
            guest.Nic('eth0', 'fa:16:3e:00:00:01', 1500, ['192.0.2.5/24'],
                      '192.0.2.1', False)])
        self.assertIn('eth0: mac fa:16:3e:00:00:01 mtu 1500, address by '
                      'DHCP (the port has 192.0.2.5/24)', text)


class PowerTest(unittest.TestCase):

    PLAN = [guest.Nic('eth0', 'fa:16:3e:00:00:01', 1500, ['192.0.2.5/24'],
                      '192.0.2.1', True),
            guest.Nic('eth1', 'fa:16:3e:00:00:02', 1500, ['198.51.100.7/24'],
                      None, False)]

    def test_off_takes_every_nic_down(self):
        self.assertEqual(
            [['ip', '-n', 'ns', 'link', 'set', 'eth0', 'down'],
             ['ip', '-n', 'ns', 'link', 'set', 'eth1', 'down']],
            guest.power_off_commands('ns', self.PLAN))

    def test_on_brings_them_up(self):
        self.assertEqual(
            [['ip', '-n', 'ns', 'link', 'set', 'eth0', 'up'],
             ['ip', '-n', 'ns', 'link', 'set', 'eth1', 'up']],
            guest.power_on_commands('ns', self.PLAN))
