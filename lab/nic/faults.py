"""What the card can be made to get wrong, and how each fault changes
what it does (pure rules, no I/O).
"""

from lab.nic import device as nic_device

#: What the card can be made to get wrong (``python3 -m lab fault``), each
#: a way real NIC firmware or hardware fails, whatever the host asked:
#: ``wrong-vlan`` tags each VF with the VLAN after the one it was told (an
#: off-by-one in the firmware's VLAN table); ``vlan-leak`` forwards frames
#: between VFs of different VLANs; ``unicast-leak`` forwards only frames to
#: a known MAC of another VLAN's VF (a filter table that matches the MAC
#: and forgets the VLAN), broadcast staying in its VLAN; ``vf-link-down``
#: keeps every VF's link down; ``no-link-state`` keeps a VF's link up when
#: told to disable it; ``no-spoofchk`` ignores spoof check;
#: ``sticky-spoofchk`` keeps spoof check on when told to turn it off (and
#: reports it on); ``no-rate-limit`` ignores ``max_tx_rate`` (and still
#: reports it); ``stuck-rate`` keeps pacing a VF at its last rate when told
#: to stop (and reports no rate); ``small-mtu`` runs the switch's VF ports
#: at ``SMALL_MTU`` (a PF left below the physnet's MTU); ``no-trust``
#: refuses a trusted VF's own MAC change (and still reports trust on);
#: ``trust-all`` takes any VF's own MAC change, trusted or not (and still
#: reports trust off); ``late-grant`` lets an untrusted VF's driver take
#: its new MAC at once and the card let frames from it through
#: ``LATE_GRANT_DELAY`` s later (a PF that answers the mailbox
#: asynchronously, and wrongly); ``host-no-vfs`` reports no VF to the
#: host's ``ip link`` (a PF driver or iproute2 that lists none: the
#: host-side checks must fail, not pass on absence); ``lossy-vf`` drops one
#: in ``LOSS_EVERY`` of the frames the switch delivers to a VF, at random
#: (a failing receive path: a bad queue, a marginal PCIe link).
CARD_FAULTS = ('wrong-vlan', 'vlan-leak', 'unicast-leak', 'vf-link-down',
               'no-link-state', 'no-spoofchk', 'sticky-spoofchk',
               'no-rate-limit', 'stuck-rate', 'small-mtu', 'no-trust',
               'trust-all', 'late-grant', 'host-no-vfs', 'lossy-vf',
               'no-fdb')

#: Seconds after which ``late-grant`` lets the new MAC's frames through.
LATE_GRANT_DELAY = 3
#: ``lossy-vf`` drops one frame in this many, each by an independent draw.
LOSS_EVERY = 3
#: The MTU of the card's switch ports: the physnet's (Neutron's default
#: global_physnet_mtu), and what ``small-mtu`` leaves them at.
PORT_MTU = 1500
SMALL_MTU = 1400


def effective_vlan(vlan, faults):
    """The VLAN the card really tags, for the VLAN it was told."""
    if vlan and 'wrong-vlan' in faults:
        return int(vlan) + 1
    return int(vlan or 0)


def link_up(link_state, faults):
    if 'vf-link-down' in faults:
        return False
    return link_state != nic_device.LINK_DISABLE or 'no-link-state' in faults


def rate_kbps(vf_state, faults=()):
    """What the card limits a VF's transmit rate to, in kbit/s (0: none)."""
    if 'no-rate-limit' in faults:
        return 0
    return int(vf_state.get('max_tx_rate') or 0) * 1000


def trusted(vf_state, faults=()):
    """Whether the card treats the VF as trusted (``trust on``)."""
    if 'trust-all' in faults:
        return True
    if 'no-trust' in faults:
        return False
    return bool(vf_state.get('trust'))


def own_mac_allowed(vf_state, mac, faults=()):
    """Whether the VF may make ``mac`` its MAC (its driver asks the PF).

    As the 82599's PF driver decides: a MAC the PF set (the hypervisor's,
    from the port) stays unless the VF is trusted, but asking for that
    same MAC is no change; a VF the PF gave no MAC picks its own.
    """
    current = vf_state.get('mac', nic_device.NO_MAC)
    return (current in (nic_device.NO_MAC, mac.lower()) or
            trusted(vf_state, faults))
