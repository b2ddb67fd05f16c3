using Lab.Model.Spec;

namespace Lab.Model.Monitoring;

/// <summary>
/// How the observability add-on's Prometheus scrapes the lab's Vault, which runs outside the cluster: a
/// Service without a selector, its Endpoints at Vault's address, and a ServiceMonitor on
/// /v1/sys/metrics?format=prometheus. Vault must serve that without a token (its listener's
/// `telemetry { unauthenticated_metrics_access = true }`): a token is refused while Vault is sealed,
/// which is exactly when VaultSealed must see `vault_core_unsealed`.
/// </summary>
public sealed record VaultMetrics(string Ip, int Port)
{
    /// <summary>The Service, Endpoints and ServiceMonitor name; Prometheus's job label for Vault.</summary>
    public const string Name = "lab-vault";
    public const string PortName = "https";
    public const string Path = "/v1/sys/metrics";

    public static VaultMetrics For(LabSpec spec)
    {
        var uri = new Uri(spec.Vault.Address);
        return new VaultMetrics(uri.Host, uri.Port);
    }
}
