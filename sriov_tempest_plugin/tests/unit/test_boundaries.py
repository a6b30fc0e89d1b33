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
"""The plugin stands alone: it never imports the lab.

The lab proves the plugin; a plugin that reached into the lab could pass
there and nowhere else, and would not install on a real cloud.
"""

import ast
import os

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
