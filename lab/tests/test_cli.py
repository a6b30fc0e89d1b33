"""The lab command line: one lab at a time, and what ``up`` refuses."""

import os
import tempfile
import unittest
from unittest import mock

from lab import cli
from lab import layout
from lab import proc


class UpRefusesASecondLabTest(unittest.TestCase):

    def _up(self, owner_text):
        with tempfile.TemporaryDirectory() as tmp:
            owner = os.path.join(tmp, 'sriovlab.owner')
            with open(owner, 'w') as f:
                f.write(owner_text)
            state = layout.State(os.path.join(tmp, 'mine'))
            with mock.patch.object(cli, 'OWNER_FILE', owner), \
                    mock.patch.object(cli, 'ensure_packages') as packages:
                with self.assertRaises(proc.LabError) as caught:
                    cli.up(state, None)
            # Refused before touching the machine.
            packages.assert_not_called()
            self.assertFalse(os.path.exists(state.root))
        return str(caught.exception)

    def test_names_the_other_lab_and_how_to_take_it_down(self):
        msg = self._up('/tmp/other checkout/.lab\n')
        self.assertIn('a lab is already up on this machine (state dir '
                      '/tmp/other checkout/.lab)', msg)
        self.assertIn("python3 -m lab --state-dir "
                      "'/tmp/other checkout/.lab' down", msg)

    def test_unknown_owner_still_says_what_to_run(self):
        msg = self._up('')
        self.assertIn('(unknown)', msg)
        self.assertIn('"python3 -m lab down"', msg)


if __name__ == '__main__':
    unittest.main()
