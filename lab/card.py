"""Build and start the emulated SR-IOV NIC of each compute node.

See ``lab.nic`` for what the card is. This module makes its devices, its
namespace and its embedded switch; it runs as part of ``lab up``.
"""

import os

from lab import fabric
from lab import layout
from lab.nic import device as nic_device
from lab.nic import firmware as nic_firmware
from lab.nic import state as nic_state
from lab.nic import switch as nic_switch
from lab import proc


def card_dir(state, node):
    return state.path('data', 'nic', node.name)


def esw_dir(state, node):
    return os.path.join(card_dir(state, node), 'ovs')


def firmware(state, node):
    """The firmware of ``node``'s card, driven from the host (as root)."""
    return nic_firmware.Firmware(card_dir(state, node),
                                 lambda cmd, env: proc.run(cmd, env=env))


def card_netns(node):
    return '%s-%s-nic' % (layout.PREFIX, node.name)


def pf_address(node):
    # One card per node, in the slot a 2-socket server gives it.
    return '0000:%02x:00.0' % (0x81 + layout.COMPUTES.index(node))


def _pair(inner, inner_ns, outer, outer_ns):
    proc.ip('link', 'add', inner, 'type', 'veth', 'peer', 'name', outer,
            'netns', outer_ns, netns=inner_ns)


#: What an Ethernet port sends per frame beyond the frame a veth carries:
#: preamble and start delimiter (8), FCS (4), inter-frame gap (12).
WIRE_BYTES_PER_FRAME = 24
#: The largest frame on the wire, as a veth sees it: MTU 1500, MAC header
#: and an 802.1Q tag.
FULL_FRAME_BYTES = 1500 + 14 + 4


def frame_rate_kbit(speed_mbps):
    """The token bucket's rate for a port of ``speed_mbps``.

    A real port's speed counts every byte it sends, preamble, FCS and gap
    included; a veth's frames carry none of them. So the bucket passes the
    frames' own bytes at the share of the speed that full-size frames get
    on a real wire: a TCP flow then meets the same goodput ceiling as on
    real Ethernet (0.939 Gbit/s on 1 GbE with a VLAN tag), not 1.6 % more.
    """
    return int(speed_mbps * 1000 * FULL_FRAME_BYTES // (
        FULL_FRAME_BYTES + WIRE_BYTES_PER_FRAME))


def _limit(dev, netns, speed_mbps):
    """The port speed: a token bucket on the egress of ``dev``, read back
    (a bucket that is not there is a lab that lies about its speed).
    """
    proc.ip('link', 'set', dev, 'up', netns=netns)
    proc.run(['tc', 'qdisc', 'replace', 'dev', dev, 'root'] +
             nic_switch.token_bucket(frame_rate_kbit(speed_mbps)), netns=netns)
    shown = proc.run(['tc', 'qdisc', 'show', 'dev', dev, 'root'], netns=netns)
    if not limited(shown):
        raise proc.LabError(
            'the port speed of %s in %s is not in force: tc shows %r where '
            'a token bucket (tbf) should be' % (dev, netns, shown.strip()))


def limited(tc_show):
    """Whether ``tc qdisc show dev X root`` shows a token bucket."""
    return any(line.split()[1:2] == ['tbf']
               for line in tc_show.splitlines() if line.strip())


def _switch_end(node):
    """The wire's end on the physical switch."""
    return 'w%d-phys' % (layout.COMPUTES.index(node) + 1)


def set_wire_speed(node, speed_mbps, card_side=False):
    """The node's wire at ``speed_mbps``.

    The physical switch's port toward the node paces at it (a token
    bucket on ``w<N>-phys``), always. The card's own end paces only with
    ``card_side``: the slow-port fault, a port that came up at a lower
    speed, slow both ways. A healthy card's uplink has no bucket: the
    card's switch is Open vSwitch's userspace datapath, which sends to
    every port through one packet socket and cannot be held back, so a
    queue on its uplink makes it drop frames on all its ports, its VFs'
    included, where a real NIC holds its VFs' rings instead (2026-12-06,
    with a bucket on both ends: VF routed 0.84-0.85 Gbit/s, not 0.92; VF
    across the wire 0.918 either way). Every path between nodes still
    meets the line rate once, on the switch's port toward its receiver.
    Open vSwitch also deletes a root qdisc it has no QoS type for when it
    opens a port, so a bucket put on the card's end before the switch
    starts is gone by the time the lab runs ("qdisc noqueue"): before this,
    that is how the healthy lab was, and a slow-port fault left a bucket
    there when it was cleared.
    """
    _limit(_switch_end(node), layout.FABRIC_NETNS, speed_mbps)
    if card_side:
        _limit('wire', card_netns(node), speed_mbps)
    else:
        proc.run(['tc', 'qdisc', 'del', 'dev', 'wire', 'root'],
                 netns=card_netns(node), check=False)


def build(state, node, num_vfs, speed_mbps):
    """Make the card of ``node`` and start its embedded switch."""
    ns = card_netns(node)
    card = nic_device.spec(pf_address(node), num_vfs, layout.PHYSNET,
                           speed_mbps, netns=ns, ovs_dir=esw_dir(state, node))
    nic_state.Card(card_dir(state, node)).write_spec(card)
    proc.ip('netns', 'add', ns)
    proc.ip('link', 'set', 'lo', 'up', netns=ns)
    # The wire: from the card's uplink to the physical switch.
    outer = _switch_end(node)
    _pair('wire', ns, outer, layout.FABRIC_NETNS)
    proc.ip('link', 'set', outer, 'master', 'phys', netns=layout.FABRIC_NETNS)
    proc.ip('link', 'set', 'wire', 'up', netns=ns)
    set_wire_speed(node, speed_mbps)
    # The PF and the VFs, as netdevs of the node; the PF with its
    # burnt-in MAC, which the switch's filter table holds.
    _pair(nic_device.PF_DEVICE, node.netns, 'pf-rep', ns)
    proc.ip('link', 'set', nic_device.PF_DEVICE, 'address',
            card['pf']['mac'], netns=node.netns)
    for vf in card['vfs']:
        _pair(vf['device'], node.netns, nic_device.vf_rep(vf['index']), ns)
    # The PF is a port of the node's own Open vSwitch, whose userspace
    # datapath (no TSO: lab.fabric.node_ovs) cannot complete offloaded
    # checksums. A VF keeps its offloads, as a real VF does: the card's
    # switch (userspace TSO) completes them, as the card's silicon would.
    proc.run(['ethtool', '-K', nic_device.PF_DEVICE, 'tx', 'off'],
             netns=node.netns)
    for dev in [nic_device.PF_DEVICE] + [vf['device'] for vf in card['vfs']]:
        proc.ip('link', 'set', dev, 'up', netns=node.netns)
    for dev in ['pf-rep'] + [nic_device.vf_rep(vf['index'])
                             for vf in card['vfs']]:
        proc.ip('link', 'set', dev, 'up', netns=ns)
    # What the card hands the host's PF are wire frames, segmented and
    # checksummed, as a NIC's switch does: a VF's 64 KiB segment with a
    # partial checksum would reach the node's OVS (no TSO) as one frame
    # with a bad checksum, and a VF could not talk to a normal port of its
    # own host. Without tx offload on pf-rep the kernel completes both.
    proc.run(['ethtool', '-K', 'pf-rep', 'tx', 'off'], netns=ns)
    # The embedded switch: the card's own Open vSwitch, a VEB that
    # forwards by the filter table its firmware programs (lab.nic.veb),
    # never by learning: fail mode secure, so it forwards nothing before
    # its table is there.
    # Hardware switching: whole GSO segments, checksums completed.
    esw = fabric.OvsInstance(state, 'nic-' + node.name, ns,
                             esw_dir(state, node), tso=True)
    esw.start()
    ports = ['wire', 'pf-rep'] + [nic_device.vf_rep(vf['index'])
                                  for vf in card['vfs']]
    args = ['--may-exist', 'add-br', 'esw', '--', 'set', 'bridge', 'esw',
            'datapath_type=netdev', '--', 'set-fail-mode', 'esw', 'secure']
    for port in ports:
        args += ['--', '--may-exist', 'add-port', 'esw', port]
    esw.vsctl(*args)
    proc.ip('link', 'set', 'esw', 'up', netns=ns)
    firmware(state, node).reprogram()
    return card
