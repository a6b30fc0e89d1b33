# Sphinx configuration of sriov-tempest-plugin's docs (tox -e docs).

import os
import sys

sys.path.insert(0, os.path.abspath('../..'))

extensions = [
    'openstackdocstheme',
    # The configuration reference is generated from the option
    # definitions (the oslo.config.opts entry point in setup.cfg).
    'oslo_config.sphinxext',
]

openstackdocs_repo_name = 'x/sriov-tempest-plugin'
openstackdocs_use_storyboard = False
openstackdocs_bug_project = 'sriov-tempest-plugin'
openstackdocs_bug_tag = 'doc'
openstackdocs_auto_name = False

project = 'sriov-tempest-plugin'
copyright = '2026, sriov-tempest-plugin developers'
master_doc = 'index'
source_suffix = '.rst'
exclude_patterns = ['_build']
pygments_style = 'native'
html_theme = 'openstackdocs'
html_static_path = ['_static']
