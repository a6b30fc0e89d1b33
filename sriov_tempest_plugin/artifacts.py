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
"""The files a reader opens: text table, PNG chart, one HTML page.

For one run they are named after it (``sriov-throughput-<run>.txt``,
``.png``, ``.html``, beside its results file); for several runs the text
and the page are ``sriov-report.txt``/``.html`` and each run has its PNG.
The PNG needs matplotlib; without it the text and the page (without the
picture, saying why) are still written.
"""

import dataclasses
import os
import re
import typing

from sriov_tempest_plugin import chart
from sriov_tempest_plugin import results
from sriov_tempest_plugin import tables
from sriov_tempest_plugin import webpage


@dataclasses.dataclass
class Run(object):
    document: dict
    source: typing.Optional[str] = None
    baseline_lines: typing.Optional[typing.List[str]] = None
    outcome: typing.Any = None  # baseline.Outcome, when compared


@dataclasses.dataclass
class Written(object):
    text: str
    html: str
    pngs: typing.List[str]
    chart_missing: typing.Optional[str] = None

    def paths(self):
        return [self.text] + self.pngs + [self.html]


def run_text(run):
    lines = [tables.text_table(run.document)]
    if run.document.get('rejudged'):
        lines.append('re-judged with %s' % ', '.join(
            '%s=%s' % kv for kv in sorted(run.document['rejudged'].items())))
    failed = results.failed_messages(run.document)
    if failed:
        lines.append('failed verdicts:')
        lines.extend('  ' + m for m in failed)
    if run.baseline_lines is not None:
        lines.append('against the baseline:')
        lines.extend('  ' + line for line in run.baseline_lines)
    return '\n'.join(lines)


def _write(path, data, mode='w'):
    tmp = path + '.tmp'
    with open(tmp, mode) as handle:
        handle.write(data)
    os.replace(tmp, path)
    return path


def file_stem(run_id):
    """A run id made safe for a file name."""
    return 'sriov-throughput-' + re.sub(r'[^A-Za-z0-9._-]', '_', run_id)


def write(runs, directory, draw=True, suffix=''):
    """Write the artifacts of ``runs`` into ``directory``; see module doc.

    :param suffix: added to every file's name (``-rejudged``): what-if
        reports never overwrite the files the run itself wrote.
    """
    os.makedirs(directory, exist_ok=True)
    if len(runs) == 1:
        prefix = file_stem(runs[0].document['run_id']) + suffix
    else:
        prefix = 'sriov-report' + suffix
    missing = None
    if draw and not chart.available():
        missing = chart.EXTRA_HINT
    elif not draw:
        missing = 'chart not drawn (asked not to)'
    sections, texts, pngs = [], [], []
    for run in runs:
        png = None
        if missing is None and chart.drawable(run.document):
            png = chart.png_bytes(run.document)
            pngs.append(_write(os.path.join(
                directory,
                file_stem(run.document['run_id']) + suffix + '.png'),
                png, 'wb'))
        texts.append(run_text(run))
        sections.append(webpage.run_section(
            run.document, png=png, source=run.source,
            baseline_lines=run.baseline_lines, chart_note=missing))
    text = _write(os.path.join(directory, prefix + '.txt'),
                  '\n\n'.join(texts) + '\n')
    page = _write(os.path.join(directory, prefix + '.html'),
                  webpage.page(sections))
    if missing is None and not pngs:
        missing = ('nothing to draw yet: no throughput point and no fleet '
                   'host with a median')
    return Written(text, page, pngs, missing)
