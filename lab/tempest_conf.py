"""The Tempest workspace of the lab: ``tempest init`` plus a tempest.conf.

Tempest and the plugin live in the checkout's ``.venv`` (the same one
``tools/list-suite.sh`` makes), apart from the services' venv.
"""

import hashlib
import os

from lab import control
from lab import inifile
from lab import layout
from lab import proc


# The throughput gate's thresholds for the lab, with what the lab measured.
# The card's wire is 1 Gbit/s (lab.layout.PORT_SPEED_MBPS), so the goodput
# ceiling over an 802.1Q VLAN at MTU 1500 is 0.939 Gbit/s.
THRESHOLDS = {
    'port_speed_gbps': inifile.Noted(
        layout.PORT_SPEED_MBPS / 1000.0,
        "The card's wire: a token bucket of 1 Gbit/s each way (lab.card)."),
    'line_rate_fraction': inifile.Noted(0.7, """\
Direct (VF) medians at 3 and 5 streams, Gbit/s (fraction of the 0.939
Gbit/s goodput ceiling of 1 GbE with a VLAN tag), on this 2-core machine:
  same subnet, different hosts: 0.84-0.89 in four clean-clone CI runs
    (20261125T064145Z ... 20261125T084914Z); 0.86/0.87 by hand
  different subnets via the router: 0.83-0.87 in three CI runs, but
    0.74/0.78 (0.79/0.83) in CI run 20261125T084914Z with nothing else
    running; 0.79/0.78 by hand; 0.67/0.80 on a busy machine (unit tests
    and pip installs beside it). Its frames cross the wire twice and the
    network node's userspace OVS and router: CPU is its limit (the
    paper, too, names the network node the routed path's bottleneck).
0.7 (>= 0.657 Gbit/s) is what the lab delivers on every judged path with
room for its run-to-run spread on a quiet machine (0.75 left the routed
path 5 % of headroom); the paper's 0.9 is for a real 10 GbE NIC."""),
    'margin_over_normal': inifile.Noted(0.4, """\
The paper's 40 %. Direct/normal median ratios at 3 and 5 streams in the
CI run 20261125T064145Z: same host 1.79/1.76, different hosts 1.67/1.75,
routed 1.92/1.93 (by hand: 1.72-2.2). The lab's OVS path is userspace OVS
(no kernel datapath) behind the iptables hybrid bridge, slower than a
real node's, so the margin is wider than the paper's."""),
}

# A margin no lab run meets (direct would have to be 11x OVS): the run that
# proves the gate fails with its verdict message (tools/lab-suite.sh).
UNMEETABLE_MARGIN = 10.0


def tempest_venv():
    return os.path.join(layout.repo_root(), '.venv')


def workspace_name(state):
    return 'sriovlab-' + hashlib.md5(state.root.encode()).hexdigest()[:8]


def ensure_tempest():
    venv = tempest_venv()
    tempest = os.path.join(venv, 'bin', 'tempest')
    root = layout.repo_root()
    python = os.path.join(venv, 'bin', 'python')
    if not os.path.exists(tempest):
        proc.run(['python3', '-m', 'venv', venv])
        proc.run([os.path.join(venv, 'bin', 'pip'), 'install', '--quiet',
                  '--upgrade', 'pip'], timeout=600)
        proc.run([os.path.join(venv, 'bin', 'pip'), 'install', '--quiet',
                  '-r', os.path.join(root, 'requirements.txt')],
                 timeout=1200)
    # The plugin with its "report" extra, so that the gate draws its chart;
    # also into a .venv that tools/list-suite.sh made before it had it.
    if not proc.ok([python, '-I', '-c',
                    'import matplotlib, sriov_tempest_plugin']):
        proc.run([os.path.join(venv, 'bin', 'pip'), 'install', '--quiet',
                  '-e', root + '[report]'], timeout=600)
    return tempest


def conf_sections(state, made):
    s = control.secrets_of(state)
    return {
        'DEFAULT': {'log_file': 'tempest.log'},
        'auth': {'admin_username': 'admin', 'admin_password': s['admin'],
                 'admin_project_name': 'admin',
                 'admin_domain_name': 'Default',
                 'use_dynamic_credentials': True,
                 'create_isolated_networks': True},
        'identity': {'uri_v3': control.keystone_url(), 'auth_version': 'v3',
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
        'service_available': {'nova': True, 'neutron': True, 'glance': True,
                              'cinder': False, 'swift': False,
                              'heat': False, 'horizon': False,
                              'placement': True},
        'volume-feature-enabled': {'backup': False},
        'sriov': {'physical_network': layout.PHYSNET,
                  'compute_hosts': [n.name for n in layout.COMPUTES],
                  'image_ssh_user': 'root',
                  'port_speed_gbps': THRESHOLDS['port_speed_gbps'],
                  'line_rate_fraction': THRESHOLDS['line_rate_fraction'],
                  'margin_over_normal': THRESHOLDS['margin_over_normal'],
                  # The guest image's own iperf3 -s holds 5201.
                  'iperf_port': 5301,
                  'results_dir': state.path('results'),
                  # Host-level layout checks: each compute node runs an
                  # sshd on its management address (lab.control).
                  'host_addresses': ','.join(
                      '%s:%s' % (n.name, n.mgmt_ip)
                      for n in layout.COMPUTES),
                  'host_ssh_user': 'root',
                  'host_ssh_key_path': control.host_key(state)},
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
    sections['sriov']['margin_over_normal'] = inifile.Noted(
        UNMEETABLE_MARGIN, 'Unmeetable on purpose: this run must fail with '
        'the gate\'s verdict message.')
    inifile.write(os.path.join(ws, 'etc', 'unmeetable-margin.conf'),
                  sections)
    return ws


def forget_workspace(state):
    tempest = os.path.join(tempest_venv(), 'bin', 'tempest')
    if os.path.exists(tempest):
        proc.run([tempest, 'workspace', 'remove', '--name',
                  workspace_name(state)], check=False)
