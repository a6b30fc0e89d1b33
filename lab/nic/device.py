"""The emulated card's devices as the host and Nova see them: the PF and its
VFs (an Intel 82599: IDs, netdev names, PCI addresses), Nova's
``pci_passthrough_devices`` report and ``[pci] device_spec``.
"""

PF_DEVICE = 'ens1f0'
VENDOR_ID = '8086'
PF_PRODUCT_ID = '10fb'      # 82599ES 10-Gigabit SFI/SFP+
VF_PRODUCT_ID = '10ed'      # 82599 Virtual Function
#: 82599: the first VF is 0x80 functions after the PF, VFs 2 apart.
VF_OFFSET = 0x80
VF_STRIDE = 2
LINK_AUTO, LINK_ENABLE, LINK_DISABLE = 0, 1, 2


def pf_mac(pf_address):
    """The PF's burnt-in MAC: Intel's OUI, then the PF's PCI bus and
    function (a lab has one card per node, so each is its own).
    """
    _, bus, rest = pf_address.split(':')
    function = int(rest.split('.')[1], 16)
    return '90:e2:ba:%02x:00:%02x' % (int(bus, 16), function)


def vf_device(index):
    return '%sv%d' % (PF_DEVICE, index)


def vf_rep(index):
    return 'vf%d-rep' % index


def pci_address(domain, bus, devfn):
    return '%04x:%02x:%02x.%x' % (domain, bus, devfn >> 3, devfn & 7)


def vf_pci_address(pf_address, index):
    """PCI address of VF ``index`` of the PF at ``pf_address``."""
    domain, bus, rest = pf_address.split(':')
    slot, function = rest.split('.')
    pf_devfn = (int(slot, 16) << 3) | int(function, 16)
    devfn = pf_devfn + VF_OFFSET + index * VF_STRIDE
    bus = int(bus, 16) + (devfn >> 8)
    return pci_address(int(domain, 16), bus, devfn & 0xff)


def spec(pf_address, num_vfs, physnet, speed_mbps, netns=None,
         ovs_dir=None):
    """The card's static description."""
    return {
        'netns': netns, 'ovs_dir': ovs_dir,
        'pf': {'device': PF_DEVICE, 'address': pf_address,
               'mac': pf_mac(pf_address),
               'vendor_id': VENDOR_ID, 'product_id': PF_PRODUCT_ID},
        'vfs': [{'index': i, 'device': vf_device(i),
                 'address': vf_pci_address(pf_address, i),
                 'vendor_id': VENDOR_ID, 'product_id': VF_PRODUCT_ID}
                for i in range(num_vfs)],
        'physical_network': physnet,
        'speed_mbps': speed_mbps,
    }


def pci_passthrough_devices(card, numa_node=0):
    """The card as Nova's ``pci_passthrough_devices`` resource report.

    Both the PF and its VFs are reported, as the libvirt driver does;
    ``[pci] device_spec`` decides which of them Nova may hand out.
    """
    pf = card['pf']
    devices = [{
        'address': pf['address'], 'vendor_id': pf['vendor_id'],
        'product_id': pf['product_id'], 'dev_type': 'type-PF',
        'numa_node': numa_node,
        'label': 'label_%s_%s' % (pf['vendor_id'], pf['product_id']),
        'dev_id': 'pci_%s' % pf['address'].replace(':', '_').replace(
            '.', '_'),
        'capabilities': {'network': ['rx', 'tx', 'sg', 'tso', 'gso',
                                     'gro', 'rxvlan', 'txvlan']},
    }]
    for vf in card['vfs']:
        devices.append({
            'address': vf['address'], 'vendor_id': vf['vendor_id'],
            'product_id': vf['product_id'], 'dev_type': 'type-VF',
            'parent_addr': pf['address'], 'numa_node': numa_node,
            'label': 'label_%s_%s' % (vf['vendor_id'], vf['product_id']),
            'dev_id': 'pci_%s' % vf['address'].replace(':', '_').replace(
                '.', '_'),
            'capabilities': {'network': ['rx', 'tx', 'sg', 'tso', 'gso',
                                         'gro', 'rxvlan', 'txvlan']},
        })
    return devices


def device_spec(card):
    """Nova ``[pci] device_spec`` entries: the VFs, by PCI address.

    Tagged ``"trusted": "true"``: Nova gives a port whose binding profile
    asks for a trusted VF only a VF so tagged (and then sets its trust on);
    the others take any VF and leave trust off.
    """
    return [{'address': vf['address'],
             'physical_network': card['physical_network'],
             'trusted': 'true'}
            for vf in card['vfs']]


NO_MAC = '00:00:00:00:00:00'
