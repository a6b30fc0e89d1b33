"""gunicorn entry point for the OpenStack WSGI applications.

The services parse ``sys.argv`` with oslo.config when their application
module is imported, and would reject gunicorn's own arguments; the lab
hides them while the module loads. Used as ``lab.wsgi:app('<module>')``.
"""

import importlib
import sys


def app(module):
    saved = sys.argv
    sys.argv = [saved[0]]
    try:
        return importlib.import_module(module).application
    finally:
        sys.argv = saved
