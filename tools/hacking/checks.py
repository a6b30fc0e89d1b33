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
"""Tempest's own hacking checks, for flake8's local-plugins.

flake8 loads local plugins from a path, so this module re-exports the
checks of the installed Tempest that apply outside Tempest's own tree.
"""

from tempest.hacking.checks import dont_put_admin_tests_on_nonadmin_path  # noqa
from tempest.hacking.checks import no_hyphen_at_end_of_rand_name  # noqa
from tempest.hacking.checks import no_mutable_default_args  # noqa
from tempest.hacking.checks import no_setup_teardown_class_for_tests  # noqa
from tempest.hacking.checks import no_testtools_skip_decorator  # noqa
from tempest.hacking.checks import service_tags_not_in_module_path  # noqa
