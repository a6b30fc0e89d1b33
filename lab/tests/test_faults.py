"""Faults: where each acts, and a fault of one ML2 backend refused on the
other before it touches anything.
"""

import unittest
from unittest import mock

from lab import faults
from lab import layout
from lab import proc


class FaultsTest(unittest.TestCase):

    def setUp(self):
        self.addCleanup(layout.set_ml2, layout.ML2)

    def test_an_ovn_fault_on_an_ovs_lab_is_refused_untouched(self):
        layout.set_ml2('ovs')
        with mock.patch.object(faults, '_cms_options') as cms, \
                mock.patch.object(faults, '_save') as save:
            with self.assertRaises(proc.LabError) as caught:
                faults.inject(None, 'no-extport-chassis')
        cms.assert_not_called()
        save.assert_not_called()
        self.assertIn('no-extport-chassis is a fault of ML2/OVN; this lab '
                      'runs ML2/OVS', str(caught.exception))
        self.assertIn('python3 -m lab up --ml2 ovn', str(caught.exception))

    def test_the_network_node_only_for_its_own_faults(self):
        extport = faults.BY_NAME['no-extport-chassis']
        self.assertIs(layout.NETWORK, faults.node_named('network', extport))
        with self.assertRaises(proc.LabError):
            faults.node_named('compute1', extport)
        with self.assertRaises(proc.LabError) as caught:
            faults.node_named('network', faults.BY_NAME['wrong-vlan'])
        self.assertIn('no compute node', str(caught.exception))

    def test_default_nodes_exist(self):
        # on a lab of 3 (the matrix's; no-agent-mapping's is compute3)
        self.addCleanup(layout.set_computes, len(layout.COMPUTES))
        layout.set_computes(3)
        for fault in faults.FAULTS:
            self.assertEqual(fault.default_node,
                             faults.node_named(fault.default_node,
                                               fault).name)
