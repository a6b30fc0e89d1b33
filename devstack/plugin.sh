#!/bin/bash
# sriov-tempest-plugin devstack plugin. In the test-config phase, after
# Tempest itself is configured: puts the suite's guest image in Glance and
# a flavor that fits it in Nova (unless SRIOV_IMAGE_REF is given), then
# writes the [sriov] group of tempest.conf from SRIOV_* variables (see
# devstack/settings).

_XTRACE_SRIOV_TEMPEST=$(set +o | grep xtrace)
set +o xtrace

SRIOV_TEMPEST_PLUGIN_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

# The guest image (tools/build-guest-image.sh: sshd, iperf3, cloud-init):
# downloaded from SRIOV_GUEST_IMAGE_URL, else built, uploaded with
# devstack's upload_image, and a flavor made for it. Sets SRIOV_IMAGE_REF,
# SRIOV_IMAGE_SSH_USER and SRIOV_FLAVOR_REF where they are not set.
function sriov_guest_image {
    local file="$FILES/$SRIOV_GUEST_IMAGE_NAME.qcow2" url image flavor
    if [[ -n "$SRIOV_GUEST_IMAGE_URL" ]]; then
        url=$SRIOV_GUEST_IMAGE_URL
    else
        if [[ ! -f "$file" ]]; then
            echo_summary "Building the SR-IOV guest image ($file)"
            sudo "$SRIOV_TEMPEST_PLUGIN_DIR/tools/build-guest-image.sh" \
                --output "$file" --mirror "$SRIOV_GUEST_IMAGE_MIRROR"
        fi
        url="file://$file"
    fi
    upload_image "$url"
    image=$(openstack --os-cloud devstack-admin image list \
        --name "$SRIOV_GUEST_IMAGE_NAME" -f value -c ID | head -n 1)
    if [[ -z "$image" ]]; then
        die $LINENO "the SR-IOV guest image $SRIOV_GUEST_IMAGE_NAME is not in Glance after upload_image $url"
    fi
    SRIOV_IMAGE_REF=$image
    SRIOV_IMAGE_SSH_USER=${SRIOV_IMAGE_SSH_USER:-$SRIOV_GUEST_IMAGE_USER}
    if [[ -z "${SRIOV_FLAVOR_REF:-}" ]]; then
        if ! openstack --os-cloud devstack-admin flavor show \
                "$SRIOV_GUEST_FLAVOR_NAME" >/dev/null 2>&1; then
            openstack --os-cloud devstack-admin flavor create \
                --vcpus "$SRIOV_GUEST_FLAVOR_VCPUS" \
                --ram "$SRIOV_GUEST_FLAVOR_RAM" \
                --disk "$SRIOV_GUEST_FLAVOR_DISK" \
                "$SRIOV_GUEST_FLAVOR_NAME" >/dev/null
        fi
        flavor=$(openstack --os-cloud devstack-admin flavor show \
            -f value -c id "$SRIOV_GUEST_FLAVOR_NAME")
        SRIOV_FLAVOR_REF=$flavor
    fi
}

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
        if [[ -z "${SRIOV_IMAGE_REF:-}" && "$SRIOV_GUEST_IMAGE" == True ]]
        then
            sriov_guest_image
        fi
        echo_summary "Configuring [sriov] in Tempest for sriov-tempest-plugin"
        configure_sriov_tempest
    fi
fi

$_XTRACE_SRIOV_TEMPEST
