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
"""The [sriov] option group and the validated settings the tests read.

oslo.config checks types; the checks that need more than a type (a
fraction in (0, 1], a stream list that is not empty, a pair of hosts) live
in :func:`load_settings`, so that a bad value ends in one message naming
``[sriov] <option>`` instead of a traceback deep inside a test.
"""

import dataclasses
import os
import typing

from oslo_config import cfg
from oslo_config import types

from sriov_tempest_plugin import exceptions
from sriov_tempest_plugin import latency
from sriov_tempest_plugin import topology
from sriov_tempest_plugin import verdict

GROUP = 'sriov'

SRIOV_VNIC_TYPES = ('direct', 'macvtap', 'direct-physical')
IPERF_MODES = ('processes', 'streams')
LINE_RATE_REFERENCES = verdict.LINE_RATE_REFERENCES

sriov_group = cfg.OptGroup(
    name=GROUP,
    title='SR-IOV tests',
    help='Where the SR-IOV scenario tests find the physical network, the '
         'hosts and the guest image, and the thresholds of the throughput '
         'gate. The tests skip until physical_network is set.')

_positive_int = types.Integer(min=1)

network_opts = [
    cfg.StrOpt('physical_network',
               help='Neutron physical network (physnet) whose NIC has '
                    'SR-IOV virtual functions, as in the ML2 '
                    '[ml2_type_vlan] network_vlan_ranges and Nova '
                    '[pci] device_spec. Unset: every SR-IOV test skips.'),
    cfg.ListOpt('segmentation_ids',
                item_type=types.Integer(min=1, max=4094),
                default=[],
                help='VLAN ids the tests may use for provider networks on '
                     'physical_network (admin creates the networks). At '
                     'least two are needed for the VLAN isolation test. '
                     'Empty: tests create tenant networks and Neutron picks '
                     'the VLAN from its tenant ranges, which must then be '
                     'on physical_network.'),
    cfg.StrOpt('vnic_type',
               default='direct',
               help='The SR-IOV binding:vnic_type under test. Tests named '
                    '"direct" use this vnic type; tests named "normal" use '
                    'the OVS path they are compared with. One of: %s.'
                    % ', '.join(SRIOV_VNIC_TYPES)),
    cfg.ListOpt('compute_hosts',
                default=[],
                help='Two nova-compute host names (as in '
                     'OS-EXT-SRV-ATTR:host) with free VFs on '
                     'physical_network. "Host 1" holds the same-host pairs. '
                     'Empty: the first two enabled, up nova-compute hosts '
                     'in name order.'),
    cfg.BoolOpt('trusted_vfs',
                default=False,
                help='Nova\'s [pci] device_spec tags VFs on '
                     'physical_network "trusted": "true", so a port that '
                     'asks for a trusted VF can be booted, and Nova sets its '
                     'VF\'s trust on. The VF behaviour family then boots a '
                     'guest on such a port (admin: the port\'s "trusted" '
                     'attribute, Neutron extension port-trusted-vif, or '
                     'else binding:profile {"trusted": "true"}) and checks '
                     'that it can change its MAC. False: that test skips; '
                     'the check that an untrusted VF cannot still runs.'),
    cfg.BoolOpt('vf_to_ovs_same_host',
                default=True,
                help='A VF port reaches a normal (OVS) port of its own host '
                     'on the same network. The NIC\'s embedded switch '
                     'forwards by its filter table: it sends a VF\'s frames '
                     'for an OVS port\'s MAC to the PF only when the PF\'s '
                     'forwarding database holds that MAC, which ML2/OVS\'s '
                     'FDB agent extension fills and ML2/OVN, with no L2 '
                     'agent, does not. False where the cloud gives no such '
                     'path: the mixed connectivity test skips, and the '
                     'VF-behaviour family puts its normal guest on a second '
                     'host (the MTU test\'s direct-to-normal ping then '
                     'crosses the wire).'),
    cfg.StrOpt('availability_zone',
               default='nova',
               help='Availability zone of compute_hosts; servers are placed '
                    'with availability_zone="<zone>:<host>" (admin).'),
]

guest_opts = [
    cfg.StrOpt('image_ref',
               help='Glance image id of a guest that has iperf3 and an SSH '
                    'server. Unset: [compute] image_ref.'),
    cfg.StrOpt('flavor_ref',
               help='Nova flavor id for the guests. Unset: '
                    '[compute] flavor_ref.'),
    cfg.StrOpt('image_ssh_user',
               help='SSH user of image_ref. Unset: '
                    '[validation] image_ssh_user.'),
]

gate_opts = [
    cfg.FloatOpt('port_speed_gbps',
                 default=10.0,
                 help='Speed of the SR-IOV NIC port in Gbit/s (10^9 bit/s).'),
    cfg.StrOpt('line_rate_reference',
               default='goodput_ceiling',
               help='What "line rate" means: "goodput_ceiling" is the most '
                    'TCP payload the port can carry (port speed less '
                    'Ethernet, 802.1Q, IP and TCP overhead at the network '
                    'MTU: 9.39 Gbit/s on 10 GbE, MTU 1500, VLAN); '
                    '"port_speed" is the raw port speed. One of: %s.'
                    % ', '.join(LINE_RATE_REFERENCES)),
    cfg.FloatOpt('line_rate_fraction',
                 default=0.9,
                 help='The SR-IOV path passes "near line rate" when its '
                      'median goodput is at least this fraction of the line '
                      'rate. In (0, 1].'),
    cfg.ListOpt('line_rate_streams',
                item_type=_positive_int,
                default=[3, 5],
                help='Stream counts the near-line-rate verdict applies to. '
                     'The paper saw 8.3 of 10 Gbit/s with one stream and '
                     '9.4 with 3 and 5, so one stream is measured and '
                     'reported but not judged by default.'),
    cfg.FloatOpt('margin_over_normal',
                 default=0.4,
                 help='The SR-IOV path must beat the OVS path (vnic_type '
                      'normal) of the same topology and stream count, '
                      'measured in the same run, by this fraction: '
                      'sriov >= (1 + margin) x normal. The paper measured '
                      '0.4 to 0.6. 0 disables the verdict.'),
    cfg.ListOpt('margin_streams',
                item_type=_positive_int,
                default=[3, 5],
                help='Stream counts the margin verdict applies to (the '
                     'paper compares the maximum throughput, reached with '
                     'several connections).'),
    cfg.BoolOpt('tcp_timestamps',
                default=True,
                help='Whether guests use TCP timestamps (Linux default); '
                     'they take 12 bytes of every segment and so lower the '
                     'goodput ceiling.'),
]

iperf_opts = [
    cfg.ListOpt('streams',
                item_type=_positive_int,
                default=[1, 3, 5],
                help='Numbers of parallel TCP connections to measure, as in '
                     'the paper (1, 3 and 5).'),
    cfg.StrOpt('iperf_mode',
               default='processes',
               help='How N connections are run. "processes": N iperf3 '
                    'clients with one stream each, on N server ports, '
                    'their bytes summed over the union of their measured '
                    'windows; iperf3 before 3.16 runs all -P streams in one '
                    'thread and can cap below line rate. "streams": one '
                    'client with -P N. One of: %s.' % ', '.join(IPERF_MODES)),
    cfg.IntOpt('iperf_duration',
               default=10, min=1,
               help='Seconds each iperf3 run measures (after omit).'),
    cfg.IntOpt('iperf_omit',
               default=2, min=0,
               help='Seconds of TCP slow start iperf3 omits (-O) before it '
                    'measures.'),
    cfg.IntOpt('iperf_repeats',
               default=3, min=1,
               help='Runs per measured point; verdicts use the median. A '
                    'point that fails its verdict is measured this many '
                    'times more before the verdict stands.'),
    cfg.BoolOpt('decide_early',
                default=True,
                help='Stop sampling a topology after a majority of '
                     'iperf_repeats samples per point (2 of 3) when no '
                     'further samples could fail a verdict: every SR-IOV '
                     'sample still to come taken as 0 and every normal one '
                     'as unbounded, the verdicts still pass. Otherwise, '
                     'and always with baseline_results, every point gets '
                     'all iperf_repeats samples. The results file records '
                     'samples and planned samples per point.'),
    cfg.BoolOpt('latency_checks',
                default=True,
                help='Measure round-trip latency too: before iperf3 loads a '
                     'topology, the client VM of the SR-IOV pair and of the '
                     'normal pair each pings its server latency_samples '
                     'times (every 0.2 s); the results file records p50 '
                     'and p99, and the latency verdict compares the p50s '
                     '(latency_margin). Turn off where ICMP between the '
                     'guests is not allowed.'),
    cfg.IntOpt('latency_samples',
               default=50, min=50,
               help='Echo requests per latency point (at least 50, one '
                    'every 0.2 s: 10 s per point).'),
    cfg.FloatOpt('latency_margin',
                 default=0.0,
                 help='The SR-IOV path\'s median round-trip time must be '
                      'at most (1 - latency_margin) x the normal (OVS) '
                      'path\'s, same topology, same run. 0: no worse than '
                      'OVS; 0.2: at least 20 % lower.'),
    cfg.FloatOpt('latency_max_loss',
                 default=latency.DEFAULT_MAX_LOSS,
                 help='The fraction of its latency_samples echo requests '
                      'either pair may lose; a pair that lost more fails '
                      'the latency verdict, whatever the p50 of the replies '
                      'that came back. Default 0.04: 2 of 50.'),
    cfg.ListOpt('latency_topologies',
                default=[t.name for t in topology.TOPOLOGIES],
                help='Topologies the latency verdict judges; in the '
                     'others the p50s are recorded, not compared, and only '
                     'the pairs\' loss (latency_max_loss) is judged. '
                     'Names: %s.' % ', '.join(
                         t.name for t in topology.TOPOLOGIES)),
    cfg.BoolOpt('qos_checks',
                default=True,
                help='Check a QoS bandwidth limit with traffic: the client '
                     'port of the SR-IOV pair across the wire gets a QoS '
                     'policy with one egress bandwidth_limit rule of '
                     'qos_max_kbps, which the SR-IOV agent turns into the '
                     'VF\'s max_tx_rate; the median iperf3 goodput must be '
                     'within qos_tolerance of the limit, and near line rate '
                     'again once the rule is deleted. The results file '
                     'records both. Needs the Neutron extension "qos" (the '
                     'test skips without it) and its SR-IOV agents\' '
                     '[agent] extensions to include qos.'),
    cfg.IntOpt('qos_max_kbps',
               default=1000000, min=1000,
               help='max_kbps of the bandwidth_limit rule, in kbit/s. The '
                    'SR-IOV agent sets max_tx_rate in whole Mbit/s, rounded, '
                    'so use a multiple of 1000. It must lie well below the '
                    'near-line-rate threshold (1 Gbit/s: a tenth of a '
                    '10 GbE port).'),
    cfg.FloatOpt('qos_tolerance',
                 default=0.1,
                 help='The median goodput under the bandwidth limit must be '
                      'within this fraction of qos_max_kbps, above or below '
                      '(0.1: +-10 %). In (0, 1).'),
    cfg.PortOpt('iperf_port',
                default=5201,
                help='First TCP port of the iperf3 servers; "processes" '
                     'mode uses this port and the next N-1.'),
    cfg.IntOpt('iperf_grace',
               default=30, min=1,
               help='Seconds an iperf3 run may take beyond omit + duration '
                    '(connection set-up, results exchange) before it is '
                    'abandoned as hung.'),
    cfg.FloatOpt('cpu_bound_percent',
                 default=90.0,
                 help='A run whose sender or receiver CPU use (iperf3 '
                      'cpu_utilization_percent) reaches this is marked '
                      'CPU-bound in the results.'),
    cfg.StrOpt('results_dir',
               default='sriov-results',
               help='Directory (relative to the working directory of '
                    'tempest run) where the throughput gate writes its '
                    'results file, and its text table, chart (PNG, with '
                    'the "report" extra installed) and HTML page.'),
    cfg.StrOpt('baseline_results',
               help='A results file of an earlier run (e.g. the accepted '
                    'run of this cloud). When set, the gate also fails a '
                    'topology whose median fell more than '
                    'baseline_tolerance beyond the run-to-run spread below '
                    'this baseline. Unset: no baseline comparison.'),
    cfg.FloatOpt('baseline_tolerance',
                 default=0.10,
                 help='Fraction a median may fall below the baseline median '
                      'beyond the larger run-to-run spread (max-min over '
                      'median) of the two runs before it is a regression.'),
]

host_opts = [
    cfg.DictOpt('host_addresses',
                default={},
                help='Compute host name (as in OS-EXT-SRV-ATTR:host) -> '
                     'address to SSH to for host-level datapath checks, '
                     'e.g. "compute1:192.0.2.11,compute2:192.0.2.12". Empty: '
                     'host-level checks skip.'),
    cfg.StrOpt('host_ssh_user',
               default='root',
               help='SSH user on the compute hosts.'),
    cfg.StrOpt('host_ssh_key_path',
               help='Private key for host_ssh_user. Unset: the SSH agent '
                    'or the default keys.'),
    cfg.PortOpt('host_ssh_port',
                default=22,
                help='SSH port of the compute hosts.'),
    cfg.IntOpt('host_ssh_timeout',
               default=60,
               min=1,
               help='Seconds to wait for a compute host\'s SSH before a '
                    'host-level check fails, naming the host.'),
    cfg.StrOpt('host_command_prefix',
               default='',
               help='Words put before every host command, e.g. "sudo", or '
                    '"sudo podman exec openvswitch" on a containerised '
                    'deployment. Split like a shell would; not run through '
                    'a shell.'),
    cfg.StrOpt('integration_bridge',
               default='br-int',
               help='OVS integration bridge on the compute hosts.'),
    cfg.BoolOpt('libvirt_checks',
                default=False,
                help='Also read the libvirt domain XML of each server on its '
                     'host (virsh dumpxml) and check the hostdev interface '
                     'and its VLAN. Needs host_addresses; libvirt clouds '
                     'only.'),
    cfg.StrOpt('ovn_sbctl_command',
               default='',
               help='The ovn-sbctl command on the compute hosts of an '
                    'ML2/OVN cloud, with what it needs to reach the '
                    'Southbound DB, e.g. "sudo ovn-sbctl '
                    '--db=tcp:192.0.2.10:6642" or "sudo podman exec '
                    'ovn_controller ovn-sbctl --db=...". When a VF guest '
                    'gets no DHCP lease, the failure then names the '
                    'chassis that may host its external port and the one '
                    'that does. Empty: not read (the failure says so). '
                    'Split like a shell would; not run through a shell.'),
    cfg.StrOpt('virsh_command_prefix',
               default='',
               help='Words put before "virsh" on the hosts, e.g. '
                    '"sudo podman exec nova_libvirt". Empty: '
                    'host_command_prefix.'),
]

fleet_opts = [
    cfg.BoolOpt('fleet_checks',
                default=False,
                help='Run the fleet acceptance test: one direct VM on every '
                     'SR-IOV host of physical_network (Nova\'s compute '
                     'services and Neutron\'s NIC Switch agents, or '
                     'fleet_hosts), measured in a ring of links, each near '
                     'line rate, and the bad hosts named. Admin listings '
                     'of both; slow: run it for acceptance after a '
                     'deployment or a change, not every gate run.'),
    cfg.ListOpt('fleet_hosts',
                default=[],
                help='The hosts the fleet test proves. Empty: every host '
                     'whose compute service and NIC Switch agent map '
                     'physical_network. A host listed here that cannot be '
                     'proven fails the test.'),
    cfg.IntOpt('fleet_concurrency',
               default=1,
               min=1,
               help='Links of the ring measured at once (hosts never share '
                    'a wave). 1: the hosts, not an oversubscribed switch, '
                    'are measured; raise it on a non-blocking fabric.'),
    cfg.FloatOpt('fleet_outlier_fraction',
                 default=0.2,
                 min=0.0,
                 max=1.0,
                 help='A host whose link medians are more than this '
                      'fraction below the fleet\'s median is named an '
                      'outlier, even above the line-rate threshold. 1.0 '
                      'disables the rule.'),
    cfg.IntOpt('fleet_boot_wave',
               default=10,
               min=1,
               help='VMs the fleet test boots at once (each holds a VF and '
                    'counts against the project\'s quota).'),
]

sriov_opts = (network_opts + guest_opts + gate_opts + iperf_opts + host_opts +
              fleet_opts)


def list_opts():
    """The options for oslo-config-generator and Tempest's plugin API."""
    return [(sriov_group, sriov_opts)]


@dataclasses.dataclass(frozen=True)
class Settings(object):
    """Validated [sriov] values: what the tests and the logic read."""

    physical_network: typing.Optional[str]
    segmentation_ids: typing.Tuple[int, ...]
    vnic_type: str
    compute_hosts: typing.Tuple[str, ...]
    trusted_vfs: bool
    vf_to_ovs_same_host: bool
    availability_zone: str
    image_ref: typing.Optional[str]
    flavor_ref: typing.Optional[str]
    image_ssh_user: typing.Optional[str]
    port_speed_gbps: float
    line_rate_reference: str
    line_rate_fraction: float
    line_rate_streams: typing.Tuple[int, ...]
    margin_over_normal: float
    margin_streams: typing.Tuple[int, ...]
    tcp_timestamps: bool
    streams: typing.Tuple[int, ...]
    iperf_mode: str
    iperf_duration: int
    iperf_omit: int
    iperf_repeats: int
    decide_early: bool
    latency_checks: bool
    latency_samples: int
    latency_margin: float
    latency_max_loss: float
    latency_topologies: typing.Tuple[str, ...]
    qos_checks: bool
    qos_max_kbps: int
    qos_tolerance: float
    iperf_port: int
    iperf_grace: int
    cpu_bound_percent: float
    results_dir: str
    baseline_results: typing.Optional[str]
    baseline_tolerance: float
    host_addresses: typing.Dict[str, str]
    host_ssh_user: str
    host_ssh_key_path: typing.Optional[str]
    host_ssh_port: int
    host_ssh_timeout: int
    host_command_prefix: str
    integration_bridge: str
    libvirt_checks: bool
    virsh_command_prefix: str
    ovn_sbctl_command: str
    fleet_checks: bool
    fleet_hosts: typing.Tuple[str, ...]
    fleet_concurrency: int
    fleet_outlier_fraction: float
    fleet_boot_wave: int

    @property
    def iperf_timeout(self):
        """Seconds after which one iperf3 run counts as hung."""
        return self.iperf_omit + self.iperf_duration + self.iperf_grace


def _bad(option, value, why):
    return exceptions.SriovConfigError(
        '[%s] %s = %r is invalid: %s' % (GROUP, option, value, why))


def _read(group, name):
    try:
        return getattr(group, name)
    except (ValueError, cfg.ConfigFileValueError) as exc:
        # oslo.config raises on access when a value does not parse.
        raise exceptions.SriovConfigError(
            '[%s] %s is invalid: %s' % (GROUP, name, exc))


def load_settings(group):
    """Read and check the [sriov] group; raise SriovConfigError if bad.

    :param group: ``CONF.sriov`` or any object with the same attributes.
    """
    values = {f.name: _read(group, f.name)
              for f in dataclasses.fields(Settings)}

    if values['vnic_type'] not in SRIOV_VNIC_TYPES:
        raise _bad('vnic_type', values['vnic_type'],
                   'must be one of %s' % ', '.join(SRIOV_VNIC_TYPES))
    if values['iperf_mode'] not in IPERF_MODES:
        raise _bad('iperf_mode', values['iperf_mode'],
                   'must be one of %s' % ', '.join(IPERF_MODES))
    for name in ('line_rate_reference', 'port_speed_gbps',
                 'line_rate_fraction', 'margin_over_normal',
                 'latency_margin', 'latency_max_loss', 'latency_topologies',
                 'qos_tolerance'):
        why = verdict.threshold_problem(name, values[name])
        if why:
            raise _bad(name, values[name], why)
    if not values['streams']:
        raise _bad('streams', values['streams'],
                   'must name at least one stream count, e.g. 1,3,5')
    for name in ('line_rate_streams', 'margin_streams'):
        unknown = sorted(set(values[name]) - set(values['streams']))
        if unknown:
            raise _bad(name, values[name],
                       'stream counts %s are not measured; add them to '
                       '[%s] streams or remove them here' % (unknown, GROUP))
    if values['qos_checks']:
        why = verdict.qos_limit_problem(values)
        if why:
            raise _bad('qos_max_kbps', values['qos_max_kbps'], why)
    if values['cpu_bound_percent'] is None or \
            not 0 < values['cpu_bound_percent'] <= 100:
        raise _bad('cpu_bound_percent', values['cpu_bound_percent'],
                   'must be in (0, 100]')
    hosts = values['compute_hosts']
    if hosts and (len(hosts) != 2 or hosts[0] == hosts[1]):
        raise _bad('compute_hosts', hosts,
                   'must name two different hosts, or be empty to discover '
                   'them')
    if len(set(values['segmentation_ids'])) != len(
            values['segmentation_ids']):
        raise _bad('segmentation_ids', values['segmentation_ids'],
                   'must not repeat a VLAN id')
    if values['physical_network'] is not None and \
            not values['physical_network'].strip():
        raise _bad('physical_network', values['physical_network'],
                   'must be a physnet name, or unset to skip the tests')
    if not values['results_dir']:
        raise _bad('results_dir', values['results_dir'],
                   'must be a directory path')
    if values['baseline_tolerance'] is None or \
            values['baseline_tolerance'] < 0:
        raise _bad('baseline_tolerance', values['baseline_tolerance'],
                   'must be 0 or more, e.g. 0.1 for 10 %')
    if values['baseline_results'] is not None and \
            not os.path.isfile(values['baseline_results']):
        raise _bad('baseline_results', values['baseline_results'],
                   'no such file; give the path of a results file '
                   '(sriov-throughput-<run>.json) or unset it')

    for name in ('fleet_concurrency', 'fleet_boot_wave'):
        if values[name] is None or values[name] < 1:
            raise _bad(name, values[name], 'must be 1 or more')
    if values['fleet_outlier_fraction'] is None or \
            not 0 <= values['fleet_outlier_fraction'] <= 1:
        raise _bad('fleet_outlier_fraction',
                   values['fleet_outlier_fraction'],
                   'must be in [0, 1] (1 disables the outlier rule)')
    for name in ('segmentation_ids', 'compute_hosts', 'streams',
                 'line_rate_streams', 'margin_streams',
                 'latency_topologies', 'fleet_hosts'):
        values[name] = tuple(values[name] or ())
    values['host_addresses'] = dict(values['host_addresses'] or {})
    values['host_command_prefix'] = values['host_command_prefix'] or ''
    values['ovn_sbctl_command'] = values['ovn_sbctl_command'] or ''
    values['virsh_command_prefix'] = (values['virsh_command_prefix'] or
                                      values['host_command_prefix'])
    return Settings(**values)
