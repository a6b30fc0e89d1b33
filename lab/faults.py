"""Faults a real SR-IOV cloud has, injected into a running lab, and undone.

Each fault breaks the emulated hardware or the deployment, never the
plugin, so that the suite can be seen failing for what each check exists
to catch (README "Fault matrix")::

    python3 -m lab fault list
    python3 -m lab fault <name> [node]
    python3 -m lab fault clear

Card faults (``lab.nic.faults.CARD_FAULTS``) change what the node's card does,
whatever the host asks of it, for the VFs given out already and those
given out later. The others stop a service or slow a wire. ``clear``
undoes every active fault; the suite is then green again.
"""

import dataclasses
import json
import os

from lab import card
from lab import fabric
from lab import infra
from lab import layout
from lab.nic import faults as nic_faults
from lab import openstack
from lab import proc
from lab import service_conf

#: slow-port: the wire runs at this fraction of the port speed, as a link
#: that negotiated down or a flapping optic does.
SLOW_FRACTION = 0.25
#: How long a stopped agent may take to be counted dead by Neutron (its
#: agent_down_time, 75 s by default, plus a report interval).
AGENT_DEAD_TIMEOUT = 150


@dataclasses.dataclass(frozen=True)
class Fault(object):
    name: str
    default_node: str
    what: str
    #: the ML2 backend it is a fault of ('': any)
    ml2: str = ''


FAULTS = (
    Fault('wrong-vlan', 'compute1', "the node's card tags each VF with the "
          "VLAN after the one it was told"),
    Fault('vlan-leak', 'compute1', "the node's card forwards frames between "
          "VFs of different VLANs"),
    Fault('unicast-leak', 'compute1', "the node's card forwards frames to "
          "a VF's MAC from VFs of other VLANs (broadcast stays in its "
          "VLAN)"),
    Fault('vf-link-down', 'compute1', "the node's card keeps every VF's link "
          "down, whatever the agent sets"),
    Fault('no-link-state', 'compute1', "the node's card keeps a VF's link "
          "up when the agent disables it (admin_state_up=False)"),
    Fault('no-spoofchk', 'compute1', "the node's card ignores spoof check"),
    Fault('sticky-spoofchk', 'compute1', "the node's card keeps spoof check "
          "on (and reports it on) when told to turn it off"),
    Fault('no-rate-limit', 'compute1', "the node's card ignores a VF's "
          "max_tx_rate (and still reports it)"),
    Fault('stuck-rate', 'compute1', "the node's card keeps pacing a VF at "
          "its last max_tx_rate when told to stop (and reports no rate)"),
    Fault('small-mtu', 'compute1', "the node's card switches VF frames at "
          "MTU %d, below the physnet's %d" % (nic_faults.SMALL_MTU,
                                              nic_faults.PORT_MTU)),
    Fault('no-trust', 'compute1', "the node's card refuses a trusted VF's "
          "own MAC change (and still reports trust on)"),
    Fault('trust-all', 'compute1', "the node's card takes any VF's own MAC "
          "change, trusted or not (and still reports trust off)"),
    Fault('late-grant', 'compute1', "the node's card lets an untrusted "
          "VF's driver take a new MAC and passes its frames %d s later"
          % nic_faults.LATE_GRANT_DELAY),
    Fault('host-no-vfs', 'compute1', "the node's ip link lists no VF "
          "lines (a PF driver or iproute2 that reports none)"),
    Fault('lossy-vf', 'compute1', "the node's card drops about one in %d "
          "of the frames it delivers to its VFs, at random"
          % nic_faults.LOSS_EVERY),
    Fault('no-fdb', 'compute1', "the node's card leaves the PF's "
          "forwarding database (bridge fdb, Neutron's FDB extension) out "
          "of its filter table: a VF's frames to an OVS port of the node "
          "leave on the uplink only"),
    Fault('slow-port', 'compute2', "the node's wire runs at %d %% of the "
          "port speed" % (SLOW_FRACTION * 100)),
    Fault('sriov-agent-down', 'compute1', "the node's Neutron SR-IOV agent "
          "is dead (waits until Neutron counts it dead)"),
    Fault('host-ssh-down', 'compute1', "the node's sshd (host-level "
          "checks) is stopped"),
    Fault('no-agent-mapping', 'compute3', "the node's Neutron SR-IOV agent "
          "runs with an empty physical_device_mappings, as on a host "
          "whose deployment missed it (waits until Neutron reports it)"),
    # On Neutron 29.0.0 and later a routed network's external ports are
    # put on its router's gateway chassis (LP#2125553), so the mark alone
    # changes nothing there: no chassis hosts them only when none is a
    # gateway either (sriov_tempest_plugin.ovn).
    Fault('no-extport-chassis', 'network', "the node's ovn-cms-options are "
          "gone, as after a redeploy that dropped them: no chassis is "
          "marked enable-chassis-as-extport-host or enable-chassis-as-gw, "
          "so none hosts a VF port's external port (its DHCP) or a "
          "router's gateway (waits until Neutron reports it)", ml2='ovn'),
)
BY_NAME = {f.name: f for f in FAULTS}


def _active_path(state):
    return state.path('faults.json')


def active(state):
    """[(fault name, node name)] in force, in the order they were made."""
    try:
        with open(_active_path(state)) as f:
            return [tuple(x) for x in json.load(f)]
    except (OSError, ValueError):
        return []


def _save(state, faults):
    with open(_active_path(state), 'w') as f:
        json.dump([list(x) for x in faults], f)


def node_named(name, fault=None):
    """A compute node; or, for ``fault`` whose default node is the
    network node, that node.
    """
    nodes = layout.COMPUTES
    if fault is not None and fault.default_node == layout.NETWORK.name:
        nodes = (layout.NETWORK,)
    for node in nodes:
        if node.name == name:
            return node
    raise proc.LabError('no %s node %r: the lab has %s' % (
        nodes[0].role, name, ', '.join(n.name for n in nodes)))


def _card_faults(state, node, extra=None):
    names = {n for n, where in active(state)
             if where == node.name and n in nic_faults.CARD_FAULTS}
    if extra:
        names.add(extra)
    return names


def inject(state, name, node_name=None, log=print):
    """Make fault ``name`` happen on ``node_name`` (its default: None)."""
    if name not in BY_NAME:
        raise proc.LabError('no fault %r; python3 -m lab fault list shows '
                            'them' % name)
    fault = BY_NAME[name]
    if fault.ml2 and fault.ml2 != layout.ML2:
        raise proc.LabError('%s is a fault of ML2/%s; this lab runs ML2/%s: '
                            'python3 -m lab down, then python3 -m lab up '
                            '--ml2 %s' % (name, fault.ml2.upper(),
                                          layout.ML2.upper(), fault.ml2))
    node = node_named(node_name or fault.default_node, fault)
    if (name, node.name) in active(state):
        log('%s on %s is already in force' % (name, node.name))
        return
    if name in nic_faults.CARD_FAULTS:
        card.firmware(state, node).set_faults(_card_faults(state, node, name))
    elif name == 'slow-port':
        card.set_wire_speed(node, layout.PORT_SPEED_MBPS * SLOW_FRACTION,
                            card_side=True)
    elif name == 'sriov-agent-down':
        proc.stop(state, openstack.sriov_agent_service(node))
        log('waiting until Neutron counts the SR-IOV agent of %s dead '
            '(at most %d s)' % (node.name, AGENT_DEAD_TIMEOUT))
        openstack.provision(state, 'agent-dead', 'NIC Switch agent',
                            node.name, str(AGENT_DEAD_TIMEOUT),
                            timeout=AGENT_DEAD_TIMEOUT + 60)
    elif name == 'host-ssh-down':
        proc.stop(state, infra.sshd_service(node))
    elif name == 'no-agent-mapping':
        _restart_agent(state, node, mapped=False, log=log)
    elif name == 'no-extport-chassis':
        _cms_options(state, node, kept=False, log=log)
    _save(state, active(state) + [(name, node.name)])
    log('fault in force: %s on %s: %s' % (name, node.name,
                                          BY_NAME[name].what))


def _restart_agent(state, node, mapped, log):
    """Restart the node's SR-IOV agent with (or without) its mapping, and
    wait until Neutron reports what it maps.
    """
    proc.stop(state, openstack.sriov_agent_service(node))
    openstack.start_sriov_agent(state, node, mapped=mapped)
    log('waiting until Neutron reports the SR-IOV agent of %s %s %s '
        '(at most %d s)' % (node.name, 'mapping' if mapped else 'not '
                            'mapping', layout.PHYSNET, AGENT_DEAD_TIMEOUT))
    openstack.provision(state, 'agent-maps', node.name, layout.PHYSNET,
                        'yes' if mapped else 'no', str(AGENT_DEAD_TIMEOUT),
                        timeout=AGENT_DEAD_TIMEOUT + 60)


def _cms_options(state, node, kept, log):
    """Drop (or give back) the node's ovn-cms-options, and wait until
    Neutron lists its ovn-controller as a plain chassis (or a gateway).
    """
    if kept:
        openstack.set_ovn_chassis(state, node,
                                  keys=(service_conf.OVN_CMS_OPTIONS,))
    else:
        fabric.vsctl(state, node, 'remove', 'Open_vSwitch', '.',
                     'external_ids', service_conf.OVN_CMS_OPTIONS)
    agent = 'OVN Controller Gateway agent' if kept else 'OVN Controller agent'
    log('waiting until Neutron lists the ovn-controller of %s as an %s '
        '(at most %d s)' % (node.name, agent, AGENT_DEAD_TIMEOUT))
    openstack.provision(state, 'agent-type', agent, node.name,
                        str(AGENT_DEAD_TIMEOUT),
                        timeout=AGENT_DEAD_TIMEOUT + 60)


def clear(state, log=print):
    """Undo every active fault."""
    faults = active(state)
    for name, node_name in faults:
        node = node_named(node_name, BY_NAME[name])
        if name in nic_faults.CARD_FAULTS:
            continue
        if name == 'slow-port':
            card.set_wire_speed(node, layout.PORT_SPEED_MBPS)
        elif name == 'sriov-agent-down':
            openstack.start_sriov_agent(state, node)
        elif name == 'host-ssh-down':
            infra.start_node_sshd(state, node)
        elif name == 'no-agent-mapping':
            _restart_agent(state, node, mapped=True, log=log)
        elif name == 'no-extport-chassis':
            _cms_options(state, node, kept=True, log=log)
    for node in {node_named(n, BY_NAME[name]) for name, n in faults
                 if name in nic_faults.CARD_FAULTS}:
        card.firmware(state, node).set_faults(())
    if any(name == 'sriov-agent-down' for name, _ in faults):
        log('waiting until every Neutron agent is alive again')
        openstack.provision(state, 'wait', '180', timeout=240)
    _save(state, [])
    log('cleared: %s' % (', '.join('%s on %s' % f for f in faults) or
                         'no fault was in force'))


def describe(state):
    """Lines for ``fault list`` and ``lab status``."""
    lines = ['faults (python3 -m lab fault <name> [node]; fault clear):']
    for f in FAULTS:
        lines.append('  %-17s [%s] %s%s' % (
            f.name, f.default_node, f.what,
            ' (ML2/%s only)' % f.ml2.upper() if f.ml2 else ''))
    now = active(state)
    lines.append('in force: %s' % (', '.join('%s on %s' % f for f in now)
                                   or 'none'))
    return lines


def main(state, args, log=print):
    if args.fault == 'list':
        print('\n'.join(describe(state)))
    elif args.fault == 'clear':
        clear(state, log)
    else:
        inject(state, args.fault, args.node, log)
    if not os.path.exists(state.path('resources.json')):
        log('note: the lab is not up (no %s)' % state.path('resources.json'))
