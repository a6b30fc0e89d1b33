"""The emulated card's firmware: its state, its faults and what it programs."""

import os
import tempfile
import unittest

from lab.nic import device as nic_device
from lab.nic import faults as nic_faults
from lab.nic import firmware as nic_firmware
from lab.nic import iproute as nic_iproute
from lab.nic import state as nic_state
from lab.nic import switch as nic_switch
from lab.nic import veb as nic_veb


class AddressTest(unittest.TestCase):

    def test_82599_vf_addresses(self):
        # lspci on a 82599 with 8 VFs on PF 0000:81:00.0 shows the VFs at
        # 81:10.0, 10.2, 10.4, 10.6, 11.0, 11.2, 11.4, 11.6.
        self.assertEqual(
            ['0000:81:10.0', '0000:81:10.2', '0000:81:10.4', '0000:81:10.6',
             '0000:81:11.0', '0000:81:11.2', '0000:81:11.4', '0000:81:11.6'],
            [nic_device.vf_pci_address('0000:81:00.0', i) for i in range(8)])

    def test_second_port_of_the_card(self):
        self.assertEqual('0000:81:10.1',
                         nic_device.vf_pci_address('0000:81:00.1', 0))


class ReportTest(unittest.TestCase):

    def setUp(self):
        self.card = nic_device.spec('0000:81:00.0', 2, 'physnet1', 1000)

    def test_nova_report_has_pf_and_vfs_with_parent(self):
        devs = nic_device.pci_passthrough_devices(self.card)
        self.assertEqual(['type-PF', 'type-VF', 'type-VF'],
                         [d['dev_type'] for d in devs])
        self.assertEqual({'0000:81:00.0'},
                         {d['parent_addr'] for d in devs[1:]})
        self.assertEqual(('8086', '10ed'), (devs[1]['vendor_id'],
                                            devs[1]['product_id']))

    def test_device_spec_lists_vfs_by_address_on_the_physnet(self):
        self.assertEqual(
            [{'address': '0000:81:10.0', 'physical_network': 'physnet1',
              'trusted': 'true'},
             {'address': '0000:81:10.2', 'physical_network': 'physnet1',
              'trusted': 'true'}],
            nic_device.device_spec(self.card))


class StateTest(unittest.TestCase):

    def test_state_survives_and_starts_clean(self):
        with tempfile.TemporaryDirectory() as d:
            card = nic_state.Card(d)
            card.write_spec(nic_device.spec('0000:81:00.0', 2, 'physnet1',
                                            1000))
            with card.state() as st:
                st['1']['vlan'] = 101
            with card.state() as st:
                self.assertEqual(101, st['1']['vlan'])
                self.assertEqual(nic_state.initial_vf_state(), st['0'])


def fixture(name):
    with open(os.path.join(os.path.dirname(__file__), 'fixtures',
                           name)) as f:
        return f.read()


class HostReportTest(unittest.TestCase):
    """The VF lines lab/host-bin/ip adds to the node's ``ip link``."""

    VFS = {0: dict(nic_state.initial_vf_state(), mac='fa:16:3e:4e:8a:10',
                   vlan=105, spoofchk=False),
           1: dict(nic_state.initial_vf_state(), mac='fa:16:3e:4e:8a:11',
                   vlan=105, max_tx_rate=300,
                   link_state=nic_device.LINK_DISABLE),
           2: nic_state.initial_vf_state()}

    def test_which_commands_list_links(self):
        for args in (['link'], ['-d', '-o', 'link'], ['l'], ['link', 'show'],
                     ['-o', 'link', 'show', 'dev', 'ens1f0'], ['li', 'ls'],
                     ['-f', 'link', 'link'], ['-d', 'link', 'list']):
            self.assertTrue(nic_iproute.ip_link_listing(args), args)
        for args in ([], ['addr'], ['link', 'set', 'ens1f0', 'up'],
                     ['-j', 'link'], ['-br', 'link'], ['-n', 'ns', 'link'],
                     ['neigh', 'show'], ['-batch', 'f'],
                     ['link', 'add', 'x', 'type', 'veth']):
            self.assertFalse(nic_iproute.ip_link_listing(args), args)

    def test_lines_in_iproute2_order(self):
        self.assertEqual(
            ['vf 0     link/ether fa:16:3e:4e:8a:10 brd ff:ff:ff:ff:ff:ff, '
             'vlan 105, spoof checking off, link-state auto, trust off',
             'vf 1     link/ether fa:16:3e:4e:8a:11 brd ff:ff:ff:ff:ff:ff, '
             'vlan 105, tx rate 300 (Mbps), max_tx_rate 300Mbps, spoof '
             'checking on, link-state disable, trust off',
             'vf 2     link/ether 00:00:00:00:00:00 brd ff:ff:ff:ff:ff:ff, '
             'spoof checking on, link-state auto, trust off'],
            nic_iproute.vf_report_lines(self.VFS))

    def test_same_lines_as_the_plugins_fixture(self):
        # The plugin's parser is tested on this fixture (test_layout); the
        # card must print its flags the same way.
        with open(os.path.join(
                os.path.dirname(__file__), '..', '..', 'sriov_tempest_plugin',
                'tests', 'unit', 'fixtures',
                'ip-d-o-link-pf-vf-flags.txt')) as f:
            pf = [line for line in f if ' ens1f0: ' in line][0]
        want = [p.strip() for p in pf.split('\\') if p.strip()[:3] == 'vf ']
        base = dict(nic_state.initial_vf_state(), vlan=1305)
        self.assertEqual(want, nic_iproute.vf_report_lines({
            0: dict(base, mac='fa:16:3e:4e:8a:10', spoofchk=False),
            1: dict(base, mac='fa:16:3e:4e:8a:11', max_tx_rate=300,
                    trust=True),
            2: dict(base, mac='fa:16:3e:4e:8a:12',
                    link_state=nic_device.LINK_DISABLE),
            3: nic_state.initial_vf_state()}))

    def test_lines_end_the_pfs_record(self):
        # Real ip link output of a veth named as the lab's PF, in both
        # modes the plugin's host checks may meet.
        lines = nic_iproute.vf_report_lines(self.VFS)
        text = fixture('ip-link-veth-pf.txt')
        out = nic_iproute.with_vf_report(text, 'ens1f0', lines).splitlines()
        self.assertEqual(text.splitlines() + ['    ' + v for v in lines],
                         out)
        text = fixture('ip-link-veth-pf.txt').splitlines()
        out = nic_iproute.with_vf_report(
            '\n'.join(text[:4] + text[:2]) + '\n', 'x', ['vf 0'])
        self.assertEqual(text[:4] + ['    vf 0'] + text[:2],
                         out.splitlines())
        text = fixture('ip-d-o-link-veth-pf.txt').splitlines()
        out = nic_iproute.with_vf_report('\n'.join(text), 'ens1f0',
                                         lines).splitlines()
        self.assertEqual(text[:2], out[:2])
        self.assertEqual(text[2] + ''.join('\\    ' + v for v in lines),
                         out[2])

    def test_other_output_untouched(self):
        text = fixture('ip-link-veth-pf.txt')
        self.assertEqual(text, nic_iproute.with_vf_report(text, 'ens9',
                                                          ['vf 0']))


class FaultTest(unittest.TestCase):
    """What the card does wrong when told to (lab.faults)."""

    def _firmware(self, d):
        card = nic_state.Card(d)
        card.write_spec(dict(nic_device.spec('0000:81:00.0', 3, 'physnet1',
                                             1000),
                             netns='card-ns', ovs_dir='/ovs'))
        calls = []

        def record(cmd, env):
            # A flows file is read as the switch reads it: at the call.
            if 'replace-flows' in cmd:
                with open(cmd[-1]) as f:
                    cmd = cmd + [f.read()]
            calls.append(cmd)

        return nic_firmware.Firmware(d, record), calls

    def test_wrong_vlan_tags_the_next_vlan(self):
        self.assertEqual(101, nic_faults.effective_vlan(100, {'wrong-vlan'}))
        self.assertEqual(100, nic_faults.effective_vlan(100, set()))
        self.assertEqual(0, nic_faults.effective_vlan(0, {'wrong-vlan'}))

    def test_link_down_whatever_the_agent_says(self):
        self.assertTrue(nic_faults.link_up(nic_device.LINK_AUTO, set()))
        self.assertFalse(nic_faults.link_up(nic_device.LINK_ENABLE,
                                            {'vf-link-down'}))
        self.assertFalse(nic_faults.link_up(nic_device.LINK_DISABLE, set()))
        self.assertTrue(nic_faults.link_up(nic_device.LINK_DISABLE,
                                           {'no-link-state'}))
        self.assertFalse(nic_faults.link_up(nic_device.LINK_DISABLE,
                                            {'no-link-state', 'vf-link-down'}))

    def _table(self, calls):
        """The flow table of the last ``replace-flows`` among ``calls``."""
        return [c for c in calls if 'replace-flows' in c][-1][-1]

    def test_the_whole_table_is_replaced_in_one_bundle(self):
        with tempfile.TemporaryDirectory() as d:
            fw, calls = self._firmware(d)
            fw.set_mac_vlan(1, 'FA:16:3E:00:00:02', 100)
            [bundle] = [c for c in calls if 'replace-flows' in c]
            self.assertEqual(['ip', 'netns', 'exec', 'card-ns', 'ovs-ofctl',
                              '--timeout=10', '--bundle', 'replace-flows',
                              'esw'], bundle[:-2])
            want = nic_veb.flows(fw.vfs(), [fw.spec['pf']['mac']])
            self.assertEqual(''.join(line + '\n' for line in want),
                             bundle[-1])
            self.assertIn('in_port=vf1-rep,dl_src=fa:16:3e:00:00:02,'
                          'actions=mod_vlan_vid:100', bundle[-1])
            # The flows file is gone once the switch has it.
            self.assertFalse(os.path.exists(bundle[-2]))

    def test_fdb_entries_reach_the_table_once(self):
        with tempfile.TemporaryDirectory() as d:
            fw, calls = self._firmware(d)
            fw.set_fdb(['FA:16:3E:00:00:99'])
            self.assertIn('dl_dst=fa:16:3e:00:00:99,actions=output:pf-rep',
                          self._table(calls))
            del calls[:]
            fw.set_fdb(['fa:16:3e:00:00:99'])
            self.assertEqual([], calls)
            fw.set_faults({'no-fdb'})
            self.assertNotIn('fa:16:3e:00:00:99', self._table(calls))
            self.assertEqual(['fa:16:3e:00:00:99'], fw.card.fdb())

    def test_faults_apply_to_vfs_given_out_before_and_after(self):
        with tempfile.TemporaryDirectory() as d:
            fw, calls = self._firmware(d)
            fw.set_mac_vlan(0, 'fa:16:3e:00:00:01', 100)
            del calls[:]
            fw.set_faults({'wrong-vlan', 'vf-link-down'})
            self.assertIn('in_port=vf0-rep,dl_src=fa:16:3e:00:00:01,'
                          'actions=mod_vlan_vid:101', self._table(calls))
            self.assertIn(['ip', 'netns', 'exec', 'card-ns', 'ip', 'link',
                           'set', 'vf0-rep', 'down'], calls)
            del calls[:]
            fw.set_mac_vlan(1, 'fa:16:3e:00:00:02', 200)
            self.assertIn('in_port=vf1-rep,dl_src=fa:16:3e:00:00:02,'
                          'actions=mod_vlan_vid:201', self._table(calls))
            # The card's state keeps what it was told.
            self.assertEqual(200, fw.vfs()[1]['vlan'])
            fw.set_faults(())
            self.assertEqual(set(), fw.card.faults())

    def test_lossy_vf_drops_at_each_representors_egress(self):
        self.assertEqual(
            'add table netdev sriovlab_loss ; '
            'delete table netdev sriovlab_loss',
            nic_switch.loss_commands([0, 1], set()))
        self.assertEqual(
            'add table netdev sriovlab_loss ; '
            'delete table netdev sriovlab_loss ; '
            'add table netdev sriovlab_loss ; '
            'add chain netdev sriovlab_loss vf0 { type filter hook egress '
            'device "vf0-rep" priority 0 ; } ; '
            'add rule netdev sriovlab_loss vf0 numgen random mod 3 == 0 '
            'counter drop ; '
            'add chain netdev sriovlab_loss vf1 { type filter hook egress '
            'device "vf1-rep" priority 0 ; } ; '
            'add rule netdev sriovlab_loss vf1 numgen random mod 3 == 0 '
            'counter drop',
            nic_switch.loss_commands([1, 0], {'lossy-vf'}))
        with tempfile.TemporaryDirectory() as d:
            fw, calls = self._firmware(d)
            fw.set_faults({'lossy-vf'})
            nft = [c for c in calls if c[4:5] == ['nft']]
            self.assertEqual(
                [['ip', 'netns', 'exec', 'card-ns', 'nft',
                  nic_switch.loss_commands([0, 1, 2], {'lossy-vf'})]], nft)
            del calls[:]
            fw.set_faults(())
            self.assertIn(['ip', 'netns', 'exec', 'card-ns', 'nft',
                           nic_switch.loss_commands([0, 1, 2], ())], calls)

    def test_small_mtu_and_back(self):
        with tempfile.TemporaryDirectory() as d:
            fw, calls = self._firmware(d)
            fw.set_faults({'small-mtu'})
            self.assertIn(['ip', 'netns', 'exec', 'card-ns', 'ip', 'link',
                           'set', 'vf0-rep', 'mtu', '1400'], calls)
            del calls[:]
            fw.set_faults(())
            self.assertIn(['ip', 'netns', 'exec', 'card-ns', 'ip', 'link',
                           'set', 'vf0-rep', 'mtu', '1500'], calls)

    def test_rate_paces_the_vf_netdev_where_it_is(self):
        bucket = ['tbf', 'rate', '500000kbit', 'burst', '65536',
                  'latency', '20ms']
        with tempfile.TemporaryDirectory() as d:
            fw, calls = self._firmware(d)
            del calls[:]
            fw.set_rates(1, {'max_tx_rate': 500})
            self.assertEqual([['tc', 'qdisc', 'replace', 'dev', 'ens1f0v1',
                               'root'] + bucket], calls)
            # Given to a guest: the move took the qdisc; set again there.
            del calls[:]
            fw.moved(1, 'sriovlab-vm-x', 'eth0')
            self.assertEqual([['tc', '-n', 'sriovlab-vm-x', 'qdisc',
                               'replace', 'dev', 'eth0', 'root'] + bucket],
                             calls)
            del calls[:]
            fw.set_faults({'no-rate-limit'})
            self.assertIn(['tc', '-n', 'sriovlab-vm-x', 'qdisc', 'del',
                           'dev', 'eth0', 'root'], calls)
            # The card still reports the rate it was told.
            self.assertEqual(500, fw.vfs()[1]['max_tx_rate'])
            fw.set_faults(())
            del calls[:]
            # Back on the node without a qdisc: nothing to delete.
            fw.release(1)
            self.assertFalse([c for c in calls if c[0] == 'tc'])
            self.assertEqual(nic_state.initial_vf_state(), fw.vfs()[1])

    def test_stuck_rate_keeps_pacing_and_reports_none(self):
        with tempfile.TemporaryDirectory() as d:
            fw, calls = self._firmware(d)
            fw.set_faults({'stuck-rate'})
            fw.set_rates(2, {'max_tx_rate': 300})
            del calls[:]
            fw.set_rates(2, {'max_tx_rate': 0})
            self.assertFalse([c for c in calls if c[0] == 'tc'])
            self.assertEqual(0, fw.vfs()[2]['max_tx_rate'])
            self.assertTrue(fw.vfs()[2]['shaped'])
            # Cleared, the card stops pacing what it was told not to.
            fw.set_faults(())
            self.assertIn(['tc', 'qdisc', 'del', 'dev', 'ens1f0v2', 'root'],
                          calls)

    def test_token_bucket_burst_is_1_ms_at_least_64_kib(self):
        self.assertEqual('65536', nic_switch.token_bucket(300000)[4])
        self.assertEqual('125000', nic_switch.token_bucket(1000000)[4])
        self.assertEqual(0, nic_faults.rate_kbps(
            dict(nic_state.initial_vf_state(), max_tx_rate=5),
            {'no-rate-limit'}))

    def test_sticky_spoofchk_stays_on_and_says_so(self):
        with tempfile.TemporaryDirectory() as d:
            fw, calls = self._firmware(d)
            fw.set_mac_vlan(0, 'fa:16:3e:00:00:01', 100)
            fw.set_spoofchk(0, False)
            self.assertFalse(fw.vfs()[0]['spoofchk'])
            fw.set_spoofchk(0, True)
            fw.set_faults({'sticky-spoofchk'})
            del calls[:]
            fw.set_spoofchk(0, False)
            self.assertTrue(fw.vfs()[0]['spoofchk'])
            self.assertIn('in_port=vf0-rep,actions=drop', self._table(calls))

    def _untrusted_0_trusted_1(self, fw):
        """VF 0 and 1 given out with MACs the hypervisor set; 1 trusted."""
        fw.set_mac_vlan(0, 'fa:16:3e:00:00:01', 100)
        fw.set_mac_vlan(1, 'fa:16:3e:00:00:02', 100)
        fw.set_trust(1, True)

    def test_trust_decides_a_vfs_own_mac_change(self):
        with tempfile.TemporaryDirectory() as d:
            fw, calls = self._firmware(d)
            self._untrusted_0_trusted_1(fw)
            fw.moved(0, 'sriovlab-vm-a', 'eth0')
            fw.moved(1, 'sriovlab-vm-t', 'eth0')
            self.assertEqual(1, fw.assigned_vf('sriovlab-vm-t', 'eth0'))
            self.assertIsNone(fw.assigned_vf('sriovlab-vm-t', 'eth1'))
            self.assertIsNone(fw.assigned_vf('other', 'eth0'))
            del calls[:]
            # Untrusted, with the MAC the hypervisor set: refused, kept.
            self.assertFalse(fw.request_mac(0, '02:00:00:00:00:0a'))
            self.assertEqual('fa:16:3e:00:00:01', fw.vfs()[0]['mac'])
            self.assertEqual([], calls)
            # Asking for the MAC it has is no change.
            self.assertTrue(fw.request_mac(0, 'FA:16:3E:00:00:01'))
            # Trusted: the card takes it, and spoof check follows it.
            self.assertTrue(fw.request_mac(1, '02:00:00:00:00:0b'))
            self.assertEqual('02:00:00:00:00:0b', fw.vfs()[1]['mac'])
            self.assertIn('in_port=vf1-rep,dl_src=02:00:00:00:00:0b',
                          self._table(calls))
            self.assertIn(['vf 1     link/ether 02:00:00:00:00:0b brd '
                           'ff:ff:ff:ff:ff:ff, vlan 100, spoof checking on, '
                           'link-state auto, trust on'],
                          [nic_iproute.vf_report_lines({1: fw.vfs()[1]})])
            # Released (the guest gone), trust is off again.
            fw.release(1)
            self.assertFalse(fw.vfs()[1]['trust'])

    def test_no_trust_and_trust_all(self):
        with tempfile.TemporaryDirectory() as d:
            fw, calls = self._firmware(d)
            self._untrusted_0_trusted_1(fw)
            fw.set_faults({'no-trust'})
            self.assertFalse(fw.request_mac(1, '02:00:00:00:00:0b'))
            self.assertTrue(fw.vfs()[1]['trust'])      # still reported on
            fw.set_faults({'trust-all'})
            self.assertTrue(fw.request_mac(0, '02:00:00:00:00:0a'))
            self.assertFalse(fw.vfs()[0]['trust'])     # still reported off
            # A VF the PF gave no MAC picks its own.
            fw.set_faults(())
            self.assertTrue(fw.request_mac(2, '02:00:00:00:00:0c'))

    def test_late_grant_refuses_now_and_grants_later(self):
        with tempfile.TemporaryDirectory() as d:
            fw, calls = self._firmware(d)
            self._untrusted_0_trusted_1(fw)
            self.assertFalse(fw.grants_late())
            fw.set_faults({'late-grant'})
            # The request is refused by the card's state for now ...
            self.assertFalse(fw.request_mac(0, '02:00:00:00:00:0a'))
            self.assertEqual('fa:16:3e:00:00:01', fw.vfs()[0]['mac'])
            self.assertTrue(fw.grants_late())
            # ... and granted later: spoof check follows the new MAC.
            del calls[:]
            fw.grant_mac(0, '02:00:00:00:00:0A')
            self.assertEqual('02:00:00:00:00:0a', fw.vfs()[0]['mac'])
            self.assertIn('in_port=vf0-rep,dl_src=02:00:00:00:00:0a',
                          self._table(calls))

    def test_host_no_vfs_reports_no_vf_line(self):
        vfs = HostReportTest.VFS
        self.assertEqual([], nic_iproute.vf_report_lines(vfs, {'host-no-vfs'}))
        self.assertEqual(3, len(nic_iproute.vf_report_lines(vfs,
                                                            {'trust-all'})))

    def test_mac_changes_the_guest_driver_must_ask_for(self):
        change = nic_iproute.link_address_change
        self.assertEqual(('eth0', '02:00:00:00:00:0a'), change(
            ['link', 'set', 'dev', 'eth0', 'address', '02:00:00:00:00:0A']))
        self.assertEqual(('eth0', '02:00:00:00:00:0a'), change(
            ['-d', 'l', 'set', 'eth0', 'up', 'address',
             '02:00:00:00:00:0a']))
        self.assertEqual(('eth1', '02:00:00:00:00:0a'), change(
            ['link', 'change', 'eth1', 'address', '02:00:00:00:00:0a']))
        for args in (['link', 'set', 'eth0', 'up'],
                     ['link', 'show', 'eth0'],
                     ['-n', 'other', 'link', 'set', 'eth0', 'address',
                      '02:00:00:00:00:0a'],
                     ['link', 'set', 'eth0', 'address', 'bad'],
                     ['link', 'set', 'eth0', 'address'],
                     ['addr', 'add', '10.0.0.1/24', 'dev', 'eth0']):
            self.assertIsNone(change(args), args)

    def test_unknown_fault_is_refused(self):
        with tempfile.TemporaryDirectory() as d:
            fw, calls = self._firmware(d)
            self.assertRaises(ValueError, fw.set_faults, {'melted'})
