# validation-job-policy: rendered by Lab.Model for AppRole role 'validation-job'.
# Least privilege: only the KV paths this role needs; no sudo, nothing outside the KV mount.

path "secret/data/huggingface" {
  capabilities = ["read"]
}
