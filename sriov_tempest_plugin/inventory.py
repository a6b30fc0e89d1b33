# Copyright 2026 sriov-tempest-plugin developers
#
#    Licensed under the Apache License, Version 2.0 (the "License"); you may
#    not use this file except in compliance with the License. You may obtain
#    a copy of the License at
#
#         http://www.apache.org/licenses/LICENSE-2.0
#
#    Unless required by applicable law or agreed to in writing, software
#    distributed under the License is distributed on an "AS IS" BASIS, WITHOUT
#    WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied. See the
#    License for the specific language governing permissions and limitations
#    under the License.
"""Fleet acceptance's inventory: which hosts of the cloud serve SR-IOV.

From two admin listings, as the APIs return them:

- Nova's ``GET /os-services``: the ``nova-compute`` services, with
  ``state`` (up/down), ``status`` (enabled/disabled), ``forced_down`` and,
  when a cell does not answer (microversion 2.69), ``status: UNKNOWN``
  and no state;
- Neutron's ``GET /v2.0/agents``: the SR-IOV NIC agents
  (``agent_type`` "NIC Switch agent", binary ``neutron-sriov-nic-agent``),
  with ``alive``, ``admin_state_up`` and
  ``configurations.device_mappings``, physnet -> [PF], as the agent
  reports it from its ``[sriov_nic] physical_device_mappings``.

A host serves SR-IOV on the physnet when its compute service is up and
enabled and its NIC agent is alive, administratively up and maps at least
one PF to the physnet. Every other host that either listing names is
accounted for by name, never dropped unseen:

- **unproven** (the fleet test fails naming it): a host meant to serve
  the physnet (its agent maps it, or ``[sriov] fleet_hosts`` lists it, or
  its NIC agent maps no device at all, a deployment that missed it)
  whose compute service or agent is down, forced down, in a cell that
  does not answer or administratively down, or that lacks one of the two;
- **left out** (reported, not a failure): a compute host with no NIC
  agent, or whose agent maps other physnets only, and a host disabled by
  the operator (with Nova's ``disabled_reason``), which the scheduler
  would not use either.

Host names are compared as both services report them: Nova's and
Neutron's ``host`` both default to the machine's hostname.
"""

import dataclasses
import typing

#: Neutron's agent type and binary of the SR-IOV NIC agent.
AGENT_TYPE = 'NIC Switch agent'
AGENT_BINARY = 'neutron-sriov-nic-agent'
COMPUTE_BINARY = 'nova-compute'


@dataclasses.dataclass(frozen=True)
class Host(object):
    """A host that serves the physnet, with the PFs its agent maps."""
    name: str
    pfs: typing.Tuple[str, ...]


@dataclasses.dataclass(frozen=True)
class Inventory(object):
    physnet: str
    hosts: typing.Tuple[Host, ...]
    #: ``((host, why), ...)``: hosts that should serve the physnet and
    #: cannot be proven; the fleet test fails naming each.
    unproven: typing.Tuple[typing.Tuple[str, str], ...]
    #: ``((host, why), ...)``: hosts left out, not a failure: no NIC agent
    #: for the physnet, or disabled by the operator.
    left_out: typing.Tuple[typing.Tuple[str, str], ...]

    def names(self):
        return [h.name for h in self.hosts]

    def lines(self):
        """The inventory in words, a line per host, for the test log."""
        out = ['%s: serves %s (PFs %s)'
               % (h.name, self.physnet, ', '.join(h.pfs))
               for h in self.hosts]
        out += ['%s: UNPROVEN: %s' % item for item in self.unproven]
        out += ['%s: left out of %s: %s' % (name, self.physnet, why)
                for name, why in self.left_out]
        return out


def _compute_problem(service):
    """Why a nova-compute service cannot take a VM, or None."""
    if service.get('status') == 'UNKNOWN' or 'state' not in service:
        return ('its nova-compute service\'s cell does not answer (Nova '
                'lists it as UNKNOWN)')
    if service.get('forced_down'):
        return 'its nova-compute service is forced down'
    if service.get('state') != 'up':
        return ('its nova-compute service is %s (last heartbeat %s)'
                % (service.get('state'), service.get('updated_at')))
    return None


def _disabled(service):
    if service.get('status') == 'disabled':
        reason = service.get('disabled_reason')
        return 'its nova-compute service is disabled%s' % (
            ' (reason: %s)' % reason if reason else '')
    return None


def _agent_problem(agent):
    if not agent.get('alive'):
        return ('its %s (%s) is not alive (last heartbeat %s)'
                % (AGENT_TYPE, AGENT_BINARY, agent.get('heartbeat_timestamp')))
    if not agent.get('admin_state_up', True):
        return 'its %s is administratively down' % AGENT_TYPE
    return None


def _mapped(agent, physnet):
    mappings = (agent.get('configurations') or {}).get('device_mappings')
    devices = (mappings or {}).get(physnet) or ()
    if isinstance(devices, str):
        devices = [d for d in devices.split(',') if d]
    return tuple(devices)


def discover(services, agents, physnet, only=()):
    """The :class:`Inventory` of ``physnet``.

    :param services: Nova's ``services`` list (``GET /os-services``).
    :param agents: Neutron's ``agents`` list (``GET /v2.0/agents``).
    :param only: ``[sriov] fleet_hosts``: limit the fleet to these hosts
        (empty: every host found); a listed host that cannot be proven is
        unproven, whatever the listings say of it.
    """
    computes = {}
    for s in services:
        if s.get('binary') == COMPUTE_BINARY and s.get('host'):
            computes.setdefault(s['host'], []).append(s)
    nic_agents = {}
    for a in agents:
        if a.get('agent_type') == AGENT_TYPE and a.get('host'):
            nic_agents.setdefault(a['host'], []).append(a)
    only = tuple(only or ())
    names = sorted(set(computes) | set(nic_agents) | set(only))
    hosts, unproven, left_out = [], [], []
    for name in names:
        if only and name not in only:
            continue
        agents_here = nic_agents.get(name, [])
        mapping = [a for a in agents_here if _mapped(a, physnet)]
        # An SR-IOV agent that maps no device at all serves nothing: a
        # deployment that missed its physical_device_mappings, not a host
        # of another physnet.
        maps_nothing = bool(agents_here) and not any(
            (a.get('configurations') or {}).get('device_mappings')
            for a in agents_here)
        meant = bool(mapping) or name in only or maps_nothing
        problems = []
        if name not in computes:
            problems.append('no nova-compute service runs there')
        else:
            problems += [p for p in map(_compute_problem, computes[name])
                         if p]
        if not agents_here:
            problems.append('no %s (%s) runs there' % (AGENT_TYPE,
                                                       AGENT_BINARY))
        elif not mapping:
            maps = sorted({k for a in agents_here for k in (
                (a.get('configurations') or {}).get('device_mappings')
                or {})})
            problems.append('its %s maps no device to %s (it maps: %s)'
                            % (AGENT_TYPE, physnet,
                               ', '.join(maps) or 'nothing'))
        else:
            problems += [p for p in map(_agent_problem, mapping) if p]
        disabled = [d for d in map(_disabled, computes.get(name, [])) if d]
        if problems and meant:
            unproven.append((name, '; '.join(problems)))
        elif problems:
            left_out.append((name, '; '.join(problems)))
        elif disabled and name not in only:
            left_out.append((name, '; '.join(disabled)))
        elif disabled:
            unproven.append((name, '; '.join(disabled) + ', and [sriov] '
                             'fleet_hosts lists it'))
        else:
            pfs = sorted({pf for a in mapping for pf in _mapped(a, physnet)})
            hosts.append(Host(name, tuple(pfs)))
    return Inventory(physnet, tuple(hosts), tuple(unproven),
                     tuple(left_out))
