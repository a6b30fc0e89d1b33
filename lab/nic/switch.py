"""What the card programs beside its switch's filter table
(``lab.nic.veb``) on its VFs' paths: nftables rules (loss) and token
buckets (rates), as pure functions of its state and faults.
"""

from lab.nic import device as nic_device
from lab.nic import faults as nic_faults

SWITCH = 'esw'  # the embedded switch's bridge (lab.card)
#: The nftables table (netdev family, in the card's namespace) whose
#: egress chains on the VF representors drop them.
LOSS_TABLE = 'sriovlab_loss'


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


def token_bucket(rate_kbit):
    """``tc qdisc ... tbf`` arguments of a rate, as a port or a VF's rate
    limiter paces frames: a burst of 1 ms at the rate but at least 64 KiB
    (one GSO frame), and 20 ms of queue.
    """
    return ['tbf', 'rate', '%dkbit' % rate_kbit,
            'burst', str(max(65536, rate_kbit // 8)), 'latency', '20ms']
