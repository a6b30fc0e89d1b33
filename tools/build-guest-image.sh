#!/bin/bash
# Build the suite's guest image: a Debian 12 (bookworm) qcow2 with sshd,
# iperf3 3.x, ping, nc, cloud-init (NoCloud, config drive, OpenStack
# metadata), DHCP on every NIC, the VF drivers of Debian's kernel (iavf,
# ixgbevf, i40e, ice, mlx5_core...) and boot and login on the serial
# console.
#
#   tools/build-guest-image.sh [--output FILE] [--mirror URL] [--size SIZE]
#
# mmdebstrap installs the system from Debian's packages into a folder
# (tools/guest-image/customize.sh adds our files); mke2fs writes that
# folder as the ext4 root partition of a disk file (no loop device, no
# mount, no device-mapper: they are often missing in containers and CI
# machines); GRUB's own boot.img and core.img, made by the image's
# grub-mkimage, go in front of it, as grub-install would put them; qemu-img
# compresses the disk to qcow2. Runs as root (the folder keeps the files'
# owners). Installs the Debian packages it needs when they are missing.
set -euo pipefail
cd "$(dirname "$0")/.."

output=sriov-guest.qcow2
mirror=http://deb.debian.org/debian
security_mirror=http://deb.debian.org/debian-security
size=2G
while [ $# -gt 0 ]; do
    case "$1" in
        --output) output="$2"; shift 2 ;;
        --mirror) mirror="$2"; shift 2 ;;
        --security-mirror) security_mirror="$2"; shift 2 ;;
        --size) size="$2"; shift 2 ;;
        -h|--help) sed -n '2,18p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "build-guest-image.sh: unknown argument $1 (see --help)" >&2
           exit 2 ;;
    esac
done

if [ "$(id -u)" -ne 0 ]; then
    echo "build-guest-image.sh: run it as root (mmdebstrap writes files" \
         "owned by the guest's users); e.g. sudo $0" >&2
    exit 1
fi

# The image's packages. linux-image-amd64 rather than the cloud kernel:
# the cloud kernel has no iavf, the VF driver of Intel's 700 and 800
# series NICs.
PACKAGES=linux-image-amd64,initramfs-tools,grub-pc-bin,systemd-sysv,udev
PACKAGES+=,systemd-resolved,openssh-server,cloud-init,cloud-guest-utils
PACKAGES+=,iperf3,netcat-openbsd,iputils-ping,iproute2,python3,sudo
PACKAGES+=,ca-certificates

tools/ensure-debian-packages.sh mmdebstrap e2fsprogs fdisk qemu-utils

start=$(date +%s)
work=$(mktemp -d "$(dirname "$(readlink -f "$output")")/.guest-image.XXXXXX")
trap 'rm -rf "$work"' EXIT
root="$work/root"
disk="$work/disk.raw"

echo "== mmdebstrap bookworm from $mirror"
mmdebstrap --variant=apt --include="$PACKAGES" \
    --dpkgopt='path-exclude=/usr/share/doc/*' \
    --dpkgopt='path-include=/usr/share/doc/*/copyright' \
    --dpkgopt='path-exclude=/usr/share/man/*' \
    --dpkgopt='path-exclude=/usr/share/locale/*' \
    --dpkgopt='path-include=/usr/share/locale/locale.alias' \
    --customize-hook="$PWD/tools/guest-image/customize.sh \"\$1\"" \
    bookworm "$root" \
    "deb $mirror bookworm main" \
    "deb $mirror bookworm-updates main" \
    "deb $security_mirror bookworm-security main" \
    > "$work/mmdebstrap.log" 2>&1 \
    || { tail -20 "$work/mmdebstrap.log" >&2
         echo "build-guest-image.sh: mmdebstrap failed (above); is $mirror" \
              "reachable? --mirror URL picks another" >&2
         exit 1; }

echo "== disk: MBR, GRUB, ext4 root partition (LABEL=root) of $size"
truncate -s "$size" "$disk"
printf 'label: dos\nstart=2048, type=83, bootable\n' | sfdisk -q "$disk"
part_start=$((2048 * 512))
part_kib=$(( ($(stat -c %s "$disk") - part_start) / 1024 ))
mke2fs -q -t ext4 -L root -d "$root" -E offset=$part_start "$disk" \
    "${part_kib}k"
# boot.img's code (not the partition table after it) in the MBR; it loads
# sector 1, where core.img goes, which loads the rest of itself from
# sector 2 on: the defaults grub-mkimage wrote into both.
boot_img="$root/boot/grub/i386-pc/boot.img"
core_img="$root/boot/grub/i386-pc/core.img"
if [ "$(stat -c %s "$core_img")" -gt $(( (2048 - 1) * 512 )) ]; then
    echo "build-guest-image.sh: core.img does not fit before the" \
         "partition" >&2
    exit 1
fi
dd if="$boot_img" of="$disk" bs=440 count=1 conv=notrunc status=none
dd if="$core_img" of="$disk" bs=512 seek=1 conv=notrunc status=none

echo "== qcow2 (compressed): $output"
qemu-img convert -c -O qcow2 "$disk" "$work/out.qcow2"
mv "$work/out.qcow2" "$output"

bytes=$(stat -c %s "$output")
echo "built $output: $((bytes / 1048576)) MiB (virtual size $size)" \
     "in $(( $(date +%s) - start )) s"
limit=$((400 * 1048576))
if [ "$bytes" -gt "$limit" ]; then
    echo "build-guest-image.sh: $output is over 400 MiB" >&2
    exit 1
fi
