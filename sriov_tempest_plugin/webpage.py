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
"""One self-contained HTML page of one or more runs (a CI artifact).

Everything is inside the page: the chart as a data: URI, no scripts, no
external style sheets or fonts.
"""

import base64
import html

from sriov_tempest_plugin import results
from sriov_tempest_plugin import verdict

STYLE = """
body { font-family: sans-serif; margin: 2em; color: #222; max-width: 75em; }
h1 { font-size: 1.4em; } h2 { font-size: 1.2em; margin-top: 2em; }
table { border-collapse: collapse; margin: 0.5em 0; font-size: 0.9em; }
th, td { border: 1px solid #bbb; padding: 0.2em 0.6em; text-align: left; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
.pass { color: #137333; font-weight: bold; }
.fail { color: #b3261e; font-weight: bold; }
img { max-width: 100%; border: 1px solid #ddd; }
ul.verdicts li { margin: 0.2em 0; }
.note { color: #555; font-size: 0.9em; }
"""


def _e(text):
    return html.escape(str(text), quote=True)


def _status(passed):
    return ('<span class="pass">PASSED</span>' if passed
            else '<span class="fail">FAILED</span>')


def _settings_table(settings, rejudged):
    rows = []
    for key in verdict.SETTINGS_KEYS:
        if key not in settings:
            continue
        value = settings[key]
        if isinstance(value, list):
            value = ', '.join(str(v) for v in value)
        mark = ' (re-judged)' if key in (rejudged or {}) else ''
        rows.append('<tr><th>%s</th><td>%s%s</td></tr>'
                    % (_e(key), _e(value), _e(mark)))
    return '<table>%s</table>' % ''.join(rows)


def _points_table(document):
    verdicts = results.verdicts_by_point(document)
    head = ('topology', 'vnic type', 'streams', 'median Gbit/s',
            'min-max', 'spread', 'verdict')
    rows = ['<tr>%s</tr>' % ''.join('<th>%s</th>' % _e(h) for h in head)]
    for p in document['points']:
        judged = verdicts.get(verdict.point_key(p), [])
        cell = ' '.join(
            '%s: %s' % (_e(v['kind']), _status(v['passed']).replace(
                'PASSED', 'pass').replace('FAILED', 'FAIL'))
            for v in sorted(judged, key=lambda v: v['kind'])) or '-'
        if p.get('cpu_bound_samples'):
            cell += ' <span class="note">(cpu-bound)</span>'
        rows.append(
            '<tr><td>%s</td><td>%s</td><td class="num">%d</td>'
            '<td class="num">%.2f</td><td class="num">%.2f-%.2f</td>'
            '<td class="num">%.1f %%</td><td>%s</td></tr>'
            % (_e(p['topology']), _e(p['vnic_type']), p['streams'],
               p['median_gbps'], p['min_gbps'], p['max_gbps'],
               100 * p.get('spread', 0.0), cell))
    return '<table>%s</table>' % ''.join(rows)


def _latency_table(document):
    points = document.get('latency') or []
    if not points:
        return ''
    judged = results.latency_verdicts(document)
    head = ('topology', 'vnic type', 'p50 ms', 'p99 ms', 'min-max ms',
            'lost', 'verdict')
    rows = ['<tr>%s</tr>' % ''.join('<th>%s</th>' % _e(h) for h in head)]
    for p in points:
        v = judged.get((p['topology'], p['vnic_type']))
        cell = '-' if v is None else '%s: %s' % (_e(v['kind']), _status(
            v['passed']).replace('PASSED', 'pass').replace('FAILED', 'FAIL'))
        figures = (('<td class="num">%.3f</td><td class="num">%.3f</td>'
                    '<td class="num">%.3f-%.3f</td>'
                    % (p['p50_ms'], p['p99_ms'], p['min_ms'], p['max_ms']))
                   if 'p50_ms' in p else '<td>-</td>' * 3)
        rows.append('<tr><td>%s</td><td>%s</td>%s<td class="num">%d/%d</td>'
                    '<td>%s</td></tr>'
                    % (_e(p['topology']), _e(p['vnic_type']), figures,
                       p['sent'] - p['received'], p['sent'], cell))
    return '<h3>Latency</h3><table>%s</table>' % ''.join(rows)


def _qos_table(document):
    points = document.get('qos') or []
    if not points:
        return ''
    judged = results.qos_verdicts(document)
    head = ('topology', 'vnic type', 'streams', 'limit kbit/s',
            'median Gbit/s', 'min-max', 'verdict')
    rows = ['<tr>%s</tr>' % ''.join('<th>%s</th>' % _e(h) for h in head)]
    for p in points:
        v = judged.get(results.qos_key(p))
        cell = '-' if v is None else '%s: %s' % (_e(v['kind']), _status(
            v['passed']).replace('PASSED', 'pass').replace('FAILED', 'FAIL'))
        rows.append(
            '<tr><td>%s</td><td>%s</td><td class="num">%d</td>'
            '<td class="num">%s</td><td class="num">%.3f</td>'
            '<td class="num">%.3f-%.3f</td><td>%s</td></tr>'
            % (_e(p['topology']), _e(p['vnic_type']), p['streams'],
               p['max_kbps'] or 'none', p['median_gbps'], p['min_gbps'],
               p['max_gbps'], cell))
    return '<h3>QoS bandwidth limit</h3><table>%s</table>' % ''.join(rows)


def _fleet_table(document):
    fleet = document.get('fleet')
    if not fleet:
        return ''

    def gbps(value):
        return '-' if value is None else '%.3f' % value

    head = ('host', 'verdict', 'sent Gbit/s', 'received Gbit/s', 'why')
    rows = ['<tr>%s</tr>' % ''.join('<th>%s</th>' % _e(h) for h in head)]
    for h in fleet['hosts']:
        rows.append('<tr><td>%s</td><td>%s</td><td class="num">%s</td>'
                    '<td class="num">%s</td><td>%s</td></tr>'
                    % (_e(h['host']), '<span class="%s">%s</span>' % (
                        'pass' if h['state'] == 'ok' else 'fail',
                        _e(h['state'])),
                       gbps(h['sent_gbps']), gbps(h['received_gbps']),
                       _e(h['why'])))
    links = ['<tr>%s</tr>' % ''.join('<th>%s</th>' % _e(h) for h in (
        'link', 'pass', 'median Gbit/s', 'samples', 'verdict'))]
    for item in fleet['links']:
        links.append('<tr><td>%s -&gt; %s</td><td>%s</td>'
                     '<td class="num">%s</td><td class="num">%s</td>'
                     '<td>%s</td></tr>'
                     % (_e(item['sender']), _e(item['receiver']),
                        _e(item['pass']), gbps(item.get('median_gbps')),
                        _e(' '.join('%.3f' % x
                                    for x in item['samples_gbps']) or '-'),
                        _e(item.get('why') or item.get('error') or 'pass')))
    return ('<h3>Fleet: %d SR-IOV hosts, %s</h3><table>%s</table>'
            '<h4>Links</h4><table>%s</table>'
            % (fleet['total'], _status(fleet['passed']), ''.join(rows),
               ''.join(links)))


def run_section(document, png=None, source=None, baseline_lines=None,
                chart_note=None):
    parts = ['<h2>Run %s: %s</h2>' % (_e(document['run_id']),
                                      _status(document['passed']))]
    if source:
        parts.append('<p class="note">results file: %s</p>' % _e(source))
    if png:
        parts.append('<img alt="throughput chart of run %s" '
                     'src="data:image/png;base64,%s">'
                     % (_e(document['run_id']),
                        base64.b64encode(png).decode('ascii')))
    elif chart_note:
        parts.append('<p class="note">%s</p>' % _e(chart_note))
    failed = [v for v in document['verdicts'] if not v['passed']]
    passed = [v for v in document['verdicts'] if v['passed']]
    parts.append('<h3>Verdicts</h3><ul class="verdicts">%s</ul>' % ''.join(
        '<li>%s %s</li>' % (_status(v['passed']), _e(v['message']))
        for v in failed + passed))
    if baseline_lines is not None:
        parts.append('<h3>Against the baseline</h3><ul>%s</ul>' % ''.join(
            '<li>%s</li>' % _e(line) for line in baseline_lines))
    parts.append('<h3>Points</h3>')
    parts.append(_points_table(document))
    parts.append(_latency_table(document))
    parts.append(_qos_table(document))
    parts.append(_fleet_table(document))
    parts.append('<h3>Settings</h3>')
    parts.append(_settings_table(document['settings'],
                                 document.get('rejudged')))
    return '\n'.join(parts)


def page(sections, title='SR-IOV throughput'):
    """A whole HTML document around ``run_section`` outputs."""
    return ('<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
            '<title>%s</title><style>%s</style></head><body>\n<h1>%s</h1>\n'
            '<p class="note">Receiver goodput in Gbit/s (10^9 bit/s); '
            'verdicts judge medians. Written by sriov-tempest-plugin.</p>\n'
            '%s\n</body></html>\n'
            % (_e(title), STYLE, _e(title), '\n'.join(sections)))
