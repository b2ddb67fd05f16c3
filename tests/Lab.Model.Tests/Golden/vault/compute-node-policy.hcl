# Rendered by Lab.Model for one AppRole role of the lab.
# Least privilege: only the KV paths this role needs; no sudo, nothing outside the KV mount.

path "secret/data/ngc" {
  capabilities = ["read"]
}

path "secret/data/huggingface" {
  capabilities = ["read"]
}

path "secret/data/restic" {
  capabilities = ["read"]
}

path "secret/data/meta" {
  capabilities = ["read"]
}
