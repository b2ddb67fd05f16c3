# lab-backup backup ITEM | check | drill | password: what the lab-backup-* units run; restore: what scripts/restore runs. A backup reads its source and
# writes only the repository, restic's cache and its staging directory (the units mount everything else
# read-only); every run publishes its series to the Pushgateway (group job="lab_backup").

usage() {
  echo "usage: lab-backup backup ITEM | check | drill | password | restore ITEM SNAPSHOT|latest TARGET [--yes]   (items here: ${items[*]})" >&2
  exit 2
}

lab_restic() {
  restic --repo "$repository" --password-file "$password_file" --cache-dir "$cache_dir" "$@"
}

# unlock_stale: removes the locks of runs that are gone. A run cut by a power cut or a kill leaves its lock in the
# repository, and restic 0.14 then refuses every exclusive operation (forget --prune, check) until it is removed;
# `unlock` removes only stale locks (this host's whose process is gone, or any not refreshed for 30 minutes), never a
# live run's. Called before each exclusive operation.
unlock_stale() {
  lab_restic unlock >&2
}

# index_of ITEM: the item's position in the data arrays.
index_of() {
  local i
  for i in "${!items[@]}"; do
    if [ "${items[$i]}" = "$1" ]; then
      echo "$i"
      return 0
    fi
  done
  echo "lab-backup: no item '$1' on $machine (items here: ${items[*]})" >&2
  return 2
}

# push GROUP < series: replaces those series of the group job="lab_backup"/GROUP (POST keeps the group's others).
# A Pushgateway that does not answer costs the series, not the backup: the age alert then fires on its own.
# The series are read in full first: a curl that gives up early must not break the writer's pipe.
push() {
  local series
  series=$(cat)
  if ! curl -fsS --max-time 10 --data-binary @- "$pushgateway/metrics/job/lab_backup/$1" <<<"$series" >/dev/null; then
    echo "lab-backup: could not publish the series of $1 to $pushgateway" >&2
  fi
}

# sources INDEX: what restic reads for the item (the datastore's is first taken into staging).
# Run in a condition (errexit is off there): every command that can fail returns on its own.
sources() {
  case "${kinds[$1]}" in
    export)
      printf '%s\n' "${paths[$1]}"
      ;;
    datastore)
      # dbctl writes OUT.tar.gz; certs/ and args/ are what it does not capture and a restore needs.
      install -d -m 0700 "$staging_dir/datastore" || return 1
      rm -f "$staging_dir/datastore/datastore.tar.gz"
      microk8s dbctl backup -o "$staging_dir/datastore/datastore" >&2 || return 1
      printf '%s\n' "$staging_dir/datastore" "$microk8s_data/certs" "$microk8s_data/args"
      ;;
  esac
}

# vault_backup INDEX: Vault's raft snapshot (GET /v1/sys/storage/raft/snapshot, TLS checked against the lab CA) streamed
# into restic on stdin, never written to disk. The snapshot agent's token goes to curl as a header read from a file
# descriptor (printf and $(<) are builtins): never argv. A snapshot cut short by a failed call is forgotten again.
# Run in a condition (errexit is off there): every command that can fail returns on its own.
vault_backup() {
  local out status=0 snapshot
  out=$(curl --fail --silent --show-error --max-time 900 --cacert "$vault_ca" -H @<(printf 'X-Vault-Token: %s\n' "$(<"$vault_token")") \
    "$vault_address/v1/sys/storage/raft/snapshot" | lab_restic backup --json --host "$machine" --tag "${items[$1]}" --stdin --stdin-filename "${paths[$1]}") || status=$?
  if [ "$status" -ne 0 ]; then
    snapshot=$(grep -o '"snapshot_id":"[0-9a-f]*"' <<<"$out" | tail -n 1 | cut -d '"' -f 4)
    [ -z "$snapshot" ] || lab_restic forget "$snapshot" >&2 || true
    return "$status"
  fi
  printf '%s\n' "$out"
}

# item_backup INDEX: restic's JSON of the item's backup.
# Run in a condition (errexit is off there): every command that can fail returns on its own.
item_backup() {
  local list src=()
  if [ "${kinds[$1]}" = vault ]; then
    vault_backup "$1"
    return
  fi
  list=$(sources "$1") || return 1
  mapfile -t src <<<"$list"
  lab_restic backup --json --host "$machine" --tag "${items[$1]}" "${src[@]}"
}

backup() {
  local i item now out size snapshot keep=()
  i=$(index_of "$1")
  item=${items[$i]}
  now=$(date +%s)
  if out=$(item_backup "$i"); then
    size=$(grep -o '"total_bytes_processed":[0-9]*' <<<"$out" | tail -n 1 | cut -d : -f 2)
    snapshot=$(grep -o '"snapshot_id":"[0-9a-f]*"' <<<"$out" | tail -n 1 | cut -d '"' -f 4)
    printf 'lab_backup_last_success_timestamp_seconds %s\nlab_backup_size_bytes %s\nlab_backup_rpo_seconds %s\nlab_backup_last_run_success 1\nlab_backup_last_run_timestamp_seconds %s\n' \
      "$now" "${size:-0}" "${rpo_seconds[$i]}" "$now" | push "item/$item"
    echo "backup of $item: snapshot ${snapshot:-?}, ${size:-0} bytes read"
  else
    printf 'lab_backup_rpo_seconds %s\nlab_backup_last_run_success 0\nlab_backup_last_run_timestamp_seconds %s\n' "${rpo_seconds[$i]}" "$now" | push "item/$item"
    echo "lab-backup: the backup of $item to $repository failed (restic's message above)" >&2
    return 1
  fi
  [ "${keep_last[$i]}" = 0 ] || keep+=(--keep-last "${keep_last[$i]}")
  [ "${keep_daily[$i]}" = 0 ] || keep+=(--keep-daily "${keep_daily[$i]}")
  [ "${keep_weekly[$i]}" = 0 ] || keep+=(--keep-weekly "${keep_weekly[$i]}")
  [ "${keep_monthly[$i]}" = 0 ] || keep+=(--keep-monthly "${keep_monthly[$i]}")
  # Only this item's snapshots: grouped by host and tag, so a moved path never splits the policy.
  unlock_stale
  lab_restic forget --host "$machine" --tag "$item" --group-by host,tags --prune "${keep[@]}"
}

check() {
  local start rc=0
  start=$(date +%s)
  { unlock_stale && lab_restic check --read-data-subset "$check_subset"; } || rc=$?
  printf 'lab_backup_check_success %s\nlab_backup_check_timestamp_seconds %s\nlab_backup_check_duration_seconds %s\n' \
    "$([ "$rc" -eq 0 ] && echo 1 || echo 0)" "$start" "$(($(date +%s) - start))" | push "machine/$machine"
  return "$rc"
}

# drill_item INDEX: restore a sample of the item's latest snapshot into scratch and compare each file's
# sha256 with the source's, for source files unchanged since the snapshot. Prints how many it compared;
# returns 2 for an item without a snapshot yet.
# Run in a condition (errexit is off there): every command that can fail returns on its own.
drill_item() {
  local i=$1 item=${items[$1]} scratch snapshots id when marker path compared=0 sample=() include=()
  snapshots=$(lab_restic snapshots --json --host "$machine" --tag "$item" --latest 1) || return 1
  id=$(grep -o '"id":"[0-9a-f]*"' <<<"$snapshots" | tail -n 1 | cut -d '"' -f 4)
  when=$(grep -o '"time":"[^"]*"' <<<"$snapshots" | tail -n 1 | cut -d '"' -f 4)
  if [ -z "$id" ]; then
    # Not yet backed up: nothing to drill (BackupOlderThanRPO covers an item that never succeeds).
    echo "lab-backup: $item has no snapshot yet; not drilled" >&2
    return 2
  fi
  scratch=$(mktemp -d "$drill_dir/$item.XXXXXX") || return 1
  if [ "${kinds[$i]}" = vault ]; then
    # No source to compare with: restic's --verify checks the restored snapshot against the repository's hashes.
    if ! lab_restic restore "$id" --target "$scratch" --verify >&2 || [ ! -s "$scratch/${paths[$i]}" ]; then
      rm -rf "$scratch"
      return 1
    fi
    rm -rf "$scratch"
    echo 1
    return 0
  fi
  marker=$scratch.snapshot-time
  touch -d "$when" "$marker" || return 1
  while IFS= read -r path; do
    if [ -f "$path" ] && [ ! -L "$path" ] && [ ! "$path" -nt "$marker" ]; then
      sample+=("$path")
      include+=(--include "$path")
    fi
    [ "${#sample[@]}" -lt "$drill_sample" ] || break
  done < <(lab_restic ls "$id" | tail -n +2)
  if [ "${#sample[@]}" -eq 0 ]; then
    echo "lab-backup: no file of $item's snapshot $id is unchanged in the source: nothing to compare" >&2
    rm -rf "$scratch" "$marker"
    return 1
  fi
  lab_restic restore "$id" --target "$scratch" --verify "${include[@]}" >&2 || { rm -rf "$scratch" "$marker"; return 1; }
  for path in "${sample[@]}"; do
    if [ "$(sha256sum <"$scratch$path")" != "$(sha256sum <"$path")" ]; then
      echo "lab-backup: $item: $path restored from $id differs from the source" >&2
      rm -rf "$scratch" "$marker"
      return 1
    fi
    compared=$((compared + 1))
  done
  rm -rf "$scratch" "$marker"
  echo "$compared"
}

drill() {
  local i item start ok rc files failed=0
  install -d -m 0700 "$drill_dir"
  for i in "${!items[@]}"; do
    item=${items[$i]}
    start=$(date +%s)
    ok=1 rc=0
    files=$(drill_item "$i") || rc=$?
    [ "$rc" -ne 2 ] || continue
    [ "$rc" -eq 0 ] || ok=0
    printf 'lab_backup_drill_success %s\nlab_backup_drill_duration_seconds %s\nlab_backup_drill_timestamp_seconds %s\n' \
      "$ok" "$(($(date +%s) - start))" "$start" | push "item/$item"
    if [ "$ok" -eq 1 ]; then
      echo "drill of $item: $files file(s) restored byte-identical in $(($(date +%s) - start)) s"
    else
      failed=$((failed + 1))
    fi
  done
  [ "$failed" -eq 0 ]
}

# restore ITEM SNAPSHOT TARGET [--yes]: the item's snapshot into TARGET ("/" puts it back in place). Lists the
# files it would overwrite and overwrites none without --yes. Needs the repository, so it fails clearly (and
# changes nothing) on a wrong password or an unreachable repository.
restore() {
  local item=$1 snapshot=$2 target=$3 confirmed=$4 snapshots id path overwritten=() start
  index_of "$item" >/dev/null
  if ! snapshots=$(lab_restic snapshots --json --host "$machine" --tag "$item"); then
    echo "lab-backup: cannot read the snapshots of $item from $repository (restic's message above); nothing was restored" >&2
    return 1
  fi
  if [ "$snapshot" = latest ]; then
    id=$(grep -o '"id":"[0-9a-f]*"' <<<"$snapshots" | tail -n 1 | cut -d '"' -f 4)
  else
    id=$(grep -o '"id":"[0-9a-f]*"' <<<"$snapshots" | cut -d '"' -f 4 | grep -m 1 "^$snapshot" || true)
  fi
  if [ -z "$id" ]; then
    echo "lab-backup: $item has no snapshot '$snapshot' (lab-backup snapshots are tagged with the item's name)" >&2
    return 1
  fi
  while IFS= read -r path; do
    if [ -f "${target%/}$path" ]; then
      overwritten+=("${target%/}$path")
    fi
  done < <(lab_restic ls "$id" | tail -n +2)
  if [ "${#overwritten[@]}" -gt 0 ] && [ "$confirmed" != --yes ]; then
    echo "restoring $item from snapshot ${id:0:8} into $target would overwrite ${#overwritten[@]} file(s):"
    printf '  %s\n' "${overwritten[@]:0:20}"
    [ "${#overwritten[@]}" -le 20 ] || echo "  ... and $((${#overwritten[@]} - 20)) more"
    echo "nothing was changed; to overwrite them, run again with --yes"
    return 3
  fi
  start=$(date +%s)
  [ -d "$target" ] || install -d -m 0700 "$target"
  lab_restic restore "$id" --target "$target" --verify
  echo "restored $item from snapshot ${id:0:8} into $target (${#overwritten[@]} file(s) overwritten) in $(($(date +%s) - start)) s"
}

# restore_password: where the step feeds the password (the NAS), a reboot empties its tmpfs file and no step runs
# again; the step keeps it encrypted on disk too (systemd-creds), from which it is written back, 0600, before any use.
restore_password() {
  if [ -z "$password_store" ] || [ -s "$password_file" ]; then
    return 0
  fi
  if [ ! -s "$password_store" ]; then
    echo "lab-backup: $password_file is missing and so is its store $password_store: run this machine's backups step again (pulumi up --replace with its URN; docs/runbooks/backups.md)" >&2
    return 1
  fi
  install -d -m 0700 "$(dirname "$password_file")"
  if ! (umask 077 && systemd-creds decrypt --name="$password_credential" "$password_store" "$password_file.new"); then
    rm -f "$password_file.new"
    echo "lab-backup: $password_store does not decrypt as credential $password_credential on this machine (systemd-creds decrypt)" >&2
    return 1
  fi
  mv "$password_file.new" "$password_file"
  echo "lab-backup: $password_file written back from $password_store (a reboot had emptied it)" >&2
}

restore_password

case "${1:-}" in
  # Only the password back in place (above): the units run it with full privileges before their sandboxed run.
  password) [ $# -eq 1 ] || usage ;;
  backup)
    [ $# -eq 2 ] || usage
    backup "$2"
    ;;
  check) check ;;
  drill) drill ;;
  restore)
    { [ $# -eq 4 ] || [ $# -eq 5 ]; } || usage
    restore "$2" "$3" "$4" "${5:-}"
    ;;
  *) usage ;;
esac
