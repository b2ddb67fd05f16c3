# lab_ca FILE PEM ENDPOINT: puts the lab CA at FILE and prints its SHA-256 fingerprint as the fact lab_ca_sha256.
# PEM is the stack's CA; empty (lab:vault.ca: collect), a machine without FILE takes, once, the CA at the top of the
# chain that Vault presents at ENDPOINT (host:port): trust on first use, as ssh's known_hosts does.
lab_ca() {
  local file=$1 pem=$2 endpoint=$3 chain ca
  if checking && [ -z "$pem" ]; then
    # A collected CA is whatever the machine took on first use: a check asks only that it is still there.
    converge "file $file" present "$([ -s "$file" ] && echo present || echo absent)"
    [ -s "$file" ] || return 0
  elif [ -n "$pem" ]; then
    printf '%s' "$pem" | write_file "$file" 0644
  elif [ ! -s "$file" ]; then
    # s_client reports an unverified chain and goes on: the chain is what is wanted here, not a verdict on it.
    if ! chain=$(timeout 30 openssl s_client -connect "$endpoint" -showcerts </dev/null 2>/dev/null); then
      echo "$lab_step: no TLS answer from Vault at $endpoint to take the lab CA from; is Vault up? (or pin the CA: scripts/lab-ca)" >&2
      return 1
    fi
    ca=$(printf '%s\n' "$chain" | awk '/-----BEGIN CERTIFICATE-----/ { block = ""; on = 1 } on { block = block $0 "\n" } /-----END CERTIFICATE-----/ { on = 0; last = block } END { printf "%s", last }')
    if ! printf '%s' "$ca" | openssl x509 -noout -checkend 0 >/dev/null 2>&1; then
      echo "$lab_step: the top certificate Vault presents at $endpoint is missing or expired" >&2
      return 1
    fi
    if ! printf '%s' "$ca" | openssl x509 -noout -ext basicConstraints 2>/dev/null | grep -q 'CA:TRUE'; then
      echo "$lab_step: Vault at $endpoint presents no CA certificate (only its own): pin the lab CA in the stack with scripts/lab-ca" >&2
      return 1
    fi
    printf '%s\n' "$ca" | write_file "$file" 0644
  fi
  echo "lab_ca_sha256=$(openssl x509 -in "$file" -noout -fingerprint -sha256 | cut -d= -f2)"
}
