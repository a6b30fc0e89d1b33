"""What the lab's command shims share."""

import os
import tempfile
import unittest
from unittest import mock

from lab import shim


class ShimTest(unittest.TestCase):

    def test_real_command_skips_the_shims_own_directory(self):
        with tempfile.TemporaryDirectory() as d:
            shims, real = os.path.join(d, 'shims'), os.path.join(d, 'bin')
            for where in (shims, real):
                os.makedirs(where)
                path = os.path.join(where, 'ip')
                with open(path, 'w') as f:
                    f.write('#!/bin/sh\n')
                os.chmod(path, 0o755)
            with mock.patch.dict(os.environ,
                                 {'PATH': '%s:%s' % (shims, real)}):
                self.assertEqual(os.path.join(real, 'ip'),
                                 shim.real_command('ip', shims))

    def test_sshd_setenv_quotes_each_variable(self):
        self.assertEqual('SetEnv "A=1 2" "PATH=/x:/y"',
                         shim.sshd_setenv({'PATH': '/x:/y', 'A': '1 2'}))
