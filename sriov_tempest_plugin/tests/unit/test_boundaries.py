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
"""Boundaries between the parts: what may import what.

The plugin never imports the lab: the lab proves the plugin, and a plugin
that reached into the lab could pass there and nowhere else. The offline
report tool imports neither Tempest nor oslo.config: it re-judges results
files on a laptop with neither installed.
"""

import ast
import os
import subprocess
import sys

from sriov_tempest_plugin.tests.unit import base

PACKAGE = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))


def imported_modules(source):
    """Top-level names of every module a source file imports."""
    names = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names.update(a.name.split('.')[0] for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            names.add(node.module.split('.')[0])
    return names


class BoundaryTest(base.TestCase):

    def test_finds_an_import_of_lab(self):
        self.assertIn('lab', imported_modules('from lab import nic\n'))
        self.assertIn('lab', imported_modules('import lab.faults as f\n'))
        self.assertNotIn('lab', imported_modules(
            'from sriov_tempest_plugin import layout\nimport label\n'))

    def test_plugin_never_imports_lab(self):
        offenders = []
        checked = 0
        for root, _, files in os.walk(PACKAGE):
            for name in files:
                if not name.endswith('.py'):
                    continue
                path = os.path.join(root, name)
                with open(path) as f:
                    if 'lab' in imported_modules(f.read()):
                        offenders.append(os.path.relpath(path, PACKAGE))
                checked += 1
        self.assertGreater(checked, 30)
        self.assertEqual([], offenders,
                         'the plugin must not import the lab')

    def test_report_tool_needs_neither_tempest_nor_oslo_config(self):
        code = ('import sys\n'
                'import sriov_tempest_plugin.cmd.report\n'
                'print(sorted(m for m in sys.modules if m.split(".")[0] in '
                '("tempest", "oslo_config")))\n')
        out = subprocess.run([sys.executable, '-c', code], check=True,
                             capture_output=True, text=True,
                             cwd=os.path.dirname(PACKAGE)).stdout
        self.assertEqual('[]', out.strip())
