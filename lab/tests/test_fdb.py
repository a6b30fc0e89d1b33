"""The PF driver's reading of ``bridge fdb``: the unicast MACs the host
added to the PF (Neutron's FDB extension), nothing else.
"""

import os
import unittest

from lab.nic import fdb


def fixture(name):
    with open(os.path.join(os.path.dirname(__file__), 'fixtures',
                           name)) as f:
        return f.read()


class FdbTest(unittest.TestCase):

    def test_a_bridge_ports_master_and_multicast_entries_are_not_the_pfs(self):
        # Real: a bridge port lists its own MAC as the bridge's (master)
        # and its multicast addresses as its own (self).
        text = fixture('bridge-fdb-evpn-veth1.txt')
        self.assertEqual([], fdb.unicast_self_macs(text))
        self.assertEqual([], fdb.unicast_self_macs(text, 'veth1'))

    def test_entries_added_with_bridge_fdb_add_are(self):
        # bridge fdb show dev ens1f0, after Neutron's FDB extension added
        # two normal ports' MACs (iproute2 leaves out "dev ens1f0" when
        # asked for one device), with the multicast entries of the same
        # form as the real capture above.
        text = ('33:33:00:00:00:01 self permanent\n'
                '01:00:5e:00:00:01 self permanent\n'
                'FA:16:3E:4E:8A:10 self permanent\n'
                'fa:16:3e:4e:8a:11 self permanent\n'
                'fa:16:3e:4e:8a:11 vlan 105 self permanent\n')
        self.assertEqual(['fa:16:3e:4e:8a:10', 'fa:16:3e:4e:8a:11'],
                         fdb.unicast_self_macs(text, 'ens1f0'))

    def test_other_devices_lines_are_left_out(self):
        text = ('fa:16:3e:00:00:01 dev ens1f0 self permanent\n'
                'fa:16:3e:00:00:02 dev ens1f1 self permanent\n')
        self.assertEqual(['fa:16:3e:00:00:01'],
                         fdb.unicast_self_macs(text, 'ens1f0'))
        self.assertEqual(['fa:16:3e:00:00:01', 'fa:16:3e:00:00:02'],
                         fdb.unicast_self_macs(text))


if __name__ == '__main__':
    unittest.main()
