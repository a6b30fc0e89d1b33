"""Neutron's SR-IOV NIC agent, with the lab's card as its hardware.

This is ``neutron-sriov-nic-agent``: its RPC, port binding, device loop
and reporting are Neutron's. Only the hardware access layer is replaced:
``PciOsWrapper`` (sysfs: which VFs a PF has, which are assigned) and
``PciDeviceIPWrapper`` (netlink: ``ip link set <pf> vf N ...``) talk to
the emulated card (``lab.nic``) named by ``SRIOV_LAB_NIC_DIR``.
"""

import os
import sys

from neutron.cmd.plugins import sriov_nic_neutron_agent
from neutron.plugins.ml2.drivers.mech_sriov.agent import eswitch_manager
from neutron.plugins.ml2.drivers.mech_sriov.agent import pci_lib

from lab.nic import device as nic_device
from lab.nic import firmware as nic_firmware
from lab import shim


_FIRMWARE = {}


def firmware():
    if 'fw' not in _FIRMWARE:
        _FIRMWARE['fw'] = nic_firmware.Firmware(
            os.environ['SRIOV_LAB_NIC_DIR'], shim.run)
    return _FIRMWARE['fw']


class CardOsWrapper(eswitch_manager.PciOsWrapper):
    """What sysfs would say about the card."""

    @classmethod
    def _is_pf(cls, dev_name):
        return firmware().spec['pf']['device'] == dev_name

    @classmethod
    def scan_vf_devices(cls, dev_name):
        if not cls.pf_device_exists(dev_name):
            return super().scan_vf_devices(dev_name)
        return [(vf['address'], vf['index'])
                for vf in firmware().spec['vfs']]

    @classmethod
    def pf_device_exists(cls, dev_name):
        return cls._is_pf(dev_name) and os.path.isdir(
            '/sys/class/net/%s' % dev_name)

    @classmethod
    def is_assigned_vf_direct(cls, dev_name, vf_index):
        # Given to a VM, the VF's netdev leaves the node.
        return not os.path.isdir('/sys/class/net/%s' % nic_device.vf_device(
            vf_index))

    @classmethod
    def get_vf_macvtap_upper_devs(cls, dev_name, vf_index):
        return []

    @classmethod
    def get_numvfs(cls, dev_name):
        return len(firmware().spec['vfs']) if cls._is_pf(dev_name) else -1


class _Link:
    def get_vfs(self):
        return {i: {'mac': s['mac'], 'link_state': s['link_state'],
                    'spoofchk': s['spoofchk'], 'vlan': s['vlan'],
                    'max_tx_rate': s['max_tx_rate'],
                    'min_tx_rate': s['min_tx_rate']}
                for i, s in firmware().vfs().items()}


class _Device:
    link = _Link()


class CardIPWrapper(pci_lib.PciDeviceIPWrapper):
    """What ``ip link show/set <pf> vf N`` would do on the card."""

    def device(self, name):
        return _Device()

    def get_assigned_macs(self, vf_list):
        vfs = firmware().vfs()
        return {i: vfs[i]['mac'] for i in vf_list if i in vfs}

    def get_vf_state(self, vf_index):
        state = firmware().vfs().get(vf_index)
        if state is None:
            return pci_lib.LinkState.disable.name
        return pci_lib.LinkState(state['link_state']).name

    def set_vf_state(self, vf_index, state, auto=False):
        if state is False:
            link = nic_device.LINK_DISABLE
        elif auto:
            link = nic_device.LINK_AUTO
        else:
            link = nic_device.LINK_ENABLE
        firmware().set_link_state(vf_index, link)

    def set_vf_spoofcheck(self, vf_index, enabled):
        firmware().set_spoofchk(vf_index, enabled)

    def set_vf_rate(self, vf_index, rates):
        firmware().set_rates(vf_index, rates)


def main():
    eswitch_manager.PciOsWrapper = CardOsWrapper
    pci_lib.PciDeviceIPWrapper = CardIPWrapper
    sriov_nic_neutron_agent.main()


if __name__ == '__main__':
    sys.exit(main())
