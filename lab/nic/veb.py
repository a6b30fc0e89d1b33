"""The card's embedded switch as a real NIC's VEB: a MAC + VLAN filter
table programmed from the firmware's state, no learning (pure rules).

An 82599 or X710 in VEB mode forwards by a table its PF driver writes:
each VF's MAC on its port VLAN, the PF's own MAC and the entries added to
the PF's forwarding database (``bridge fdb add <mac> dev <pf>``, as
Neutron's FDB agent extension does for the normal ports of the host).
Unicast to a MAC the table does not hold leaves on the uplink only, so a
VF's frame to an OVS port of its own host never comes back unless that
port's MAC is in the PF's FDB. Broadcast and multicast reach the VLAN's
VFs, the PF and the uplink. The switch never learns.

:func:`flows` is that table as one OpenFlow flow table for the card's
Open vSwitch (``ovs-ofctl --bundle replace-flows``), instead of the
learning ``NORMAL`` action. Table 0 takes a frame in: a VF's frame is
checked against its MAC (spoof check) and tagged with its port VLAN; the
uplink's and the PF's frames carry their VLAN already. Table 1 forwards
it by destination MAC and VLAN. The card's faults change the table the
way a broken firmware's table would be wrong (``lab.nic.faults``).
"""

from lab.nic import device as nic_device
from lab.nic import faults as nic_faults

UPLINK = 'wire'
PF_REP = 'pf-rep'
INGRESS, FORWARD = 0, 1
#: The group bit of a destination MAC: broadcast and multicast.
GROUP = '01:00:00:00:00:00/01:00:00:00:00:00'


def _vlan_match(vlan):
    """The match of frames on ``vlan`` in table 1 (0: untagged)."""
    return 'dl_vlan=%d' % vlan if vlan else 'vlan_tci=0x0000/0x1fff'


def _tags(vfs, faults):
    """{index: the VLAN the card really tags the VF's frames with}."""
    return {i: nic_faults.effective_vlan(st.get('vlan'), faults)
            for i, st in vfs.items()}


def _to_vfs(vlan, indices):
    """Actions that hand a frame of ``vlan`` to the VFs ``indices``: the
    port VLAN is the card's, so a VF receives the frame untagged.
    """
    return ('strip_vlan,' if vlan else '') + ','.join(
        'output:%s' % nic_device.vf_rep(i) for i in indices)


def _has_mac(vf_state):
    return vf_state.get('mac', nic_device.NO_MAC) != nic_device.NO_MAC


def _spoof_checked(vf_state, faults):
    return (bool(vf_state.get('spoofchk')) and _has_mac(vf_state) and
            'no-spoofchk' not in faults)


def ingress_flows(vfs, faults=()):
    """Table 0: where each frame comes in.

    ``vfs``: {index: VF state}. A VF's frame with another source MAC is
    dropped while spoof check is on (the NIC's anti-spoof filter); a
    frame it may send is tagged with the VLAN the card really applies
    (``wrong-vlan``: the next one) and goes to the filter table. Under
    ``vlan-leak`` it is first copied, untagged, to every VF of another
    VLAN. The uplink's and the PF's frames go to the filter table as they
    are.
    """
    tags = _tags(vfs, faults)
    flows = []
    for index, st in sorted(vfs.items()):
        rep = nic_device.vf_rep(index)
        tag = tags[index]
        actions = []
        if 'vlan-leak' in faults and st.get('vlan'):
            actions += ['output:%s' % nic_device.vf_rep(i)
                        for i, st2 in sorted(vfs.items())
                        if st2.get('vlan') and tags[i] != tag]
        if tag:
            actions.append('mod_vlan_vid:%d' % tag)
        actions.append('resubmit(,%d)' % FORWARD)
        if _spoof_checked(st, faults):
            flows.append('table=%d,priority=100,in_port=%s,dl_src=%s,'
                         'actions=%s' % (INGRESS, rep, st['mac'],
                                         ','.join(actions)))
            flows.append('table=%d,priority=90,in_port=%s,actions=drop'
                         % (INGRESS, rep))
        else:
            flows.append('table=%d,priority=80,in_port=%s,actions=%s'
                         % (INGRESS, rep, ','.join(actions)))
    for port in (UPLINK, PF_REP):
        flows.append('table=%d,priority=10,in_port=%s,actions=resubmit(,%d)'
                     % (INGRESS, port, FORWARD))
    flows.append('table=%d,priority=0,actions=drop' % INGRESS)
    return flows


def forward_flows(vfs, pf_macs=(), fdb=(), faults=()):
    """Table 1: the filter table, by destination MAC and VLAN.

    ``pf_macs``: the PF's own MAC(s); ``fdb``: the MACs in the PF's
    forwarding database (``bridge fdb add <mac> dev <pf>``). A VF's MAC
    on its VLAN goes to that VF alone (``unicast-leak``: on any VLAN, a
    table that matches the MAC and forgets the VLAN); the PF's MACs and
    its FDB entries go to the PF (``no-fdb``: the FDB entries are not in
    the table); broadcast and multicast of a VLAN go to the uplink, the
    PF and that VLAN's VFs; unknown unicast goes to the uplink, and from
    the uplink to the PF (which Open vSwitch runs promiscuous).
    """
    tags = _tags(vfs, faults)
    flows = []
    for index, st in sorted(vfs.items()):
        if not _has_mac(st):
            continue
        match = _vlan_match(tags[index])
        if 'unicast-leak' in faults and tags[index]:
            match = 'vlan_tci=0x1000/0x1000'   # any VLAN (pop needs one)
        flows.append('table=%d,priority=50,%s,dl_dst=%s,actions=%s'
                     % (FORWARD, match, st['mac'],
                        _to_vfs(tags[index], [index])))
    pf_side = list(pf_macs)
    if 'no-fdb' not in faults:
        pf_side += [m for m in fdb if m not in pf_side]
    for mac in pf_side:
        flows.append('table=%d,priority=50,dl_dst=%s,actions=output:%s'
                     % (FORWARD, mac, PF_REP))
    members = {}
    for index in sorted(vfs):
        members.setdefault(tags[index], []).append(index)
    for vlan, indices in sorted(members.items()):
        flows.append('table=%d,priority=40,%s,dl_dst=%s,actions=output:%s,'
                     'output:%s,%s' % (FORWARD, _vlan_match(vlan), GROUP,
                                       UPLINK, PF_REP,
                                       _to_vfs(vlan, indices)))
    flows.append('table=%d,priority=30,dl_dst=%s,actions=output:%s,'
                 'output:%s' % (FORWARD, GROUP, UPLINK, PF_REP))
    flows.append('table=%d,priority=1,in_port=%s,actions=output:%s'
                 % (FORWARD, UPLINK, PF_REP))
    flows.append('table=%d,priority=0,actions=output:%s' % (FORWARD, UPLINK))
    return flows


def flows(vfs, pf_macs=(), fdb=(), faults=()):
    """The whole flow table of the card's switch, for
    ``ovs-ofctl --bundle replace-flows``: what it holds is what the
    firmware's state says, nothing learnt.
    """
    return (ingress_flows(vfs, faults) +
            forward_flows(vfs, pf_macs, fdb, faults))
