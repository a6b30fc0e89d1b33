"""lab.preflight: a file where the lab needs a directory is named at once."""

import os
import tempfile
import unittest

from lab import preflight


class TestObstacles(unittest.TestCase):

    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.addCleanup(self.tmp.cleanup)
        self.root = self.tmp.name

    def path(self, *parts):
        return os.path.join(self.root, *parts)

    def test_absent_and_existing_directories_pass(self):
        os.mkdir(self.path('results'))
        self.assertEqual([], preflight.obstacles(
            [self.path('results'), self.path('new', 'deeper')]))

    def test_tox_redirect_file_where_the_venv_goes(self):
        # What tox 4.67 leaves in a project root (issue 28).
        with open(self.path('.venv'), 'w') as f:
            f.write('.tox/py3\n')
        problems = preflight.obstacles([self.path('.venv')])
        self.assertEqual(1, len(problems))
        self.assertIn(self.path('.venv'), problems[0])
        self.assertIn('a file of 9 bytes', problems[0])
        self.assertIn(".tox/py3", problems[0])

    def test_a_file_in_a_parent_is_named(self):
        with open(self.path('state'), 'w') as f:
            f.write('x')
        problem = preflight.obstacle(self.path('state', 'venv'))
        self.assertIn('cannot make %s' % self.path('state', 'venv'), problem)
        self.assertIn('%s must be a directory' % self.path('state'), problem)

    def test_dangling_link(self):
        os.symlink(self.path('gone'), self.path('link'))
        self.assertIn('dangling symbolic link',
                      preflight.obstacle(self.path('link')))

    def test_message_names_every_problem_and_the_fix(self):
        text = preflight.message(['a is in the way', 'b is in the way'])
        self.assertIn('a is in the way\n  b is in the way', text)
        self.assertIn('started nothing', text)
        self.assertIn('Move what is in the way', text)


if __name__ == '__main__':
    unittest.main()
