"""Nodes, wires and per-node Open vSwitch.

::

    root ns                 sriovlab-fabric              node namespaces
    slab-mgmt 192.168.240.1 ==[mgmt bridge]== mgmt0 (.10 network, .11/.12)
    slab-ext  172.24.4.1    ==[ext bridge]=== eth2 of network -> br-ex
                              [phys bridge]== eth1 of network -> br-eth1
                                            == wire of each compute node's
                                               SR-IOV card (lab.card, lab.nic)

The ``phys`` bridge is the "physical switch" of physnet1: it forwards
802.1Q-tagged frames between the nodes untouched (no VLAN filtering, so no
8021q module is needed). Each node runs its own ovsdb-server and
ovs-vswitchd with the userspace datapath (``datapath_type=netdev``).
"""

import os
import signal
import time

from lab import layout
from lab.nic import device as nic_device
from lab import proc

OVS_SCHEMA = '/usr/share/openvswitch/vswitch.ovsschema'


def netns_list():
    out = proc.run(['ip', 'netns', 'list'], check=False)
    return [line.split()[0] for line in out.splitlines() if line.strip()]


def netns_exists(name):
    return name in netns_list()


def build(state):
    """Create the fabric and node namespaces and their links."""
    fab = layout.FABRIC_NETNS
    proc.ip('netns', 'add', fab)
    proc.ip('link', 'set', 'lo', 'up', netns=fab)
    for br in ('mgmt', 'phys', 'ext'):
        proc.ip('link', 'add', br, 'type', 'bridge', netns=fab)
        proc.ip('link', 'set', br, 'up', netns=fab)
    # The host's own ends.
    _veth_to_fabric(layout.HOST_MGMT_DEV, 'h-mgmt', 'mgmt', None)
    proc.ip('addr', 'add', '%s/24' % layout.CONTROLLER_IP, 'dev',
            layout.HOST_MGMT_DEV)
    _veth_to_fabric(layout.HOST_EXT_DEV, 'h-ext', 'ext', None)
    proc.ip('addr', 'add', '%s/24' % layout.EXT_HOST_IP, 'dev',
            layout.HOST_EXT_DEV)
    # Frames the host sends reach a node's userspace OVS through a packet
    # socket, which cannot complete an offloaded checksum: compute it here.
    for dev in (layout.HOST_MGMT_DEV, layout.HOST_EXT_DEV):
        proc.run(['ethtool', '-K', dev, 'tx', 'off'])
    for index, node in enumerate(layout.NODES):
        ns = node.netns
        proc.ip('netns', 'add', ns)
        proc.ip('link', 'set', 'lo', 'up', netns=ns)
        _veth_to_fabric('mgmt0', 'n%d-mgmt' % index, 'mgmt', ns)
        proc.ip('addr', 'add', node.mgmt_ip + '/24', 'dev', 'mgmt0', netns=ns)
        if node.role == 'network':
            # Compute nodes reach the switch through their SR-IOV card
            # (lab.card).
            _veth_to_fabric('eth1', 'n%d-phys' % index, 'phys', ns)
            _veth_to_fabric('eth2', 'n%d-ext' % index, 'ext', ns)


def _veth_to_fabric(inner, outer, bridge, netns):
    """Make a veth pair from ``netns`` to a fabric bridge.

    ``inner`` is in ``netns`` (None: the root namespace), ``outer`` on
    the fabric bridge ``bridge``.
    """
    fab = layout.FABRIC_NETNS
    args = ['link', 'add', inner, 'type', 'veth', 'peer', 'name', outer,
            'netns', fab]
    proc.ip(*args, netns=netns)
    proc.ip('link', 'set', outer, 'master', bridge, 'up', netns=fab)
    proc.ip('link', 'set', inner, 'up', netns=netns)


# -- Open vSwitch, one per node ---------------------------------------------

def ovs_dir(state, node):
    return state.path('data', 'ovs', node.name)


class OvsInstance:
    """One ovsdb-server + ovs-vswitchd pair, in a namespace of its own.

    ``tso``: Open vSwitch's userspace TSO (``other_config:
    userspace-tso-enable``, read once when ovs-vswitchd starts). The
    switch then moves whole GSO segments of up to 64 KiB and leaves
    checksums to the ports' offloads, as a kernel datapath or a NIC's
    silicon does; without it every 1500-byte frame costs a pass through
    the userspace datapath, and senders must compute their own checksums
    (``ethtool -K <dev> tx off``).
    """

    def __init__(self, state, name, netns, directory, tcp_remote=False,
                 tso=False):
        self.state = state
        self.name = name
        self.netns = netns
        self.dir = directory
        self.tcp_remote = tcp_remote
        self.tso = tso

    @property
    def env(self):
        d = self.dir
        return {'OVS_RUNDIR': d, 'OVS_DBDIR': d, 'OVS_LOGDIR': d,
                'OVS_SYSCONFDIR': d}

    def start(self):
        d = self.dir
        os.makedirs(d, exist_ok=True)
        db = os.path.join(d, 'conf.db')
        if not os.path.exists(db):
            proc.run(['ovsdb-tool', 'create', db, OVS_SCHEMA])
        remotes = ['--remote=punix:%s/db.sock' % d]
        if self.tcp_remote:
            # The Neutron agent and os-vif speak OVSDB over TCP, on the
            # node's own loopback.
            remotes.append('--remote=ptcp:6640:127.0.0.1')
        proc.spawn(self.state, 'ovsdb-server-%s' % self.name, [
            'ovsdb-server', db] + remotes + [
            '--unixctl=%s/ovsdb-server.ctl' % d,
            '--pidfile=%s/ovsdb-server.pid' % d,
            '--log-file=%s/ovsdb-server.log' % d],
            netns=self.netns, env=self.env)
        proc.wait_for('ovsdb-server %s' % self.name,
                      lambda: os.path.exists(os.path.join(d, 'db.sock')),
                      20)
        self.vsctl('--no-wait', 'init')
        if self.tso:
            self.vsctl('--no-wait', 'set', 'Open_vSwitch', '.',
                       'other_config:userspace-tso-enable=true')
        proc.spawn(self.state, 'ovs-vswitchd-%s' % self.name, [
            'ovs-vswitchd', 'unix:%s/db.sock' % d,
            '--unixctl=%s/ovs-vswitchd.ctl' % d,
            '--pidfile=%s/ovs-vswitchd.pid' % d,
            '--log-file=%s/ovs-vswitchd.log' % d],
            netns=self.netns, env=self.env)
        proc.wait_for('ovs-vswitchd %s' % self.name,
                      lambda: os.path.exists(os.path.join(
                          d, 'ovs-vswitchd.ctl')), 20)

    def vsctl(self, *args):
        return proc.run(['ovs-vsctl', '--timeout=20'] + list(args),
                        netns=self.netns, env=self.env)


def node_ovs(state, node):
    """The node's Open vSwitch.

    The network node's has userspace TSO: it stands for a node with no
    hypervisor, whose kernel OVS carried the paper's routed SR-IOV traffic
    at 9.4 Gbit/s. A compute node's OVS keeps the per-frame userspace cost
    that stands for the hypervisor's software path (README "The lab").
    """
    return OvsInstance(state, node.name, node.netns, ovs_dir(state, node),
                       tcp_remote=True, tso=node.role == 'network')


def uplink(node):
    """The node's physnet1 port: eth1, or the SR-IOV card's PF."""
    return 'eth1' if node.role == 'network' else nic_device.PF_DEVICE


def start_ovs(state, node):
    ovs = node_ovs(state, node)
    ovs.start()
    # The node's uplinks, as a deployment tool would wire them.
    ovs.vsctl('--may-exist', 'add-br', layout.PHYS_BRIDGE, '--',
              'set', 'bridge', layout.PHYS_BRIDGE, 'datapath_type=netdev',
              '--', '--may-exist', 'add-port', layout.PHYS_BRIDGE,
              uplink(node))
    proc.ip('link', 'set', layout.PHYS_BRIDGE, 'up', netns=node.netns)
    if node.role == 'network':
        ovs.vsctl('--may-exist', 'add-br', layout.EXT_BRIDGE, '--',
                  'set', 'bridge', layout.EXT_BRIDGE, 'datapath_type=netdev',
                  '--', '--may-exist', 'add-port', layout.EXT_BRIDGE, 'eth2')
        proc.ip('link', 'set', layout.EXT_BRIDGE, 'up', netns=node.netns)


def vsctl(state, node, *args):
    return node_ovs(state, node).vsctl(*args)


# -- teardown -----------------------------------------------------------------

def lab_namespaces():
    """Namespaces the lab (or Neutron inside it) made."""
    mine = (layout.PREFIX + '-', 'qrouter-', 'qdhcp-', 'snat-', 'fip-')
    return [ns for ns in netns_list() if ns.startswith(mine)]


def kill_namespace_processes(names, timeout=10):
    pids = set()
    for ns in names:
        out = proc.run(['ip', 'netns', 'pids', ns], check=False)
        pids.update(int(p) for p in out.split() if p.isdigit())
    for pid in pids:
        proc.kill_group(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while any(proc.alive(p) for p in pids) and time.monotonic() < deadline:
        time.sleep(0.2)
    for pid in pids:
        if proc.alive(pid):
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass


def destroy():
    """Remove every namespace and root-namespace link of the lab."""
    names = lab_namespaces()
    kill_namespace_processes(names)
    for ns in names:
        proc.run(['ip', 'netns', 'delete', ns], check=False)
    for dev in (layout.HOST_MGMT_DEV, layout.HOST_EXT_DEV):
        proc.run(['ip', 'link', 'delete', dev], check=False)
