# vault-agent for the lab, rendered by Lab.Model: AppRole auto-auth, file sink, templates.
pid_file = "/run/vault-agent/vault-agent.pid"

vault {
  address = "https://192.168.50.20:8200"
  ca_cert = "/usr/local/share/ca-certificates/ai-lab-ca.crt"
}

auto_auth {
  method "approle" {
    mount_path = "auth/approle"
    config = {
      role_id_file_path                   = "/etc/vault-agent/role-id"
      secret_id_file_path                 = "/etc/vault-agent/secret-id"
      remove_secret_id_file_after_reading = false
    }
  }

  sink "file" {
    config = {
      path = "/run/vault-agent/token"
      mode = 0600
    }
  }
}

template {
  source      = "/etc/vault-agent/templates/ngc-api_key.ctmpl"
  destination = "/var/run/secrets/ngc-api-key"
  perms       = "0600"
}

template {
  source      = "/etc/vault-agent/templates/huggingface-token.ctmpl"
  destination = "/var/run/secrets/hf-token"
  perms       = "0600"
}

template {
  source      = "/etc/vault-agent/templates/restic-password.ctmpl"
  destination = "/var/run/secrets/restic-password"
  perms       = "0600"
}
