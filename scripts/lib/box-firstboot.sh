#!/bin/bash
# A box machine's first boot (scripts/box): its base image runs this from the machine's seed disk
# (lab-box-seed.service, before the network and sshd). SEED: where the seed disk is mounted, holding
# root/ (files laid over /: name, address, host keys, the stand-ins), user and authorized_keys.
set -euo pipefail
seed=$1
cp -a "$seed/root/." /
user=$(cat "$seed/user")
id -u "$user" >/dev/null 2>&1 || useradd -m -s /bin/bash "$user"
printf '%s ALL=(ALL) NOPASSWD:ALL\n' "$user" >/etc/sudoers.d/lab-box
chmod 0440 /etc/sudoers.d/lab-box
install -d -m 0700 -o "$user" -g "$user" "/home/$user/.ssh"
install -m 0600 -o "$user" -g "$user" "$seed/authorized_keys" "/home/$user/.ssh/authorized_keys"
hostname "$(cat /etc/hostname)"
install -d /var/lib/lab-box
touch /var/lib/lab-box/seeded
