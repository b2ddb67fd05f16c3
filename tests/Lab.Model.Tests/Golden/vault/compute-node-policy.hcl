# compute-node-policy: rendered by Lab.Model for AppRole role 'compute-node'.
# Least privilege: only the KV paths this role needs; no sudo, nothing outside the KV mount.

path "secret/data/ngc" {
  capabilities = ["read"]
}

path "secret/data/huggingface" {
  capabilities = ["read"]
}

path "secret/data/meta" {
  capabilities = ["read"]
}
