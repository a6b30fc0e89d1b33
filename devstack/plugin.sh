#!/bin/bash
# sriov-tempest-plugin devstack plugin: writes the [sriov] group of
# tempest.conf from SRIOV_* variables (see devstack/settings) in the
# test-config phase, after Tempest itself is configured.

_XTRACE_SRIOV_TEMPEST=$(set +o | grep xtrace)
set +o xtrace

function configure_sriov_tempest {
    local option var value
    for option in $SRIOV_TEMPEST_OPTIONS; do
        var="SRIOV_${option^^}"
        value="${!var:-}"
        if [[ -n "$value" ]]; then
            iniset "$TEMPEST_CONFIG" sriov "$option" "$value"
        fi
    done
}

if [[ "$1" == "stack" && "$2" == "test-config" ]]; then
    if is_service_enabled tempest; then
        echo_summary "Configuring [sriov] in Tempest for sriov-tempest-plugin"
        configure_sriov_tempest
    fi
fi

$_XTRACE_SRIOV_TEMPEST
