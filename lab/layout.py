"""Names and addresses of the lab: one place, read by every other module.

The lab mirrors the paper's test bed: a controller/network node and two
compute nodes joined by a "physical switch"; ``lab up --computes N`` makes
it a fleet of N compute nodes (fleet acceptance), each with its own card
on the switch. Each node is a network namespace; the switch fabric lives
in a namespace of its own so that the host's root namespace only gains
two veth ends (management and external).
"""

import dataclasses
import os

PREFIX = 'sriovlab'

#: management network: the control plane listens here (and on loopback).
MGMT_CIDR = '192.168.240.0/24'
CONTROLLER_IP = '192.168.240.1'
#: external (public) network: floating IPs, reached from the host.
EXT_CIDR = '172.24.4.0/24'
EXT_HOST_IP = '172.24.4.1'
EXT_POOL = ('172.24.4.10', '172.24.4.250')

PHYSNET = 'physnet1'            # tenant VLANs (and, in part 2, the VFs)
PUBLIC_PHYSNET = 'public'       # the flat external network
VLAN_RANGE = (100, 199)
PHYS_BRIDGE = 'br-eth1'
#: the emulated SR-IOV card of each compute node (lab.nic, lab.card).
CARD_VFS = 8
#: port speed of a card's uplink (a token bucket on the wire).
PORT_SPEED_MBPS = 1000
EXT_BRIDGE = 'br-ex'
REGION = 'RegionOne'

PORTS = {
    'keystone': 5000,
    'placement': 8778,
    'glance': 9292,
    'nova': 8774,
    'neutron': 9696,
    'rabbitmq': 5672,
    'mariadb': 13306,
}


@dataclasses.dataclass(frozen=True)
class Node:
    name: str           # host name, as Nova and Neutron know it
    role: str           # 'network' or 'compute'
    mgmt_ip: str

    @property
    def netns(self):
        return '%s-%s' % (PREFIX, self.name)


NETWORK = Node('network', 'network', '192.168.240.10')
#: How many compute nodes ``lab up`` makes unless told (the paper's two).
DEFAULT_COMPUTES = 2
#: At most: each has its own PCI bus number and management address.
MAX_COMPUTES = 8
#: Where ``lab up --computes N`` keeps N, for every later command.
COMPUTES_FILE = 'computes'


def compute_nodes(count):
    """The compute nodes of a lab of ``count``: compute1..computeN."""
    if not 2 <= count <= MAX_COMPUTES:
        raise ValueError('the lab has 2 to %d compute nodes, not %d'
                         % (MAX_COMPUTES, count))
    return tuple(Node('compute%d' % i, 'compute', '192.168.240.%d' % (10 + i))
                 for i in range(1, count + 1))


COMPUTES = compute_nodes(DEFAULT_COMPUTES)
NODES = (NETWORK,) + COMPUTES


def set_computes(count):
    """Make this process's lab one of ``count`` compute nodes."""
    global COMPUTES, NODES
    COMPUTES = compute_nodes(count)
    NODES = (NETWORK,) + COMPUTES


def computes_of(state):
    """How many compute nodes the lab of ``state`` has (its
    ``COMPUTES_FILE``; the default when no lab wrote one).
    """
    try:
        with open(state.path(COMPUTES_FILE)) as f:
            return int(f.read().strip())
    except (OSError, ValueError):
        return DEFAULT_COMPUTES


FABRIC_NETNS = PREFIX + '-fabric'
#: instance namespaces are PREFIX-vm-<instance uuid>.
GUEST_NETNS_PREFIX = PREFIX + '-vm-'
#: root-namespace ends of the fabric links.
HOST_MGMT_DEV = 'slab-mgmt'
HOST_EXT_DEV = 'slab-ext'


#: The PATH of a login on a Debian host (sshd's default for root).
LOGIN_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'


def shim_path(shims):
    """A login's PATH with the lab's command shims ``lab/<shims>`` first:
    ``host-bin`` for a compute node's logins, ``guest-bin`` for a guest's.
    """
    return os.pathsep.join([os.path.join(repo_root(), 'lab', shims),
                            LOGIN_PATH])


def repo_root():
    return os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


@dataclasses.dataclass(frozen=True)
class State:
    """The lab's state directory: everything it writes lives below it."""
    root: str

    @classmethod
    def default(cls):
        return cls(os.path.abspath(os.environ.get(
            'SRIOV_LAB_DIR', os.path.join(repo_root(), '.lab'))))

    def path(self, *parts):
        return os.path.join(self.root, *parts)

    @property
    def venv(self):
        return self.path('venv')

    def bin(self, name):
        return self.path('venv', 'bin', name)

    @property
    def etc(self):
        return self.path('etc')

    @property
    def logs(self):
        return self.path('logs')

    @property
    def run(self):
        return self.path('run')

    @property
    def data(self):
        return self.path('data')

    @property
    def workspace(self):
        return self.path('workspace')


def load_computes(state):
    """Take the compute nodes of the lab of ``state`` (:func:`computes_of`),
    and its ML2 backend (:func:`ml2_of`).
    """
    set_computes(computes_of(state))
    set_ml2(ml2_of(state))


#: The ML2 backends ``lab up --ml2`` runs: ``ovs`` (ML2/OVS, the OVS agent
#: with the hybrid plug, Neutron's L3 and DHCP agents) or ``ovn`` (ML2/OVN:
#: ovn-northd and its databases on the controller, ovn-controller on every
#: chassis, no L2/L3/DHCP agent); the SR-IOV agent runs on the computes
#: with either.
ML2_BACKENDS = ('ovs', 'ovn')
DEFAULT_ML2 = 'ovs'
ML2 = DEFAULT_ML2
#: Where ``lab up --ml2`` keeps it, for every later command.
ML2_FILE = 'ml2'


def set_ml2(name):
    global ML2
    if name not in ML2_BACKENDS:
        raise ValueError('the lab runs ML2 backend %s, not %r'
                         % (' or '.join(ML2_BACKENDS), name))
    ML2 = name


def hybrid_plug():
    """Whether a normal port is plugged with os-vif's hybrid plug (tap ->
    qbr -> qvb/qvo -> br-int): ML2/OVS with the iptables_hybrid firewall;
    on ML2/OVN the tap is on br-int itself.
    """
    return ML2 == 'ovs'


def vf_reaches_local_ovs():
    """Whether a VF reaches an OVS port of its own host: only when an L2
    agent puts the OVS ports' MACs in the PF's FDB (ML2/OVS's FDB
    extension); ML2/OVN has no L2 agent, and the card forwards by its
    filter table (lab.nic.veb).
    """
    return ML2 == 'ovs'


def ml2_of(state):
    """The ML2 backend of the lab of ``state`` (its ``ML2_FILE``; the
    default when no lab wrote one).
    """
    try:
        with open(state.path(ML2_FILE)) as f:
            return f.read().strip() or DEFAULT_ML2
    except OSError:
        return DEFAULT_ML2


# Every process of the lab (the CLI, lab.matrix, lab.provision) sees the
# lab that is up: its state dir is $SRIOV_LAB_DIR or the checkout's .lab.
load_computes(State.default())
