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
"""The results document as plain text tables: the run's ``.txt`` report
and the test log, beside the chart and the page (presentation only;
``results`` writes and reads the document).
"""

from sriov_tempest_plugin import results
from sriov_tempest_plugin import verdict


def text_table(document):
    """A plain table of a results document, for the test log."""
    verdicts = results.verdicts_by_point(document)
    header = ('topology', 'vnic', 'streams', 'median', 'min-max', 'spread',
              'verdict')
    rows = [header]
    for p in sorted(document.get('points', []), key=results.point_order):
        judged = verdicts.get(verdict.point_key(p), [])
        if judged:
            outcome = ' '.join('%s:%s' % (v['kind'],
                                          'pass' if v['passed'] else 'FAIL')
                               for v in sorted(judged,
                                               key=lambda v: v['kind']))
        else:
            outcome = '-'
        if p.get('cpu_bound_samples'):
            outcome += ' (cpu-bound)'
        rows.append((p['topology'], p['vnic_type'], str(p['streams']),
                     '%.2f' % p['median_gbps'],
                     '%.2f-%.2f' % (p['min_gbps'], p['max_gbps']),
                     '%.1f%%' % (100 * p['spread']), outcome))
    # No gate points (only the QoS test ran): no empty table of them.
    lines = _aligned(rows) if len(rows) > 1 else []
    lines.extend(latency_table(document))
    lines.extend(qos_table(document))
    lines.extend(fleet_table(document))
    while lines and not lines[0]:
        lines.pop(0)
    lines.append('Gbit/s (10^9 bit/s), receiver goodput; run %s: %s'
                 % (document.get('run_id'),
                    'PASSED' if document.get('passed') else 'FAILED'))
    return '\n'.join(lines)


def latency_table(document):
    """Lines of the latency points of a document (none: no lines)."""
    points = sorted(document.get('latency') or [], key=results.latency_order)
    if not points:
        return []
    judged = results.latency_verdicts(document)
    rows = [('topology', 'vnic', 'p50 ms', 'p99 ms', 'lost', 'verdict')]
    for p in points:
        v = judged.get((p['topology'], p['vnic_type']))
        rows.append((p['topology'], p['vnic_type'],
                     '%.3f' % p['p50_ms'] if 'p50_ms' in p else '-',
                     '%.3f' % p['p99_ms'] if 'p99_ms' in p else '-',
                     '%d/%d' % (p['sent'] - p['received'], p['sent']),
                     '-' if v is None else
                     '%s:%s' % (v['kind'],
                                'pass' if v['passed'] else 'FAIL')))
    return [''] + _aligned(rows)


def _aligned(rows):
    """Text lines of ``rows`` (the first is the header) in columns."""
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = ['  '.join(cell.ljust(w) for cell, w in zip(row, widths))
             .rstrip() for row in rows]
    lines.insert(1, '  '.join('-' * w for w in widths))
    return lines


def qos_table(document):
    """Lines of the QoS points of a document (none: no lines)."""
    points = sorted(document.get('qos') or [], key=results.qos_key)
    if not points:
        return []
    judged = results.qos_verdicts(document)
    rows = [('topology', 'vnic', 'streams', 'limit kbit/s', 'median',
             'min-max', 'verdict')]
    for p in points:
        v = judged.get(results.qos_key(p))
        rows.append((p['topology'], p['vnic_type'], str(p['streams']),
                     str(p['max_kbps']) if p['max_kbps'] else 'none',
                     '%.3f' % p['median_gbps'],
                     '%.3f-%.3f' % (p['min_gbps'], p['max_gbps']),
                     '-' if v is None else '%s:%s' % (
                         v['kind'], 'pass' if v['passed'] else 'FAIL')))
    return [''] + _aligned(rows)


def _gbps(value):
    return '-' if value is None else '%.3f' % value


def fleet_table(document):
    """Lines of the fleet section (none: no lines): every host, worst
    first, then each failing host's reason and every link.
    """
    fleet = document.get('fleet')
    if not fleet:
        return []
    rows = [('host', 'verdict', 'sent', 'received')]
    for h in fleet['hosts']:
        rows.append((h['host'], h['state'], _gbps(h['sent_gbps']),
                     _gbps(h['received_gbps'])))
    lines = ['', 'fleet: %d SR-IOV hosts at %d streams, %s'
             % (fleet['total'], fleet['streams'],
                'PASSED' if fleet['passed'] else 'FAILED')]
    lines += _aligned(rows)
    lines += ['%s: %s' % (h['host'], h['why']) for h in fleet['hosts']
              if h['state'] != 'ok']
    links = [('link', 'pass', 'median', 'samples', 'verdict')]
    for item in fleet['links']:
        links.append(('%s -> %s' % (item['sender'], item['receiver']),
                      item['pass'], _gbps(item.get('median_gbps')),
                      ' '.join('%.3f' % x for x in item['samples_gbps'])
                      or '-',
                      'pass' if item.get('passed') else 'FAIL'))
    return lines + [''] + _aligned(links)
