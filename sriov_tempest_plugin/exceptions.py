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
"""Errors a user can meet, each carrying one sentence of cause and fix."""

from tempest.lib import exceptions as lib_exc


class SriovConfigError(lib_exc.InvalidConfiguration):
    """A [sriov] value is wrong; the message names the option."""

    message = '%(reason)s'

    def __init__(self, reason):
        super(SriovConfigError, self).__init__(reason=reason)
