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
"""A run's throughput as a chart in the manner of the paper's Fig. 6/7.

One panel per topology; in each, grouped bars per stream count: the SR-IOV
vnic type beside ``normal`` (OVS), bar = median, whisker = min-max of the
samples. The port speed is a dashed line on every panel, the near-line-rate
threshold a dotted line on the panels it judges (traffic that crosses the
wire). A bar behind a failed verdict is hatched. With latency points, a
last panel shows each topology's ping p50 (bar) and p99 (whisker).

matplotlib is an optional extra (``pip install
sriov-tempest-plugin[report]``); nothing else in the plugin needs it.
"""

import io

from sriov_tempest_plugin import results
from sriov_tempest_plugin import topology
from sriov_tempest_plugin import verdict

EXTRA_HINT = ('the chart needs matplotlib: pip install '
              '"sriov-tempest-plugin[report]" (the text table and the '
              'results file do not)')

PANEL_TITLES = {
    'same_subnet_same_host': 'same subnet, same host\n(VF to VF in the NIC)',
    'same_subnet_different_hosts':
        'same subnet, different hosts\n(across the switch)',
    'different_subnets_same_host':
        'different subnets, same host\n(through the router)',
}
COLOURS = {'sriov': '#1f77b4', 'normal': '#ff7f0e'}


class ChartUnavailable(RuntimeError):
    """matplotlib is not installed."""


def available():
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        return False
    return True


def _pyplot():
    try:
        import matplotlib
    except ImportError:
        raise ChartUnavailable(EXTRA_HINT)
    matplotlib.use('Agg')
    from matplotlib import pyplot
    return pyplot


def figure(document):
    """The matplotlib Figure of one results document."""
    pyplot = _pyplot()
    settings = document['settings']
    sriov = settings['vnic_type']
    points = {verdict.point_key(p): p for p in document['points']}
    failed = {key for key, judged in results.verdicts_by_point(
        document).items() if not all(v['passed'] for v in judged)}
    names = [t.name for t in topology.TOPOLOGIES
             if any(k[0] == t.name for k in points)]
    fleet = _fleet_hosts(document)
    if not drawable(document):
        raise ValueError('run %s has no measured points to draw'
                         % document.get('run_id'))
    streams = sorted({k[2] for k in points})
    speed = settings['port_speed_gbps']
    thresholds = verdict.Thresholds.of(settings)
    threshold = thresholds.line_rate_gbps
    threshold_label = thresholds.line_rate_label()
    top = max([speed] + [p['max_gbps'] for p in points.values()]) * 1.18

    lat = document.get('latency') or []
    panels = len(names) + (1 if lat else 0) + (1 if fleet else 0)
    fig, axes = pyplot.subplots(1, panels, squeeze=False,
                                figsize=(max(4.2 * panels + 1, 8), 5.2),
                                dpi=110)
    width = 0.38
    if lat:
        _latency_panel(axes[0][len(names)], lat,
                       results.latency_verdicts(document), sriov, width)
    if fleet:
        _fleet_panel(axes[0][-1], document['fleet'], fleet, thresholds,
                     speed)
    for ax, name in zip(axes[0], names):
        for i, vnic in enumerate((sriov, 'normal')):
            xs, heights, low, high, hatches = [], [], [], [], []
            for j, n in enumerate(streams):
                p = points.get((name, vnic, n))
                if p is None:
                    continue
                xs.append(j + (i - 0.5) * width)
                heights.append(p['median_gbps'])
                low.append(p['median_gbps'] - p['min_gbps'])
                high.append(p['max_gbps'] - p['median_gbps'])
                hatches.append('//' if (name, vnic, n) in failed else '')
            if not xs:
                continue
            label = ('%s (SR-IOV VF)' % sriov if vnic == sriov
                     else 'normal (OVS)')
            bars = ax.bar(xs, heights, width,
                          color=COLOURS['sriov' if vnic == sriov
                                        else 'normal'],
                          yerr=[low, high], capsize=3, ecolor='#333333',
                          label=label, edgecolor='black', linewidth=0.6)
            for bar, hatch, h in zip(bars, hatches, heights):
                bar.set_hatch(hatch)
                ax.annotate('%.2f' % h, (bar.get_x() + bar.get_width() / 2,
                                         h),
                            xytext=(0, 4), textcoords='offset points',
                            ha='center', va='bottom', fontsize=7)
        ax.axhline(speed, color='#555555', linestyle='--', linewidth=1.2,
                   label='port speed %.3g Gbit/s' % speed)
        if topology.BY_NAME[name].crosses_wire:
            ax.axhline(threshold, color='#d62728', linestyle=':',
                       linewidth=1.6, label=threshold_label)
        ax.set_title(PANEL_TITLES.get(name, name), fontsize=9)
        ax.set_xticks(range(len(streams)))
        ax.set_xticklabels(['%d' % n for n in streams])
        ax.set_xlabel('parallel TCP connections')
        ax.set_ylim(0, top)
        ax.grid(axis='y', alpha=0.3)
    if names:
        axes[0][0].set_ylabel('Gbit/s receiver goodput\n(bar: median, '
                              'whisker: min-max)')
    for ax in axes[0][1:len(names)]:
        # Same y range as the first (set_ylim above): one scale.
        ax.tick_params(labelleft=False)
    handles = {}
    for ax in axes[0]:
        for h, lab in zip(*ax.get_legend_handles_labels()):
            handles.setdefault(lab, h)
    if failed or any(h['state'] != 'ok' for h in fleet):
        from matplotlib.patches import Patch
        handles['failed verdict'] = Patch(facecolor='white',
                                          edgecolor='black', hatch='//')
    # Bars first, then the lines, then the hatch key.
    labels = sorted(handles, key=lambda lab: (
        not lab.startswith(sriov + ' '), not lab.startswith('normal'),
        not lab.startswith('port speed'), lab == 'failed verdict'))
    rows = 1 if len(names) == 3 or len(labels) <= 3 else 2
    fig.legend([handles[lab] for lab in labels], labels, loc='lower center',
               ncol=-(-len(labels) // rows), fontsize=8, frameon=False)
    fig.suptitle('SR-IOV (%s) vs OVS (normal), run %s: %s'
                 % (sriov, document.get('run_id'),
                    'PASSED' if document.get('passed') else 'FAILED'),
                 fontsize=11)
    fig.tight_layout(rect=(0, 0.05 * rows + 0.02, 1, 0.95))
    return fig


def _latency_panel(ax, points, verdicts, sriov, width):
    """p50 bars with a whisker up to p99, per topology and vnic type.

    :param verdicts: ``results.latency_verdicts`` of the document.
    """
    names = [t.name for t in topology.TOPOLOGIES
             if any(p['topology'] == t.name for p in points)]
    failed = {k for k, v in verdicts.items() if not v['passed']}
    by = {(p['topology'], p['vnic_type']): p for p in points
          if 'p50_ms' in p}
    for i, vnic in enumerate((sriov, 'normal')):
        xs, p50, up, hatches = [], [], [], []
        for j, name in enumerate(names):
            p = by.get((name, vnic))
            if p is None:
                continue
            xs.append(j + (i - 0.5) * width)
            p50.append(p['p50_ms'])
            up.append(p['p99_ms'] - p['p50_ms'])
            hatches.append('//' if (name, vnic) in failed else '')
        if not xs:
            continue
        bars = ax.bar(xs, p50, width,
                      color=COLOURS['sriov' if vnic == sriov else 'normal'],
                      yerr=[[0] * len(up), up], capsize=3, ecolor='#333333',
                      label=('%s (SR-IOV VF)' % sriov if vnic == sriov
                             else 'normal (OVS)'),
                      edgecolor='black', linewidth=0.6)
        for bar, hatch, h in zip(bars, hatches, p50):
            bar.set_hatch(hatch)
            ax.annotate('%.3f' % h, (bar.get_x() + bar.get_width() / 2, h),
                        xytext=(0, 4), textcoords='offset points',
                        ha='center', va='bottom', fontsize=7)
    ax.set_title('round-trip latency (ping)', fontsize=9)
    ax.set_xticks(range(len(names)))
    ax.set_xticklabels([PANEL_TITLES.get(n, n).split('\n')[0]
                        for n in names], fontsize=7, rotation=15)
    ax.set_ylabel('ms (bar: p50, whisker: p99)')
    ax.set_ylim(0, max([p['p99_ms'] for p in by.values()] or [1]) * 1.18)
    ax.grid(axis='y', alpha=0.3)


def _fleet_hosts(document):
    """The fleet's hosts that have a median, by their worse link median
    (lowest first); [] without a fleet section.
    """
    hosts = (document.get('fleet') or {}).get('hosts') or []
    measured = [h for h in hosts
                if h['sent_gbps'] is not None or
                h['received_gbps'] is not None]
    return sorted(measured, key=lambda h: (_worse(h), h['host']))


def _worse(host):
    return min(v for v in (host['sent_gbps'], host['received_gbps'])
               if v is not None)


def drawable(document):
    """Whether the chart has anything to show: throughput points, or
    fleet hosts with a median.
    """
    return bool(document.get('points')) or bool(_fleet_hosts(document))


def _fleet_panel(ax, fleet, hosts, thresholds, speed):
    """Each host's worse link median, lowest first, against the line-rate
    threshold and the fleet's outlier line; a failed host hatched.
    """
    xs = range(len(hosts))
    worse = [_worse(h) for h in hosts]
    bars = ax.bar(xs, worse, 0.6, color=COLOURS['sriov'], edgecolor='black',
                  linewidth=0.6)
    for bar, h, value in zip(bars, hosts, worse):
        if h['state'] != 'ok':
            bar.set_hatch('//')
        if len(hosts) <= 24:
            ax.annotate('%.2f' % value,
                        (bar.get_x() + bar.get_width() / 2, value),
                        xytext=(0, 4), textcoords='offset points',
                        ha='center', va='bottom', fontsize=7)
    ax.axhline(speed, color='#555555', linestyle='--', linewidth=1.2,
               label='port speed %.3g Gbit/s' % speed)
    ax.axhline(thresholds.line_rate_gbps, color='#d62728', linestyle=':',
               linewidth=1.6, label=thresholds.line_rate_label())
    line = fleet.get('outlier_gbps')
    if line is not None:
        ax.axhline(line, color='#9467bd', linestyle='-.', linewidth=1.2,
                   label='fleet outlier line: %.0f %% under the fleet '
                   'median' % (100 * fleet['outlier_fraction']))
    ax.set_title('fleet: %d SR-IOV hosts at %d streams\n(worse of each '
                 'host\'s two links)' % (fleet['total'], fleet['streams']),
                 fontsize=9)
    ax.set_xticks(list(xs))
    ax.set_xticklabels([h['host'] for h in hosts], rotation=45,
                       ha='right', fontsize=7 if len(hosts) <= 24 else 4)
    ax.set_ylim(0, max([speed] + worse) * 1.18)
    ax.set_ylabel('Gbit/s, median of the host\'s worse link')
    ax.grid(axis='y', alpha=0.3)


def png_bytes(document):
    """The chart of one results document as PNG bytes."""
    pyplot = _pyplot()
    fig = figure(document)
    try:
        buf = io.BytesIO()
        fig.savefig(buf, format='png')
        return buf.getvalue()
    finally:
        pyplot.close(fig)
