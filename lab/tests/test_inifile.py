"""The lab's INI writer: values, notes and sections as services read them."""

import os
import stat
import tempfile
import unittest

from lab import inifile


class RenderTest(unittest.TestCase):

    def test_types(self):
        text = inifile.render({'DEFAULT': {'debug': False, 'x': None,
                                           'filters': ['A', 'B'],
                                           'n': 5}})
        self.assertEqual('[DEFAULT]\ndebug = false\nfilters = A,B\n'
                         'n = 5\n', text)

    def test_noted_value_carries_its_reason(self):
        text = inifile.render({'s': {'fraction': inifile.Noted(
            0.75, 'measured 0.83\n\nof the ceiling')}})
        self.assertEqual('[s]\n# measured 0.83\n#\n# of the ceiling\n'
                         'fraction = 0.75\n', text)

    def test_written_file_is_root_only(self):
        with tempfile.TemporaryDirectory() as d:
            path = inifile.write(os.path.join(d, 'sub', 'a.conf'),
                                 {'s': {'password': 'secret'}})
            self.assertEqual(0o600, stat.S_IMODE(os.stat(path).st_mode))
