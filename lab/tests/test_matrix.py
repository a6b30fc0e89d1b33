"""Every fault the lab offers is caught by a listed test (a matrix row)."""

import unittest

from lab import faults
from lab import matrix
from lab import outcome


class MatrixTest(unittest.TestCase):

    def test_every_fault_has_a_row(self):
        self.assertEqual(sorted(f.name for f in faults.FAULTS),
                         sorted(r.fault for r in matrix.ROWS))

    def test_rows_name_tests_of_the_expected_outcome(self):
        with open(outcome.__file__.replace('outcome.py',
                                           'expected-outcome.txt')) as f:
            known = set(outcome.parse_expected(f.read()))
        classes = {name.rsplit('.', 1)[0] for name in known}
        for row in matrix.ROWS:
            self.assertTrue(row.fails, row.fault)
            self.assertTrue(row.message, row.fault)
            for test in row.fails:
                self.assertTrue(test in known or test in classes,
                                '%s: %s is not in the suite' % (row.fault,
                                                                test))


if __name__ == '__main__':
    unittest.main()
