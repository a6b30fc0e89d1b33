"""The card's state store: its description, its VFs' state and its
faults, in files shared by nova-compute, the SR-IOV agent and the shims
under one lock.
"""

import contextlib
import fcntl
import json
import os

from lab.nic import device as nic_device
from lab.nic import faults as nic_faults


class Card:
    """A card's description and state, kept in ``directory``."""

    def __init__(self, directory):
        self.directory = directory

    @property
    def spec_path(self):
        return os.path.join(self.directory, 'spec.json')

    @property
    def state_path(self):
        return os.path.join(self.directory, 'state.json')

    @property
    def faults_path(self):
        return os.path.join(self.directory, 'faults.json')

    @property
    def fdb_path(self):
        return os.path.join(self.directory, 'fdb.json')

    def spec(self):
        with open(self.spec_path) as f:
            return json.load(f)

    def faults(self):
        """The card's injected faults (:data:`CARD_FAULTS`), a set."""
        try:
            with open(self.faults_path) as f:
                return set(json.load(f))
        except (OSError, ValueError):
            return set()

    def write_faults(self, names):
        unknown = set(names) - set(nic_faults.CARD_FAULTS)
        if unknown:
            raise ValueError('not a card fault: %s' % ', '.join(
                sorted(unknown)))
        with open(self.faults_path + '.tmp', 'w') as f:
            json.dump(sorted(names), f)
        os.replace(self.faults_path + '.tmp', self.faults_path)

    def fdb(self):
        """The unicast MACs in the PF's forwarding database, a sorted list
        (``lab.nic.fdb`` keeps it as the host's ``bridge fdb`` says).
        """
        try:
            with open(self.fdb_path) as f:
                return json.load(f)
        except (OSError, ValueError):
            return []

    def write_fdb(self, macs):
        """Keep ``macs`` as the PF's FDB; whether that changed it."""
        macs = sorted({m.lower() for m in macs})
        if macs == self.fdb():
            return False
        with open(self.fdb_path + '.tmp', 'w') as f:
            json.dump(macs, f)
        os.replace(self.fdb_path + '.tmp', self.fdb_path)
        return True

    def write_spec(self, card):
        os.makedirs(self.directory, exist_ok=True)
        with open(self.spec_path, 'w') as f:
            json.dump(card, f, indent=1)
        with self.state() as st:
            st.clear()
            st.update({str(vf['index']): initial_vf_state()
                       for vf in card['vfs']})

    @contextlib.contextmanager
    def state(self):
        """The VF state, locked for the block; written back at its end."""
        os.makedirs(self.directory, exist_ok=True)
        with open(os.path.join(self.directory, 'state.lock'), 'a') as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                try:
                    with open(self.state_path) as f:
                        st = json.load(f)
                except (OSError, ValueError):
                    st = {}
                yield st
                with open(self.state_path + '.tmp', 'w') as f:
                    json.dump(st, f, indent=1)
                os.replace(self.state_path + '.tmp', self.state_path)
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)


def initial_vf_state():
    return {'mac': nic_device.NO_MAC, 'vlan': 0,
            'link_state': nic_device.LINK_AUTO, 'spoofchk': True,
            'trust': False,
            'max_tx_rate': 0, 'min_tx_rate': 0, 'assigned_to': None,
            'netdev': None, 'shaped': False}
