"""The card's firmware: what ``ip link set <pf> vf N ...`` and a VF driver's
mailbox requests do to its state and its embedded switch.
"""

import os
import tempfile

from lab.nic import device as nic_device
from lab.nic import faults as nic_faults
from lab.nic import state as nic_state
from lab.nic import switch as nic_switch
from lab.nic import veb as nic_veb


class Firmware:
    """The card's operations: what ``ip link set <pf> vf N ...`` would do.

    Changes the state and programs the embedded switch (in the card's
    namespace). Used by the hypervisor (MAC, VLAN: as libvirt does for a
    hostdev interface; trust: as Nova's libvirt driver does for a trusted
    port), by the SR-IOV agent (link state, spoof check, rates) and by the
    VF's own driver in the guest (its MAC: :meth:`request_mac`).
    """

    def __init__(self, directory, runner):
        self.card = nic_state.Card(directory)
        self.run = runner           # run(cmd list, env dict or None)
        self._spec = self.card.spec()

    @property
    def spec(self):
        return self._spec

    def _ns(self, *cmd):
        return ['ip', 'netns', 'exec', self._spec['netns']] + list(cmd)

    def _ofctl(self, *args):
        self.run(self._ns('ovs-ofctl', '--timeout=10', *args),
                 {'OVS_RUNDIR': self._spec['ovs_dir']})

    def _program_switch(self):
        """The switch's whole flow table again from the card's state
        (:func:`lab.nic.veb.flows`), in one atomic OpenFlow bundle, under
        the state's lock: the table is always the latest state's, and a
        NIC that keeps spoof check on while it is told so again never
        lets a forged frame through.
        """
        with self.card.state() as st:
            table = nic_veb.flows(_vfs_of(st), [self._spec['pf']['mac']],
                                  self.card.fdb(), self.card.faults())
            fd, path = tempfile.mkstemp(prefix='esw-', suffix='.flows',
                                        dir=self.card.directory)
            try:
                with os.fdopen(fd, 'w') as f:
                    f.write(''.join(line + '\n' for line in table))
                self._ofctl('--bundle', 'replace-flows', nic_switch.SWITCH,
                            path)
            finally:
                os.unlink(path)

    def _program_loss(self, faults):
        self.run(self._ns('nft', nic_switch.loss_commands(
            [vf['index'] for vf in self._spec['vfs']], faults)), None)

    def _program_link(self, index, link_state, faults):
        # A disabled VF loses its carrier: its representor goes down.
        up = nic_faults.link_up(link_state, faults)
        self.run(self._ns('ip', 'link', 'set', nic_device.vf_rep(index),
                          'up' if up else 'down'), None)

    def _program_mtu(self, index, faults):
        mtu = (nic_faults.SMALL_MTU if 'small-mtu' in faults
               else nic_faults.PORT_MTU)
        self.run(self._ns('ip', 'link', 'set', nic_device.vf_rep(index),
                          'mtu', str(mtu)), None)

    def _program_rate(self, index, faults):
        """Pace what the VF sends to its max_tx_rate, as the NIC's transmit
        scheduler does: a token bucket on the egress of the VF's netdev,
        where it is now (the node, or the guest it was given to).

        A netdev that moves between namespaces loses its qdisc, so
        :meth:`moved` programs it again.
        """
        with self.card.state() as st:
            vf_state = st[str(index)]
            netns = vf_state.get('assigned_to')
            dev = vf_state.get('netdev') or nic_device.vf_device(index)
            kbps = nic_faults.rate_kbps(vf_state, faults)
            shaped = vf_state.get('shaped')
            if shaped and not kbps and 'stuck-rate' in faults:
                return
            vf_state['shaped'] = bool(kbps)
        tc = ['tc'] + (['-n', netns] if netns else []) + ['qdisc']
        if kbps:
            self.run(tc + ['replace', 'dev', dev, 'root'] +
                     nic_switch.token_bucket(kbps), None)
        elif shaped:
            self.run(tc + ['del', 'dev', dev, 'root'], None)

    def set_faults(self, names):
        """Make the card have the faults ``names`` (none: healthy), now
        and for whatever the host asks of it from now on.
        """
        self.card.write_faults(names)
        self.reprogram()

    def reprogram(self):
        """Program every VF's switch state again from the card's state."""
        faults = self.card.faults()
        for index, st in sorted(self.vfs().items()):
            self._program_link(index, st['link_state'], faults)
            self._program_rate(index, faults)
            self._program_mtu(index, faults)
        self._program_switch()
        self._program_loss(faults)

    def index_of(self, address):
        for vf in self._spec['vfs']:
            if vf['address'] == address:
                return vf['index']
        raise KeyError('no VF at PCI address %s on %s' % (
            address, self._spec['pf']['address']))

    def vfs(self):
        """{index: state} of every VF."""
        with self.card.state() as st:
            return _vfs_of(st)

    def set_mac_vlan(self, index, mac, vlan):
        with self.card.state() as st:
            st[str(index)].update(mac=mac.lower(), vlan=int(vlan or 0))
        self._program_switch()

    def set_fdb(self, macs):
        """The PF's forwarding database is ``macs`` (what the host added
        with ``bridge fdb add <mac> dev <pf>``): the PF driver writes them
        into the switch's filter table, so that a VF's frames to them go
        to the PF (:mod:`lab.nic.fdb`).
        """
        if self.card.write_fdb(macs):
            self._program_switch()

    def set_link_state(self, index, link_state):
        self._program_link(index, link_state, self.card.faults())
        with self.card.state() as st:
            st[str(index)]['link_state'] = int(link_state)

    def set_spoofchk(self, index, enabled):
        if 'sticky-spoofchk' in self.card.faults():
            enabled = True
        with self.card.state() as st:
            st[str(index)]['spoofchk'] = bool(enabled)
        self._program_switch()

    def set_trust(self, index, enabled):
        with self.card.state() as st:
            st[str(index)]['trust'] = bool(enabled)

    def assigned_vf(self, netns, netdev):
        """The index of the VF that is ``netdev`` in guest ``netns``, or
        None (not a VF of this card).
        """
        for index, st in sorted(self.vfs().items()):
            if st.get('assigned_to') == netns and st.get('netdev') == netdev:
                return index
        return None

    def request_mac(self, index, mac):
        """The VF's driver asks for ``mac`` as the VF's MAC (a VF's
        ``ip link set <vf> address``, through the PF's mailbox).

        Granted (:func:`own_mac_allowed`), the card takes it as the VF's
        MAC: its spoof check now passes that source MAC, and the PF
        reports it. Returns whether it was granted; a refused VF keeps its
        MAC, as its driver answers EPERM.
        """
        faults = self.card.faults()
        with self.card.state() as st:
            if not nic_faults.own_mac_allowed(st[str(index)], mac, faults):
                return False
        self.grant_mac(index, mac)
        return True

    def grants_late(self):
        """Whether a refused MAC request is granted after all, later
        (``late-grant``): the VF's driver takes the MAC meanwhile.
        """
        return 'late-grant' in self.card.faults()

    def grant_mac(self, index, mac):
        """The card takes ``mac`` as the VF's MAC: its spoof check now
        passes that source MAC, and the PF reports it.
        """
        with self.card.state() as st:
            st[str(index)]['mac'] = mac.lower()
        self._program_switch()

    def set_rates(self, index, rates_mbps):
        """Set the VF's rates, in Mbit/s.

        ``max_tx_rate`` limits what the VF sends (:meth:`_program_rate`);
        ``min_tx_rate`` is kept but not enforced (as on NICs without it).
        """
        with self.card.state() as st:
            st[str(index)].update({k: int(v) for k, v in rates_mbps.items()
                                   if k in ('max_tx_rate', 'min_tx_rate')})
        self._program_rate(index, self.card.faults())

    def moved(self, index, netns, netdev):
        """The VF's netdev is now ``netdev`` in ``netns`` (given to a
        guest); its rate limiter goes with it.
        """
        with self.card.state() as st:
            st[str(index)].update(assigned_to=netns, netdev=netdev,
                                  shaped=False)
        self._program_rate(index, self.card.faults())

    def release(self, index):
        """Back to the state after a VF reset; its netdev is back on the
        node, without a qdisc (the move took it).
        """
        with self.card.state() as st:
            st[str(index)].update(assigned_to=None, netdev=None,
                                  shaped=False)
        self.set_mac_vlan(index, '00:00:00:00:00:00', 0)
        self.set_link_state(index, nic_device.LINK_AUTO)
        self.set_rates(index, {'max_tx_rate': 0, 'min_tx_rate': 0})
        with self.card.state() as st:
            st[str(index)] = nic_state.initial_vf_state()


def _vfs_of(st):
    """{index: VF state} of the card's state store's content."""
    return {int(k): dict(v) for k, v in st.items()}
