"""What the card programs into its embedded switch and its VFs' paths:
OpenFlow flows (spoof check, leaks), nftables rules (loss) and token
buckets (rates), as pure functions of its state and faults.
"""

from lab.nic import device as nic_device
from lab.nic import faults as nic_faults

SWITCH = 'esw'  # the embedded switch's bridge (lab.card)
#: The nftables table (netdev family, in the card's namespace) whose
#: egress chains on the VF representors drop them.
LOSS_TABLE = 'sriovlab_loss'
LEAK_COOKIE = '0x1eac'


def leak_flows(vfs, faults):
    """Flows that forward VF frames across VLANs (``vlan-leak``,
    ``unicast-leak``).

    ``vfs``: {index: state}; only VFs with a VLAN (given to a guest) take
    part. ``vlan-leak``: every frame a VF sends also goes to the VFs of the
    other VLANs (it still takes the switch's normal path too).
    ``unicast-leak``: a frame to the MAC of a VF of another VLAN goes to
    that VF alone (known unicast crosses; broadcast and unknown unicast
    stay in their VLAN).
    """
    tagged = {i: st['vlan'] for i, st in vfs.items() if st.get('vlan')}
    rep = nic_device.vf_rep
    flows = []
    if 'vlan-leak' in faults:
        for index, vlan in sorted(tagged.items()):
            others = [rep(i) for i, v in sorted(tagged.items()) if v != vlan]
            if others:
                flows.append('cookie=%s,priority=110,in_port=%s,'
                             'actions=NORMAL,%s' % (
                                 LEAK_COOKIE, rep(index), ','.join(
                                     'output:%s' % o for o in others)))
    if 'unicast-leak' in faults:
        for index, vlan in sorted(tagged.items()):
            for other, other_vlan in sorted(tagged.items()):
                mac = vfs[other].get('mac', nic_device.NO_MAC)
                if other_vlan != vlan and mac != nic_device.NO_MAC:
                    flows.append('cookie=%s,priority=110,in_port=%s,'
                                 'dl_dst=%s,actions=output:%s' % (
                                     LEAK_COOKIE, rep(index), mac,
                                     rep(other)))
    return flows


def loss_commands(indices, faults):
    """One ``nft`` transaction that makes the card's loss what ``faults``
    say, for the VFs ``indices``: under ``lossy-vf`` an egress chain on
    each VF's representor (what the switch delivers to the VF) drops a
    frame when a random draw says so (``numgen random``: 1 in
    :data:`LOSS_EVERY`), with a counter; otherwise no such table.

    The userspace switch sends through a packet socket, which the netdev
    egress hook sees; nothing of it shows in the node or the guest.
    The table is made before it is deleted, so that the transaction holds
    whether or not it was there.
    """
    table = 'netdev %s' % LOSS_TABLE
    commands = ['add table %s' % table, 'delete table %s' % table]
    if 'lossy-vf' in faults:
        commands.append('add table %s' % table)
        for index in sorted(indices):
            chain = '%s vf%d' % (table, index)
            commands.append('add chain %s { type filter hook egress device '
                            '"%s" priority 0 ; }'
                            % (chain, nic_device.vf_rep(index)))
            commands.append('add rule %s numgen random mod %d == 0 counter '
                            'drop' % (chain, nic_faults.LOSS_EVERY))
    return ' ; '.join(commands)


def spoof_cookie(index):
    """The OpenFlow cookie of one VF's spoof-check flows."""
    return '0x5f%02x' % index


def spoof_flows(index, vf_state, faults=()):
    """The embedded switch's flows that enforce one VF's spoof check.

    With spoofchk on and a MAC set, frames the VF sends with another
    source MAC are dropped at its representor (as the NIC's anti-spoof
    filter does); everything else is the switch's normal forwarding.
    """
    if not vf_state.get('spoofchk') or 'no-spoofchk' in faults or \
            vf_state.get('mac', nic_device.NO_MAC) == nic_device.NO_MAC:
        return []
    cookie = spoof_cookie(index)
    rep = nic_device.vf_rep(index)
    return ['cookie=%s,priority=100,in_port=%s,dl_src=%s,actions=NORMAL'
            % (cookie, rep, vf_state['mac']),
            'cookie=%s,priority=90,in_port=%s,actions=drop' % (cookie, rep)]


def spoof_bundle(index, vf_state, faults=()):
    """``ovs-ofctl --bundle add-flows`` lines that make one VF's
    spoof-check flows :func:`spoof_flows`, in one transaction: the old
    ones deleted and the new ones added, with no moment between.
    """
    return (['delete cookie=%s/-1' % spoof_cookie(index)] +
            ['add ' + flow for flow in spoof_flows(index, vf_state, faults)])


def token_bucket(rate_kbit):
    """``tc qdisc ... tbf`` arguments of a rate, as a port or a VF's rate
    limiter paces frames: a burst of 1 ms at the rate but at least 64 KiB
    (one GSO frame), and 20 ms of queue.
    """
    return ['tbf', 'rate', '%dkbit' % rate_kbit,
            'burst', str(max(65536, rate_kbit // 8)), 'latency', '20ms']
