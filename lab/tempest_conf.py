"""The Tempest workspace of the lab: ``tempest init`` plus a tempest.conf.

Tempest and the plugin live in the checkout's ``.venv-tempest`` (made by
``tools/ensure-tempest-venv.sh``, as for ``tools/list-suite.sh``), apart
from the services' venv.
"""

import hashlib
import os

from lab import capacity
from lab import infra
from lab import inifile
from lab import layout
from lab import proc
from lab import service_conf


# The throughput gate's thresholds for the lab, with what the lab measured.
# The card's wire is 1 Gbit/s (lab.layout.PORT_SPEED_MBPS), so the goodput
# ceiling over an 802.1Q VLAN at MTU 1500 is 0.939 Gbit/s (lab.card makes
# the wire meet it).
THRESHOLDS = {
    'port_speed_gbps': inifile.Noted(
        layout.PORT_SPEED_MBPS / 1000.0,
        "The card's wire: a token bucket of 1 GbE each way (lab.card)."),
    'line_rate_fraction': inifile.Noted(0.8, """\
The rule: the largest multiple of 0.05 whose threshold (x the 0.939
Gbit/s goodput ceiling of 1 GbE with a VLAN tag) the VF paths lab up
measured on machines of this kind carry 1.15 times over; lab up refuses
a machine where they do not (lab.capacity). The VF paths are bound by
the wire (the card's switch and the network node's OVS move GSO
segments, as hardware and a kernel datapath do): lab up measured
0.905-0.915 across the wire and 0.910-0.939 through the router
(2026-11-25, 2-core AMD EPYC), and, at the gate's judged 3 and 5 streams
in its processes mode (lab.capacity.GATE), 0.905/0.911 across the wire
and 0.917/0.914 routed (2026-12-06), so 0.85 (0.798; x1.15 = 0.918)
would leave no room and 0.8 (0.751; x1.15 = 0.864) does. The gate's direct
medians at 3 and 5 streams in run 20261125T162307Z: 0.92/0.93 across
the wire, 0.94/0.92 routed, 22-25 % above 0.751. The paper's 0.9 is for
a real 10 GbE NIC, whose goodput reaches 99 % of its ceiling."""),
    'margin_over_normal': inifile.Noted(0.4, """\
The paper's 40 %. Direct/normal median ratios at 3 and 5 streams in run
20261125T162307Z: same host 17.5/16.7 (VF to VF stays in the card),
different hosts 2.56/2.58, routed 3.76/3.83, against 1.61 for 15 %
headroom. The lab's OVS path is userspace OVS (no kernel datapath)
behind the iptables hybrid bridge, per frame, slower than a real
node's, so the margin is wider than the paper's."""),
    'latency_topologies': inifile.Noted(
        ['same_subnet_different_hosts', 'different_subnets_same_host'],
        """\
The latency verdict (SR-IOV ping p50 <= normal p50) is judged across the
wire and through the router; same host is recorded, its loss judged.
There the VF path runs VF to VF through the card's embedded switch, a
userspace Open vSwitch with userspace TSO, which costs more per small
frame than the compute node's OVS path: p50 same host 0.419 ms direct
vs 0.307 and 0.358 normal (runs 20261126T025034Z, T030306Z); by hand,
two free VFs of compute1 in namespaces of their own, 50 pings: p50 0.47
ms. A real NIC switches VF to VF in silicon, in microseconds, so the lab
cannot stand for it there. Across the wire 0.740/0.780 vs 1.280/1.310 ms
and routed 1.410/1.350 vs 2.050/2.060 ms (SR-IOV at 0.58-0.69x of OVS)
leave the verdict 31-42 % room."""),
    'qos_max_kbps': inifile.Noted(300000, """\
The QoS check's bandwidth limit: 300 Mbit/s, a third of the lab's 1 GbE
wire (the default 1 Gbit/s is a tenth of a 10 GbE port and would not be
a limit here). Within 10 % above it (0.33) lies far below the
near-line-rate threshold 0.751 the VF must reach again once the limit is
deleted. Measured (3 streams, across the wire, 2026-11-26): 0.282-0.286
Gbit/s under the limit (-4.7 %: the card's token bucket counts frame
bytes), 0.918-0.937 with the rule deleted."""),
}


def threshold_values():
    """The thresholds without their notes."""
    return {k: v.value for k, v in THRESHOLDS.items()}


def capacity_note(state):
    """lab up's capacity figures (lab.capacity), as tempest.conf comments.
    """
    path = state.path('capacity.json')
    if not os.path.exists(path):
        return THRESHOLDS['port_speed_gbps']
    lines = capacity.table(capacity.load(path), threshold_values())
    return inifile.Noted(THRESHOLDS['port_speed_gbps'].value, '\n'.join(
        [THRESHOLDS['port_speed_gbps'].note, 'Measured by lab up on this '
         'machine (python3 -m lab status shows it too):'] + lines))


#: The fault matrix's runs judge the gate at this one stream count.
FAULT_STREAMS = 3
#: Tempest's venv in the checkout (tools/ensure-tempest-venv.sh makes it).
TEMPEST_VENV = '.venv-tempest'
#: The fault matrix's runs (lab.matrix): the gate at one stream count, and
#: a guest that does not answer ping or SSH, or a compute host that does
#: not answer SSH, reported after 30 s rather than Tempest's 120 and the
#: plugin's 60 (a healthy lab guest or node answers within seconds).
FAULT_CONF = 'fault.conf'
FAULT_TIMEOUT = 30
#: iperf3 samples of the fault matrix's runs, in seconds. Those runs
#: prove that a verdict fails with its message, far from its threshold
#: (a wire at a quarter of its speed, a limit ignored), which 5 s samples
#: show as well as 10 s ones; the suite keeps the gate's 10 s.
FAULT_IPERF_DURATION = 5
FAULT_IPERF_NOTE = ('5 s samples: this run proves verdicts fail far from '
                    'their thresholds (lab.tempest_conf.FAULT_IPERF_'
                    'DURATION); the suite measures 10 s.')


#: A lab of this many compute nodes or more runs the fleet test (``lab up
#: --computes N``); with two, the gate's own pair already is every host.
FLEET_MIN_COMPUTES = 3


def tempest_venv():
    return os.path.join(layout.repo_root(), TEMPEST_VENV)


def workspace_name(state):
    return 'sriovlab-' + hashlib.md5(state.root.encode()).hexdigest()[:8]


def ensure_tempest():
    """Tempest and the plugin at tools/constraints.txt's versions, through
    the one script that makes their venv; returns the tempest command.
    """
    proc.run([os.path.join(layout.repo_root(), 'tools',
                           'ensure-tempest-venv.sh')], timeout=1800)
    return os.path.join(tempest_venv(), 'bin', 'tempest')


def conf_sections(state, made):
    s = infra.secrets_of(state)
    return {
        'DEFAULT': {'log_file': 'tempest.log'},
        'auth': {'admin_username': 'admin', 'admin_password': s['admin'],
                 'admin_project_name': 'admin',
                 'admin_domain_name': 'Default',
                 'use_dynamic_credentials': True,
                 'create_isolated_networks': True},
        'identity': {'uri_v3': service_conf.keystone_url(),
                     'auth_version': 'v3',
                     'region': layout.REGION},
        'identity-feature-enabled': {'api_v2': False},
        'compute': {'image_ref': made['image'],
                    'image_ref_alt': made['image'],
                    'flavor_ref': made['lab.small'],
                    'flavor_ref_alt': made['lab.medium'],
                    'min_compute_nodes': len(layout.COMPUTES),
                    'build_timeout': 300,
                    'region': layout.REGION},
        'compute-feature-enabled': {
            'console_output': True, 'metadata_service': False,
            'config_drive': False, 'resize': False, 'cold_migration': False,
            'live_migration': False, 'vnc_console': False,
            'spice_console': False, 'serial_console': False,
            'attach_encrypted_volume': False, 'pause': False,
            'suspend': False, 'shelve': False, 'snapshot': False,
            'rescue': False, 'change_password': False,
            'interface_attach': False},
        'network': {'public_network_id': made['public_network'],
                    'floating_network_name': 'public',
                    'project_network_cidr': '10.100.0.0/16',
                    'project_network_mask_bits': 28,
                    'project_networks_reachable': False,
                    'region': layout.REGION},
        'network-feature-enabled': {'ipv6': False,
                                    'api_extensions': 'all',
                                    'port_security': True},
        'validation': {'run_validation': True, 'connect_method': 'floating',
                       'auth_method': 'keypair', 'image_ssh_user': 'root',
                       'ip_version_for_ssh': 4, 'ssh_timeout': 120,
                       'connect_timeout': 30},
        'image': {'region': layout.REGION},
        # The guests take their addresses with udhcpc (lab.virt.guest).
        'scenario': {'dhcp_client': 'udhcpc'},
        'service_available': {'nova': True, 'neutron': True, 'glance': True,
                              'cinder': False, 'swift': False,
                              'heat': False, 'horizon': False,
                              'placement': True},
        'volume-feature-enabled': {'backup': False},
        'sriov': {'physical_network': layout.PHYSNET,
                  # The gate's pair; the fleet test proves every host.
                  'compute_hosts': [n.name for n in layout.COMPUTES[:2]],
                  'fleet_checks': len(layout.COMPUTES) >= FLEET_MIN_COMPUTES,
                  'image_ssh_user': 'root',
                  'port_speed_gbps': capacity_note(state),
                  'line_rate_fraction': THRESHOLDS['line_rate_fraction'],
                  'margin_over_normal': THRESHOLDS['margin_over_normal'],
                  'latency_topologies': THRESHOLDS['latency_topologies'],
                  'qos_max_kbps': THRESHOLDS['qos_max_kbps'],
                  # What lab up's probes measured (lab.capacity).
                  **capacity.GATE,
                  'vf_to_ovs_same_host': layout.vf_reaches_local_ovs(),
                  # On ML2/OVN a failed VF lease names the chassis of its
                  # external port, read from the Southbound DB.
                  'ovn_sbctl_command': (
                      'ovn-sbctl --db=%s' % service_conf.OVN_SB
                      if layout.ML2 == 'ovn' else ''),
                  # Nova's [pci] device_spec tags every VF trusted
                  # (lab.nic.device.device_spec).
                  'trusted_vfs': True,
                  # The guest image's own iperf3 -s holds 5201.
                  'iperf_port': 5301,
                  'results_dir': state.path('results'),
                  # Host-level layout checks: each compute node runs an
                  # sshd on its management address (lab.infra).
                  'host_addresses': ','.join(
                      '%s:%s' % (n.name, n.mgmt_ip)
                      for n in layout.COMPUTES),
                  'host_ssh_user': 'root',
                  'host_ssh_key_path': infra.host_key(state)},
    }


def write_workspace(state, made):
    tempest = ensure_tempest()
    ws = state.workspace
    name = workspace_name(state)
    if not os.path.exists(os.path.join(ws, 'etc')):
        proc.run([tempest, 'workspace', 'remove', '--name', name],
                 check=False)
        proc.run([tempest, 'init', '--name', name, ws])
    sections = conf_sections(state, made)
    inifile.write(os.path.join(ws, 'etc', 'tempest.conf'), sections)
    one_count = dict(sections['sriov'], streams=[FAULT_STREAMS],
                     line_rate_streams=[FAULT_STREAMS],
                     margin_streams=[FAULT_STREAMS],
                     iperf_duration=inifile.Noted(
                         FAULT_IPERF_DURATION, FAULT_IPERF_NOTE))
    inifile.write(os.path.join(ws, 'etc', FAULT_CONF), dict(
        sections, sriov=dict(one_count, host_ssh_timeout=FAULT_TIMEOUT),
        validation=dict(
            sections['validation'], ping_timeout=FAULT_TIMEOUT,
            ssh_timeout=FAULT_TIMEOUT)))
    return ws


def forget_workspace(state):
    tempest = os.path.join(tempest_venv(), 'bin', 'tempest')
    if os.path.exists(tempest):
        proc.run([tempest, 'workspace', 'remove', '--name',
                  workspace_name(state)], check=False)
