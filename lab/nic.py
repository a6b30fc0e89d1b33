"""The emulated SR-IOV NIC of a compute node (an Intel 82599-like card).

Hardware, as the node sees it::

    compute node netns             card netns (the card's silicon)
    ens1f0     PF 8086:10fb <-veth-> pf-rep    \
    ens1f0v<i> VF 8086:10ed <-veth-> vf<i>-rep -- esw -- wire -> "phys"
                                               /  (embedded switch:
                                                   userspace OVS)

The embedded switch is a userspace Open vSwitch of the card's own, in its
own namespace, so nothing of it shows on the node: VF-to-VF traffic of
one PF stays in it (VEB), the rest leaves through ``wire``, whose egress
is limited to the port speed. A VF's VLAN is an access tag on its
representor port and its MAC and link state are kept by the card, set by
the hypervisor and the SR-IOV agent, never by the VM.

This module is the card's "firmware": its static description (``spec``),
its mutable state (``state.json``, shared between nova-compute and the
SR-IOV agent under a file lock) and the operations that program the
embedded switch.
"""

import contextlib
import fcntl
import json
import os
import re
import tempfile

PF_DEVICE = 'ens1f0'
VENDOR_ID = '8086'
PF_PRODUCT_ID = '10fb'      # 82599ES 10-Gigabit SFI/SFP+
VF_PRODUCT_ID = '10ed'      # 82599 Virtual Function
#: 82599: the first VF is 0x80 functions after the PF, VFs 2 apart.
VF_OFFSET = 0x80
VF_STRIDE = 2
LINK_AUTO, LINK_ENABLE, LINK_DISABLE = 0, 1, 2


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
        unknown = set(names) - set(CARD_FAULTS)
        if unknown:
            raise ValueError('not a card fault: %s' % ', '.join(
                sorted(unknown)))
        with open(self.faults_path + '.tmp', 'w') as f:
            json.dump(sorted(names), f)
        os.replace(self.faults_path + '.tmp', self.faults_path)

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


NO_MAC = '00:00:00:00:00:00'
SWITCH = 'esw'  # the embedded switch's bridge (lab.card)

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
               'trust-all', 'late-grant', 'host-no-vfs', 'lossy-vf')
#: Seconds after which ``late-grant`` lets the new MAC's frames through.
LATE_GRANT_DELAY = 3
#: ``lossy-vf`` drops one frame in this many, each by an independent draw.
LOSS_EVERY = 3
#: The nftables table (netdev family, in the card's namespace) whose
#: egress chains on the VF representors drop them.
LOSS_TABLE = 'sriovlab_loss'
#: The MTU of the card's switch ports: the physnet's (Neutron's default
#: global_physnet_mtu), and what ``small-mtu`` leaves them at.
PORT_MTU = 1500
SMALL_MTU = 1400
LEAK_COOKIE = '0x1eac'


def effective_vlan(vlan, faults):
    """The VLAN the card really tags, for the VLAN it was told."""
    if vlan and 'wrong-vlan' in faults:
        return int(vlan) + 1
    return int(vlan or 0)


def link_up(link_state, faults):
    if 'vf-link-down' in faults:
        return False
    return link_state != LINK_DISABLE or 'no-link-state' in faults


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
    flows = []
    if 'vlan-leak' in faults:
        for index, vlan in sorted(tagged.items()):
            others = [vf_rep(i) for i, v in sorted(tagged.items())
                      if v != vlan]
            if others:
                flows.append('cookie=%s,priority=110,in_port=%s,'
                             'actions=NORMAL,%s' % (
                                 LEAK_COOKIE, vf_rep(index), ','.join(
                                     'output:%s' % o for o in others)))
    if 'unicast-leak' in faults:
        for index, vlan in sorted(tagged.items()):
            for other, other_vlan in sorted(tagged.items()):
                mac = vfs[other].get('mac', NO_MAC)
                if other_vlan != vlan and mac != NO_MAC:
                    flows.append('cookie=%s,priority=110,in_port=%s,'
                                 'dl_dst=%s,actions=output:%s' % (
                                     LEAK_COOKIE, vf_rep(index), mac,
                                     vf_rep(other)))
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
                            '"%s" priority 0 ; }' % (chain, vf_rep(index)))
            commands.append('add rule %s numgen random mod %d == 0 counter '
                            'drop' % (chain, LOSS_EVERY))
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
            vf_state.get('mac', NO_MAC) == NO_MAC:
        return []
    cookie = spoof_cookie(index)
    rep = vf_rep(index)
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


def rate_kbps(vf_state, faults=()):
    """What the card limits a VF's transmit rate to, in kbit/s (0: none)."""
    if 'no-rate-limit' in faults:
        return 0
    return int(vf_state.get('max_tx_rate') or 0) * 1000


def token_bucket(rate_kbit):
    """``tc qdisc ... tbf`` arguments of a rate, as a port or a VF's rate
    limiter paces frames: a burst of 1 ms at the rate but at least 64 KiB
    (one GSO frame), and 20 ms of queue.
    """
    return ['tbf', 'rate', '%dkbit' % rate_kbit,
            'burst', str(max(65536, rate_kbit // 8)), 'latency', '20ms']


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
    current = vf_state.get('mac', NO_MAC)
    return current in (NO_MAC, mac.lower()) or trusted(vf_state, faults)


#: ``ip link``'s words for a VF's link state (IFLA_VF_LINK_STATE).
LINK_WORDS = {LINK_AUTO: 'auto', LINK_ENABLE: 'enable',
              LINK_DISABLE: 'disable'}
_LINK_RECORD = re.compile(r'^\d+:\s+(?P<name>[^:@\s]+)(?:@\S+)?:\s+<')
#: iproute2 options that take a value, and those whose output is not the
#: plain listing (JSON, brief) or not this namespace's.
_IP_VALUE_OPTIONS = ('-f', '-family', '-rc', '-rcvbuf', '-l', '-loops',
                     '-b', '-batch')
#: iproute2 options that act on another namespace (or read commands).
_IP_ELSEWHERE = ('-n', '-netns', '-b', '-batch')
_IP_OTHER_OUTPUT = ('-j', '-json', '-br', '-brief') + _IP_ELSEWHERE


def _link_words(args, refused):
    """The words after ``link`` in ``ip ARGS`` (iproute2's global options
    skipped), or None: not ``ip link``, or an option in ``refused``.
    """
    args = list(args)
    while args and args[0].startswith('-'):
        option = args.pop(0)
        if option in refused:
            return None
        if option in _IP_VALUE_OPTIONS and args:
            args.pop(0)
    if not args or not 'link'.startswith(args[0]):
        return None
    return args[1:]


def ip_link_listing(args):
    """Whether ``ip ARGS`` lists links in the plain format.

    That is ``ip [-d] [-o] link [show ...]``, the output
    :func:`with_vf_report` adds to.
    """
    words = _link_words(args, _IP_OTHER_OUTPUT)
    if words is None:
        return False
    return not words or any(word.startswith(words[0])
                            for word in ('show', 'list', 'lst'))


_MAC = re.compile(r'^[0-9a-fA-F]{2}(:[0-9a-fA-F]{2}){5}$')


def link_address_change(args):
    """``(device, mac)`` when ``ip ARGS`` sets a link's MAC in this
    namespace (``ip link set [dev] DEV ... address MAC``), else None.

    What a VF's driver must ask the PF for (:meth:`Firmware.request_mac`).
    """
    words = _link_words(args, _IP_ELSEWHERE)
    if not words or len(words) < 2 or words[0] not in ('set', 'change'):
        return None
    words = words[1:]
    device = mac = None
    for i, word in enumerate(words[:-1]):
        if word == 'dev':
            device = words[i + 1]
        elif word == 'address':
            mac = words[i + 1]
    device = device or words[0]
    if mac is None or not _MAC.match(mac) or device in ('dev', 'group'):
        return None
    return device, mac.lower()


def vf_report_lines(vfs, faults=()):
    """The ``vf N ...`` lines ``ip link`` prints for a PF's VFs.

    As iproute2 prints (``print_vfinfo``, in its order) what a PF driver
    reports in IFLA_VFINFO_LIST; ``vfs`` is {index: state}. None under
    ``host-no-vfs``.
    """
    if 'host-no-vfs' in faults:
        return []
    lines = []
    for index, st in sorted(vfs.items()):
        words = ['vf %d     link/ether %s brd ff:ff:ff:ff:ff:ff'
                 % (index, st['mac'])]
        if st.get('vlan'):
            words.append('vlan %d' % st['vlan'])
        if st.get('max_tx_rate'):
            # The kernel reports the old single rate as the maximum too.
            words.append('tx rate %d (Mbps)' % st['max_tx_rate'])
            words.append('max_tx_rate %dMbps' % st['max_tx_rate'])
        if st.get('min_tx_rate'):
            words.append('min_tx_rate %dMbps' % st['min_tx_rate'])
        words.append('spoof checking %s' % ('on' if st['spoofchk']
                                            else 'off'))
        words.append('link-state %s' % LINK_WORDS[int(st['link_state'])])
        words.append('trust %s' % ('on' if st.get('trust') else 'off'))
        lines.append(', '.join(words))
    return lines


def with_vf_report(ip_link_text, pf_device, lines):
    """``ip link`` output with the VF ``lines`` ending a PF's record.

    On a line of their own each, or after a backslash in one-line mode
    (``-o``), as iproute2 prints them.
    """
    out = []
    in_pf = False
    for line in ip_link_text.splitlines():
        head = _LINK_RECORD.match(line)
        if head and in_pf:
            out.extend('    ' + vf for vf in lines)
            in_pf = False
        if head and head.group('name') == pf_device:
            if '\\' in line:      # one-line mode: the record is this line
                line = line.rstrip('\n') + ''.join(
                    '\\    ' + vf for vf in lines)
            else:
                in_pf = True
        out.append(line)
    if in_pf:
        out.extend('    ' + vf for vf in lines)
    return '\n'.join(out) + ('\n' if ip_link_text.endswith('\n') else '')


def initial_vf_state():
    return {'mac': NO_MAC, 'vlan': 0,
            'link_state': LINK_AUTO, 'spoofchk': True, 'trust': False,
            'max_tx_rate': 0, 'min_tx_rate': 0, 'assigned_to': None,
            'netdev': None, 'shaped': False}


class Firmware:
    """The card's operations: what ``ip link set <pf> vf N ...`` would do.

    Changes the state and programs the embedded switch (in the card's
    namespace). Used by the hypervisor (MAC, VLAN: as libvirt does for a
    hostdev interface; trust: as Nova's libvirt driver does for a trusted
    port), by the SR-IOV agent (link state, spoof check, rates) and by the
    VF's own driver in the guest (its MAC: :meth:`request_mac`).
    """

    def __init__(self, directory, runner):
        self.card = Card(directory)
        self.run = runner           # run(cmd list, env dict or None)
        self._spec = self.card.spec()

    @property
    def spec(self):
        return self._spec

    def _ns(self, *cmd):
        return ['ip', 'netns', 'exec', self._spec['netns']] + list(cmd)

    def _vsctl(self, *args):
        self.run(self._ns('ovs-vsctl', '--timeout=10', *args),
                 {'OVS_RUNDIR': self._spec['ovs_dir']})

    def _ofctl(self, *args):
        self.run(self._ns('ovs-ofctl', '--timeout=10', *args),
                 {'OVS_RUNDIR': self._spec['ovs_dir']})

    def _program_spoofchk(self, index, vf_state, faults=None):
        """One VF's spoof-check flows, replaced in one atomic OpenFlow
        bundle (:func:`spoof_bundle`): a NIC that keeps spoof check on
        while it is told so again never lets a forged frame through.
        """
        faults = self.card.faults() if faults is None else faults
        fd, path = tempfile.mkstemp(prefix='spoof-%d-' % index,
                                    suffix='.flows', dir=self.card.directory)
        try:
            with os.fdopen(fd, 'w') as f:
                f.write(''.join(line + '\n' for line in spoof_bundle(
                    index, vf_state, faults)))
            self._ofctl('--bundle', 'add-flows', SWITCH, path)
        finally:
            os.unlink(path)

    def _program_loss(self, faults):
        self.run(self._ns('nft', loss_commands(
            [vf['index'] for vf in self._spec['vfs']], faults)), None)

    def _program_leak(self, faults):
        self._ofctl('del-flows', SWITCH, 'cookie=%s/-1' % LEAK_COOKIE)
        for flow in leak_flows(self.vfs(), faults):
            self._ofctl('add-flow', SWITCH, flow)

    def _program_tag(self, index, vlan, faults):
        tag = effective_vlan(vlan, faults)
        if tag:
            self._vsctl('set', 'port', vf_rep(index), 'tag=%d' % tag)
        else:
            self._vsctl('clear', 'port', vf_rep(index), 'tag')

    def _program_link(self, index, link_state, faults):
        # A disabled VF loses its carrier: its representor goes down.
        self.run(self._ns('ip', 'link', 'set', vf_rep(index),
                          'up' if link_up(link_state, faults) else 'down'),
                 None)

    def _program_mtu(self, index, faults):
        mtu = SMALL_MTU if 'small-mtu' in faults else PORT_MTU
        self.run(self._ns('ip', 'link', 'set', vf_rep(index), 'mtu',
                          str(mtu)), None)

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
            dev = vf_state.get('netdev') or vf_device(index)
            kbps = rate_kbps(vf_state, faults)
            shaped = vf_state.get('shaped')
            if shaped and not kbps and 'stuck-rate' in faults:
                return
            vf_state['shaped'] = bool(kbps)
        tc = ['tc'] + (['-n', netns] if netns else []) + ['qdisc']
        if kbps:
            self.run(tc + ['replace', 'dev', dev, 'root'] +
                     token_bucket(kbps), None)
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
            self._program_tag(index, st['vlan'], faults)
            self._program_link(index, st['link_state'], faults)
            self._program_spoofchk(index, st, faults)
            self._program_rate(index, faults)
            self._program_mtu(index, faults)
        self._program_leak(faults)
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
            return {int(k): dict(v) for k, v in st.items()}

    def set_mac_vlan(self, index, mac, vlan):
        faults = self.card.faults()
        self._program_tag(index, vlan, faults)
        with self.card.state() as st:
            st[str(index)].update(mac=mac, vlan=int(vlan or 0))
            vf_state = dict(st[str(index)])
        self._program_spoofchk(index, vf_state, faults)
        if {'vlan-leak', 'unicast-leak'} & set(faults):
            self._program_leak(faults)

    def set_link_state(self, index, link_state):
        self._program_link(index, link_state, self.card.faults())
        with self.card.state() as st:
            st[str(index)]['link_state'] = int(link_state)

    def set_spoofchk(self, index, enabled):
        if 'sticky-spoofchk' in self.card.faults():
            enabled = True
        with self.card.state() as st:
            st[str(index)]['spoofchk'] = bool(enabled)
            vf_state = dict(st[str(index)])
        self._program_spoofchk(index, vf_state)

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
            if not own_mac_allowed(st[str(index)], mac, faults):
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
            vf_state = st[str(index)]
            vf_state['mac'] = mac.lower()
            vf_state = dict(vf_state)
        self._program_spoofchk(index, vf_state, self.card.faults())

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
        self.set_link_state(index, LINK_AUTO)
        self.set_rates(index, {'max_tx_rate': 0, 'min_tx_rate': 0})
        with self.card.state() as st:
            st[str(index)] = initial_vf_state()
