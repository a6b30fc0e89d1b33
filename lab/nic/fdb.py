"""The PF driver's side of ``bridge fdb add <mac> dev <pf>``: it keeps the
card's filter table holding the unicast MACs in the PF's forwarding
database, as an ixgbe or i40e PF driver writes them into the NIC.

Neutron's FDB agent extension (``[agent] extensions = fdb`` on the OVS
agent, ``[FDB] shared_physical_device_mappings``) adds the MAC of every
normal port of the host to the PF's FDB through netlink. The lab's PF is
a veth, whose kernel driver keeps them in its unicast address list, where
``bridge fdb show dev <pf>`` lists them (``self permanent``); this
watcher, run in the node's namespace, hands that list to the card's
firmware on every change (``bridge monitor fdb``), and again every
:data:`RESYNC` seconds.

    python3 -m lab.nic.fdb CARD_DIR
"""

import select
import subprocess
import sys

from lab.nic import firmware as nic_firmware
from lab.nic import iproute as nic_iproute
from lab import shim

#: Seconds between full reads when ``bridge monitor`` says nothing.
RESYNC = 5
#: Words of ``bridge fdb show`` that take a value.
_VALUED = ('dev', 'vlan', 'master', 'dst', 'port', 'vni', 'via', 'nhid',
           'src_vni')


def unicast_self_macs(text, device=None):
    """The unicast MACs that ``bridge fdb show [dev DEV]`` lists as the
    device's own entries (``self``): what a PF driver writes into its
    NIC's filter table. Multicast entries (``33:33:...``, ``01:00:5e:...``)
    and a bridge's ``master`` entries are not; with ``device``, lines of
    other devices are left out (``bridge fdb show`` names the device only
    when not asked for one).
    """
    macs = []
    for line in text.splitlines():
        words = line.split()
        if not words or not nic_iproute.MAC.match(words[0]):
            continue
        mac = words[0].lower()
        flags, values = set(), {}
        i = 1
        while i < len(words):
            if words[i] in _VALUED and i + 1 < len(words):
                values[words[i]] = words[i + 1]
                i += 2
            else:
                flags.add(words[i])
                i += 1
        if device and values.get('dev', device) != device:
            continue
        if 'self' not in flags or 'master' in values or \
                int(mac.split(':')[0], 16) & 1:
            continue
        if mac not in macs:
            macs.append(mac)
    return macs


def sync(fw):
    pf = fw.spec['pf']['device']
    out = subprocess.run(['bridge', 'fdb', 'show', 'dev', pf],
                         capture_output=True, text=True, check=True,
                         timeout=30).stdout
    fw.set_fdb(unicast_self_macs(out, pf))


def watch(card_dir):
    """Keep the card's FDB as the host's, until killed."""
    fw = nic_firmware.Firmware(card_dir, shim.run)
    monitor = subprocess.Popen(['bridge', 'monitor', 'fdb'],
                               stdout=subprocess.PIPE, text=True)
    sync(fw)
    while True:
        ready, _, _ = select.select([monitor.stdout], [], [], RESYNC)
        if ready and not monitor.stdout.readline():
            sys.exit('bridge monitor fdb ended (exit %s)' % monitor.wait())
        sync(fw)


if __name__ == '__main__':
    watch(sys.argv[1])
