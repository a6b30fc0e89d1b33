"""Build and start the emulated SR-IOV NIC of each compute node.

See ``lab.nic`` for what the card is. This module makes its devices, its
namespace and its embedded switch; it runs as part of ``lab up``.
"""

import os

from lab import fabric
from lab import layout
from lab import nic
from lab import proc


def card_dir(state, node):
    return state.path('data', 'nic', node.name)


def esw_dir(state, node):
    return os.path.join(card_dir(state, node), 'ovs')


def card_netns(node):
    return '%s-%s-nic' % (layout.PREFIX, node.name)


def pf_address(node):
    # One card per node, in the slot a 2-socket server gives it.
    return '0000:%02x:00.0' % (0x81 + layout.COMPUTES.index(node))


def _ip(*args, netns=None):
    return proc.run(['ip'] + list(args), netns=netns)


def _pair(inner, inner_ns, outer, outer_ns):
    _ip('link', 'add', inner, 'type', 'veth', 'peer', 'name', outer,
        'netns', outer_ns, netns=inner_ns)


def _limit(dev, netns, speed_mbps):
    """The port speed: a token bucket on the egress of ``dev``."""
    # Burst: 1 ms at line rate, at least 64 KiB (one GSO frame).
    burst = max(65536, speed_mbps * 1000 // 8)
    _ip('link', 'set', dev, 'up', netns=netns)
    proc.run(['tc', 'qdisc', 'replace', 'dev', dev, 'root', 'tbf', 'rate',
              '%dmbit' % speed_mbps, 'burst', str(burst), 'latency',
              '20ms'], netns=netns)


def build(state, node, num_vfs, speed_mbps):
    """Make the card of ``node`` and start its embedded switch."""
    ns = card_netns(node)
    card = nic.spec(pf_address(node), num_vfs, layout.PHYSNET, speed_mbps,
                    netns=ns, ovs_dir=esw_dir(state, node))
    nic.Card(card_dir(state, node)).write_spec(card)
    _ip('netns', 'add', ns)
    _ip('link', 'set', 'lo', 'up', netns=ns)
    # The wire: from the card's uplink to the physical switch.
    outer = 'w%d-%s' % (layout.COMPUTES.index(node) + 1, 'phys')
    _pair('wire', ns, outer, layout.FABRIC_NETNS)
    _ip('link', 'set', outer, 'master', 'phys', netns=layout.FABRIC_NETNS)
    _limit(outer, layout.FABRIC_NETNS, speed_mbps)
    _limit('wire', ns, speed_mbps)
    # The PF and the VFs, as netdevs of the node.
    _pair(nic.PF_DEVICE, node.netns, 'pf-rep', ns)
    for vf in card['vfs']:
        _pair(vf['device'], node.netns, nic.vf_rep(vf['index']), ns)
    for dev in [nic.PF_DEVICE] + [vf['device'] for vf in card['vfs']]:
        # A VF's frames enter the switch through a packet socket, which
        # cannot complete offloaded checksums.
        proc.run(['ethtool', '-K', dev, 'tx', 'off'], netns=node.netns)
        _ip('link', 'set', dev, 'up', netns=node.netns)
    for dev in ['pf-rep'] + [nic.vf_rep(vf['index'])
                             for vf in card['vfs']]:
        _ip('link', 'set', dev, 'up', netns=ns)
    # The embedded switch: the card's own Open vSwitch.
    esw = fabric.OvsInstance(state, 'nic-' + node.name, ns,
                             esw_dir(state, node))
    esw.start()
    ports = ['wire', 'pf-rep'] + [nic.vf_rep(vf['index'])
                                  for vf in card['vfs']]
    args = ['--may-exist', 'add-br', 'esw', '--', 'set', 'bridge', 'esw',
            'datapath_type=netdev']
    for port in ports:
        args += ['--', '--may-exist', 'add-port', 'esw', port]
    esw.vsctl(*args)
    _ip('link', 'set', 'esw', 'up', netns=ns)
    return card
