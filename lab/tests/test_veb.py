"""The card's switch as a VEB: what its flow table does to frames.

The flow table is run here by a small OpenFlow interpreter (first match
by priority, actions in order, ``output`` never back out of the port a
frame came in on, as Open vSwitch does), so each test states a claim of
a real NIC's embedded switch as frames in and frames out.
"""

import unittest

from lab.nic import device as nic_device
from lab.nic import veb

A, B, C = 'fa:16:3e:00:00:0a', 'fa:16:3e:00:00:0b', 'fa:16:3e:00:00:0c'
PF_MAC = '90:e2:ba:00:00:01'
NORMAL_VM = 'fa:16:3e:00:00:99'      # behind the host's Open vSwitch
UNKNOWN = 'fa:16:3e:00:00:77'
BROADCAST = 'ff:ff:ff:ff:ff:ff'


def _parse(flow):
    match, actions = flow.split(',actions=')
    fields = dict(kv.split('=', 1) for kv in match.split(','))
    out, depth, word = [], 0, ''
    for ch in actions:
        if ch == ',' and depth == 0:
            out.append(word)
            word = ''
            continue
        depth += {'(': 1, ')': -1}.get(ch, 0)
        word += ch
    out.append(word)
    return fields, out


def _mac_matches(value, mac):
    if '/' not in value:
        return value == mac
    want, mask = value.split('/')
    return all(int(w, 16) & int(m, 16) == int(x, 16) & int(m, 16)
               for w, m, x in zip(want.split(':'), mask.split(':'),
                                  mac.split(':')))


def _matches(fields, frame):
    for key, value in fields.items():
        if key in ('table', 'priority'):
            continue
        if key == 'in_port' and value != frame['in_port']:
            return False
        if key == 'dl_src' and not _mac_matches(value, frame['src']):
            return False
        if key == 'dl_dst' and not _mac_matches(value, frame['dst']):
            return False
        if key == 'dl_vlan' and frame['vlan'] != int(value):
            return False
        if key == 'vlan_tci':
            tagged = {'0x0000/0x1fff': False, '0x1000/0x1000': True}[value]
            if tagged != (frame['vlan'] is not None):
                return False
    return True


class Switch(object):

    def __init__(self, flows):
        self.tables = {}
        for flow in flows:
            fields, actions = _parse(flow)
            self.tables.setdefault(int(fields['table']), []).append(
                (int(fields['priority']), fields, actions))
        for rows in self.tables.values():
            rows.sort(key=lambda r: -r[0])

    def send(self, in_port, src, dst, vlan=None):
        """``{port: vlan or None}`` where the frame leaves."""
        frame = {'in_port': in_port, 'src': src, 'dst': dst, 'vlan': vlan}
        out = {}
        self._table(0, frame, out)
        return out

    def _table(self, table, frame, out):
        for _, fields, actions in self.tables.get(table, []):
            if _matches(fields, frame):
                self._run(actions, frame, out)
                return

    def _run(self, actions, frame, out):
        for action in actions:
            if action.startswith('output:'):
                port = action.split(':', 1)[1]
                if port != frame['in_port']:
                    out[port] = frame['vlan']
            elif action == 'strip_vlan':
                # OpenFlow 1.4's pop_vlan: only where the match says tagged.
                assert frame['vlan'] is not None, frame
                frame['vlan'] = None
            elif action.startswith('mod_vlan_vid:'):
                frame['vlan'] = int(action.split(':')[1])
            elif action.startswith('resubmit(,'):
                self._table(int(action[len('resubmit(,'):-1]), dict(frame),
                            out)
            else:
                assert action == 'drop', action


REP = nic_device.vf_rep


def vfs(**overrides):
    """VF 0 and 1 on VLAN 100 (A, B), VF 2 on VLAN 101 (C), VF 3 free."""
    base = {0: {'mac': A, 'vlan': 100, 'spoofchk': True},
            1: {'mac': B, 'vlan': 100, 'spoofchk': True},
            2: {'mac': C, 'vlan': 101, 'spoofchk': True},
            3: {'mac': nic_device.NO_MAC, 'vlan': 0, 'spoofchk': True}}
    for index, changes in overrides.items():
        base[int(index[2:])].update(changes)
    return base


def switch(faults=(), fdb=(NORMAL_VM,), **overrides):
    return Switch(veb.flows(vfs(**overrides), [PF_MAC], list(fdb),
                            set(faults)))


class VebTest(unittest.TestCase):

    def test_vf_to_vf_of_its_vlan_is_switched_in_the_card(self):
        self.assertEqual({REP(1): None}, switch().send(REP(0), A, B))

    def test_unknown_unicast_leaves_on_the_uplink_only(self):
        # Not flooded to the VLAN's other VF nor to the PF, as a learning
        # bridge would.
        self.assertEqual({veb.UPLINK: 100},
                         switch().send(REP(0), A, UNKNOWN))

    def test_a_normal_port_of_the_host_needs_the_fdb_entry(self):
        self.assertEqual({veb.PF_REP: 100}, switch().send(REP(0), A,
                                                          NORMAL_VM))
        self.assertEqual({veb.UPLINK: 100},
                         switch(fdb=()).send(REP(0), A, NORMAL_VM))
        self.assertEqual({veb.UPLINK: 100},
                         switch(faults={'no-fdb'}).send(REP(0), A,
                                                        NORMAL_VM))
        # The PF's own MAC stays in the table without any FDB entry.
        self.assertEqual({veb.PF_REP: 100},
                         switch(fdb=()).send(REP(0), A, PF_MAC))

    def test_the_host_reaches_a_vf_through_the_pf_on_its_vlan(self):
        self.assertEqual({REP(0): None},
                         switch().send(veb.PF_REP, NORMAL_VM, A, 100))
        self.assertEqual({REP(0): None},
                         switch().send(veb.UPLINK, UNKNOWN, A, 100))
        # On another VLAN the VF's MAC is not its: unknown unicast.
        self.assertEqual({veb.UPLINK: 101},
                         switch().send(veb.PF_REP, NORMAL_VM, A, 101))

    def test_broadcast_reaches_its_vlan_the_pf_and_the_uplink(self):
        self.assertEqual({REP(1): None, veb.PF_REP: 100, veb.UPLINK: 100},
                         switch().send(REP(0), A, BROADCAST))
        self.assertEqual({REP(0): None, REP(1): None, veb.PF_REP: 100},
                         switch().send(veb.UPLINK, UNKNOWN, BROADCAST, 100))
        # A VLAN no VF is on: the PF and the uplink only.
        self.assertEqual({veb.PF_REP: 300},
                         switch().send(veb.UPLINK, UNKNOWN, BROADCAST, 300))

    def test_vlans_are_kept_apart(self):
        sw = switch()
        self.assertEqual({veb.UPLINK: 100}, sw.send(REP(0), A, C))
        self.assertNotIn(REP(2), sw.send(REP(0), A, BROADCAST))

    def test_unknown_unicast_from_the_uplink_goes_to_the_pf(self):
        self.assertEqual({veb.PF_REP: 100},
                         switch(fdb=()).send(veb.UPLINK, UNKNOWN,
                                             NORMAL_VM, 100))

    def test_spoof_check_drops_another_source_mac(self):
        self.assertEqual({}, switch().send(REP(0), UNKNOWN, B))
        self.assertEqual({REP(1): None}, switch(
            vf0={'spoofchk': False}).send(REP(0), UNKNOWN, B))
        self.assertEqual({REP(1): None}, switch(
            faults={'no-spoofchk'}).send(REP(0), UNKNOWN, B))

    def test_wrong_vlan_tags_the_next_one(self):
        sw = switch(faults={'wrong-vlan'})
        self.assertEqual({veb.UPLINK: 101}, sw.send(REP(0), A, UNKNOWN))
        # Both VFs of VLAN 100 are shifted alike, so they still meet.
        self.assertEqual({REP(1): None}, sw.send(REP(0), A, B))
        # The wire's VLAN 100 no longer reaches them.
        self.assertEqual({veb.PF_REP: 100},
                         sw.send(veb.UPLINK, UNKNOWN, BROADCAST, 100))

    def test_vlan_leak_copies_every_frame_to_the_other_vlans(self):
        sw = switch(faults={'vlan-leak'})
        self.assertEqual({REP(2): None, veb.UPLINK: 100},
                         sw.send(REP(0), A, UNKNOWN))
        self.assertEqual({REP(0): None, REP(1): None, veb.UPLINK: 101},
                         sw.send(REP(2), C, UNKNOWN))
        # A forged frame is still dropped first.
        self.assertEqual({}, sw.send(REP(0), UNKNOWN, C))

    def test_unicast_leak_crosses_by_mac_and_keeps_broadcast(self):
        sw = switch(faults={'unicast-leak'})
        self.assertEqual({REP(2): None}, sw.send(REP(0), A, C))
        self.assertNotIn(REP(2), sw.send(REP(0), A, BROADCAST))
        self.assertEqual({veb.UPLINK: 100}, switch().send(REP(0), A, C))

    def test_a_vf_without_a_mac_takes_untagged_broadcast_only(self):
        sw = switch()
        self.assertEqual({REP(3): None, veb.PF_REP: None},
                         sw.send(veb.UPLINK, UNKNOWN, BROADCAST))
        self.assertEqual({veb.PF_REP: None},
                         sw.send(veb.UPLINK, UNKNOWN, nic_device.NO_MAC))

    def test_a_tag_is_popped_only_where_the_match_says_tagged(self):
        # OpenFlow 1.4 (the bundle's version) refuses pop_vlan on a match
        # that may be untagged: ovs-ofctl fails the whole table.
        for faults in ((), {'unicast-leak'}, {'vlan-leak', 'wrong-vlan'},
                       {'no-spoofchk', 'no-fdb'}):
            for flow in veb.flows(vfs(), [PF_MAC], [NORMAL_VM], faults):
                match, actions = _parse(flow)
                if 'strip_vlan' in actions:
                    self.assertTrue('dl_vlan' in match or
                                    match.get('vlan_tci') == '0x1000/0x1000',
                                    (faults, flow))

    def test_the_table_is_a_function_of_the_state(self):
        self.assertEqual(veb.flows(vfs(), [PF_MAC], [NORMAL_VM]),
                         veb.flows(vfs(), [PF_MAC], [NORMAL_VM]))
        self.assertNotIn('NORMAL', ' '.join(
            veb.flows(vfs(), [PF_MAC], [NORMAL_VM], {'vlan-leak'})))


if __name__ == '__main__':
    unittest.main()
